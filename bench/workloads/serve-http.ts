/**
 * `/get-online-features` over HTTP. Subject: `FeatureStore.open` + `startServer` (fsops serve);
 * floor (args.floor): the bare node:http server of lib/serve-floor.ts. The load generator runs
 * in the same process for both, with the same bodies and concurrency. The subject's child also
 * measures the floor right after each run (untimed `check`), so the p99 ratio compares runs
 * taken seconds apart on the same machine state.
 */
import type { Server } from "node:http";
import { FeatureStore } from "../../src/serving/feature-store.js";
import { startServer } from "../../src/serving/server.js";
import { runLoad, type LoadResult } from "../lib/http-load.js";
import { floorReader, startFloorServer, type FloorReader } from "../lib/serve-floor.js";
import { requestBodies, type Store } from "../lib/serve-fixture.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  store: Store;
  url: string;
  shape: "1x10" | "100x30";
  requests: number;
  concurrency: number;
  floor: boolean;
}

interface Prepared {
  args: Args;
  bodies: string[];
  fsops: { url: string; close(): Promise<void> } | null;
  bare: { url: string; server: Server; reader: FloorReader };
}

const summary = (r: LoadResult): JsonValue => ({
  requests: r.requests,
  errors: r.errors,
  p50Ms: r.p50Ms,
  p99Ms: r.p99Ms,
  maxMs: r.maxMs,
  rps: r.rps,
  features: (JSON.parse(r.firstBody) as { metadata: { feature_names: string[] } }).metadata.feature_names
    .length,
});

const workload: Workload<Prepared> = {
  async prepare(raw) {
    const args = raw as unknown as Args;
    const reader = floorReader(args.store, args.url);
    const bare = { ...(await startFloorServer(reader)), reader };
    let fsops: Prepared["fsops"] = null;
    if (!args.floor) {
      const store = await FeatureStore.open(args.dir, { env: {} });
      fsops = await startServer(store, { port: 0 });
    }
    const bodies = requestBodies(args.shape, args.requests);
    // Warm both (JIT, pools, prepared plans).
    if (fsops) await runLoad(fsops.url, "/get-online-features", bodies.slice(0, 200), args.concurrency);
    await runLoad(bare.url, "/get-online-features", bodies.slice(0, 200), args.concurrency);
    return { args, bodies, fsops, bare };
  },
  async run(p) {
    return summary(
      await runLoad((p.fsops ?? p.bare).url, "/get-online-features", p.bodies, p.args.concurrency),
    );
  },
  async teardown(p) {
    await p.fsops?.close();
    const closed = new Promise((r) => p.bare.server.close(r));
    p.bare.server.closeAllConnections();
    await closed;
    await p.bare.reader.close();
  },
  /** Untimed: the floor on the same bodies right after, for the p99 ratio. */
  async check(p, result) {
    if (p.fsops === null) return result;
    // The worker runs a full GC before each timed run (dropping optimized code); the floor gets
    // the same start, or the ratio would favour whichever side runs second.
    (globalThis as { gc?: () => void }).gc?.();
    const floor = await runLoad(p.bare.url, "/get-online-features", p.bodies, p.args.concurrency);
    return { ...(result as object), floor: summary(floor) } as JsonValue;
  },
};
export default workload;
