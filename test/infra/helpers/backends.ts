import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openPgExecutor } from "../../../src/infra/pg-executor.js";
import { openPgliteExecutor } from "../../../src/infra/pglite-executor.js";
import type { SqlExecutor } from "../../../src/infra/sql-executor.js";
import { freshDatabase } from "../../services/index.js";

/** Where a store lives, for the suite and for child processes. */
export type StoreTarget = { type: "postgres"; url: string } | { type: "embedded"; path: string };

export interface OpenBackend {
  /** The executor the provisioner under test runs on, also used to inspect the store. */
  sql: SqlExecutor;
  target: StoreTarget;
  /** Close `sql` (embedded: releases the directory for a child process). */
  close(): Promise<void>;
  /** Reopen after `close` (embedded: a child process ran in between). */
  reopen(): Promise<SqlExecutor>;
  teardown(): Promise<void>;
}

/**
 * The two Postgres flavours the online store runs on. A suite opens one per file and isolates
 * tests by schema: a fresh PGlite directory costs seconds, a schema costs nothing.
 */
export interface PostgresBackend {
  name: "server" | "embedded";
  open(): Promise<OpenBackend>;
}

export const serverBackend: PostgresBackend = {
  name: "server",
  async open() {
    const url = await freshDatabase();
    const target: StoreTarget = { type: "postgres", url };
    const backend: OpenBackend = {
      sql: await openPgExecutor(url, { applicationName: "fsops test" }),
      target,
      close: () => Promise.resolve(),
      reopen: () => Promise.resolve(backend.sql),
      teardown: () => backend.sql.close(),
    };
    return backend;
  },
};

export const embeddedBackend: PostgresBackend = {
  name: "embedded",
  async open() {
    const dir = await mkdtemp(join(tmpdir(), "fsops-pglite-"));
    const path = join(dir, "online");
    const backend: OpenBackend = {
      sql: await openPgliteExecutor(path),
      target: { type: "embedded", path },
      close: () => backend.sql.close(),
      reopen: async () => {
        backend.sql = await openPgliteExecutor(path);
        return backend.sql;
      },
      teardown: async () => {
        await backend.sql.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
    return backend;
  },
};

export const POSTGRES_BACKENDS = [serverBackend, embeddedBackend];
