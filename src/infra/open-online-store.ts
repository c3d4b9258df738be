import type { OnlineStoreConfig } from "../model/config.js";
import { OnlineStoreError } from "./errors.js";
import { openPgExecutor } from "./pg-executor.js";
import { openPgliteExecutor } from "./pglite-executor.js";
import { DEFAULT_SCHEMA } from "./plan-infra.js";
import { PostgresProvisioner } from "./postgres-provisioner.js";
import type { OnlineStoreProvisioner } from "./provisioner.js";
import { RedisProvisioner } from "./redis-provisioner.js";
import { openRedisConnection } from "./redis-connection.js";
import { SqlError } from "./sql-executor.js";

export interface OpenOnlineStoreOptions {
  /** Postgres `lock_timeout` for apply (default 10s). */
  lockTimeout?: string;
}

/** Connect to the configured online store. Failures are `OnlineStoreError`s with redacted messages. */
export async function openOnlineStore(
  config: OnlineStoreConfig,
  options: OpenOnlineStoreOptions = {},
): Promise<OnlineStoreProvisioner> {
  switch (config.type) {
    case "postgres": {
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
      const sql = await openPgliteExecutor(config.path).catch(rethrow);
      return new PostgresProvisioner(sql, { schema: DEFAULT_SCHEMA, lockTimeout: options.lockTimeout });
    }
    case "redis":
      return new RedisProvisioner(await openRedisConnection(config.connectionString));
  }
}

function rethrow(e: unknown): never {
  if (e instanceof SqlError) throw new OnlineStoreError(e.message, undefined, e.code);
  throw e;
}
