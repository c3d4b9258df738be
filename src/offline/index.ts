/**
 * The offline-reading stage: turn a view of the registry's applied state into canonical rows
 * read from its batch source. Used by materialize and push (src/materialize), training data
 * (src/training) and serving; none of them re-implements source reading.
 *
 *   const vs = viewSource(state, "driver_hourly_stats");        // columns, mapping, ttl (pure)
 *   const reader = await openViewReader({ projectDir, offlineStore }, vs); // checks the columns
 *   for await (const batch of reader.latest({ start, end })) …   // bounded memory
 *   await reader.close();
 *
 * PostgresSource: read with a server-side cursor in the offline store (`postgresRelation` gives
 * the relation text for statements pushed down into the database). FileSource: DuckDB over the
 * resolved local / downloaded S3 files (`resolveFileSource`, `openDuckDb`, `duckRelation`).
 */
import type { Pool } from "pg";
import { quoteIdent } from "../infra/sql.js";
import type { OfflineStoreConfig } from "../model/config.js";
import type { CanonicalRow, Dialect, Window } from "./canonical.js";
import { canonicalSelect, toCanonicalRow } from "./canonical.js";
import { checkColumns, OfflineSourceError, sourceLocation } from "./errors.js";
import type { DuckConnection, ResolvedFiles } from "./file-source.js";
import { duckDescribe, duckRelation, openDuckDb, resolveFileSource } from "./file-source.js";
import {
  postgresColumns,
  postgresEstimate,
  postgresRelation,
  streamPostgresRows,
} from "./postgres-source.js";
import type { ViewSource } from "./view-source.js";

export * from "./canonical.js";
export * from "./errors.js";
export * from "./file-source.js";
export * from "./postgres-source.js";
export * from "./view-source.js";

export interface OfflineContext {
  /** Absolute project folder (FileSource paths are relative to it). */
  projectDir: string;
  offlineStore: OfflineStoreConfig | null;
  /** Offline-store connections to reuse across views (`offlinePool`); else one per read. */
  pool?: Pool;
}

export interface ViewReader {
  readonly engine: Dialect;
  /** The source relation in the engine's SQL (a quoted table, `(query)`, or `read_parquet([...])`). */
  readonly relation: string;
  /** The newest row per entity key within the window (ties: newest created time). */
  latest(window: Window, batchSize?: number): AsyncGenerator<CanonicalRow[]>;
  /** The query `latest` runs (canonical columns k0…, f0…, e, c), to build on in the same engine. */
  latestSql(window: Window): string;
  /** A cheap estimate of `latest(window)`'s row count (the planner's, for ETAs), or null. */
  estimateLatest(window: Window): Promise<number | null>;
  /** Every row within the window (no de-duplication); `window` null = all rows. */
  rows(window: Window | null, batchSize?: number): AsyncGenerator<CanonicalRow[]>;
  /** For DuckDB readers: the open connection (training joins reuse it). */
  readonly duck: DuckConnection | null;
  close(): Promise<void>;
}

/**
 * `relation` with its TIMESTAMPTZ time columns as TIMESTAMPs of the same UTC instant, made from
 * epoch microseconds. The canonical query casts time columns to TIMESTAMP (any source type:
 * timestamp, timestamptz, date, text), and DuckDB converts TIMESTAMPTZ → TIMESTAMP through ICU
 * per row even in UTC: measured 0.7 s of CPU per million rows and per use (the window filter,
 * the event and created times), against 0.03 s this way.
 */
function utcInstants(
  relation: string,
  columns: readonly { name: string; type: string }[],
  times: readonly (string | null)[],
): string {
  const zoned = new Set(columns.filter((c) => c.type === "TIMESTAMP WITH TIME ZONE").map((c) => c.name));
  const replace = [...new Set(times)]
    .filter((t): t is string => t !== null && zoned.has(t))
    .map((t) => `make_timestamp(epoch_us(${quoteIdent(t)})) AS ${quoteIdent(t)}`);
  return replace.length === 0 ? relation : `(SELECT * REPLACE (${replace.join(", ")}) FROM ${relation})`;
}

/** The offline store's Postgres connection string, or a located error saying what to configure. */
export function offlinePostgres(ctx: OfflineContext, vs: ViewSource): string {
  if (ctx.offlineStore?.type !== "postgres") {
    throw new OfflineSourceError(
      `${sourceLocation(vs)}source ${vs.source.name} is a PostgresSource, but fsops.yaml has no postgres offline_store`,
      "add offline_store: { type: postgres, connection_string: ${FSOPS_OFFLINE_PG} } to fsops.yaml",
    );
  }
  return ctx.offlineStore.connectionString;
}

/**
 * Open a reader of `vs`'s batch source and check it has every column the view needs (a missing
 * column is an `OfflineSourceError` located at the source's definition).
 */
export async function openViewReader(ctx: OfflineContext, vs: ViewSource): Promise<ViewReader> {
  const spec = vs.source.spec;
  if (spec.type === "postgres") {
    const url = offlinePostgres(ctx, vs);
    const relation = postgresRelation(spec);
    let columns: string[];
    try {
      columns = await postgresColumns(url, relation, ctx.pool);
    } catch (e) {
      if (e instanceof OfflineSourceError)
        throw new OfflineSourceError(
          `${sourceLocation(vs)}source ${vs.source.name}: ${e.message}`,
          e.hint,
          e.code,
        );
      throw e;
    }
    checkColumns(vs, columns, spec.table !== null ? `table ${spec.table}` : "its query");
    const read = async function* (sql: string, batchSize?: number) {
      for await (const rows of streamPostgresRows(url, sql, { batchSize, pool: ctx.pool })) {
        yield rows.map((r) => toCanonicalRow(vs, r));
      }
    };
    const latestSql = (window: Window | null) => canonicalSelect("postgres", vs, relation, window, true);
    return {
      engine: "postgres",
      relation,
      duck: null,
      latestSql,
      latest: (window, batchSize) => read(latestSql(window), batchSize),
      estimateLatest: (window) => postgresEstimate(url, latestSql(window), ctx.pool),
      rows: (window, batchSize) => read(canonicalSelect("postgres", vs, relation, window, false), batchSize),
      close: async () => undefined,
    };
  }
  let files: ResolvedFiles;
  try {
    files = await resolveFileSource(spec.path, ctx.projectDir, ctx.offlineStore?.s3 ?? null);
  } catch (e) {
    if (e instanceof OfflineSourceError)
      throw new OfflineSourceError(
        `${sourceLocation(vs)}source ${vs.source.name}: ${e.message}`,
        e.hint,
        e.code,
      );
    throw e;
  }
  let duck: DuckConnection;
  try {
    duck = await openDuckDb();
  } catch (e) {
    await files.cleanup();
    throw e;
  }
  const relation = duckRelation(files.files, files.format);
  let scan = relation;
  try {
    const described = await duckDescribe(duck, relation);
    checkColumns(
      vs,
      described.map((c) => c.name),
      `the files of ${spec.path}`,
    );
    scan = utcInstants(relation, described, [vs.eventTimestamp, vs.createdTimestamp]);
  } catch (e) {
    duck.close();
    await files.cleanup();
    if (e instanceof OfflineSourceError) throw e;
    throw new OfflineSourceError(
      `${sourceLocation(vs)}source ${vs.source.name}: cannot read ${spec.path}: ${(e as Error).message}`,
    );
  }
  const read = async function* (sql: string, batchSize = 5000) {
    let pending: CanonicalRow[] = [];
    for await (const rows of duck.stream(sql)) {
      for (const r of rows) pending.push(toCanonicalRow(vs, r));
      if (pending.length >= batchSize) {
        yield pending;
        pending = [];
      }
    }
    if (pending.length > 0) yield pending;
  };
  const latestSql = (window: Window | null) => canonicalSelect("duckdb", vs, scan, window, true);
  return {
    engine: "duckdb",
    relation,
    duck,
    latestSql,
    latest: (window, batchSize) => read(latestSql(window), batchSize),
    // Distinct keys of the window, approximated (HyperLogLog over the key columns only: DuckDB
    // reads no feature column for it). Asked for only where a progress bar shows it.
    estimateLatest: async (window) => {
      const keys = vs.keys.map((_, i) => `"k${i}"`).join(", ");
      const sql = `SELECT approx_count_distinct(row(${keys})) AS "n" FROM (${canonicalSelect("duckdb", vs, scan, window, false)}) AS "fsops_rows"`;
      try {
        for await (const rows of duck.stream(sql)) return Number(rows[0]?.n ?? 0);
        return null;
      } catch {
        return null;
      }
    },
    rows: (window, batchSize) => read(canonicalSelect("duckdb", vs, scan, window, false), batchSize),
    close: async () => {
      duck.close();
      await files.cleanup();
    },
  };
}
