/**
 * The two engines a historical request talks to, opened lazily: DuckDB (always: entity rows,
 * file sources, the merge and the output) and the offline Postgres (only when a view reads a
 * PostgresSource or the entity rows come from SQL). Values move from Postgres to DuckDB as text
 * through a server-side cursor, a bounded batch at a time.
 */
import type { DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import type pg from "pg";
import { tmpdir } from "node:os";
import { quoteIdent } from "../infra/sql.js";
import { TrainingError } from "./request.js";

export interface Duck {
  instance: DuckDBInstance;
  conn: DuckDBConnection;
  close(): void;
}

/**
 * An in-memory DuckDB that spills to the temp folder beyond `memoryLimit`, times in UTC. The limit
 * trades speed for bounded memory: the ASOF joins hold the feature rows sorted in memory (3 × 1M
 * rows need 288–320 MB unspilled), while the entity rows and the ordered output grow with the
 * request and spill past the limit. Measured (3 views × 1M feature rows, 100k vs 1M entity rows,
 * plain node, floor writing zstd; a shared 2-core machine, so ±10 % run to run): 288 MB: peak RSS
 * 414 / 485 MB (1.17×), CPU 1.09× the hand-written ASOF (the little spilled at 100k cost no
 * visible CPU); 320 MB: 415–423 / 471–520 MB (1.13–1.23×), 1.11–1.27×; 384 MB: 421 / 533 MB
 * (1.27×). Before the two-step created tie-break (sql-duckdb.ts) the join needed ~370 MB.
 */
export async function openDuck(memoryLimit = "288MB"): Promise<Duck> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: memoryLimit,
    temp_directory: tmpdir(),
    threads: "2",
  });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return {
    instance,
    conn,
    close() {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

export async function openPg(connectionString: string): Promise<pg.Client> {
  // Loaded here, not at the top: a DuckDB-only training run never loads pg.
  const { newOfflineClient, offlineConnectionError } = await import("../offline/postgres-source.js");
  let client: pg.Client;
  try {
    client = await newOfflineClient(connectionString, "fsops training");
  } catch (e) {
    // The same wording as materialize and push: the store named with its password masked.
    const err = offlineConnectionError(connectionString, e);
    throw new TrainingError(err.message, err.hint);
  }
  // Timestamps without a zone are UTC, never the server's zone.
  await client.query("SET TIME ZONE 'UTC'");
  return client;
}

const RAW_TEXT = { getTypeParser: () => (v: string) => v };
export const FETCH_ROWS = 10_000;

export interface PgField {
  name: string;
  oid: number;
}

/**
 * Run `sql` in Postgres (inside the caller's transaction) and append every row, as text, to a new
 * DuckDB table of VARCHAR columns. Returns the result's fields (names and type oids).
 */
export async function pgIntoDuck(
  client: pg.Client,
  sql: string,
  duck: Duck,
  table: string,
): Promise<PgField[]> {
  const cursor = quoteIdent(`fsops_cur_${table}`);
  await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`);
  let fields: PgField[] | null = null;
  let appender: Awaited<ReturnType<DuckDBConnection["createAppender"]>> | null = null;
  try {
    for (;;) {
      const res = await client.query({
        text: `FETCH FORWARD ${FETCH_ROWS} FROM ${cursor}`,
        rowMode: "array",
        types: RAW_TEXT,
      });
      if (fields === null) {
        fields = res.fields.map((f) => ({ name: f.name, oid: f.dataTypeID }));
        const cols = fields.map((f) => `${quoteIdent(f.name)} VARCHAR`).join(", ");
        await duck.conn.run(`CREATE TABLE ${quoteIdent(table)} (${cols})`);
        appender = await duck.conn.createAppender(table);
      }
      const rows = res.rows as (string | null)[][];
      for (const row of rows) {
        for (const v of row) {
          if (v === null) appender!.appendNull();
          else appender!.appendVarchar(v);
        }
        appender!.endRow();
      }
      if (rows.length < FETCH_ROWS) break;
    }
  } finally {
    appender?.closeSync();
    await client.query(`CLOSE ${cursor}`).catch(() => undefined);
  }
  return fields!;
}

/** DuckDB expression reading back the text of a Postgres value of type `oid`. */
export function duckFromPgOid(expr: string, oid: number): string {
  switch (oid) {
    case 16:
      return `CAST(${expr} AS BOOLEAN)`;
    case 20:
      return `CAST(${expr} AS BIGINT)`;
    case 21:
    case 23:
      return `CAST(${expr} AS INTEGER)`;
    case 700:
      return `CAST(${expr} AS FLOAT)`;
    case 701:
    case 1700:
      return `CAST(${expr} AS DOUBLE)`;
    case 1082:
      return `CAST(${expr} AS DATE)`;
    case 1114:
    case 1184:
      return `CAST(${expr} AS TIMESTAMPTZ)`;
    case 17:
      return `from_hex(substr(${expr}, 3))`;
    default:
      return expr;
  }
}

/** Append rows (arrays of text or null) from DuckDB to a Postgres table, `batch` rows per INSERT. */
export async function duckIntoPg(
  duck: Duck,
  selectSql: string,
  client: pg.Client,
  table: string,
  pgTypes: string[],
): Promise<number> {
  const result = await duck.conn.stream(selectSql);
  const unnest = pgTypes.map((t, i) => `$${i + 1}::${t}[]`).join(", ");
  const insert = `INSERT INTO ${table} SELECT * FROM unnest(${unnest})`;
  let total = 0;
  let columns: (string | null)[][] = pgTypes.map(() => []);
  let n = 0;
  const flush = async () => {
    if (n === 0) return;
    await client.query(insert, columns);
    total += n;
    columns = pgTypes.map(() => []);
    n = 0;
  };
  for await (const rows of result.yieldRowsJs()) {
    for (const row of rows) {
      row.forEach((v, i) => columns[i]!.push(v === null ? null : String(v)));
      n++;
      if (n >= FETCH_ROWS * 2) await flush();
    }
  }
  await flush();
  return total;
}
