import { closest } from "fastest-levenshtein";
import type { Diagnostic, SourceLocation } from "../model/diagnostic.js";
import { compareDiagnostics } from "../model/diagnostic.js";
import type {
  DataSourceSpec,
  DesiredObject,
  DesiredState,
  EntitySpec,
  FeatureViewSpec,
  PostgresSourceSpec,
  StreamFeatureViewSpec,
} from "../model/spec.js";
import { OfflineStoreError } from "./errors.js";
import type { SqlExecutor, SqlField } from "./sql-executor.js";
import { SqlError } from "./sql-executor.js";
import { isConnectionError } from "./sqlstate.js";
import { objectId } from "../model/kinds.js";
import { unreadableSourceMessage } from "../model/source-support.js";

/** Stable codes of source-check diagnostics (`fsops plan --check-sources`). Never renumber. */
export const SOURCE_CODES = {
  sourceNotFound: "FS401",
  timestampFieldMissing: "FS402",
  columnMissing: "FS403",
  columnTypeIncompatible: "FS404",
  columnTypeLossy: "FS405",
  timestampFieldType: "FS406",
  sourceNotReadable: "FS407",
} as const;

export const SOURCE_CODE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  FS401: "A PostgresSource's table does not exist in the offline store, or its query fails there.",
  FS402: "A PostgresSource's timestampField or createdTimestampColumn is not a column of its table or query.",
  FS403:
    "A feature or join-key column of a view using this source is not in its table or query (after fieldMapping).",
  FS404: "A column's type cannot hold the feature's or join key's dtype.",
  FS405:
    "Warning: a column's type converts to the dtype with possible loss (int8 → int32, float8 → float32, numeric).",
  FS406: "A timestamp column is not of type timestamptz, timestamp or date.",
  FS407:
    "Warning: a source fsops registers but cannot read (BigQuery, Snowflake, Redshift, Spark, Trino, Kinesis) is not checked.",
};

/** Type names (pg_type.typname) each scalar dtype accepts as is, and with possible loss. */
const COMPATIBLE: Record<string, { exact: string[]; lossy: string[] }> = {
  int32: { exact: ["int2", "int4"], lossy: ["int8", "numeric"] },
  int64: { exact: ["int2", "int4", "int8"], lossy: ["numeric"] },
  float32: { exact: ["float4", "int2"], lossy: ["float8", "numeric", "int4", "int8"] },
  float64: { exact: ["float4", "float8", "int2", "int4"], lossy: ["numeric", "int8"] },
  string: { exact: ["text", "varchar", "bpchar", "name", "uuid", "citext"], lossy: [] },
  bytes: { exact: ["bytea"], lossy: [] },
  bool: { exact: ["bool"], lossy: [] },
  unix_timestamp: { exact: ["timestamptz", "timestamp"], lossy: ["date"] },
  timestamp_tz: { exact: ["timestamptz"], lossy: ["timestamp", "date"] },
  uuid: { exact: ["uuid"], lossy: ["text", "varchar"] },
  time_uuid: { exact: ["uuid"], lossy: ["text", "varchar"] },
  decimal: { exact: ["numeric", "int2", "int4", "int8"], lossy: ["float4", "float8"] },
  json: { exact: ["jsonb", "json"], lossy: ["text"] },
  map: { exact: ["jsonb", "json"], lossy: [] },
};
/** Dtypes stored as one JSON value (structs, lists of JSON values, lists of lists). */
const JSON_RULE = { exact: ["jsonb", "json"], lossy: [] as string[] };
const TIMESTAMP_TYPES = ["timestamptz", "timestamp", "date"];

type Compatibility = "exact" | "lossy" | "incompatible";

export function columnCompatibility(dtype: string, typname: string): Compatibility {
  if (dtype.startsWith("struct<") || dtype.endsWith("[][]") || dtype === "json[]" || dtype === "map[]") {
    return JSON_RULE.exact.includes(typname) ? "exact" : "incompatible";
  }
  const list = dtype.endsWith("[]");
  if (list !== typname.startsWith("_")) return "incompatible";
  const rule = COMPATIBLE[list ? dtype.slice(0, -2) : dtype];
  const t = list ? typname.slice(1) : typname;
  if (rule === undefined) return "incompatible";
  return rule.exact.includes(t) ? "exact" : rule.lossy.includes(t) ? "lossy" : "incompatible";
}

/** A column some view needs from a source. */
interface Need {
  column: string;
  dtype: string;
  /** `feature driver_stats.conv_rate`, `join key driver_id (entity driver)` — for messages. */
  uses: string[];
}

/**
 * Check every PostgresSource of the desired state against the offline store: the table exists
 * (schema-qualified names allowed) or the query runs, and it has the timestamp field(s) and every
 * column the views reading it need, with a compatible type. Read-only: a query is only planned
 * with `LIMIT 0` inside a READ ONLY transaction. Diagnostics point at the source definition and
 * never include the connection string. A lost connection throws `OfflineStoreError`.
 */
export async function checkSources(desired: DesiredState, offline: SqlExecutor): Promise<Diagnostic[]> {
  const sources = desired.objects.filter(
    (o): o is DesiredObject<"data_source"> =>
      o.kind === "data_source" && (o.spec as DataSourceSpec).type === "postgres",
  );
  const diagnostics: Diagnostic[] = [];
  for (const o of desired.objects) {
    if (o.kind !== "data_source") continue;
    const why = unreadableSourceMessage(o.name, o.spec as DataSourceSpec);
    if (why !== null)
      diagnostics.push(
        diagnostic(
          o.location,
          "warning",
          SOURCE_CODES.sourceNotReadable,
          `${why}; its columns are not checked`,
        ),
      );
  }
  for (const source of sources) {
    const spec = source.spec as PostgresSourceSpec;
    const columns = await describeSource(spec, offline);
    const at = (severity: Diagnostic["severity"], code: string, message: string, hint?: string): void => {
      diagnostics.push(
        diagnostic(source.location, severity, code, `source ${source.name}: ${message}`, hint),
      );
    };
    if ("error" in columns) {
      at("error", SOURCE_CODES.sourceNotFound, columns.error, columns.hint);
      continue;
    }
    const what = spec.table !== null ? `table ${spec.table}` : "its query";
    const byName = new Map(columns.columns.map((c) => [c.name, c.type]));
    const names = [...byName.keys()];
    const suggest = (name: string): string | undefined => {
      if (names.length === 0) return `${what} has no columns`;
      const near = closest(name, names);
      return `did you mean ${JSON.stringify(near)}? columns: ${names.join(", ")}`;
    };

    const timestamps: [string, string][] = [["timestampField", spec.timestampField]];
    if (spec.createdTimestampColumn !== null)
      timestamps.push(["createdTimestampColumn", spec.createdTimestampColumn]);
    for (const [option, column] of timestamps) {
      const type = byName.get(column);
      if (type === undefined) {
        at(
          "error",
          SOURCE_CODES.timestampFieldMissing,
          `${option} ${JSON.stringify(column)} is not a column of ${what}`,
          suggest(column),
        );
      } else if (!TIMESTAMP_TYPES.includes(type)) {
        at(
          "error",
          SOURCE_CODES.timestampFieldType,
          `${option} ${JSON.stringify(column)} is ${type}, expected timestamptz, timestamp or date`,
        );
      }
    }

    for (const need of needsOf(source.name, desired)) {
      const type = byName.get(need.column);
      const uses = need.uses.join(", ");
      if (type === undefined) {
        at(
          "error",
          SOURCE_CODES.columnMissing,
          `column ${JSON.stringify(need.column)} (${uses}) is not in ${what}`,
          suggest(need.column),
        );
        continue;
      }
      const fit = columnCompatibility(need.dtype, type);
      if (fit === "incompatible") {
        at(
          "error",
          SOURCE_CODES.columnTypeIncompatible,
          `column ${JSON.stringify(need.column)} is ${type}, which cannot hold ${need.dtype} (${uses})`,
          "change the dtype in the definition or cast the column in a query source",
        );
      } else if (fit === "lossy") {
        at(
          "warning",
          SOURCE_CODES.columnTypeLossy,
          `column ${JSON.stringify(need.column)} is ${type}; converting to ${need.dtype} may lose values (${uses})`,
        );
      }
    }
  }
  return diagnostics.sort(compareDiagnostics);
}

function diagnostic(
  location: SourceLocation,
  severity: Diagnostic["severity"],
  code: string,
  message: string,
  hint?: string,
): Diagnostic {
  return {
    file: location.file,
    line: location.line,
    column: location.column,
    severity,
    code,
    message,
    ...(hint === undefined ? {} : { hint }),
  };
}

/** Columns every view reading `source` (directly, or as the batch source of its stream source) needs. */
function needsOf(source: string, desired: DesiredState): Need[] {
  const byName = new Map(desired.objects.map((o) => [objectId(o.kind, o.name), o]));
  const readsFrom = (sourceName: string): boolean => {
    if (sourceName === source) return true;
    const s = byName.get(`data_source:${sourceName}`)?.spec as DataSourceSpec | undefined;
    return (s?.type === "push" || s?.type === "kafka" || s?.type === "kinesis") && s.batchSource === source;
  };
  const mapping =
    (byName.get(`data_source:${source}`)?.spec as PostgresSourceSpec | undefined)?.fieldMapping ?? {};
  // fieldMapping is source column → feature name; find the column a feature is read from.
  const columnFor = (name: string): string =>
    Object.keys(mapping).find((col) => mapping[col] === name) ?? name;

  const needs = new Map<string, Need>();
  const add = (name: string, dtype: string, use: string): void => {
    const column = columnFor(name);
    const key = `${column}\0${dtype}`;
    const need = needs.get(key) ?? { column, dtype, uses: [] };
    if (!need.uses.includes(use)) need.uses.push(use);
    needs.set(key, need);
  };
  for (const o of desired.objects) {
    if (o.kind !== "feature_view" && o.kind !== "stream_feature_view") continue;
    const spec = o.spec as FeatureViewSpec | StreamFeatureViewSpec;
    if (!readsFrom(spec.source)) continue;
    for (const entityName of spec.entities) {
      const entity = byName.get(`entity:${entityName}`)?.spec as EntitySpec | undefined;
      for (const key of entity?.joinKeys ?? []) {
        // A schema Field typing the key (Feast's idiom) wins over the entity's type.
        const typed = spec.entityColumns?.find((c) => c.name === key)?.dtype;
        add(key, typed ?? entity?.valueType ?? "string", `join key of entity ${entityName}`);
      }
    }
    for (const f of spec.schema) add(f.name, f.dtype, `feature ${o.name}.${f.name}`);
  }
  return [...needs.values()].sort((a, b) => (a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
}

type Described = { columns: { name: string; type: string }[] } | { error: string; hint?: string };

async function describeSource(spec: PostgresSourceSpec, sql: SqlExecutor): Promise<Described> {
  try {
    if (spec.table !== null) {
      // to_regclass parses the name as SQL would (schema.table, quoting, case folding) and
      // returns null instead of failing; the name never becomes part of the SQL text.
      const found = await sql.query<{ oid: number | null }>("SELECT to_regclass($1)::oid AS oid", [
        spec.table,
      ]);
      const oid = found.rows[0]?.oid ?? null;
      if (oid === null) {
        return {
          error: `table ${spec.table} does not exist in the offline store`,
          hint: "check the name; a schema-qualified name (schema.table) is allowed",
        };
      }
      const cols = await sql.query<{ name: string; type: string }>(
        `SELECT a.attname AS name, t.typname AS type
           FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
          WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
          ORDER BY a.attnum`,
        [oid],
      );
      return { columns: cols.rows };
    }
    const query = (spec.query ?? "").trim().replace(/;\s*$/, "");
    const fields = await sql.transaction(async (tx) => {
      await tx.exec("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = '30s'");
      return (await tx.query(`SELECT * FROM (\n${query}\n) AS fsops_source LIMIT 0`)).fields;
    });
    return { columns: await typeNames(sql, fields) };
  } catch (e) {
    // A query cancelled by the 30 s limit set above is the source's query being slow; every other
    // store-side failure (login, shutdown, lost connection) is the store's, as when reading.
    if (e instanceof SqlError && e.code !== undefined && (e.code === "57014" || !isConnectionError(e))) {
      return {
        error: `${spec.table !== null ? `table ${spec.table}` : "query"} failed in the offline store: ${e.message}`,
        hint:
          spec.query !== null
            ? "run the query by hand against the offline store to see the error"
            : undefined,
      };
    }
    throw new OfflineStoreError(
      `cannot check sources against the offline store (${sql.location}): ${(e as Error).message}`,
    );
  }
}

async function typeNames(sql: SqlExecutor, fields: SqlField[]): Promise<{ name: string; type: string }[]> {
  const oids = [...new Set(fields.map((f) => f.dataTypeID))];
  const types = await sql.query<{ oid: number; typname: string }>(
    "SELECT oid::int AS oid, typname FROM pg_catalog.pg_type WHERE oid = ANY($1::oid[])",
    [oids],
  );
  const byOid = new Map(types.rows.map((t) => [Number(t.oid), t.typname]));
  return fields.map((f) => ({ name: f.name, type: byOid.get(f.dataTypeID) ?? `oid ${f.dataTypeID}` }));
}
