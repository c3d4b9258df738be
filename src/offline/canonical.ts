/**
 * The canonical query of a view over its source relation, in the two dialects fsops reads
 * offline data with (Postgres and DuckDB). Pure text builders; every identifier is quoted.
 *
 * Canonical output columns, in this order: `k0…` (join keys), `f0…` (features), `e` (event time,
 * epoch microseconds as text), `c` (created time, epoch microseconds as text, or NULL). Values
 * come out in a JSON-friendly, Postgres-input-compatible form: int64 as decimal text (JSON
 * numbers lose precision past 2^53), bytes as `\x…` hex, timestamps as ISO text.
 */
import { quoteIdent, quoteLiteral } from "../infra/sql.js";
import { postgresColumnType } from "./sql-types.js";
import type { MappedColumn, ViewSource } from "./view-source.js";
import { DUMMY_ENTITY_VALUE, isDummyKey } from "./view-source.js";

export type Dialect = "postgres" | "duckdb";

/** `(start, end]`; a view with a ttl also drops rows older than `end − ttl`. Times are Dates. */
export interface Window {
  /** Exclusive; null = from the beginning of the data. */
  start: Date | null;
  /** Inclusive. */
  end: Date;
}

/** One row in canonical form (what the online writers take). */
export interface CanonicalRow {
  keys: JsonValue[];
  features: JsonValue[];
  /** Epoch microseconds. */
  eventUs: number;
  createdUs: number | null;
}
export type JsonValue = string | number | boolean | null | JsonValue[];

const DUCK_SCALAR: Record<string, string> = {
  int32: "INTEGER",
  int64: "BIGINT",
  float32: "FLOAT",
  float64: "DOUBLE",
  string: "VARCHAR",
  bytes: "BLOB",
  bool: "BOOLEAN",
  unix_timestamp: "TIMESTAMP",
};

/** The expression producing the canonical value of a source column of `dtype`. */
export function valueExpr(dialect: Dialect, dtype: string, column: string): string {
  const list = dtype.endsWith("[]");
  const scalar = list ? dtype.slice(0, -2) : dtype;
  const col = quoteIdent(column);
  if (dialect === "postgres") {
    const t = postgresColumnType(scalar);
    if (scalar === "int64") return list ? `(${col})::bigint[]::text[]` : `(${col})::bigint::text`;
    return `(${col})::${t}${list ? "[]" : ""}`;
  }
  const t = DUCK_SCALAR[scalar] ?? "VARCHAR";
  if (scalar === "int64")
    return list ? `CAST(${col} AS VARCHAR[])` : `CAST(CAST(${col} AS BIGINT) AS VARCHAR)`;
  if (scalar === "bytes") {
    return list
      ? `list_transform(${col}, x -> '\\x' || hex(CAST(x AS BLOB)))`
      : `'\\x' || hex(CAST(${col} AS BLOB))`;
  }
  if (scalar === "unix_timestamp") {
    const one = (x: string) => `strftime(CAST(${x} AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%fZ')`;
    return list ? `list_transform(${col}, x -> ${one("x")})` : one(col);
  }
  return `CAST(${col} AS ${t}${list ? "[]" : ""})`;
}

/** Epoch microseconds of a timestamp column (timestamptz, timestamp as UTC, date). */
export function epochUsExpr(dialect: Dialect, column: string): string {
  const col = quoteIdent(column);
  return dialect === "postgres"
    ? `(extract(epoch from (${col})::timestamptz) * 1000000)::bigint`
    : `epoch_us(CAST(${col} AS TIMESTAMP))`;
}

function timeLiteral(dialect: Dialect, t: Date): string {
  return dialect === "postgres"
    ? `${quoteLiteral(t.toISOString())}::timestamptz`
    : `CAST(${quoteLiteral(t.toISOString().replace("Z", ""))} AS TIMESTAMP)`;
}

/** The lower bound (exclusive start, inclusive ttl bound) of a window for a view. */
export function windowBounds(
  window: Window,
  ttlSeconds: number,
): { after: Date | null; atLeast: Date | null; end: Date } {
  const atLeast = ttlSeconds > 0 ? new Date(window.end.getTime() - ttlSeconds * 1000) : null;
  return { after: window.start, atLeast, end: window.end };
}

function keyExpr(dialect: Dialect, k: MappedColumn, typed: boolean): string {
  if (isDummyKey(k)) return quoteLiteral(DUMMY_ENTITY_VALUE);
  return typed ? typedExpr(k.dtype, k.column) : valueExpr(dialect, k.dtype, k.column);
}

/** Postgres only: the column cast to its online type (for statements that never leave the database). */
function typedExpr(dtype: string, column: string): string {
  return `(${quoteIdent(column)})::${postgresColumnType(dtype)}`;
}

/**
 * `SELECT k0…, f0…, e, c FROM <relation>` restricted to the window, with rows lacking a key or
 * an event time dropped; `latest` keeps one row per key: the newest event, ties broken by the
 * newest created time (NULL created loses).
 */
export function canonicalSelect(
  dialect: Dialect,
  vs: ViewSource,
  relation: string,
  window: Window | null,
  latest: boolean,
  /**
   * Postgres only: values cast to their online types and times as timestamptz, for
   * `INSERT … SELECT` pushed down into the database.
   */
  typed = false,
): string {
  const inner: string[] = [];
  const time = (column: string) =>
    typed ? `(${quoteIdent(column)})::timestamptz` : epochUsExpr(dialect, column);
  vs.keys.forEach((k, i) => inner.push(`${keyExpr(dialect, k, typed)} AS "k${i}"`));
  vs.features.forEach((f, i) =>
    inner.push(`${typed ? typedExpr(f.dtype, f.column) : valueExpr(dialect, f.dtype, f.column)} AS "f${i}"`),
  );
  inner.push(`${time(vs.eventTimestamp)} AS "e"`);
  inner.push(
    vs.createdTimestamp === null
      ? `CAST(NULL AS ${typed ? "timestamptz" : "BIGINT"}) AS "c"`
      : `${time(vs.createdTimestamp)} AS "c"`,
  );
  const where: string[] = [];
  for (const k of vs.keys) if (!isDummyKey(k)) where.push(`${quoteIdent(k.column)} IS NOT NULL`);
  const ts = quoteIdent(vs.eventTimestamp);
  const tsCast = dialect === "postgres" ? `(${ts})::timestamptz` : `CAST(${ts} AS TIMESTAMP)`;
  where.push(`${ts} IS NOT NULL`);
  if (window !== null) {
    const b = windowBounds(window, vs.ttl);
    if (b.after !== null) where.push(`${tsCast} > ${timeLiteral(dialect, b.after)}`);
    if (b.atLeast !== null) where.push(`${tsCast} >= ${timeLiteral(dialect, b.atLeast)}`);
    where.push(`${tsCast} <= ${timeLiteral(dialect, b.end)}`);
  }
  const base = `SELECT ${inner.join(", ")} FROM ${relation} AS "fsops_source" WHERE ${where.join(" AND ")}`;
  if (!latest) return base;
  const keys = vs.keys.map((_, i) => `"k${i}"`).join(", ");
  const all = [
    ...vs.keys.map((_, i) => `"k${i}"`),
    ...vs.features.map((_, i) => `"f${i}"`),
    `"e"`,
    `"c"`,
  ].join(", ");
  const newest = `"e" DESC, "c" DESC NULLS LAST`;
  if (dialect === "duckdb") {
    // Not DISTINCT ON: DuckDB 1.5 runs it as first-value aggregates, which turn a FLOAT's -0 and
    // a list's -0 items into 0 (test/materialize/copy-values.test.ts); the window keeps them, and
    // measured on 1M rows / 200k keys it costs half the CPU.
    return `SELECT ${all} FROM (${base}) AS "fsops_rows" QUALIFY row_number() OVER (PARTITION BY ${keys} ORDER BY ${newest}) = 1`;
  }
  return `SELECT DISTINCT ON (${keys}) ${all} FROM (${base}) AS "fsops_rows" ORDER BY ${keys}, ${newest}`;
}

/** The canonical SQL row (as the engine returned it, JSON-parsed) → CanonicalRow. */
export function toCanonicalRow(vs: ViewSource, r: Record<string, unknown>): CanonicalRow {
  return {
    keys: vs.keys.map((_, i) => r[`k${i}`] as JsonValue),
    features: vs.features.map((_, i) => (r[`f${i}`] ?? null) as JsonValue),
    eventUs: Number(r.e),
    createdUs: r.c === null || r.c === undefined ? null : Number(r.c),
  };
}

/** ISO text (microsecond precision) of epoch microseconds. */
export function isoFromUs(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = us - ms * 1000;
  const iso = new Date(ms).toISOString(); // …SS.mmmZ
  return `${iso.slice(0, -1)}${String(micros).padStart(3, "0")}Z`;
}
