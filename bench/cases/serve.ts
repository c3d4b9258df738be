/**
 * Issue 14: serving.
 *
 * - serve/<store>/1x10, serve/<store>/100x30: `/get-online-features` over HTTP (fsops serve)
 *   with a fixed concurrency of 8 keep-alive connections; batch 1 × 10 features, and batch
 *   100 × a service over 3 views (30 features). Floor: a bare node:http server doing the same
 *   single read (pipelined HMGET / `= ANY` select per table) and the same JSON encoding. The
 *   size is the number of requests. Target: p99 ≤ 1.5× the floor's (measured in the subject's
 *   child right after each run, see workloads/serve-http.ts); p50/p99/throughput in the notes.
 * - sdk/<store>/100x30: the SDK in-process, batch 100 × the service, against the raw client
 *   doing the same reads. Target: ≤ 1.3× (CPU time of client + server).
 *
 * Context, not a ratio (other machines): Feast's published figures for its feature servers,
 * p99 7.23 ms (Python) / 4.32 ms (Go) for one entity, 124.87 ms / 22.18 ms for 100 entities.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase } from "../lib/admin.js";
import { makeServeProject, type Store } from "../lib/serve-fixture.js";
import { benchServers, serviceUnavailable } from "../lib/services.js";
import type { BenchCase, JsonValue, Prepared, Target } from "../lib/types.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const workload = (name: string): string => fileURLToPath(new URL(`../workloads/${name}.ts`, import.meta.url));
const CONCURRENCY = 8;
const P99_RATIO = 1.5;
let redisDb = 100;

interface LoadSummary {
  requests: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rps: number;
  features: number;
  floor?: LoadSummary;
}

async function target(store: Store, workDir: string): Promise<{ dir: string; url: string }> {
  const dir = await mkdtemp(path.join(workDir, `serve-${store}-`));
  const servers = benchServers();
  const url =
    store === "postgres"
      ? await createDatabase(servers.postgres!.url, `serve_${process.pid}_${Date.now()}`)
      : `${servers.redis!.url}/${redisDb++}`;
  await makeServeProject(path.join(dir, "project"), store, url);
  return { dir, url };
}

function httpCase(store: Store, shape: "1x10" | "100x30"): BenchCase {
  const features = shape === "1x10" ? 11 : 31; // + the join key
  return {
    name: `serve/${store}/${shape}`,
    sizes: shape === "1x10" ? [2000] : [500],
    services: [store],
    unavailable: async () =>
      existsSync(path.join(ROOT, "src/serving/server.ts"))
        ? serviceUnavailable(store)
        : "src/serving is not in this checkout",
    target: (): Target => ({ other: `p99 ≤ ${P99_RATIO}× floor` }),
    async prepare(size, workDir): Promise<Prepared> {
      const { dir, url } = await target(store, workDir);
      const args = {
        dir: path.join(dir, "project"),
        store,
        url,
        shape,
        requests: size,
        concurrency: CONCURRENCY,
      };
      return {
        subject: { module: workload("serve-http"), args: { ...args, floor: false }, runs: 2 },
        floor: { module: workload("serve-http"), args: { ...args, floor: true }, runs: 2 },
        floorLabel: `bare node:http server: the same single ${store === "redis" ? "pipelined HMGET" : "= ANY select per table"} and JSON encoding`,
        input: {
          requests: size,
          concurrency: CONCURRENCY,
          entities: shape === "1x10" ? 1 : 100,
          features: features - 1,
        },
        verify(summary: JsonValue) {
          const s = summary as unknown as LoadSummary | null;
          if (!s) return "no summary";
          if (s.errors > 0) return `${s.errors} requests failed`;
          if (s.requests !== size) return `${s.requests} answers for ${size} requests`;
          if (s.features !== features) return `${s.features} names in feature_names, expected ${features}`;
          return null;
        },
        assess(summaries: JsonValue[]) {
          const all = summaries as unknown as LoadSummary[];
          const misses: string[] = [];
          const notes = all.map((s, i) => {
            const f = s.floor;
            const ratio = f ? s.p99Ms / f.p99Ms : NaN;
            if (f && ratio > P99_RATIO) misses.push(`round ${i + 1}: p99 ${ratio.toFixed(2)}× the floor's`);
            return (
              `round ${i + 1}: fsops p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms, ${s.rps.toFixed(0)} req/s; ` +
              (f
                ? `floor p50 ${f.p50Ms.toFixed(2)} ms, p99 ${f.p99Ms.toFixed(2)} ms, ${f.rps.toFixed(0)} req/s; p99 ratio ${ratio.toFixed(2)}`
                : "")
            );
          });
          notes.push(
            "Feast's published p99 (other hardware, context only): Python 7.23 ms / Go 4.32 ms for 1 entity, 124.87 ms / 22.18 ms for 100",
          );
          return { notes, misses };
        },
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
}

function sdkCase(store: Store): BenchCase {
  return {
    name: `sdk/${store}/100x30`,
    sizes: [500],
    services: [store],
    unavailable: async () =>
      existsSync(path.join(ROOT, "src/serving/feature-store.ts"))
        ? serviceUnavailable(store)
        : "src/serving is not in this checkout",
    target: (): Target => ({ ratio: 1.3 }),
    async prepare(size, workDir): Promise<Prepared> {
      const { dir, url } = await target(store, workDir);
      const pids = store === "postgres" ? benchServers().postgres!.pids : benchServers().redis!.pids;
      const args = { dir: path.join(dir, "project"), store, url, requests: size, serverPids: pids };
      return {
        subject: { module: workload("sdk-batch"), args: { ...args, floor: false }, runs: 3 },
        floor: { module: workload("sdk-batch"), args: { ...args, floor: true }, runs: 3 },
        floorLabel: `the raw ${store === "redis" ? "ioredis pipeline of HMGETs" : "pg pool, one = ANY select per table"}, values decoded`,
        input: { batches: size, entities: 100, features: 30 },
        verify(summary: JsonValue) {
          const s = summary as { batches?: number; present?: number } | null;
          if (s?.batches !== size) return `ran ${s?.batches} batches, expected ${size}`;
          if (s.present !== size * 100 * 31)
            return `${s.present} PRESENT values, expected ${size * 100 * 31}`;
          return null;
        },
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  };
}

const cases: BenchCase[] = [
  httpCase("redis", "1x10"),
  httpCase("redis", "100x30"),
  httpCase("postgres", "1x10"),
  httpCase("postgres", "100x30"),
  sdkCase("redis"),
  sdkCase("postgres"),
];
export default cases;
