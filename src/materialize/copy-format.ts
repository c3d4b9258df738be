/**
 * Canonical rows as Postgres `COPY … FROM STDIN` text format (pure).
 *
 * Text format: one line per row, fields separated by a tab, `\N` for NULL, and a backslash,
 * tab, newline or carriage return inside a field escaped as `\\`, `\t`, `\n`, `\r`. The field is
 * then the column type's input text: canonical values already are (int64 as decimal text, bytes
 * as `\x…` hex, timestamps as ISO text, floats as JSON numbers or `NaN`/`Infinity`), lists are
 * array literals `{"…","…"}` with every element quoted (so an empty string, `NULL`, a comma or
 * a brace is data) and `\` and `"` backslash-escaped inside the quotes, before the COPY escaping.
 * Event and created times go as epoch microseconds (bigint): exact, and no ISO text per row.
 */
import type { CanonicalRow, JsonValue } from "../offline/canonical.js";

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** A field's text with COPY's escapes. */
export function copyEscape(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => ESCAPES[c]!) : text;
}

function scalarText(v: Exclude<JsonValue, null | JsonValue[]>): string {
  if (typeof v === "boolean") return v ? "t" : "f";
  // Numbers: String gives what float/int input reads back exactly (NaN, Infinity, 1e+21 too),
  // except -0, which it prints as 0.
  if (typeof v === "number") return v === 0 && 1 / v < 0 ? "-0" : String(v);
  return v;
}

/** A one-level list as an array literal: elements quoted, NULL for null. */
export function arrayLiteral(list: readonly JsonValue[]): string {
  let out = "{";
  for (let i = 0; i < list.length; i++) {
    if (i > 0) out += ",";
    const v = list[i];
    if (v === null || v === undefined) {
      out += "NULL";
      continue;
    }
    const text = Array.isArray(v) ? arrayLiteral(v) : scalarText(v);
    out += Array.isArray(v) ? text : `"${text.replace(/["\\]/g, "\\$&")}"`;
  }
  return `${out}}`;
}

/** One canonical value as a COPY text field. */
export function copyField(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return "\\N";
  if (Array.isArray(v)) return copyEscape(arrayLiteral(v));
  return copyEscape(scalarText(v));
}

/**
 * Rows as COPY text for the columns keys…, features…, event µs, created µs (each line ends
 * with a newline).
 */
export function copyText(rows: readonly CanonicalRow[], nKeys: number, nFeatures: number): string {
  const lines: string[] = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = "";
    for (let i = 0; i < nKeys; i++) line += `${copyField(row.keys[i])}\t`;
    for (let i = 0; i < nFeatures; i++) line += `${copyField(row.features[i])}\t`;
    line += `${row.eventUs}\t${row.createdUs === null ? "\\N" : row.createdUs}\n`;
    lines[r] = line;
  }
  return lines.join("");
}

/** DuckDB: `s` with COPY's escapes (backslash first, so the others are not doubled). */
function duckEscape(s: string): string {
  return `replace(replace(replace(replace(${s}, '\\', '\\\\'), chr(9), '\\t'), chr(10), '\\n'), chr(13), '\\r')`;
}

/** DuckDB: the COPY field of a canonical column (see canonicalSelect) of `dtype`. */
function duckField(column: string, dtype: string): string {
  const col = `"${column}"`;
  if (dtype.endsWith("[]")) {
    const element = `CASE WHEN x IS NULL THEN 'NULL' ELSE '"' || replace(replace(CAST(x AS VARCHAR), '\\', '\\\\'), '"', '\\"') || '"' END`;
    const literal = `'{' || coalesce(array_to_string(list_transform(${col}, x -> ${element}), ','), '') || '}'`;
    // A NULL list is \N; an empty one is {} (array_to_string gives '' for it).
    return `CASE WHEN ${col} IS NULL THEN '\\N' ELSE ${duckEscape(literal)} END`;
  }
  // Numbers, booleans and ISO times never hold a character COPY escapes; text and `\x` bytes may.
  const text = `CAST(${col} AS VARCHAR)`;
  return `coalesce(${dtype === "string" || dtype === "bytes" ? duckEscape(text) : text}, '\\N')`;
}

/**
 * DuckDB: one VARCHAR column `line` holding each row of `canonicalSql` (k0…, f0…, e, c) as its
 * COPY text line (no trailing newline), so the rows reach Node as one string each, built by
 * DuckDB's vectorized string functions instead of a JS object and an encoder call per row.
 * Same format as `copyText`; floats print as DuckDB casts them (`nan`, `-inf`, `-0.0`,
 * shortest round-trip digits), which Postgres's float input reads back.
 */
export function duckCopyLinesSql(canonicalSql: string, keyDtypes: string[], featureDtypes: string[]): string {
  const fields = [
    ...keyDtypes.map((d, i) => duckField(`k${i}`, d)),
    ...featureDtypes.map((d, i) => duckField(`f${i}`, d)),
    `CAST("e" AS VARCHAR)`,
    `coalesce(CAST("c" AS VARCHAR), '\\N')`,
  ];
  // One concat (every field is non-NULL): a chain of || builds each intermediate string.
  return `SELECT concat(${fields.join(", chr(9), ")}) AS "line" FROM (${canonicalSql}) AS "fsops_latest"`;
}
