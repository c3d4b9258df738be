/**
 * Shutdown with keep-alive clients: Node keeps keep-alive connections open after
 * `server.close()`, and an idle one closed under a client racing its next request loses that
 * request ("socket hang up"). Draining answers say `connection: close`, so a client knows each
 * connection ends with its request in flight, and never reuses it.
 */
import { Agent, request } from "node:http";
import { describe, expect, it, vi } from "vitest";
import { FeatureStore } from "../../src/serving/index.js";
import { startServer } from "../../src/serving/server.js";
import { freshDatabase, hasService } from "../services/index.js";
import { apply, makeProject, SCHEMA } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000 });

interface Answer {
  status: number;
  connection: string | undefined;
}

describe.runIf(hasService("postgres"))("fsops serve: draining", () => {
  it("answers the requests in flight with connection: close, and closes promptly", async () => {
    const url = await freshDatabase();
    const dir = await makeProject({
      registry: "data/registry.json",
      online: `  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`,
    });
    await apply(dir, { ONLINE: url });
    const store = await FeatureStore.open(dir, { env: { ONLINE: url } });
    const server = await startServer(store, { port: 0 });
    const { hostname, port } = new URL(server.url);
    const agent = new Agent({ keepAlive: true });
    /** A request whose body is sent in two halves, the second when `release` resolves. */
    const ask = (features: string[], release: Promise<void> = Promise.resolve()) =>
      new Promise<Answer | string>((resolve) => {
        const req = request(
          { agent, hostname, port, path: "/get-online-features", method: "POST" },
          (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
          },
        );
        req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
        const body = JSON.stringify({ entities: { driver_id: [1] }, features });
        req.write(body.slice(0, 10));
        void release.then(() => req.end(body.slice(10)));
      });
    try {
      // A keep-alive connection, then a request in flight (half its body sent) when close() starts.
      expect(await ask(["driver_stats:trips"])).toEqual({ status: 200, connection: "keep-alive" });
      let release = () => undefined as void;
      const inFlight = ask(["driver_stats:trips"], new Promise<void>((r) => (release = r)));
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      const closed = server.close();
      await new Promise((r) => setTimeout(r, 100));
      release();
      expect(await inFlight).toEqual({ status: 200, connection: "close" });
      await closed;
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(await ask(["driver_stats:trips"])).toBe("ECONNREFUSED");
    } finally {
      agent.destroy();
      await server.close();
    }
  });
});
