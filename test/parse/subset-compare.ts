/**
 * Node-by-node comparison of the subset parser's tree with the compiler's (test helper).
 */
import { ts } from "ts-morph";
import { parseWithCompiler } from "../../src/parse/source.js";
import { parseSubset } from "../../src/parse/subset-parser.js";

/**
 * The compiler's bookkeeping, not syntax (caches, binder and emitter state), and `assertClause`,
 * the deprecated alias of `attributes`.
 */
const INTERNAL = new Set([
  "id",
  "modifierFlagsCache",
  "transformFlags",
  "parent",
  "original",
  "emitNode",
  "symbol",
  "localSymbol",
  "jsDoc",
  "flowNode",
  "nextContainer",
  "locals",
  "assertClause",
]);
/** A source file's properties that the project reads; the others are the compiler's bookkeeping. */
const SOURCE_FILE_KEYS = [
  "kind",
  "pos",
  "end",
  "flags",
  "fileName",
  "text",
  "languageVersion",
  "languageVariant",
  "scriptKind",
  "isDeclarationFile",
  "statements",
  "endOfFileToken",
  "parseDiagnostics",
];

/** The compiler's tree, parsed with the options the project uses when the subset parser gives up. */
function compilerTree(text: string): ts.SourceFile {
  return parseWithCompiler("a.ts", text);
}

/** The first difference between the two trees ("" when there is none). */
function firstDifference(expected: unknown, actual: unknown, path = "sourceFile"): string {
  if (typeof expected !== "object" || expected === null) {
    return Object.is(expected, actual) ? "" : `${path}: ${String(expected)} ≠ ${String(actual)}`;
  }
  if (typeof actual !== "object" || actual === null) return `${path}: a node ≠ ${String(actual)}`;
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  if (Array.isArray(e)) {
    if (!Array.isArray(a) || a.length !== e.length)
      return `${path}: length ${e.length} ≠ ${String(a.length)}`;
    for (const key of ["pos", "end", "hasTrailingComma"]) {
      if (e[key] !== a[key]) return `${path}.${key}: ${String(e[key])} ≠ ${String(a[key])}`;
    }
    for (let i = 0; i < e.length; i++) {
      const d = firstDifference(e[i], a[i], `${path}[${i}]`);
      if (d) return d;
    }
    return "";
  }
  const keys =
    e.kind === ts.SyntaxKind.SourceFile ? SOURCE_FILE_KEYS : Object.keys(e).filter((k) => !INTERNAL.has(k));
  const where = `${path}(${ts.SyntaxKind[e.kind as number]})`;
  for (const key of keys) {
    const d = firstDifference(e[key], a[key], `${where}.${key}`);
    if (d) return d;
  }
  for (const key of Object.keys(a)) {
    if (
      !keys.includes(key) &&
      a[key] !== undefined &&
      !(key === "text" && e.kind === ts.SyntaxKind.Identifier)
    )
      return `${where}.${key}: absent ≠ ${String(a[key])}`;
  }
  if (e.kind === ts.SyntaxKind.Identifier && a.text !== ts.idText(e as unknown as ts.Identifier))
    return `${where}.text: ${ts.idText(e as unknown as ts.Identifier)} ≠ ${String(a.text)}`;
  return "";
}

/** `accepted`: the subset parser built a tree; `difference`: how it differs from the compiler's. */
export function compareWithCompiler(text: string): { accepted: boolean; difference: string } {
  const ours = parseSubset("a.ts", text);
  if (ours === undefined) return { accepted: false, difference: "" };
  const theirs = compilerTree(text);
  const diagnostics = (theirs as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics;
  if (diagnostics.length > 0)
    return { accepted: true, difference: `the compiler reports ${diagnostics.length} syntax errors` };
  return { accepted: true, difference: firstDifference(theirs, ours) };
}
