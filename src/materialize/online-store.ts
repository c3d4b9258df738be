/**
 * The online store opened for writing feature rows, and where each view of the applied state
 * lives in it (from the registry's infra record). A missing table / meta entry is drift: an
 * error naming the command that repairs it.
 */
import { createHash } from "node:crypto";
import type { OnlineStoreConfig } from "../model/config.js";
import type { RegistryState } from "../model/registry.js";
import { stableStringify } from "../model/json.js";
import { OnlineStoreError } from "../infra/errors.js";
import { layoutJson, parseInfraRecord } from "../infra/layout.js";
import type { ViewLayout } from "../infra/infra-state.js";
import { redisMetaKey } from "../infra/naming.js";
import type { RedisConnection } from "../infra/redis-connection.js";
import { qualifiedName } from "../infra/sql.js";
import type { SqlExecutor } from "../infra/sql-executor.js";
import { SqlError } from "../infra/sql-executor.js";
import type { OnlineTarget, OnlineWriter } from "./online-writer.js";
import { PostgresOnlineWriter, RedisOnlineWriter } from "./online-writer.js";

export class MaterializeError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "MaterializeError";
  }
}

export interface OpenOnline {
  readonly config: OnlineStoreConfig;
  readonly writer: OnlineWriter;
  /** Postgres / PGlite executor (null for Redis). */
  readonly sql: SqlExecutor | null;
  readonly redis: RedisConnection | null;
  /** Throws MaterializeError when the view's table / meta entry is missing (drift). */
  checkTarget(target: OnlineTarget, dir: string): Promise<void>;
  close(): Promise<void>;
}

/** Open the configured online store for writes (lazily importing only its driver). */
export async function openOnlineForWrites(config: OnlineStoreConfig): Promise<OpenOnline> {
  const rethrow = (e: unknown): never => {
    if (e instanceof SqlError) throw new OnlineStoreError(e.message, undefined, e.code);
    throw e;
  };
  if (config.type === "redis") {
    const { openRedisConnection } = await import("../infra/redis-connection.js");
    const redis = await openRedisConnection(config.connectionString);
    return {
      config,
      writer: new RedisOnlineWriter(redis),
      sql: null,
      redis,
      async checkTarget(target, dir) {
        const ok = await redis.client.hexists(redisMetaKey(target.project), target.view);
        if (!ok) throw drift(`the Redis meta entry of view ${target.view} is missing`, dir);
      },
      close: () => redis.close(),
    };
  }
  const sql =
    config.type === "postgres"
      ? await (
          await import("../infra/pg-executor.js")
        )
          .openPgExecutor(config.connectionString, { applicationName: "fsops materialize" })
          .catch(rethrow)
      : await (await import("../infra/pglite-executor.js")).openPgliteExecutor(config.path).catch(rethrow);
  return {
    config,
    writer: new PostgresOnlineWriter(sql),
    sql,
    redis: null,
    async checkTarget(target, dir) {
      const name = qualifiedName(target.schema ?? "public", target.table ?? "");
      const res = await sql.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [name]);
      if (!res.rows[0]?.ok) throw drift(`table ${name} of view ${target.view} is missing`, dir);
    },
    close: () => sql.close(),
  };
}

function drift(what: string, dir: string): MaterializeError {
  return new MaterializeError(
    `online store drift: ${what}`,
    `run fsops plan ${dir} to see the drift and fsops apply ${dir} to repair it`,
  );
}

/** Where each online view of the applied state is stored, from the registry's infra record. */
export function onlineTargets(state: RegistryState): Map<string, OnlineTarget & { layoutHash: string }> {
  const record = parseInfraRecord(state.infra);
  const out = new Map<string, OnlineTarget & { layoutHash: string }>();
  if (record === null) return out;
  const add = (view: string, layout: ViewLayout, schema: string | null, table: string | null) =>
    out.set(view, {
      view,
      keys: layout.keys,
      features: layout.features,
      schema,
      table,
      project: state.project,
      layoutHash: layoutHash(layout),
    });
  if (record.store === "postgres") {
    for (const [view, t] of Object.entries(record.tables)) add(view, t, record.schema, t.table);
  } else {
    for (const [view, l] of Object.entries(record.views)) add(view, l, null, null);
  }
  return out;
}

/** Short stable hash of a view's online layout: materialization records are valid for it only. */
export function layoutHash(layout: ViewLayout): string {
  return createHash("sha256")
    .update(stableStringify(layoutJson(layout)))
    .digest("hex")
    .slice(0, 16);
}
