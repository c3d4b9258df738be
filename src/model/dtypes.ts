/**
 * The dtype language: `int64`, `float32[]`, `int64[][]`, `map`, `json`, `uuid`, `decimal`,
 * `timestamp_tz`, `struct<name:string,score:float64[]>`. Parsed once here so validation, the
 * online layout and the renderers agree on what a dtype is.
 */
import type { Dtype, ElementDtype, ExtendedDtype, ScalarDtype } from "./kinds.js";
import { EXTENDED_DTYPES, SCALAR_DTYPES } from "./kinds.js";

export type DtypeNode =
  | { readonly kind: "scalar"; readonly name: ScalarDtype | ExtendedDtype }
  | { readonly kind: "struct"; readonly fields: readonly { name: string; type: DtypeNode }[] }
  | { readonly kind: "list"; readonly element: DtypeNode };

/** Lists of lists at most: Feast's `Array(Array(T))`. */
export const MAX_LIST_DEPTH = 2;
const NAMED: ReadonlySet<string> = new Set<string>([...SCALAR_DTYPES, ...EXTENDED_DTYPES]);
const STRUCT_FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type DtypeParse = { ok: true; node: DtypeNode; canonical: Dtype } | { ok: false; problem: string };

/** Parse a dtype; `canonical` is its spelling without spaces (what specs store). */
export function parseDtype(text: string): DtypeParse {
  const p = new DtypeParser(text);
  try {
    const node = p.type();
    p.space();
    if (p.i !== text.length) return { ok: false, problem: `unexpected ${JSON.stringify(text.slice(p.i))}` };
    return { ok: true, node, canonical: formatDtype(node) as Dtype };
  } catch (e) {
    if (e instanceof DtypeSyntaxError) return { ok: false, problem: e.message };
    throw e;
  }
}

class DtypeSyntaxError extends Error {}

class DtypeParser {
  i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}
  space(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  private word(): string {
    this.space();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m)
      throw new DtypeSyntaxError(
        `expected a type name at ${JSON.stringify(this.s.slice(this.i) || "the end")}`,
      );
    this.i += m[0].length;
    return m[0];
  }
  private eat(ch: string): boolean {
    this.space();
    if (this.s[this.i] === ch) {
      this.i++;
      return true;
    }
    return false;
  }
  type(): DtypeNode {
    if (++this.depth > 16) throw new DtypeSyntaxError("nested too deeply");
    let node = this.element();
    let lists = 0;
    while (this.eat("[")) {
      if (!this.eat("]")) throw new DtypeSyntaxError('expected "]"');
      lists++;
      node = { kind: "list", element: node };
    }
    if (lists > MAX_LIST_DEPTH)
      throw new DtypeSyntaxError(`lists nest at most ${MAX_LIST_DEPTH} deep (T[][])`);
    this.depth--;
    return node;
  }
  private element(): DtypeNode {
    const name = this.word();
    if (name === "struct") {
      if (!this.eat("<")) throw new DtypeSyntaxError("a struct lists its fields: struct<name:dtype,…>");
      const fields: { name: string; type: DtypeNode }[] = [];
      do {
        const f = this.word();
        if (!STRUCT_FIELD_NAME.test(f))
          throw new DtypeSyntaxError(`bad struct field name ${JSON.stringify(f)}`);
        if (fields.some((x) => x.name === f))
          throw new DtypeSyntaxError(`struct field "${f}" is listed twice`);
        if (!this.eat(":")) throw new DtypeSyntaxError(`expected ":" after struct field "${f}"`);
        fields.push({ name: f, type: this.type() });
      } while (this.eat(","));
      if (!this.eat(">")) throw new DtypeSyntaxError('expected "," or ">" in struct<…>');
      return { kind: "struct", fields };
    }
    if (!NAMED.has(name)) throw new DtypeSyntaxError(`${JSON.stringify(name)} is not a dtype`);
    return { kind: "scalar", name: name as ScalarDtype | ExtendedDtype };
  }
}

export function formatDtype(node: DtypeNode): string {
  switch (node.kind) {
    case "scalar":
      return node.name;
    case "list":
      return `${formatDtype(node.element)}[]`;
    case "struct":
      return `struct<${node.fields.map((f) => `${f.name}:${formatDtype(f.type)}`).join(",")}>`;
  }
}

/** The dtype of one element of a list dtype (`int64[][]` → `int64[]`), or null for a non-list. */
export function elementDtype(dtype: string): ElementDtype | Dtype | null {
  return dtype.endsWith("[]") ? (dtype.slice(0, -2) as Dtype) : null;
}

const PG_SCALAR: Readonly<Record<ScalarDtype | ExtendedDtype, string>> = {
  int32: "integer",
  int64: "bigint",
  float32: "real",
  float64: "double precision",
  string: "text",
  bytes: "bytea",
  bool: "boolean",
  unix_timestamp: "timestamptz",
  uuid: "uuid",
  time_uuid: "uuid",
  decimal: "numeric",
  timestamp_tz: "timestamptz",
  json: "jsonb",
  map: "jsonb",
};

/** Element types that hold JSON: their lists are one jsonb value (a JSON array), not jsonb[]. */
const JSON_SCALARS: ReadonlySet<string> = new Set(["json", "map"]);

/**
 * The Postgres column type of a dtype. Maps, JSON and structs are `jsonb`; a list of a plain type
 * is a Postgres array (`real[]`); a list of JSON values and a list of lists are one `jsonb` (a
 * JSON array), because Postgres arrays of arrays must be rectangular and Feast's are not.
 * Returns null for text that is not a dtype.
 */
export function postgresType(dtype: string): string | null {
  const parsed = parseDtype(dtype);
  if (!parsed.ok) return null;
  const node = parsed.node;
  if (node.kind === "scalar") return PG_SCALAR[node.name];
  if (node.kind === "struct") return "jsonb";
  const el = node.element;
  if (el.kind !== "scalar" || JSON_SCALARS.has(el.name)) return "jsonb";
  return `${PG_SCALAR[el.name]}[]`;
}

/** Named dtypes and their lists, written canonically: most fields, checked without parsing. */
const SIMPLE: ReadonlySet<string> = new Set([...NAMED].flatMap((n) => [n, `${n}[]`, `${n}[][]`]));

/** `v` is a dtype written exactly as specs store it (no spaces inside a struct). */
export function isCanonicalDtype(v: unknown): v is Dtype {
  if (typeof v !== "string") return false;
  if (SIMPLE.has(v)) return true;
  const p = parseDtype(v);
  return p.ok && p.canonical === v;
}
