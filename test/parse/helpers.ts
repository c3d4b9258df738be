/**
 * Builds parse-stage inputs from in-memory text (no disk) and views results compactly, so tests
 * state exactly what each construct evaluates to and where each diagnostic points.
 */
import type { Diagnostic } from "../../src/model/diagnostic.js";
import type { DslObject, EvalValue } from "../../src/model/evaluated.js";
import { isDslObject, isProjection, isTransformSource } from "../../src/model/evaluated.js";
import { parseProject } from "../../src/parse/index.js";
import type { ParseOptions, ParseResult } from "../../src/parse/index.js";

export const DSL_IMPORT =
  'import { Entity, Field, FileSource, PostgresSource, PushSource, RequestSource, KafkaSource, FeatureView, OnDemandFeatureView, StreamFeatureView, Aggregation, FeatureService } from "fsops";\n';

/** Parses files given as `{ path: text }`. */
export function parseText(files: Record<string, string>, options?: ParseOptions): ParseResult {
  return parseProject(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    options,
  );
}

/** One file `a.ts` with the DSL imported on line 1; the body starts on line 2. */
export function parseBody(body: string, options?: ParseOptions): ParseResult {
  return parseText({ "a.ts": DSL_IMPORT + body }, options);
}

/** A value with DSL objects shown as `<Kind name>` and locations left out. */
export function plain(v: EvalValue): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== "object") return v;
  if (isDslObject(v)) return `<${v.$dsl} ${String(v.options["name"] ?? v.id)}>`;
  if (isProjection(v)) return { select: plain(v.view), features: plain(v.features) };
  if (isTransformSource(v)) return { transform: v.text };
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

/** The options of the only object of class `cls` named `name` (or the only one of `cls`). */
export function optionsOf(result: ParseResult, cls: string, name?: string): unknown {
  return plain(objectOf(result, cls, name).options);
}

export function objectOf(result: ParseResult, cls: string, name?: string): DslObject {
  const found = result.objects.filter(
    (o) => o.$dsl === cls && (name === undefined || o.options["name"] === name),
  );
  if (found.length !== 1) {
    throw new Error(
      `expected one ${cls} ${name ?? ""}, found ${found.length}: ${JSON.stringify(result.diagnostics)}`,
    );
  }
  return found[0] as DslObject;
}

/** `code file:line:col` of each diagnostic: what tests compare. */
export function where(result: ParseResult): string[] {
  return result.diagnostics.map(whereOne);
}

export function whereOne(d: Diagnostic): string {
  return `${d.code} ${d.file}:${d.line}:${d.column}`;
}

/** The value of the `description` option of the Entity named "e": `new Entity({ name: "e", description: <expr> })`. */
export function evalExpr(expr: string, prelude = ""): { value: unknown; result: ParseResult } {
  const result = parseBody(`${prelude}\nexport const e = new Entity({ name: "e", description: ${expr} });\n`);
  const e = result.objects.find((o) => o.$dsl === "Entity" && o.options["name"] === "e");
  return { value: e === undefined ? undefined : plain(e.options["description"]), result };
}

/** The text under a diagnostic's span. */
export function spanText(text: string, d: Diagnostic): string {
  const lines = text.split("\n");
  const line = lines[d.line - 1] ?? "";
  return line.slice(d.column - 1, d.column - 1 + (d.length ?? 0));
}

/** `line:column` (1-based) of the `nth` occurrence of `needle` in `text`. */
export function pos(text: string, needle: string, nth = 1): string {
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" occurs fewer than ${nth} times`);
  }
  const before = text.slice(0, at).split("\n");
  return `${before.length}:${(before[before.length - 1] ?? "").length + 1}`;
}
