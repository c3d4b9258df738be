import { createHash } from "node:crypto";
import { EVENT_TS_COLUMN, pgType } from "../infra/layout.js";
import { qualifiedName, quoteIdent } from "../infra/sql.js";
import type { SqlExecutor } from "../infra/sql-executor.js";
import type { Catalog, StoredView } from "./catalog.js";
import type { OnlineReader, ReadResult, StoredRow, ViewRead } from "./online-reader.js";
import { entityKeyString } from "./values.js";

/** The part of a Postgres client serving needs: `pg.Pool` and the PGlite executor both fit. */
export interface SqlQuery {
  /**
   * `name`, when given, makes it a named prepared statement: each pooled connection parses and
   * plans it once, then only binds and executes (PGlite ignores it).
   */
  query(text: string, params: unknown[], name?: string): Promise<{ rows: Record<string, unknown>[] }>;
}

/**
 * Distinct named statements one reader prepares at most. Each pooled connection keeps every
 * statement it prepared for its life (the driver never deallocates), and requests may ask for
 * any subset of a view's features: past this many, statements go unnamed.
 */
export const MAX_NAMED_STATEMENTS = 256;

/**
 * After this many "prepared statement does not exist / already exists" errors a reader stops
 * naming statements: its connections are not the server's (a transaction-mode pooler).
 */
export const POOLER_ERRORS_BEFORE_UNNAMED = 3;

interface Statement {
  text: string;
  /** Prepared-statement name: a digest of the text and the column types it returns. */
  name: string;
}

/**
 * Statements per registry version's view (a new version brings new view objects). Keys are
 * bound as arrays to `$1…$n`, so one statement serves any batch size and the server caches its
 * plan.
 */
const statements = new WeakMap<StoredView, Map<string, Statement>>();

function statementOf(view: StoredView, features: readonly string[]): Statement {
  let byFeatures = statements.get(view);
  if (byFeatures === undefined) statements.set(view, (byFeatures = new Map()));
  const id = features.join("\u0000");
  let statement = byFeatures.get(id);
  if (statement !== undefined) return statement;
  const cols = [...view.keys.map((k) => k.name), ...features, EVENT_TS_COLUMN].map(quoteIdent).join(", ");
  const table = qualifiedName(view.table.schema, view.table.name);
  let text: string;
  if (view.keys.length === 1) {
    const k = view.keys[0] as { name: string; dtype: string };
    text = `SELECT ${cols} FROM ${table} WHERE ${quoteIdent(k.name)} = ANY($1::${pgType(k.dtype)}[])`;
  } else {
    const unnest = view.keys.map((k, i) => `$${i + 1}::${pgType(k.dtype)}[]`).join(", ");
    const names = view.keys.map((k) => quoteIdent(k.name)).join(", ");
    text = `SELECT ${cols} FROM ${table} WHERE (${names}) IN (SELECT * FROM unnest(${unnest}))`;
  }
  // The returned types are part of the name: after an apply changes a column's type, the new
  // version prepares a new statement instead of running the old plan ("cached plan must not
  // change result type").
  const dtypes = features.map((f) => view.features.find((x) => x.name === f)?.dtype ?? "?").join(",");
  const digest = createHash("sha256").update(`${text}\n${dtypes}`).digest("hex").slice(0, 24);
  statement = { text, name: `fsops_read_${digest}` };
  byFeatures.set(id, statement);
  return statement;
}

export class PostgresOnlineReader implements OnlineReader {
  /** Names handed out so far (bounded by MAX_NAMED_STATEMENTS). */
  private readonly named = new Set<string>();
  /** Names the server refused to run (the table changed under them): run unnamed from then on. */
  private readonly stale = new Set<string>();
  /** 26000/42P05 errors seen: named statements and the server connections disagree. */
  private poolerErrors = 0;

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
      const statement = statementOf(read.view, read.features);
      const params = read.view.keys.map((_, i) => read.keys.map((tuple) => String(tuple[i])));
      const res = await this.run(statement, params);
      const keys = read.view.keys;
      const single = keys.length === 1 ? (keys[0] as { name: string }).name : null;
      const features = read.features;
      for (const row of res.rows) {
        const key =
          single !== null
            ? String(row[single] as string | number | bigint)
            : entityKeyString(keys.map((k) => row[k.name] as string | number | bigint));
        const ts = row[EVENT_TS_COLUMN];
        const values: unknown[] = new Array<unknown>(features.length);
        for (let j = 0; j < features.length; j++) values[j] = row[features[j] as string];
        rows.set(key, {
          values,
          eventTs: ts instanceof Date ? ts : ts === null || ts === undefined ? null : new Date(String(ts)),
        });
      }
    };
    if (this.parallel) await Promise.all(reads.map(one));
    else for (const r of reads) await one(r);
    return result;
  }

  private async run(statement: Statement, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }> {
    const { name, text } = statement;
    const useName =
      this.poolerErrors < POOLER_ERRORS_BEFORE_UNNAMED &&
      !this.stale.has(name) &&
      (this.named.has(name) || this.named.size < MAX_NAMED_STATEMENTS);
    if (!useName) return this.sql.query(text, params);
    this.named.add(name);
    try {
      return await this.sql.query(text, params, name);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      // 0A000 "cached plan must not change result type": the table changed outside an apply.
      // 26000 "prepared statement does not exist" / 42P05 "already exists": the statements a
      // connection holds are not the ones the driver tracks, as behind PgBouncer in transaction
      // mode (each transaction may run on another server connection) or after DISCARD ALL.
      if (code !== "0A000" && code !== "26000" && code !== "42P05") throw e;
      // The driver keeps believing the name is (or is not) prepared on that connection: never
      // use it again. A pooler will do it again for every name: stop naming statements at all.
      this.stale.add(name);
      if (code !== "0A000") this.poolerErrors++;
      return this.sql.query(text, params);
    }
  }

  async ping(): Promise<void> {
    await this.sql.query("SELECT 1", []);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
