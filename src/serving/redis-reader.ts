import type { Cluster, Redis } from "ioredis";
import type { Dtype } from "../model/kinds.js";
import type { Catalog } from "./catalog.js";
import type { OnlineReader, ReadResult, StoredRow, ViewRead } from "./online-reader.js";
import { entityKeyString } from "./values.js";
import { decodeField, decodeTimestamp, REDIS_EVENT_TS, redisEntityKey } from "./redis-codec.js";

/** Redis (or Redis Cluster): one pipeline of HMGETs per request, one per entity and view. */
export class RedisOnlineReader implements OnlineReader {
  readonly store = "redis" as const;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly isCluster: boolean,
    private readonly onClose: () => Promise<void>,
  ) {}

  async read(catalog: Catalog, reads: readonly ViewRead[]): Promise<ReadResult> {
    const result: ReadResult = new Map();
    const asks: { read: ViewRead; key: string; redisKey: string }[] = [];
    for (const read of reads) {
      result.set(read.view.name, new Map());
      for (const tuple of read.keys) {
        asks.push({
          read,
          key: entityKeyString(tuple),
          redisKey: redisEntityKey(catalog.project, read.view.name, tuple),
        });
      }
    }
    if (asks.length === 0) return result;
    let replies: (string | null)[][];
    if (this.isCluster) {
      // A cluster pipeline must stay within one slot: let the client route each command (it
      // batches commands per node on the same tick).
      replies = await Promise.all(
        asks.map((a) => this.client.hmget(a.redisKey, ...a.read.features, REDIS_EVENT_TS)),
      );
    } else {
      const pipeline = this.client.pipeline();
      for (const a of asks) pipeline.hmget(a.redisKey, ...a.read.features, REDIS_EVENT_TS);
      const out = (await pipeline.exec()) ?? [];
      replies = out.map(([err, reply]) => {
        if (err) throw err;
        return reply as (string | null)[];
      });
    }
    for (const [i, a] of asks.entries()) {
      const reply = replies[i] ?? [];
      const ts = reply[a.read.features.length];
      // A hash without an event time was never written by fsops for this entity: not found.
      if (ts === null || ts === undefined) continue;
      const row: StoredRow = {
        values: a.read.features.map((f, j) => decodeField(reply[j] ?? null, dtypeOf(a.read, f))),
        eventTs: decodeTimestamp(ts),
      };
      (result.get(a.read.view.name) as Map<string, StoredRow>).set(a.key, row);
    }
    return result;
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

function dtypeOf(read: ViewRead, feature: string): Dtype {
  return read.view.features.find((f) => f.name === feature)?.dtype ?? "string";
}
