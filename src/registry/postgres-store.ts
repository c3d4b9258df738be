/**
 * Postgres registry: three tables in a configurable schema, created on first write.
 *
 *   fsops_state   (project pk, lineage, serial, state jsonb, updated_at)   one row per project
 *   fsops_history (id bigserial pk, project, serial, entry jsonb, recorded_at)
 *   fsops_locks   (project pk, lock_id, info jsonb, locked_at)           who holds the apply lock
 *
 * The apply lock is a session advisory lock keyed by (schema, project), held on a connection of
 * its own for the whole apply: it cannot go stale, since Postgres drops it when the holder's
 * connection ends (crash, kill -9). The fsops_locks row only names the holder; a row left by a
 * dead process is simply taken over. `forceUnlock` ends the holder's session (pg_terminate_backend)
 * and removes the row. A commit is one transaction on the lock's connection: the state row is
 * read FOR UPDATE, lineage and serial are compared, the state is written and history appended.
 */
import { createHash } from "node:crypto";
import pg from "pg";
import {
  ConcurrentChangeError,
  RegistryCorruptError,
  RegistryBusyError,
  RegistryError,
  type HistoryEntry,
  type LockInfo,
  type RegistryLock,
  type RegistrySnapshot,
  type RegistryState,
  type RegistryStore,
} from "../model/registry.js";
import {
  assertProjectName,
  checkCommitArgs,
  checkDeleteArgs,
  checkExpected,
  lockedBy,
  lockLost,
  lockMismatch,
  validateHistory,
  validateLockInfo,
  validateState,
  type Expected,
} from "./state.js";
import { postgresRegistryLocation } from "./locations.js";
import { quoteIdent } from "../infra/sql.js";
import { connectionSecrets, redactSecrets } from "../config/redact.js";

export interface PostgresRegistryConfig {
  connectionString: string;
  /** Schema holding the fsops_ tables (default public); any name, quoted in every statement. */
  schema: string;
}

/** Signed 64-bit advisory lock key. */
function advisoryKey(...parts: string[]): bigint {
  return createHash("sha256").update(parts.join("\0")).digest().readBigInt64BE(0);
}

/** Fixed key serializing table creation across every fsops process on the database. */
const DDL_LOCK_KEY = advisoryKey("fsops registry ddl");

/**
 * The granted advisory locks on one bigint key in this database. A bigint key appears in pg_locks
 * as classid = its high 32 bits ($1), objid = its low 32 bits ($2).
 */
const ADVISORY_HOLDERS = `pg_locks
  WHERE locktype = 'advisory' AND granted AND objsubid = 1
    AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND classid = $1::bigint::oid AND objid = $2::bigint::oid`;

/** `LISTEN` channel told of every commit (payload `{schema, project, serial}`), for `fsops serve`. */
export const REGISTRY_CHANNEL = "fsops_registry";

/** Postgres error codes we act on. */
const UNDEFINED_TABLE = "42P01";
const INVALID_SCHEMA = "3F000";
const UNIQUE_VIOLATION = "23505";
const LOCK_NOT_AVAILABLE = "55P03";

/**
 * How long a commit waits for a row of the registry tables that another connection holds (a
 * session left open in psql, say) before it gives up with a message, instead of hanging the apply.
 */
export const REGISTRY_LOCK_TIMEOUT = "10s";

function pgCode(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? (error as { code?: string }).code : undefined;
}

class PostgresLock implements RegistryLock {
  released = false;
  /** A transaction holding the state row (prepareCommit) is open on `client`. */
  inTransaction = false;
  /** Set when the lock's connection died (e.g. force-unlocked from elsewhere). */
  lostReason: string | null = null;

  constructor(
    readonly store: PostgresRegistryStore,
    readonly project: string,
    readonly info: LockInfo,
    readonly client: pg.Client,
    readonly key: bigint,
  ) {
    client.on("error", (error) => {
      this.lostReason = error.message;
    });
  }

  release(): Promise<void> {
    return this.store.releaseLock(this);
  }
}

export class PostgresRegistryStore implements RegistryStore {
  readonly location: string;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly t: { state: string; history: string; locks: string };
  private tablesReady: Promise<void> | null = null;
  private readonly locks = new Set<PostgresLock>();
  /** What a driver error may echo of the connection string (see `translate`). */
  private readonly secrets: string[];

  constructor(private readonly config: PostgresRegistryConfig) {
    this.schema = config.schema || "public";
    const q = quoteIdent(this.schema);
    this.t = { state: `${q}."fsops_state"`, history: `${q}."fsops_history"`, locks: `${q}."fsops_locks"` };
    this.location = postgresRegistryLocation(config);
    this.secrets = connectionSecrets(config.connectionString);
    this.pool = new pg.Pool({ connectionString: config.connectionString, max: 4 });
    // An idle client losing its server must not crash the process; the next query reports it.
    this.pool.on("error", () => {});
  }

  async read(project: string): Promise<RegistrySnapshot> {
    assertProjectName(project);
    const rows = await this.queryIfTables<{ lineage: string; serial: string; state: unknown }>(
      `SELECT lineage, serial, state FROM ${this.t.state} WHERE project = $1`,
      [project],
    );
    return { state: rows[0] ? this.stateFromRow(project, rows[0]) : null };
  }

  async history(project: string): Promise<HistoryEntry[]> {
    assertProjectName(project);
    const rows = await this.queryIfTables<{ id: string; entry: unknown }>(
      `SELECT id, entry FROM ${this.t.history} WHERE project = $1 ORDER BY id`,
      [project],
    );
    return rows.map((row) =>
      validateHistory(row.entry, project, `${this.location} fsops_history id ${row.id}`),
    );
  }

  async lock(project: string, info: LockInfo): Promise<RegistryLock> {
    assertProjectName(project);
    await this.ensureTables();
    const key = this.lockKey(project);
    for (let attempt = 0; ; attempt++) {
      const client = new pg.Client({ connectionString: this.config.connectionString });
      client.on("error", () => {});
      await this.wrap(() => client.connect());
      let held = false;
      try {
        const { rows } = await client.query<{ ok: boolean }>(
          "SELECT pg_try_advisory_lock($1::bigint) AS ok",
          [key.toString()],
        );
        if (rows[0]?.ok) {
          await client.query(
            `INSERT INTO ${this.t.locks} (project, lock_id, info, locked_at) VALUES ($1, $2, $3::jsonb, now())
             ON CONFLICT (project) DO UPDATE SET lock_id = EXCLUDED.lock_id, info = EXCLUDED.info, locked_at = now()`,
            [project, info.id, JSON.stringify(info)],
          );
          held = true;
          const lock = new PostgresLock(this, project, info, client, key);
          this.locks.add(lock);
          return lock;
        }
        const holder = await this.lockRow(project);
        // The holder takes the advisory lock before writing its row: give it a moment.
        if (holder === null && attempt < 10) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        throw lockedBy(holder);
      } catch (error) {
        throw this.translate(error);
      } finally {
        if (!held) await client.end().catch(() => {});
      }
    }
  }

  /** The session advisory lock key of `project`'s apply lock. */
  private lockKey(project: string): bigint {
    return advisoryKey("fsops registry", this.schema, project);
  }

  async releaseLock(lock: PostgresLock): Promise<void> {
    if (lock.released) return;
    lock.released = true;
    this.locks.delete(lock);
    try {
      if (lock.lostReason === null) {
        if (lock.inTransaction) {
          lock.inTransaction = false;
          await lock.client.query("ROLLBACK");
        }
        await lock.client.query(`DELETE FROM ${this.t.locks} WHERE project = $1 AND lock_id = $2`, [
          lock.project,
          lock.info.id,
        ]);
        await lock.client.query("SELECT pg_advisory_unlock($1::bigint)", [lock.key.toString()]);
      }
    } catch {
      // The session is gone, and its advisory lock with it.
    } finally {
      await lock.client.end().catch(() => {});
    }
  }

  async forceUnlock(project: string, lockId: string): Promise<LockInfo> {
    assertProjectName(project);
    const holder = await this.lockRow(project);
    if (holder?.id !== lockId) throw lockMismatch(project, lockId, holder);
    const key = BigInt.asUintN(64, this.lockKey(project));
    const keyHalves = [(key >> 32n).toString(), (key & 0xffffffffn).toString()];
    try {
      await this.pool.query(
        `SELECT pg_terminate_backend(pid) FROM ${ADVISORY_HOLDERS} AND pid <> pg_backend_pid()`,
        keyHalves,
      );
    } catch (error) {
      throw new RegistryError(
        `${this.location}: cannot end the session holding the lock of project ${project}: ${(error as Error).message}`,
        "a superuser (or a member of pg_signal_backend) can end it",
      );
    }
    // The server ends the session asynchronously; wait until its advisory lock is really gone.
    for (let i = 0; i < 100; i++) {
      const { rows } = await this.wrap(() =>
        this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${ADVISORY_HOLDERS}`, keyHalves),
      );
      if (rows[0]?.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.wrap(() =>
      this.pool.query(`DELETE FROM ${this.t.locks} WHERE project = $1 AND lock_id = $2`, [project, lockId]),
    );
    return holder;
  }

  async commit(
    lock: RegistryLock,
    expected: Expected,
    next: RegistryState,
    history: HistoryEntry,
  ): Promise<void> {
    checkCommitArgs(lock.project, expected, next, history);
    await this.transact(lock, expected, history, async (client, exists) => {
      if (exists) {
        await client.query(
          `UPDATE ${this.t.state} SET lineage = $2, serial = $3, state = $4::jsonb, updated_at = now() WHERE project = $1`,
          [next.project, next.lineage, next.serial, JSON.stringify(next)],
        );
      } else {
        await client.query(
          `INSERT INTO ${this.t.state} (project, lineage, serial, state, updated_at) VALUES ($1, $2, $3, $4::jsonb, now())`,
          [next.project, next.lineage, next.serial, JSON.stringify(next)],
        );
      }
    });
  }

  async deleteState(
    lock: RegistryLock,
    expected: { lineage: string; serial: number },
    history: HistoryEntry,
  ): Promise<void> {
    checkDeleteArgs(lock.project, expected, history);
    await this.transact(lock, expected, history, async (client) => {
      await client.query(`DELETE FROM ${this.t.state} WHERE project = $1`, [lock.project]);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.locks].map((lock) => this.releaseLock(lock)));
    await this.pool.end().catch(() => {});
  }

  async prepareCommit(lock: RegistryLock): Promise<void> {
    const project = lock.project;
    const held = this.heldLock(lock);
    if (held.inTransaction) return;
    const client = held.client;
    try {
      await this.lockRows(held);
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      held.inTransaction = false;
      if (held.lostReason !== null) throw lockLost(project);
      throw this.translate(error);
    }
  }

  private heldLock(lock: RegistryLock): PostgresLock {
    if (!(lock instanceof PostgresLock) || lock.store !== this || lock.released) {
      throw new RegistryError(`commit needs a lock taken on ${this.location}`);
    }
    if (lock.lostReason !== null) throw lockLost(lock.project);
    return lock;
  }

  /**
   * Open the commit's transaction and lock the project's rows (the lock row shared, the state row
   * for update), waiting at most REGISTRY_LOCK_TIMEOUT for another connection holding them.
   * Returns the current state row.
   */
  private async lockRows(
    lock: PostgresLock,
  ): Promise<{ lineage: string; serial: string; state: unknown } | undefined> {
    const { client, project } = lock;
    if (!lock.inTransaction) {
      await client.query("BEGIN");
      lock.inTransaction = true;
      await client.query(`SET LOCAL lock_timeout = '${REGISTRY_LOCK_TIMEOUT}'`);
    }
    const owner = await client.query<{ lock_id: string }>(
      `SELECT lock_id FROM ${this.t.locks} WHERE project = $1 FOR SHARE`,
      [project],
    );
    if (owner.rows[0]?.lock_id !== lock.info.id) throw lockLost(project);
    const current = await client.query<{ lineage: string; serial: string; state: unknown }>(
      `SELECT lineage, serial, state FROM ${this.t.state} WHERE project = $1 FOR UPDATE`,
      [project],
    );
    return current.rows[0];
  }

  /** One transaction on the lock's own connection: check lock and CAS, write, append history. */
  private async transact(
    lock: RegistryLock,
    expected: Expected,
    history: HistoryEntry,
    write: (client: pg.Client, exists: boolean) => Promise<void>,
  ): Promise<void> {
    const project = lock.project;
    const held = this.heldLock(lock);
    const client = held.client;
    try {
      const row = await this.lockRows(held);
      checkExpected(row ? this.stateFromRow(project, row) : null, expected, project);
      await write(client, row !== undefined);
      await client.query(
        `INSERT INTO ${this.t.history} (project, serial, entry, recorded_at) VALUES ($1, $2, $3::jsonb, now())`,
        [project, history.serial, JSON.stringify(history)],
      );
      // Delivered when (and only if) the transaction commits: running servers re-read at once.
      await client.query("SELECT pg_notify($1, $2)", [
        REGISTRY_CHANNEL,
        JSON.stringify({ schema: this.schema, project, serial: history.serial }),
      ]);
      await client.query("COMMIT");
      held.inTransaction = false;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      held.inTransaction = false;
      if (held.lostReason !== null) throw lockLost(project);
      // Two first commits racing past an empty SELECT ... FOR UPDATE: the primary key decides.
      if (pgCode(error) === UNIQUE_VIOLATION) {
        throw new ConcurrentChangeError(`project ${project} was created by another apply`);
      }
      throw this.translate(error);
    }
  }

  private stateFromRow(
    project: string,
    row: { lineage: string; serial: string; state: unknown },
  ): RegistryState {
    const where = `${this.location} fsops_state (project ${project})`;
    const state = validateState(row.state, project, where);
    if (state.lineage !== row.lineage || state.serial !== Number(row.serial)) {
      throw new RegistryCorruptError(
        `${where}: columns say lineage ${row.lineage} serial ${row.serial}, the state says lineage ${state.lineage} serial ${state.serial}`,
      );
    }
    return state;
  }

  private async lockRow(project: string): Promise<LockInfo | null> {
    const rows = await this.queryIfTables<{ info: unknown }>(
      `SELECT info FROM ${this.t.locks} WHERE project = $1`,
      [project],
    );
    return rows[0]
      ? validateLockInfo(rows[0].info, `${this.location} fsops_locks (project ${project})`)
      : null;
  }

  /** Reads return nothing, rather than create tables, when fsops never wrote to this schema. */
  private async queryIfTables<R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, params)).rows;
    } catch (error) {
      const code = pgCode(error);
      if (code === UNDEFINED_TABLE || code === INVALID_SCHEMA) return [];
      throw this.translate(error);
    }
  }

  private ensureTables(): Promise<void> {
    this.tablesReady ??= this.createTables().catch((error: unknown) => {
      this.tablesReady = null;
      throw this.translate(error);
    });
    return this.tablesReady;
  }

  private async createTables(): Promise<void> {
    const client = await this.pool.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(to_regclass(t))::int AS n FROM unnest($1::text[]) AS t",
        [[this.t.state, this.t.history, this.t.locks]],
      );
      if (rows[0]?.n === 3) return;
      // Concurrent `CREATE TABLE IF NOT EXISTS` can still collide on the catalog; serialize it.
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [DDL_LOCK_KEY.toString()]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.t.state} (
        project text PRIMARY KEY,
        lineage text NOT NULL,
        serial bigint NOT NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now())`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.t.history} (
        id bigserial PRIMARY KEY,
        project text NOT NULL,
        serial bigint NOT NULL,
        entry jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now())`);
      await client.query(
        `CREATE INDEX IF NOT EXISTS "fsops_history_project_idx" ON ${this.t.history} (project, id)`,
      );
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.t.locks} (
        project text PRIMARY KEY,
        lock_id text NOT NULL,
        info jsonb NOT NULL,
        locked_at timestamptz NOT NULL DEFAULT now())`);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  private async wrap<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Registry errors pass through; anything else names the (masked) location, never the password. */
  private translate(error: unknown): Error {
    if (error instanceof RegistryError) return error;
    if (pgCode(error) === LOCK_NOT_AVAILABLE) {
      return new RegistryBusyError(
        `${this.location}: another connection holds a row of the registry tables; gave up after waiting ${REGISTRY_LOCK_TIMEOUT} (lock_timeout)`,
        "end that connection's open transaction (see pg_stat_activity / pg_locks), then re-run",
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    return new RegistryError(`${this.location}: ${redactSecrets(message, this.secrets)}`);
  }
}
