import type { Redis } from "ioredis";
import type { Json } from "../model/json.js";
import type { InfraAction } from "../model/plan.js";
import type { DesiredState } from "../model/spec.js";
import { OnlineStoreError } from "./errors.js";
import type { RedisInfraState } from "./infra-state.js";
import { redactSecrets } from "../config/redact.js";
import {
  escapeGlob,
  redisMetaKey,
  redisProjectPattern,
  redisProjectPrefix,
  viewOfRedisKey,
} from "./naming.js";
import type { InfraPlan } from "./plan-infra.js";
import { planDestroy, planInfra } from "./plan-infra.js";
import type { RedisStep } from "./redis-commands.js";
import { parseRedisStatement, REDIS_BATCH } from "./redis-commands.js";
import type { RedisConnection } from "./redis-connection.js";
import { messageOf } from "./redis-connection.js";
import type { IntrospectOptions, OnlineStoreProvisioner } from "./provisioner.js";

/** Redis or Redis Cluster online store. Keys: `fsops:<project>:<view>:<entity key>`. */
export class RedisProvisioner implements OnlineStoreProvisioner {
  readonly store = "redis" as const;

  constructor(private readonly conn: RedisConnection) {}

  get location(): string {
    return this.conn.location;
  }

  async introspect(project: string, options: IntrospectOptions = {}): Promise<RedisInfraState> {
    return this.guard("introspect", async () => {
      const meta = await this.conn.client.hgetall(redisMetaKey(project));
      if (options.scanKeys === false)
        return { store: "redis", meta: sortedRecord(meta), viewsWithKeys: null };
      const views = new Set<string>();
      await scanEachMaster(this.conn.masters(), redisProjectPattern(project), REDIS_BATCH, async (keys) => {
        for (const key of keys) {
          const view = viewOfRedisKey(project, key);
          if (view !== null) views.add(view);
        }
      });
      return { store: "redis", meta: sortedRecord(meta), viewsWithKeys: [...views].sort() };
    });
  }

  async plan(project: string, desired: DesiredState, recorded: Json): Promise<InfraPlan> {
    const actual = await this.introspect(project);
    return planInfra(project, desired, recorded, actual, "redis");
  }

  async apply(project: string, actions: readonly InfraAction[]): Promise<void> {
    // Parse and check everything first: a malformed or foreign statement stops apply before any change.
    const steps: RedisStep[] = [];
    for (const a of actions) {
      if (a.store !== "redis")
        throw new OnlineStoreError(`internal: a ${a.store} action given to a Redis store`);
      for (const s of a.statements) steps.push(checkOwned(project, parseRedisStatement(s)));
    }
    await this.guard("apply", async () => {
      for (const step of steps) await this.run(step);
    });
  }

  /** Delete every key matching `pattern`; returns how many were unlinked. */
  async deleteKeys(pattern: string, batch: number = REDIS_BATCH): Promise<number> {
    let deleted = 0;
    await scanEachMaster(this.conn.masters(), pattern, batch, async (keys, node) => {
      deleted += await this.unlink(node, keys);
    });
    return deleted;
  }

  async planDestroy(project: string, recorded: Json): Promise<InfraAction[]> {
    const actual = await this.introspect(project, { scanKeys: false });
    return planDestroy(project, recorded, actual);
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  private async run(step: RedisStep): Promise<void> {
    switch (step.type) {
      case "scan_unlink":
        await this.deleteKeys(step.pattern, step.batch);
        return;
      case "hset":
        await this.conn.client.hset(step.key, step.field, step.value);
        return;
      case "hdel":
        await this.conn.client.hdel(step.key, step.field);
        return;
    }
  }

  private async unlink(node: Redis, keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (!this.conn.isCluster) return node.unlink(...keys);
    // Keys of one cluster node span many slots and a multi-key UNLINK must stay in one slot:
    // send single-key UNLINKs to the node that owns them, in one pipeline.
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    const results = (await pipeline.exec()) ?? [];
    let deleted = 0;
    for (const [i, [err, n]] of results.entries()) {
      if (err === null) deleted += Number(n);
      // The slot moved (resharding) since SCAN: let the cluster client route it.
      else deleted += await this.conn.client.unlink(keys[i] as string);
    }
    return deleted;
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof OnlineStoreError) throw e;
      throw new OnlineStoreError(
        redactSecrets(`Redis ${what} failed (${this.location}): ${messageOf(e)}`, this.conn.secrets),
      );
    }
  }
}

/**
 * SCAN one node at a time with MATCH + COUNT, handing each page to `onPage` before the next
 * SCAN: the server serves other clients between pages, so it stays responsive.
 */
async function scanEachMaster(
  masters: readonly Redis[],
  pattern: string,
  count: number,
  onPage: (keys: string[], node: Redis) => Promise<void>,
): Promise<void> {
  for (const node of masters) {
    let cursor = "0";
    do {
      const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", count);
      cursor = next;
      if (keys.length > 0) await onPage(keys, node);
    } while (cursor !== "0");
  }
}

/** Refuse any step outside `fsops:<project>:`: apply never touches another project's keys. */
function checkOwned(project: string, step: RedisStep): RedisStep {
  const prefix = redisProjectPrefix(project);
  const ok =
    step.type === "scan_unlink"
      ? step.pattern.startsWith(escapeGlob(prefix)) && step.pattern.length > escapeGlob(prefix).length
      : step.key.startsWith(prefix);
  if (!ok) {
    throw new OnlineStoreError(
      `refusing a Redis statement outside ${prefix}*: ${JSON.stringify(step).slice(0, 200)}`,
    );
  }
  return step;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k] as string;
  return out;
}
