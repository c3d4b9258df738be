/**
 * The SDK in-process, batch 100 × service `svc` (3 views, 30 features). Subject:
 * `FeatureStore.getOnlineFeatures`; floor (args.floor): the raw client doing the same reads (one
 * pipeline of HMGETs, or one `= ANY($1)` select per table on a pool) and decoding the values.
 */
import { FeatureStore } from "../../src/serving/feature-store.js";
import { floorReader, type FloorReader } from "../lib/serve-floor.js";
import { requestBodies, type Store } from "../lib/serve-fixture.js";
import { treeCpuMs } from "../lib/proc-cpu.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  store: Store;
  url: string;
  requests: number;
  floor: boolean;
  serverPids: number[];
}

interface Prepared {
  args: Args;
  batches: number[][];
  fsops: FeatureStore | null;
  raw: FloorReader | null;
}

const refs = (): [string, string][] =>
  ["v0", "v1", "v2"].flatMap((v) => Array.from({ length: 10 }, (_, i) => [v, `f${i}`] as [string, string]));

const workload: Workload<Prepared> = {
  async prepare(raw) {
    const args = raw as unknown as Args;
    const batches = requestBodies("100x30", args.requests).map(
      (b) => (JSON.parse(b) as { entities: { driver_id: number[] } }).entities.driver_id,
    );
    const p: Prepared = {
      args,
      batches,
      fsops: args.floor ? null : await FeatureStore.open(args.dir, { env: {} }),
      raw: args.floor ? floorReader(args.store, args.url) : null,
    };
    await run(p, 50);
    return p;
  },
  run: (p) => run(p, p.batches.length),
  async teardown(p) {
    await p.fsops?.close();
    await p.raw?.close();
  },
  /** The store server works for both sides: its CPU counts. */
  externalCpuMs: (p) => treeCpuMs(p.args.serverPids),
};

async function run(p: Prepared, count: number): Promise<JsonValue> {
  let present = 0;
  for (let i = 0; i < count; i++) {
    const ids = p.batches[i] as number[];
    if (p.fsops) {
      const out = await p.fsops.getOnlineFeatures({
        featureService: "svc",
        fullFeatureNames: true,
        entityRows: ids.map((driver_id) => ({ driver_id })),
      });
      for (const s of out.statuses) for (const k in s) if (s[k] === "PRESENT") present++;
    } else {
      const data = await (p.raw as FloorReader).read({ ids, refs: refs() });
      // As many values as the SDK marks PRESENT: the join key and each requested feature.
      for (const id of ids) {
        present++;
        for (const [view, feature] of refs()) if (data.get(view)?.get(id)?.[0][feature] != null) present++;
      }
    }
  }
  return { batches: count, present };
}
export default workload;
