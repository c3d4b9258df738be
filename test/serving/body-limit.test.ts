/**
 * Oversized request bodies over a real socket: every one gets the documented 400 with a JSON
 * error, early (not after the whole body), and the connection is then drained or cut, so nothing
 * is left open: no pending request, no socket, and the server closes promptly.
 */
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FeatureStore } from "../../src/serving/index.js";
import type { RunningServer } from "../../src/serving/server.js";
import { OVERSIZE_DRAIN_FACTOR, OVERSIZE_DRAIN_MS, startServer } from "../../src/serving/server.js";
import { freshDatabase, hasService } from "../services/index.js";
import { apply, makeProject, post, SCHEMA } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const MIB = 1024 * 1024;

interface Exchange {
  /** Everything the server sent. */
  answer: () => string;
  /** When the first byte of the answer came, ms after the request started. */
  answeredAfter: () => number | null;
  /** Resolves when the server has closed or cut the connection. */
  closed: Promise<void>;
  socket: Socket;
}

/** Opens a socket to `url` and sends the request head; the caller sends the body. */
function open(url: string, head: string): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let text = "";
    let first: number | null = null;
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      resolve({ answer: () => text, answeredAfter: () => first, closed, socket });
    });
    socket.on("data", (d: Buffer) => {
      first ??= Date.now() - started;
      text += d.toString("latin1");
    });
    socket.on("error", () => undefined); // EPIPE/ECONNRESET once the server cuts it: expected
    const closed = new Promise<void>((r) => socket.on("close", () => r()));
    socket.once("error", reject);
  });
}

/** Writes `total` bytes of JSON-ish filler as fast as the socket takes them (stops once closed). */
async function pour(socket: Socket, total: number, chunked: boolean): Promise<void> {
  const chunk = Buffer.alloc(256 * 1024, "1,");
  for (let sent = 0; sent < total && !socket.destroyed && socket.writable; sent += chunk.length) {
    const data = chunked
      ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])
      : chunk;
    if (!socket.write(data)) {
      await new Promise<void>((r) => {
        socket.once("drain", r);
        socket.once("close", r);
      });
    }
  }
  if (chunked && socket.writable) socket.write("0\r\n\r\n");
}

function statusOf(answer: string): { status: number; body: unknown } {
  const [head, body] = answer.split("\r\n\r\n", 2) as [string, string];
  return { status: Number(head.split(" ")[1]), body: JSON.parse(body) };
}

describe.runIf(hasService("postgres"))("fsops serve: oversized bodies on a real socket", () => {
  let server: RunningServer;
  beforeAll(async () => {
    const url = await freshDatabase();
    const dir = await makeProject({
      registry: "data/registry.json",
      online: `  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`,
    });
    await apply(dir, { ONLINE: url });
    server = await startServer(await FeatureStore.open(dir, { env: { ONLINE: url } }), { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  const refused = (answer: string) => {
    const { status, body } = statusOf(answer);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: "request body is larger than the 1048576-byte limit (serve --max-body-bytes)",
    });
  };

  for (const chunked of [false, true]) {
    it(`answers a 70 MiB body (${chunked ? "chunked" : "with content-length"}) with the 400, then cuts the connection`, async () => {
      const size = 70 * MIB;
      const x = await open(
        server.url,
        `POST /get-online-features HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${chunked ? "transfer-encoding: chunked" : `content-length: ${size}`}\r\n\r\n`,
      );
      await pour(x.socket, size, chunked);
      await x.closed;
      refused(x.answer());
    });
  }

  it("answers a slow client early, and cuts it once the drain time is over", async () => {
    const x = await open(
      server.url,
      `POST /get-online-features HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${70 * MIB}\r\n\r\n`,
    );
    const started = Date.now();
    x.socket.write(Buffer.alloc(64 * 1024, "1,"));
    const trickle = setInterval(() => x.socket.writable && x.socket.write(Buffer.alloc(1024, "1,")), 50);
    try {
      await x.closed;
    } finally {
      clearInterval(trickle);
    }
    refused(x.answer());
    expect(x.answeredAfter()).not.toBeNull();
    expect(x.answeredAfter() as number).toBeLessThan(1_000);
    const lasted = Date.now() - started;
    expect(lasted).toBeGreaterThanOrEqual(OVERSIZE_DRAIN_MS - 100);
    expect(lasted).toBeLessThan(OVERSIZE_DRAIN_MS + 3_000);
  });

  for (const [what, head, status] of [
    ["an unknown endpoint (404)", "POST /nope", 404],
    ["a GET endpoint (405)", "POST /health", 405],
  ] as const) {
    it(`answers a never-ending body sent to ${what} at once, and cuts it once the drain time is over`, async () => {
      const x = await open(server.url, `${head} HTTP/1.1\r\nhost: x\r\ncontent-length: 100000000\r\n\r\n`);
      const started = Date.now();
      const trickle = setInterval(() => x.socket.writable && x.socket.write(Buffer.alloc(1024, "1,")), 50);
      try {
        const timedOut = new Promise<string>((r) =>
          setTimeout(() => r("still open"), OVERSIZE_DRAIN_MS + 5_000),
        );
        expect(await Promise.race([x.closed.then(() => "cut"), timedOut])).toBe("cut");
      } finally {
        clearInterval(trickle);
        x.socket.destroy();
      }
      expect(statusOf(x.answer()).status).toBe(status);
      expect(x.answeredAfter() as number).toBeLessThan(1_000);
      const lasted = Date.now() - started;
      expect(lasted).toBeGreaterThanOrEqual(OVERSIZE_DRAIN_MS - 100);
      expect(lasted).toBeLessThan(OVERSIZE_DRAIN_MS + 3_000);
    });

    it(`cuts a fast body sent to ${what} after ${OVERSIZE_DRAIN_FACTOR}× the body limit`, async () => {
      const size = 100_000_000;
      const x = await open(server.url, `${head} HTTP/1.1\r\nhost: x\r\ncontent-length: ${size}\r\n\r\n`);
      await pour(x.socket, size, false);
      const sent = x.socket.bytesWritten;
      const timedOut = new Promise<string>((r) => setTimeout(() => r("still open"), 5_000));
      const ended = await Promise.race([x.closed.then(() => "cut"), timedOut]);
      x.socket.destroy();
      expect(ended).toBe("cut");
      expect(statusOf(x.answer()).status).toBe(status);
      expect(sent).toBeLessThan(size);
    });
  }

  it("serves on after a client gives up halfway, and closes at once: nothing left pending", async () => {
    const x = await open(
      server.url,
      `POST /get-online-features HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"entities":`,
    );
    x.socket.destroy();
    await x.closed;
    const res = await post(server.url, "/get-online-features", {
      entities: { driver_id: [1] },
      features: ["driver_stats:trips"],
    });
    expect(res.status, res.text).toBe(200);
    // Nothing was left hanging by the refused bodies: the server closes at once.
    const closing = Date.now();
    await server.close();
    expect(Date.now() - closing).toBeLessThan(1_000);
  });
});
