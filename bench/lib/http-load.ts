/**
 * A closed-loop load generator: `concurrency` keep-alive connections, each sending the next
 * body as soon as its previous answer arrived. Per-request latency from write to last byte.
 */
import { Agent, request } from "node:http";

export interface LoadResult {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rps: number;
  /** Length of the first answer (the case checks it is a full response). */
  firstBody: string;
}

export async function runLoad(
  url: string,
  path: string,
  bodies: readonly string[],
  concurrency: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const { hostname, port } = new URL(url);
  const latencies: number[] = [];
  let errors = 0;
  let nextIndex = 0;
  let firstBody = "";
  const one = (body: string) =>
    new Promise<void>((resolve) => {
      const started = process.hrtime.bigint();
      const req = request(
        {
          agent,
          hostname,
          port,
          path,
          method: "POST",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            if (res.statusCode !== 200) errors++;
            if (firstBody === "") firstBody = Buffer.concat(chunks).toString();
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nextIndex < bodies.length) await one(bodies[nextIndex++] as string);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    errors,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: latencies.at(-1) ?? 0,
    rps: latencies.length / seconds,
    firstBody,
  };
}
