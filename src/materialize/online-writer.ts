/**
 * Event-time guarded upserts into the online store: an older event never overwrites a newer one.
 *
 * Postgres / PGlite: one `INSERT … SELECT … FROM jsonb_to_recordset($1) ON CONFLICT … DO UPDATE …
 * WHERE excluded.event_ts >= t.event_ts` per batch (a single parameter carries the batch, so
 * one round trip writes thousands of rows and the plan is the same for every batch).
 * Redis: one Lua script call per entity (atomic per key), pipelined per batch.
 */
import type { Redis, Cluster } from "ioredis";
import { CREATED_TS_COLUMN, EVENT_TS_COLUMN, pgType } from "../infra/layout.js";
import type { LayoutColumn } from "../infra/infra-state.js";
import type { RedisConnection } from "../infra/redis-connection.js";
import { qualifiedName, quoteIdent } from "../infra/sql.js";
import type { SqlSession } from "../infra/sql-executor.js";
import type { CanonicalRow, JsonValue } from "../offline/canonical.js";
import { isoFromUs } from "../offline/canonical.js";
import {
  encodeRedisValue,
  REDIS_CREATED_TS_FIELD,
  REDIS_EVENT_TS_FIELD,
  REDIS_UPSERT_LUA,
  redisEntityKey,
} from "./redis-format.js";

/** Where one view's rows go. */
export interface OnlineTarget {
  view: string;
  keys: LayoutColumn[];
  features: LayoutColumn[];
  /** Postgres: schema and table; Redis: the project (keys are laid out from it). */
  schema: string | null;
  table: string | null;
  project: string;
}

export interface OnlineWriter {
  readonly kind: "postgres" | "redis";
  /**
   * Upsert rows (at most one per entity key: callers keep the newest) under the event-time
   * guard. Returns the number of rows sent.
   */
  write(target: OnlineTarget, rows: readonly CanonicalRow[]): Promise<number>;
}

/** Rows per statement / pipeline. */
export const WRITE_BATCH = 2000;

/** The guarded upsert of a batch of canonical rows passed as one jsonb parameter. */
export function postgresUpsertSql(target: OnlineTarget): string {
  if (target.schema === null || target.table === null) throw new Error("not a Postgres target");
  const columns = [...target.keys, ...target.features];
  const names = [
    ...columns.map((c) => quoteIdent(c.name)),
    quoteIdent(EVENT_TS_COLUMN),
    quoteIdent(CREATED_TS_COLUMN),
  ];
  const recordCols = [
    ...columns.map((c, i) => `"c${i}" ${pgType(c.dtype)}`),
    `"e" timestamptz`,
    `"c" timestamptz`,
  ];
  const select = [...columns.map((_, i) => `"r"."c${i}"`), `"r"."e"`, `"r"."c"`];
  const updates = [...target.features.map((c) => c.name), EVENT_TS_COLUMN, CREATED_TS_COLUMN].map(
    (n) => `${quoteIdent(n)} = EXCLUDED.${quoteIdent(n)}`,
  );
  return (
    `INSERT INTO ${qualifiedName(target.schema, target.table)} AS "t" (${names.join(", ")})\n` +
    `SELECT ${select.join(", ")} FROM jsonb_to_recordset($1::jsonb) AS "r"(${recordCols.join(", ")})\n` +
    `ON CONFLICT (${target.keys.map((k) => quoteIdent(k.name)).join(", ")}) DO UPDATE SET ${updates.join(", ")}\n` +
    `WHERE EXCLUDED.${quoteIdent(EVENT_TS_COLUMN)} >= "t".${quoteIdent(EVENT_TS_COLUMN)}`
  );
}

/** A batch as the jsonb array `postgresUpsertSql` reads. */
export function postgresBatchJson(target: OnlineTarget, rows: readonly CanonicalRow[]): string {
  const nKeys = target.keys.length;
  return JSON.stringify(
    rows.map((r) => {
      const o: Record<string, JsonValue> = {};
      r.keys.forEach((v, i) => (o[`c${i}`] = v));
      r.features.forEach((v, i) => (o[`c${nKeys + i}`] = v));
      o.e = isoFromUs(r.eventUs);
      o.c = r.createdUs === null ? null : isoFromUs(r.createdUs);
      return o;
    }),
  );
}

export class PostgresOnlineWriter implements OnlineWriter {
  readonly kind = "postgres";
  private readonly statements = new Map<string, string>();

  constructor(private readonly sql: SqlSession) {}

  async write(target: OnlineTarget, rows: readonly CanonicalRow[]): Promise<number> {
    let text = this.statements.get(target.view);
    if (text === undefined) {
      text = postgresUpsertSql(target);
      this.statements.set(target.view, text);
    }
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      await this.sql.query(text, [postgresBatchJson(target, rows.slice(i, i + WRITE_BATCH))]);
    }
    return rows.length;
  }
}

type UpsertClient = (Redis | Cluster) & {
  fsopsUpsert(key: string, ...args: string[]): Promise<number>;
};

export class RedisOnlineWriter implements OnlineWriter {
  readonly kind = "redis";
  private readonly client: UpsertClient;

  constructor(private readonly connection: RedisConnection) {
    const client = connection.client;
    if (!("fsopsUpsert" in client)) {
      client.defineCommand("fsopsUpsert", { numberOfKeys: 1, lua: REDIS_UPSERT_LUA });
    }
    this.client = client as UpsertClient;
  }

  async write(target: OnlineTarget, rows: readonly CanonicalRow[]): Promise<number> {
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      const batch = rows.slice(i, i + WRITE_BATCH);
      const calls = batch.map((r) => {
        const args = [String(r.eventUs), REDIS_EVENT_TS_FIELD, String(r.eventUs)];
        if (r.createdUs !== null) args.push(REDIS_CREATED_TS_FIELD, String(r.createdUs));
        target.features.forEach((f, j) => {
          const v = encodeRedisValue(r.features[j] ?? null);
          if (v !== null) args.push(f.name, v);
        });
        return [redisEntityKey(target.project, target.view, target.keys, r.keys), args] as const;
      });
      if (this.connection.isCluster) {
        // Keys of a batch live on many slots: let the cluster client route each call.
        await Promise.all(calls.map(([key, args]) => this.client.fsopsUpsert(key, ...args)));
      } else {
        const pipeline = this.client.pipeline() as unknown as {
          fsopsUpsert(key: string, ...args: string[]): void;
          exec(): Promise<[Error | null, unknown][] | null>;
        };
        for (const [key, args] of calls) pipeline.fsopsUpsert(key, ...args);
        const results = (await pipeline.exec()) ?? [];
        const failed = results.find(([err]) => err !== null);
        if (failed?.[0]) throw failed[0];
      }
    }
    return rows.length;
  }
}
