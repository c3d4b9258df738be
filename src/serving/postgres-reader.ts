import { EVENT_TS_COLUMN, pgType } from "../infra/layout.js";
import { qualifiedName, quoteIdent } from "../infra/sql.js";
import type { SqlExecutor } from "../infra/sql-executor.js";
import type { Catalog } from "./catalog.js";
import type { OnlineReader, ReadResult, StoredRow, ViewRead } from "./online-reader.js";
import { entityKeyString } from "./values.js";

/** The part of a Postgres client serving needs: `pg.Pool` and the PGlite executor both fit. */
export interface SqlQuery {
  query(text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * The statement reading `read`: keys as arrays bound to `$1…$n`, so one statement serves any
 * batch size and the plan is cached by the server.
 */
export function selectStatement(read: ViewRead): { text: string; params: unknown[] } {
  const { view, features } = read;
  const cols = [...view.keys.map((k) => k.name), ...features, EVENT_TS_COLUMN].map(quoteIdent).join(", ");
  const table = qualifiedName(view.table.schema, view.table.name);
  const params = view.keys.map((_, i) => read.keys.map((tuple) => String(tuple[i])));
  if (view.keys.length === 1) {
    const k = view.keys[0] as { name: string; dtype: string };
    return {
      text: `SELECT ${cols} FROM ${table} WHERE ${quoteIdent(k.name)} = ANY($1::${pgType(k.dtype)}[])`,
      params,
    };
  }
  const unnest = view.keys.map((k, i) => `$${i + 1}::${pgType(k.dtype)}[]`).join(", ");
  const names = view.keys.map((k) => quoteIdent(k.name)).join(", ");
  return {
    text: `SELECT ${cols} FROM ${table} WHERE (${names}) IN (SELECT * FROM unnest(${unnest}))`,
    params,
  };
}

export class PostgresOnlineReader implements OnlineReader {
  constructor(
    readonly store: "postgres" | "embedded",
    private readonly sql: SqlQuery,
    private readonly onClose: () => Promise<void>,
    /** pg pools run statements in parallel; PGlite is one connection, so they queue anyway. */
    private readonly parallel: boolean,
    /**
     * The embedded store's executor: PGlite is one process's alone, so the server's writes
     * (push, materialize) go through this same one.
     */
    readonly embedded: SqlExecutor | null = null,
  ) {}

  async read(_catalog: Catalog, reads: readonly ViewRead[]): Promise<ReadResult> {
    const result: ReadResult = new Map();
    const one = async (read: ViewRead) => {
      const rows = new Map<string, StoredRow>();
      result.set(read.view.name, rows);
      if (read.keys.length === 0) return;
      const { text, params } = selectStatement(read);
      const res = await this.sql.query(text, params);
      for (const row of res.rows) {
        const key = entityKeyString(read.view.keys.map((k) => row[k.name] as string | number | bigint));
        const ts = row[EVENT_TS_COLUMN];
        rows.set(key, {
          values: read.features.map((f) => row[f]),
          eventTs: ts instanceof Date ? ts : ts === null || ts === undefined ? null : new Date(String(ts)),
        });
      }
    };
    if (this.parallel) await Promise.all(reads.map(one));
    else for (const r of reads) await one(r);
    return result;
  }

  async ping(): Promise<void> {
    await this.sql.query("SELECT 1", []);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
