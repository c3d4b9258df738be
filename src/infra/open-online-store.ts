import type { OnlineStoreConfig } from "../model/config.js";
import { embeddedStoreExists, MissingEmbeddedStore } from "./embedded-store.js";
import { OnlineStoreError } from "./errors.js";
import { DEFAULT_SCHEMA } from "./plan-infra.js";
import { PostgresProvisioner } from "./postgres-provisioner.js";
import type { OnlineStoreProvisioner } from "./provisioner.js";
import { SqlError } from "./sql-executor.js";

export interface OpenOnlineStoreOptions {
  /** Postgres `lock_timeout` for apply (default 10s). */
  lockTimeout?: string;
  /**
   * For planning: a missing embedded store is not created but planned as the empty database
   * apply will create (`MissingEmbeddedStore`).
   */
  readOnly?: boolean;
}

/**
 * Connect to the configured online store. Failures are `OnlineStoreError`s with redacted messages.
 * Each driver (pg, PGlite, ioredis) is imported only when the configuration names its store, so
 * a project on Redis never loads PGlite and the other way round.
 */
export async function openOnlineStore(
  config: OnlineStoreConfig,
  options: OpenOnlineStoreOptions = {},
): Promise<OnlineStoreProvisioner> {
  switch (config.type) {
    case "postgres": {
      const { openPgExecutor } = await import("./pg-executor.js");
      const sql = await openPgExecutor(config.connectionString, {
        applicationName: "fsops online store",
      }).catch(rethrow);
      try {
        return new PostgresProvisioner(sql, {
          schema: config.schema || DEFAULT_SCHEMA,
          lockTimeout: options.lockTimeout,
        });
      } catch (e) {
        await sql.close();
        throw e;
      }
    }
    case "embedded": {
      if (options.readOnly && !(await embeddedStoreExists(config.path)))
        return new MissingEmbeddedStore(config.path);
      const { openPgliteExecutor } = await import("./pglite-executor.js");
      const sql = await openPgliteExecutor(config.path).catch(rethrow);
      return new PostgresProvisioner(sql, { schema: DEFAULT_SCHEMA, lockTimeout: options.lockTimeout });
    }
    case "redis": {
      const [{ RedisProvisioner }, { openRedisConnection }] = await Promise.all([
        import("./redis-provisioner.js"),
        import("./redis-connection.js"),
      ]);
      return new RedisProvisioner(await openRedisConnection(config.connectionString));
    }
  }
}

function rethrow(e: unknown): never {
  if (e instanceof SqlError) throw new OnlineStoreError(e.message, undefined, e.code);
  throw e;
}
