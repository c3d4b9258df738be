/**
 * Event-time guarded upserts into the online store: an older event never overwrites a newer one.
 *
 * Postgres / PGlite: per batch, COPY into a temporary table, then one `INSERT … SELECT …
 * ON CONFLICT … DO UPDATE … WHERE excluded.event_ts >= t.event_ts` from it (COPY is Postgres's
 * cheapest way in: no per-row statement, no JSON to build and parse).
 * Redis: one Lua script call per entity (atomic per key), pipelined per batch.
 */
import type { Redis, Cluster } from "ioredis";
import { CREATED_TS_COLUMN, EVENT_TS_COLUMN, pgType } from "../infra/layout.js";
import type { LayoutColumn } from "../infra/infra-state.js";
import type { RedisConnection } from "../infra/redis-connection.js";
import { qualifiedName, quoteIdent } from "../infra/sql.js";
import type { SqlExecutor } from "../infra/sql-executor.js";
import type { CanonicalRow } from "../offline/canonical.js";
import { copyText } from "./copy-format.js";
import {
  encodeRedisValue,
  REDIS_CREATED_TS_FIELD,
  REDIS_EVENT_TS_FIELD,
  REDIS_UPSERT_LUA,
  redisEntityKeyWithPrefix,
} from "./redis-format.js";
import { redisViewPrefix } from "../infra/naming.js";

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

/** Rows per COPY + upsert / pipeline (the offline readers' batches are of this size too). */
export const WRITE_BATCH = 5000;

/** The per-transaction staging table each batch is copied into (in the session's pg_temp). */
const STAGE = `"pg_temp"."fsops_stage"`;

/** The staging table: the target's key and feature types, event and created times as epoch µs. */
export function postgresStageSql(target: OnlineTarget): string {
  const columns = [...target.keys, ...target.features];
  const defs = [...columns.map((c, i) => `"c${i}" ${pgType(c.dtype)}`), `"e" bigint`, `"c" bigint`];
  return `CREATE TEMP TABLE "fsops_stage" (${defs.join(", ")}) ON COMMIT DROP`;
}

/** The guarded upsert of the staged batch into the target table. */
export function postgresUpsertSql(target: OnlineTarget): string {
  if (target.schema === null || target.table === null) throw new Error("not a Postgres target");
  const columns = [...target.keys, ...target.features];
  const names = [
    ...columns.map((c) => quoteIdent(c.name)),
    quoteIdent(EVENT_TS_COLUMN),
    quoteIdent(CREATED_TS_COLUMN),
  ];
  // µs → timestamptz exactly: bigint × 1 µs is exact below 2^53 µs (the year 2255).
  const time = (c: string) => `timestamptz 'epoch' + "s"."${c}" * interval '1 microsecond'`;
  const select = [...columns.map((_, i) => `"s"."c${i}"`), time("e"), time("c")];
  const updates = [...target.features.map((c) => c.name), EVENT_TS_COLUMN, CREATED_TS_COLUMN].map(
    (n) => `${quoteIdent(n)} = EXCLUDED.${quoteIdent(n)}`,
  );
  return (
    `INSERT INTO ${qualifiedName(target.schema, target.table)} AS "t" (${names.join(", ")})\n` +
    `SELECT ${select.join(", ")} FROM ${STAGE} AS "s"\n` +
    `ON CONFLICT (${target.keys.map((k) => quoteIdent(k.name)).join(", ")}) DO UPDATE SET ${updates.join(", ")}\n` +
    `WHERE EXCLUDED.${quoteIdent(EVENT_TS_COLUMN)} >= "t".${quoteIdent(EVENT_TS_COLUMN)}`
  );
}

/**
 * Per batch, one transaction: a TEMP staging table dropped at commit, COPY of the batch into
 * it (text format, see copy-format.ts), one guarded upsert from it. The transaction makes the
 * batch all-or-nothing and leaves nothing behind in the session (a shared connection, a
 * failure halfway). Same statements on PGlite, whose COPY reads the batch as a blob.
 */
export class PostgresOnlineWriter implements OnlineWriter {
  readonly kind = "postgres";
  /**
   * Statements per view, with the layout they were built for: a long-lived writer (`fsops serve`)
   * sees a view's table or columns change when the registry refreshes after an apply.
   */
  private readonly statements = new Map<
    string,
    { layout: string; stage: string; copy: string; upsert: string }
  >();

  constructor(private readonly sql: SqlExecutor) {}

  async write(target: OnlineTarget, rows: readonly CanonicalRow[]): Promise<number> {
    const nKeys = target.keys.length;
    const nFeatures = target.features.length;
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      await this.writeCopyText(target, copyText(rows.slice(i, i + WRITE_BATCH), nKeys, nFeatures));
    }
    return rows.length;
  }

  /**
   * One batch already in COPY text format (keys…, features…, event µs, created µs; see
   * copy-format.ts), at most one line per entity key.
   */
  async writeCopyText(target: OnlineTarget, data: string): Promise<void> {
    const layout = JSON.stringify([
      target.schema,
      target.table,
      target.keys.map((c) => [c.name, c.dtype]),
      target.features.map((c) => [c.name, c.dtype]),
    ]);
    let text = this.statements.get(target.view);
    if (text === undefined || text.layout !== layout) {
      text = {
        layout,
        stage: postgresStageSql(target),
        copy: `COPY ${STAGE} FROM STDIN`,
        upsert: postgresUpsertSql(target),
      };
      this.statements.set(target.view, text);
    }
    const { stage, copy, upsert } = text;
    await this.sql.transaction(async (tx) => {
      await tx.exec(stage);
      await tx.copyFrom(copy, data);
      await tx.exec(upsert);
    });
  }
}

type UpsertClient = (Redis | Cluster) & {
  fsopsUpsert(key: string, ...args: string[]): Promise<number>;
};

/**
 * Standalone Redis: the script is loaded once (SCRIPT LOAD) and each batch is one pipeline of
 * plain EVALSHA calls. ioredis's defined commands wrap every call in a NOSCRIPT-retry promise
 * chain and copy its arguments twice, which was most of the writer's CPU and garbage; here a
 * NOSCRIPT reply (the server's script cache flushed) reloads the script and resends the batch,
 * which the event-time guard makes safe to repeat. A cluster keeps the defined command: its
 * client routes each call to the key's node, loading the script there.
 */
export class RedisOnlineWriter implements OnlineWriter {
  readonly kind = "redis";
  private readonly client: UpsertClient;
  private sha: string | null = null;

  constructor(private readonly connection: RedisConnection) {
    const client = connection.client;
    if (!("fsopsUpsert" in client)) {
      client.defineCommand("fsopsUpsert", { numberOfKeys: 1, lua: REDIS_UPSERT_LUA });
    }
    this.client = client as UpsertClient;
  }

  async write(target: OnlineTarget, rows: readonly CanonicalRow[]): Promise<number> {
    const prefix = redisViewPrefix(target.project, target.view);
    const argsOf = (r: CanonicalRow): string[] => {
      const event = String(r.eventUs);
      const args = [
        redisEntityKeyWithPrefix(prefix, target.keys, r.keys),
        event,
        REDIS_EVENT_TS_FIELD,
        event,
      ];
      if (r.createdUs !== null) args.push(REDIS_CREATED_TS_FIELD, String(r.createdUs));
      for (let j = 0; j < target.features.length; j++) {
        const v = encodeRedisValue(r.features[j] ?? null);
        if (v !== null) args.push(target.features[j]!.name, v);
      }
      return args;
    };
    for (let i = 0; i < rows.length; i += WRITE_BATCH) {
      const end = Math.min(i + WRITE_BATCH, rows.length);
      if (this.connection.isCluster) {
        // Keys of a batch live on many slots: let the cluster client route each call.
        const calls: Promise<number>[] = [];
        for (let r = i; r < end; r++) {
          const [key, ...args] = argsOf(rows[r]!);
          calls.push(this.client.fsopsUpsert(key!, ...args));
        }
        await Promise.all(calls);
        continue;
      }
      const batch: string[][] = [];
      for (let r = i; r < end; r++) batch.push(argsOf(rows[r]!));
      await this.evalBatch(batch);
    }
    return rows.length;
  }

  private async evalBatch(batch: readonly string[][], retried = false): Promise<void> {
    const client = this.client as Redis;
    this.sha ??= (await client.script("LOAD", REDIS_UPSERT_LUA)) as string;
    const pipeline = client.pipeline();
    for (const args of batch) pipeline.evalsha(this.sha, 1, ...args);
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null)?.[0];
    if (!failed) return;
    if (!retried && /NOSCRIPT/.test(failed.message)) {
      this.sha = null;
      return this.evalBatch(batch, true);
    }
    throw failed;
  }
}
