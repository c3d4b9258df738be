/**
 * Column types of the dtypes the data plane reads (the 8 scalars and their lists; see
 * `isReadableDtype`), in Postgres and in DuckDB. One table each, for reading sources, writing
 * pushed part files and building training sets alike.
 */

const POSTGRES: Readonly<Record<string, string>> = {
  int32: "integer",
  int64: "bigint",
  float32: "real",
  float64: "double precision",
  string: "text",
  bytes: "bytea",
  bool: "boolean",
  unix_timestamp: "timestamptz",
};

const DUCKDB: Readonly<Record<string, string>> = {
  int32: "INTEGER",
  int64: "BIGINT",
  float32: "FLOAT",
  float64: "DOUBLE",
  string: "VARCHAR",
  bytes: "BLOB",
  bool: "BOOLEAN",
  unix_timestamp: "TIMESTAMPTZ",
};

function typeIn(table: Readonly<Record<string, string>>, fallback: string, dtype: string): string {
  const list = dtype.endsWith("[]");
  const t = table[list ? dtype.slice(0, -2) : dtype] ?? fallback;
  return list ? `${t}[]` : t;
}

/** `float32[]` → `real[]`; a dtype outside the readable set (refused earlier) → `text`. */
export function postgresColumnType(dtype: string): string {
  return typeIn(POSTGRES, "text", dtype);
}

/** `float32[]` → `FLOAT[]`; a dtype outside the readable set (refused earlier) → `VARCHAR`. */
export function duckdbColumnType(dtype: string): string {
  return typeIn(DUCKDB, "VARCHAR", dtype);
}
