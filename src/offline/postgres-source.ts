/**
 * Reading a PostgresSource: its relation as SQL text (for statements pushed down to the
 * database) and a bounded-memory stream of rows through a server-side cursor.
 */
import pg from "pg";
import { connectionSecrets, maskConnectionString, redactSecrets } from "../config/redact.js";
import { quoteIdent } from "../infra/sql.js";
import type { PostgresSourceSpec } from "../model/spec.js";
import { OfflineStoreError } from "../infra/errors.js";
import { isConnectionError } from "../infra/sqlstate.js";

import { OfflineSourceError } from "./errors.js";

/**
 * Split a table name as SQL would read it (`schema.table`, `"Mixed Case".t`), folding unquoted
 * parts to lower case, so the quoted form names the same table `to_regclass` finds.
 */
export function parseTableName(name: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < name.length) {
    if (name[i] === '"') {
      let part = "";
      i++;
      for (;;) {
        if (i >= name.length) throw new OfflineSourceError(`table name ${name}: unterminated quote`);
        if (name[i] === '"') {
          if (name[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += name[i++];
      }
      parts.push(part);
    } else {
      const dot = name.indexOf(".", i);
      const raw = (dot < 0 ? name.slice(i) : name.slice(i, dot)).trim();
      if (raw === "") throw new OfflineSourceError(`table name ${JSON.stringify(name)} has an empty part`);
      parts.push(raw.toLowerCase());
      i = dot < 0 ? name.length : dot;
    }
    if (i < name.length) {
      if (name[i] !== ".") throw new OfflineSourceError(`table name ${JSON.stringify(name)}: expected "."`);
      i++;
    }
  }
  return parts;
}

/** The source as a relation usable after FROM: a quoted table name, or the query in parentheses. */
export function postgresRelation(spec: PostgresSourceSpec): string {
  if (spec.table !== null) return parseTableName(spec.table).map(quoteIdent).join(".");
  const query = (spec.query ?? "").trim().replace(/;\s*$/, "");
  return `(\n${query}\n)`;
}

/** How long to wait for a connection: the URL's `connect_timeout` (seconds, as libpq), else 30 s. */
export function connectTimeoutMs(connectionString: string): number {
  const m = /[?&]connect_timeout=(\d+)/.exec(connectionString);
  const seconds = m === null ? 30 : Number(m[1]);
  return seconds > 0 ? seconds * 1000 : 0;
}

/**
 * An offline-store connection problem, naming the store by its connection string with the
 * password masked, and saying what to check for the kind of problem it is.
 */
export function offlineConnectionError(connectionString: string, e: unknown): OfflineStoreError {
  const err = e as { message?: unknown; code?: unknown; errors?: unknown } | null;
  const code = typeof err?.code === "string" ? err.code : "";
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  let reason = typeof err?.message === "string" && err.message !== "" ? err.message : code || String(e);
  if (code !== "" && !reason.includes(code)) reason = `${reason} (${code})`;
  const hint = code.startsWith("28")
    ? "the server refused the login: check the user and password of offline_store.connection_string in fsops.yaml"
    : code === "3D000"
      ? "no such database on that server: check the database name of offline_store.connection_string in fsops.yaml"
      : /timeout|timed out|ETIMEDOUT/i.test(reason)
        ? "the server did not answer in time: check the host and port of offline_store.connection_string in fsops.yaml and the network (connect_timeout=SECONDS in the URL sets the wait)"
        : "check that the server is up and that offline_store.connection_string in fsops.yaml names it (host, port, database, user, password)";
  return new OfflineStoreError(
    redactSecrets(
      `offline store connection error (${maskConnectionString(connectionString)}): ${reason}`,
      connectionSecrets(connectionString),
    ),
    hint,
  );
}

export interface PgStreamOptions {
  batchSize?: number;
  applicationName?: string;
  /** Connections to reuse (one run reading many views); a fresh client per read when absent. */
  pool?: pg.Pool;
}

/** A client from `pool`, or a new one; `done` releases / ends it. */
async function connect(
  connectionString: string,
  pool: pg.Pool | undefined,
  applicationName: string,
): Promise<{ client: pg.ClientBase; done(): Promise<void> }> {
  if (pool !== undefined) {
    const client = await pool.connect();
    return {
      client,
      done: async () => {
        client.release();
      },
    };
  }
  const client = await newOfflineClient(connectionString, applicationName);
  return { client, done: () => client.end().catch(() => undefined) };
}

/**
 * A connected client of the offline store (no pool): bounded connect time, errors after the
 * connection handled by the caller's queries, ended again when connecting fails (the driver's
 * error is rethrown as it is).
 */
export async function newOfflineClient(
  connectionString: string,
  applicationName: string,
): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString,
    application_name: applicationName,
    connectionTimeoutMillis: connectTimeoutMs(connectionString),
  });
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw e;
  }
  return client;
}

/** A pool for the offline store (closed by the caller with `end()`). */
export function offlinePool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 2,
    application_name: "fsops offline read",
    connectionTimeoutMillis: connectTimeoutMs(connectionString),
  });
  pool.on("error", () => undefined);
  return pool;
}

/**
 * Run `sql` in a READ ONLY transaction (time zone UTC) through a NO SCROLL cursor and yield its
 * rows `batchSize` at a time, each row JSON-decoded by the server (`to_json`): only one batch is
 * ever in memory, whatever the size of the result.
 */
export async function* streamPostgresRows(
  connectionString: string,
  sql: string,
  options: PgStreamOptions = {},
): AsyncGenerator<Record<string, unknown>[]> {
  const secrets = connectionSecrets(connectionString);
  const batch = options.batchSize ?? 5000;
  const fail = (e: unknown): never => {
    if (isConnectionError(e)) throw offlineConnectionError(connectionString, e);
    throw new OfflineStoreError(
      redactSecrets(
        `offline store ${maskConnectionString(connectionString)}: ${(e as Error).message ?? String(e)}`,
        secrets,
      ),
    );
  };
  const { client, done } = await connect(
    connectionString,
    options.pool,
    options.applicationName ?? "fsops offline read",
  ).catch(fail);
  let open = false;
  try {
    await client.query("BEGIN READ ONLY").catch(fail);
    open = true;
    await client.query("SET LOCAL TIME ZONE 'UTC'").catch(fail);
    await client
      .query(`DECLARE "fsops_cursor" NO SCROLL CURSOR FOR SELECT to_json("r") AS "j" FROM (${sql}) AS "r"`)
      .catch(fail);
    for (;;) {
      const res = await client
        .query<{ j: Record<string, unknown> }>(`FETCH FORWARD ${batch} FROM "fsops_cursor"`)
        .catch(fail);
      if (res.rows.length === 0) break;
      yield res.rows.map((r) => r.j);
      if (res.rows.length < batch) break;
    }
    await client.query("COMMIT").catch(fail);
    open = false;
  } finally {
    if (open) await client.query("ROLLBACK").catch(() => undefined);
    await done();
  }
}

/** Column names of a Postgres relation (planned with LIMIT 0 in a read-only transaction). */
export async function postgresColumns(
  connectionString: string,
  relation: string,
  pool?: pg.Pool,
): Promise<string[]> {
  const secrets = connectionSecrets(connectionString);
  let session: { client: pg.ClientBase; done(): Promise<void> } | null = null;
  try {
    session = await connect(connectionString, pool, "fsops offline read");
    const { client } = session;
    await client.query("BEGIN READ ONLY");
    try {
      const res = await client.query(`SELECT * FROM ${relation} AS "fsops_source" LIMIT 0`);
      return res.fields.map((f) => f.name);
    } finally {
      await client.query("ROLLBACK").catch(() => undefined);
    }
  } catch (e) {
    // Connecting (refused, login, unknown database, timeout) is the store's problem, whatever
    // the error says ("role … does not exist" is not a missing table).
    if (session === null || isConnectionError(e)) throw offlineConnectionError(connectionString, e);
    const message = redactSecrets((e as Error).message ?? String(e), secrets);
    throw new OfflineSourceError(
      `source relation ${relation.length > 80 ? "(query)" : relation} failed in the offline store: ${message}`,
      "check the table name or run the query by hand against the offline store",
      "FS401",
    );
  } finally {
    await session?.done();
  }
}

/** The planner's row estimate of `sql` (EXPLAIN, nothing run), or null when unavailable. */
export async function postgresEstimate(
  connectionString: string,
  sql: string,
  pool?: pg.Pool,
): Promise<number | null> {
  let session: { client: pg.ClientBase; done(): Promise<void> } | null = null;
  try {
    session = await connect(connectionString, pool, "fsops offline read");
    await session.client.query("BEGIN READ ONLY");
    try {
      const res = await session.client.query<{ "QUERY PLAN": [{ Plan: { "Plan Rows": number } }] }>(
        `EXPLAIN (FORMAT JSON) ${sql}`,
      );
      const rows = res.rows[0]?.["QUERY PLAN"]?.[0]?.Plan?.["Plan Rows"];
      return typeof rows === "number" && Number.isFinite(rows) ? Math.round(rows) : null;
    } finally {
      await session.client.query("ROLLBACK").catch(() => undefined);
    }
  } catch {
    return null;
  } finally {
    await session?.done();
  }
}
