import type { OnlineStoreConfig } from "../model/config.js";
import { OnlineStoreError } from "../infra/errors.js";
import type { OnlineReader } from "./online-reader.js";
import { PostgresOnlineReader } from "./postgres-reader.js";
import { RedisOnlineReader } from "./redis-reader.js";

export interface OpenReaderOptions {
  /** Pool size for a Postgres online store (default 10). */
  poolSize?: number;
}

/** Pooled connections to the configured online store; drivers are loaded only for the one used. */
export async function openOnlineReader(
  config: OnlineStoreConfig,
  options: OpenReaderOptions = {},
): Promise<OnlineReader> {
  switch (config.type) {
    case "postgres": {
      const { default: pg } = await import("pg");
      const pool = new pg.Pool({
        connectionString: config.connectionString,
        max: options.poolSize ?? 10,
        application_name: "fsops serve",
        connectionTimeoutMillis: 10_000,
      });
      // An idle client losing its server must not crash the server; the next query reports it.
      pool.on("error", () => undefined);
      return new PostgresOnlineReader(
        "postgres",
        {
          query: (text, params, name) =>
            name === undefined ? pool.query(text, params) : pool.query({ name, text, values: params }),
        },
        () => pool.end().catch(() => undefined),
        true,
      );
    }
    case "embedded": {
      const { openPgliteExecutor } = await import("../infra/pglite-executor.js");
      const sql = await openPgliteExecutor(config.path);
      return new PostgresOnlineReader(
        "embedded",
        { query: (text, params) => sql.query<Record<string, unknown>>(text, params) },
        () => sql.close(),
        false,
        sql,
      );
    }
    case "redis": {
      const { openRedisConnection } = await import("../infra/redis-connection.js");
      const conn = await openRedisConnection(config.connectionString);
      return new RedisOnlineReader(conn.client, conn.isCluster, () => conn.close());
    }
    default:
      throw new OnlineStoreError("unknown online store type");
  }
}
