/**
 * Where each option value of a construction was written literally (`DslObject.optionLocations`).
 *
 * Worked out from the options literal's text (and the evaluated options, for arrays with
 * spreads) only when something reads them, typically a validation error: recording them while
 * evaluating would cost more than the evaluation of 5,000 feature views itself.
 */
import ts from "./typescript.cjs";
import type { SourceLocation } from "../model/diagnostic.js";
import type { ParsedFile } from "./source.js";
import { locationAt, parseWithCompiler, skipTrivia } from "./source.js";

const K = ts.SyntaxKind;

export function skipTransparent(node: ts.Expression): ts.Expression {
  let n = node;
  for (;;) {
    switch (n.kind) {
      case K.ParenthesizedExpression:
      case K.AsExpression:
      case K.SatisfiesExpression:
      case K.TypeAssertionExpression:
      case K.NonNullExpression:
        n = (n as ts.ParenthesizedExpression).expression;
        break;
      default:
        return n;
    }
  }
}

/** The key a property name gives without evaluating anything, or undefined (computed, private). */
function staticKey(name: ts.PropertyName): string | undefined {
  switch (name.kind) {
    case K.Identifier:
    case K.StringLiteral:
    case K.NoSubstitutionTemplateLiteral:
      return name.text;
    case K.NumericLiteral:
      return String(Number(name.text));
    default:
      return undefined;
  }
}

/** Removes `path` and everything recorded under it (a later value replaced it). */
function forgetLocation(locs: Record<string, SourceLocation>, path: string): void {
  if (!(path in locs)) return;
  delete locs[path];
  const under = `${path}.`;
  for (const k of Object.keys(locs)) if (k.startsWith(under)) delete locs[k];
}

function member(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) return typeof key === "number" ? value[key] : undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * The locations of the values written literally in an options literal, from its syntax and the
 * evaluated options. A key written before a spread is left out (the spread may have replaced
 * it), as are computed keys; array elements keep their index when no spread comes before them,
 * and elements after the last spread are counted back from the evaluated array's end.
 */
export function literalLocations(
  file: ParsedFile,
  start: number,
  end: number,
  options: unknown,
): Record<string, SourceLocation> {
  // The file's tree is gone by now: parse the literal's text again, in parentheses so that it
  // is an expression; position p of the snippet is position start + p - 1 of the file.
  const snippet = `(${file.text.slice(start, end)})`;
  // A parenthesized expression is outside the subset parser's statements: straight to the compiler.
  const sf = parseWithCompiler(file.path, snippet);
  const first = sf.statements[0];
  const out: Record<string, SourceLocation> = {};
  if (first === undefined || first.kind !== K.ExpressionStatement) return out;
  const literal = skipTransparent((first as ts.ExpressionStatement).expression);
  if (literal.kind !== K.ObjectLiteralExpression) return out;
  const at = (path: string, node: ts.Expression, value: unknown): void => {
    forgetLocation(out, path);
    out[path] = locationAt(file, start - 1 + skipTrivia(snippet, node.pos));
    const inner = skipTransparent(node);
    if (inner.kind === K.ObjectLiteralExpression)
      visitObject(inner as ts.ObjectLiteralExpression, `${path}.`, value);
    else if (inner.kind === K.ArrayLiteralExpression)
      visitArray(inner as ts.ArrayLiteralExpression, `${path}.`, value);
  };
  const visitObject = (node: ts.ObjectLiteralExpression, prefix: string, value: unknown): void => {
    const props = node.properties;
    let lastSpread = -1;
    props.forEach((p, i) => {
      if (p.kind === K.SpreadAssignment) lastSpread = i;
    });
    props.forEach((p, i) => {
      if (i < lastSpread) return;
      if (p.kind === K.PropertyAssignment) {
        const key = staticKey(p.name);
        if (key !== undefined) at(prefix + key, p.initializer, member(value, key));
      } else if (p.kind === K.ShorthandPropertyAssignment) {
        at(prefix + p.name.text, p.name, member(value, p.name.text));
      }
    });
  };
  const visitArray = (node: ts.ArrayLiteralExpression, prefix: string, value: unknown): void => {
    const els = node.elements;
    let firstSpread = -1;
    let lastSpread = -1;
    els.forEach((el, i) => {
      if (el.kind !== K.SpreadElement) return;
      if (firstSpread < 0) firstSpread = i;
      lastSpread = i;
    });
    const length = Array.isArray(value) ? value.length : undefined;
    els.forEach((el, i) => {
      if (el.kind === K.SpreadElement) return;
      let index: number;
      if (firstSpread < 0 || i < firstSpread) index = i;
      else if (i > lastSpread && length !== undefined) index = length - (els.length - i);
      else return;
      at(prefix + index, el, member(value, index));
    });
  };
  visitObject(literal as ts.ObjectLiteralExpression, "", options);
  return out;
}
