import { OfflineStoreError } from "./errors.js";
import type { SqlExecutor } from "./sql-executor.js";
import { SqlError } from "./sql-executor.js";

/** Connect to the offline store for `checkSources`. Failures are `OfflineStoreError`s (redacted). */
export async function openOfflineStore(config: {
  type: "postgres";
  connectionString: string;
}): Promise<SqlExecutor> {
  // pg is loaded only by the commands that reach an offline store (plan --check-sources).
  const { openPgExecutor } = await import("./pg-executor.js");
  try {
    return await openPgExecutor(config.connectionString, { applicationName: "fsops source check" });
  } catch (e) {
    if (e instanceof SqlError)
      throw new OfflineStoreError(e.message, "check offline_store.connection_string in fsops.yaml");
    throw e;
  }
}
