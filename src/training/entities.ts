/**
 * Entity rows into DuckDB as one table, `__entities`: the row index (input order), the join keys
 * cast to their entities' types, `event_timestamp` as timestamptz (UTC when written without a
 * zone), and every other column (labels) as it came. Checks are located: the file or the
 * `entityRows[i]` element and the column.
 */
import path from "node:path";
import type pg from "pg";
import type { Dtype } from "../model/kinds.js";
import { quoteIdent, quoteLiteral } from "../infra/sql.js";
import type { Duck } from "./engines.js";
import { duckFromPgOid, pgIntoDuck } from "./engines.js";
import type { JoinKey, TrainingPlan } from "./request.js";
import { ENTITY_TIMESTAMP, ROW_INDEX, TrainingError, parseTime } from "./request.js";
import { duckdbType } from "./sql-postgres.js";

export const ENTITY_TABLE = "__entities";

export type EntityInput =
  | { kind: "rows"; rows: Record<string, unknown>[] }
  | { kind: "file"; path: string }
  /** Rows of a query in the offline Postgres; `table` is set when it was already materialized there. */
  | { kind: "sql"; sql: string };

export interface EntityColumns {
  /** User-visible columns in order (row index excluded). */
  columns: string[];
  count: number;
}

const INT_TYPES = [
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
];

/** Whether a DuckDB column type can hold a join key of `dtype` without changing its values. */
function keyTypeFits(duckType: string, dtype: Dtype): boolean {
  switch (dtype) {
    case "int32":
    case "int64":
      return INT_TYPES.includes(duckType);
    case "float32":
    case "float64":
      return (
        INT_TYPES.includes(duckType) ||
        ["FLOAT", "DOUBLE"].includes(duckType) ||
        duckType.startsWith("DECIMAL")
      );
    case "string":
      return duckType === "VARCHAR";
    case "bool":
      return duckType === "BOOLEAN";
    case "bytes":
      return duckType === "BLOB";
    case "unix_timestamp":
      return duckType.startsWith("TIMESTAMP") || duckType === "DATE";
    default:
      return false;
  }
}

async function describe(duck: Duck, relation: string): Promise<{ name: string; type: string }[]> {
  const r = await duck.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`);
  return r.getRowObjectsJS().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
}

/** Load the entity rows; `pgClient` is needed for `sql` input (open transaction). */
export async function loadEntities(
  duck: Duck,
  input: EntityInput,
  plan: TrainingPlan,
  pgClient: pg.Client | null,
): Promise<EntityColumns> {
  switch (input.kind) {
    case "file":
      return loadFile(duck, input.path, plan);
    case "rows":
      return loadRows(duck, input.rows, plan);
    case "sql": {
      if (!pgClient)
        throw new TrainingError("entitySql needs an offline store", "set offline_store in fsops.yaml");
      const fields = await pgIntoDuck(pgClient, input.sql, duck, "__entities_text");
      const casts = fields.map((f) => `${duckFromPgOid(quoteIdent(f.name), f.oid)} AS ${quoteIdent(f.name)}`);
      const hasRow = fields.some((f) => f.name === ROW_INDEX);
      const select = hasRow ? casts.join(", ") : `rowid AS ${quoteIdent(ROW_INDEX)}, ${casts.join(", ")}`;
      await duck.conn.run(`CREATE TABLE __entities_raw AS SELECT ${select} FROM __entities_text`);
      await duck.conn.run("DROP TABLE __entities_text");
      return finish(duck, "__entities_raw", "entitySql", plan, null, "TABLE");
    }
  }
}

async function loadFile(duck: Duck, file: string, plan: TrainingPlan): Promise<EntityColumns> {
  const label = path.basename(file);
  const lit = quoteLiteral(file);
  let reader: (types: Record<string, string>) => string;
  if (/\.csv$/i.test(file)) {
    reader = (types) => {
      const t = Object.entries(types);
      return `read_csv(${lit}, header = true${
        t.length
          ? `, types = {${t.map(([k, v]) => `${quoteLiteral(k)}: ${quoteLiteral(v)}`).join(", ")}}`
          : ""
      })`;
    };
  } else if (/\.parquet$/i.test(file)) reader = () => `read_parquet(${lit})`;
  else if (/\.(jsonl|ndjson)$/i.test(file)) reader = () => `read_json(${lit}, format = 'newline_delimited')`;
  else
    throw new TrainingError(
      `entity file ${file}: unknown format`,
      "use a .csv (with a header), .parquet or .jsonl file",
    );
  let cols: { name: string; type: string }[];
  try {
    cols = await describe(duck, reader({}));
  } catch (e) {
    throw new TrainingError(`cannot read entity file ${file}: ${firstLine(e)}`);
  }
  const names = new Set(cols.map((c) => c.name));
  const types: Record<string, string> = {};
  if (/\.csv$/i.test(file)) {
    // Read times as text and parse them here: CSV sniffing would guess per file.
    if (names.has(ENTITY_TIMESTAMP)) types[ENTITY_TIMESTAMP] = "VARCHAR";
    for (const k of plan.joinKeys) if (k.dtype === "string" && names.has(k.name)) types[k.name] = "VARCHAR";
  }
  // A view: the file is read once more by the CREATE TABLE below, never copied twice.
  await duck.conn.run(
    `CREATE VIEW __entities_raw AS SELECT ordinality - 1 AS ${quoteIdent(ROW_INDEX)}, * EXCLUDE (ordinality) FROM ${reader(
      types,
    )} WITH ORDINALITY`,
  );
  return finish(duck, "__entities_raw", label, plan, /\.csv$/i.test(file) ? 2 : 1, "VIEW");
}

/**
 * Check the raw table and build `__entities` from it. `firstLine`: the line of row 0 in the
 * file (2 for CSV with a header), null when rows are not lines.
 */
async function finish(
  duck: Duck,
  raw: string,
  label: string,
  plan: TrainingPlan,
  firstLine: number | null,
  rawKind: "TABLE" | "VIEW",
): Promise<EntityColumns> {
  const cols = (await describe(duck, raw)).filter((c) => c.name !== ROW_INDEX);
  const byName = new Map(cols.map((c) => [c.name, c.type]));
  const missing = [...plan.joinKeys.map((k) => k.name), ENTITY_TIMESTAMP, ...plan.requestFields].filter(
    (n) => !byName.has(n),
  );
  if (missing.length)
    throw new TrainingError(
      `${label}: no column ${missing.join(", ")} (the entity rows have ${cols.map((c) => c.name).join(", ") || "no columns"})`,
      `the entity rows need the join keys (${plan.joinKeys.map((k) => k.name).join(", ")}) and ${ENTITY_TIMESTAMP}`,
    );
  for (const k of plan.joinKeys) {
    const t = byName.get(k.name)!;
    if (!keyTypeFits(t, k.dtype)) throw keyMismatch(label, k, t);
  }
  const rowLabel = (row: bigint | number) =>
    firstLine === null
      ? `row ${Number(row) + 1}`
      : `row ${Number(row) + 1} (line ${Number(row) + firstLine})`;
  const tsType = byName.get(ENTITY_TIMESTAMP)!;
  if (!(tsType.startsWith("TIMESTAMP") || tsType === "DATE" || tsType === "VARCHAR"))
    throw new TrainingError(
      `${label}: column ${ENTITY_TIMESTAMP} is ${tsType}, not a time`,
      "write times as ISO 8601 text (2024-01-31T12:00:00Z) or a timestamp column",
    );
  const ts = quoteIdent(ENTITY_TIMESTAMP);
  if (tsType === "VARCHAR") {
    const bad = await duck.conn.runAndReadAll(
      `SELECT ${quoteIdent(ROW_INDEX)} AS r, ${ts} AS v FROM ${raw} WHERE ${ts} IS NOT NULL AND TRY_CAST(${ts} AS TIMESTAMPTZ) IS NULL ORDER BY 1 LIMIT 1`,
    );
    const row = bad.getRowObjectsJS()[0];
    if (row)
      throw new TrainingError(
        `${label} ${rowLabel(row.r as bigint)}: ${ENTITY_TIMESTAMP} ${JSON.stringify(row.v)} is not a time`,
        "use ISO 8601, e.g. 2024-01-31T12:00:00Z (no zone = UTC)",
      );
  }
  const keyNames = new Set(plan.joinKeys.map((k) => k.name));
  const selects = [
    quoteIdent(ROW_INDEX),
    ...cols.map((c) => {
      const q = quoteIdent(c.name);
      if (c.name === ENTITY_TIMESTAMP) return `CAST(${q} AS TIMESTAMPTZ) AS ${q}`;
      const key = plan.joinKeys.find((k) => k.name === c.name);
      if (key && keyNames.has(c.name)) return `CAST(${q} AS ${duckdbType(key.dtype)}) AS ${q}`;
      return q;
    }),
  ];
  await duck.conn.run(`CREATE TABLE ${ENTITY_TABLE} AS SELECT ${selects.join(", ")} FROM ${raw}`);
  await duck.conn.run(`DROP ${rawKind} ${raw}`);
  const count = await duck.conn.runAndReadAll(`SELECT count(*) AS n FROM ${ENTITY_TABLE}`);
  return { columns: cols.map((c) => c.name), count: Number(count.getRowObjectsJS()[0]!.n) };
}

function keyMismatch(label: string, k: JoinKey, found: string): TrainingError {
  return new TrainingError(
    `${label}: mismatched key type: column ${k.name} is ${found}, but join key ${k.name} of entity ${k.entity} is ${k.dtype}`,
    `give ${k.name} values of type ${k.dtype} (${duckdbType(k.dtype)})`,
  );
}

/** The DuckDB type of a column of JS values: one type for all its non-null values, or an error. */
function jsColumnType(values: unknown[]): string {
  let type: string | null = null;
  const merge = (t: string) => {
    if (type === null || type === t) type = t;
    else if ((type === "BIGINT" && t === "DOUBLE") || (type === "DOUBLE" && t === "BIGINT")) type = "DOUBLE";
    else type = "JSON";
  };
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === "bigint") merge("BIGINT");
    else if (typeof v === "number") merge(Number.isInteger(v) ? "BIGINT" : "DOUBLE");
    else if (typeof v === "boolean") merge("BOOLEAN");
    else if (typeof v === "string") merge("VARCHAR");
    else if (v instanceof Date) merge("TIMESTAMPTZ");
    else merge("JSON");
  }
  return type ?? "VARCHAR";
}

function checkKeyValue(k: JoinKey, v: unknown, i: number): void {
  if (v === null || v === undefined) return;
  const ok =
    k.dtype === "int32" || k.dtype === "int64"
      ? (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint"
      : k.dtype === "float32" || k.dtype === "float64"
        ? typeof v === "number" || typeof v === "bigint"
        : k.dtype === "string"
          ? typeof v === "string"
          : k.dtype === "bool"
            ? typeof v === "boolean"
            : true;
  if (!ok)
    throw new TrainingError(
      `entityRows[${i}].${k.name}: mismatched key type: ${JSON.stringify(typeof v === "bigint" ? String(v) : v)} is a ${typeof v}, but join key ${k.name} of entity ${k.entity} is ${k.dtype}`,
      `give ${k.name} values of type ${k.dtype}`,
    );
}

async function loadRows(
  duck: Duck,
  rows: Record<string, unknown>[],
  plan: TrainingPlan,
): Promise<EntityColumns> {
  const names: string[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    if (r === null || typeof r !== "object" || Array.isArray(r))
      throw new TrainingError(`entityRows[${i}] is not an object`, "each entity row is an object of columns");
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
  });
  const keyByName = new Map(plan.joinKeys.map((k) => [k.name, k]));
  const types = names.map((n) => {
    const key = keyByName.get(n);
    if (key) return duckdbType(key.dtype);
    if (n === ENTITY_TIMESTAMP) return "TIMESTAMPTZ";
    return jsColumnType(rows.map((r) => r[n]));
  });
  rows.forEach((r, i) => {
    for (const k of plan.joinKeys) checkKeyValue(k, r[k.name], i);
    const t = r[ENTITY_TIMESTAMP];
    if (t !== null && t !== undefined && toDate(t) === null)
      throw new TrainingError(
        `entityRows[${i}].${ENTITY_TIMESTAMP}: ${JSON.stringify(t)} is not a time`,
        "give a Date or ISO 8601 text (no zone = UTC)",
      );
  });
  // Staged as text (JSON for structured values) and cast by DuckDB: one code path for every type.
  const cols = [`${quoteIdent(ROW_INDEX)} BIGINT`, ...names.map((n) => `${quoteIdent(n)} VARCHAR`)];
  await duck.conn.run(`CREATE TABLE __entities_text (${cols.join(", ")})`);
  const appender = await duck.conn.createAppender("__entities_text");
  try {
    rows.forEach((r, i) => {
      appender.appendBigInt(BigInt(i));
      names.forEach((n, j) => {
        const v = r[n];
        if (v === null || v === undefined) appender.appendNull();
        else if (types[j] === "TIMESTAMPTZ") appender.appendVarchar(toDate(v)!.toISOString());
        else if (types[j] === "JSON")
          appender.appendVarchar(JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? String(x) : x)));
        else if (v instanceof Date) appender.appendVarchar(v.toISOString());
        else appender.appendVarchar(String(v));
      });
      appender.endRow();
    });
  } finally {
    appender.closeSync();
  }
  const selects = [
    quoteIdent(ROW_INDEX),
    ...names.map((n, j) => `CAST(${quoteIdent(n)} AS ${types[j]}) AS ${quoteIdent(n)}`),
  ];
  await duck.conn.run(`CREATE TABLE __entities_raw AS SELECT ${selects.join(", ")} FROM __entities_text`);
  await duck.conn.run("DROP TABLE __entities_text");
  return finish(duck, "__entities_raw", "entityRows", plan, null, "TABLE");
}

function toDate(v: unknown): Date | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v;
  if (typeof v === "string") return parseTime(v);
  return null;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
}
