/**
 * The few built-in functions definitions may call: array methods with callbacks, a couple of
 * string methods, and Object.entries / fromEntries / keys / values. Each works on evaluated
 * values, charges the step budget per element and respects the size limits.
 */
import type { ts } from "ts-morph";
import type { EvalValue } from "../model/evaluated.js";
import type { ParseCodeDef } from "./codes.js";
import { PARSE } from "./codes.js";
import { describe, FunctionValue, isRecord, Opaque, RESERVED_KEYS, setKey } from "./values.js";
import type { Scope, Value } from "./values.js";

/** What builtins need from the evaluator. */
export interface BuiltinHost {
  step(n: number, scope: Scope, node: ts.Node): void;
  checkLength(length: number, what: "array" | "string" | "object", scope: Scope, node: ts.Node): void;
  fail<A extends readonly unknown[]>(def: ParseCodeDef<A>, scope: Scope, node: ts.Node, args: A): never;
  call(fn: FunctionValue, args: readonly Value[], scope: Scope, node: ts.Node): Value;
  toText(v: Value, scope: Scope, node: ts.Node): string;
}

export const ARRAY_METHODS: ReadonlySet<string> = new Set([
  "map",
  "filter",
  "flatMap",
  "concat",
  "join",
  "includes",
  "slice",
]);
/** Pure string methods real repositories use to build names; regular expressions are not evaluated. */
export const STRING_METHODS: ReadonlySet<string> = new Set([
  "includes",
  "slice",
  "toLowerCase",
  "toUpperCase",
  "replace",
  "replaceAll",
  "split",
  "trim",
  "trimStart",
  "trimEnd",
  "startsWith",
  "endsWith",
  "padStart",
  "padEnd",
]);
export const OBJECT_METHODS: ReadonlySet<string> = new Set(["entries", "fromEntries", "keys", "values"]);

function callback(host: BuiltinHost, v: Value, method: string, scope: Scope, node: ts.Node): FunctionValue {
  if (v instanceof FunctionValue) return v;
  return host.fail(PARSE.unsupportedCall, scope, node, [
    `.${method}() with ${describe(v)} instead of a function`,
  ]);
}

function stored(host: BuiltinHost, v: Value, scope: Scope, node: ts.Node): EvalValue {
  if (v instanceof Opaque)
    host.fail(PARSE.typeError, scope, node, [`${v.describe()} cannot be stored in a value`]);
  return v as EvalValue;
}

function index(host: BuiltinHost, v: Value, method: string, scope: Scope, node: ts.Node): number | undefined {
  if (v === undefined || typeof v === "number") return v;
  return host.fail(PARSE.typeError, scope, node, [`.${method}() takes numbers, not ${describe(v)}`]);
}

export function arrayMethod(
  host: BuiltinHost,
  arr: readonly EvalValue[],
  method: string,
  args: readonly Value[],
  scope: Scope,
  node: ts.Node,
): Value {
  switch (method) {
    case "map": {
      const fn = callback(host, args[0], method, scope, node);
      const out: EvalValue[] = [];
      for (let i = 0; i < arr.length; i++) {
        host.step(1, scope, node);
        out.push(stored(host, host.call(fn, [arr[i], i, arr as EvalValue[]], scope, node), scope, node));
      }
      return out;
    }
    case "filter": {
      const fn = callback(host, args[0], method, scope, node);
      const out: EvalValue[] = [];
      for (let i = 0; i < arr.length; i++) {
        host.step(1, scope, node);
        if (host.call(fn, [arr[i], i, arr as EvalValue[]], scope, node)) out.push(arr[i] as EvalValue);
      }
      return out;
    }
    case "flatMap": {
      const fn = callback(host, args[0], method, scope, node);
      const out: EvalValue[] = [];
      for (let i = 0; i < arr.length; i++) {
        host.step(1, scope, node);
        const r = host.call(fn, [arr[i], i, arr as EvalValue[]], scope, node);
        if (Array.isArray(r)) {
          host.checkLength(out.length + r.length, "array", scope, node);
          host.step(r.length, scope, node);
          for (const x of r) out.push(x);
        } else {
          out.push(stored(host, r, scope, node));
        }
      }
      return out;
    }
    case "concat": {
      let total = arr.length;
      for (const a of args) total += Array.isArray(a) ? a.length : 1;
      host.checkLength(total, "array", scope, node);
      host.step(total, scope, node);
      const out: EvalValue[] = arr.slice();
      for (const a of args) {
        if (Array.isArray(a)) for (const x of a) out.push(x);
        else out.push(stored(host, a, scope, node));
      }
      return out;
    }
    case "join": {
      const sep = args[0] === undefined ? "," : host.toText(args[0], scope, node);
      let s = "";
      for (let i = 0; i < arr.length; i++) {
        const el = arr[i];
        if (i > 0) s += sep;
        if (el !== null && el !== undefined) s += host.toText(el, scope, node);
        if (s.length > 1024) host.checkLength(s.length, "string", scope, node);
      }
      host.step(arr.length, scope, node);
      return s;
    }
    case "includes":
      host.step(arr.length, scope, node);
      return arr.includes(args[0] as EvalValue, index(host, args[1], method, scope, node));
    case "slice": {
      const out = arr.slice(
        index(host, args[0], method, scope, node),
        index(host, args[1], method, scope, node),
      );
      host.step(out.length, scope, node);
      return out;
    }
    default:
      return host.fail(PARSE.unsupportedCall, scope, node, [`the array method .${method}()`]);
  }
}

export function stringMethod(
  host: BuiltinHost,
  s: string,
  method: string,
  args: readonly Value[],
  scope: Scope,
  node: ts.Node,
): Value {
  // Linear work in the text: the budget is charged per character touched.
  host.step(1 + (s.length >> 6), scope, node);
  switch (method) {
    case "includes":
      return s.includes(host.toText(args[0], scope, node), index(host, args[1], method, scope, node));
    case "slice":
      return s.slice(index(host, args[0], method, scope, node), index(host, args[1], method, scope, node));
    case "toLowerCase":
      return s.toLowerCase();
    case "toUpperCase":
      return s.toUpperCase();
    case "trim":
      return s.trim();
    case "trimStart":
      return s.trimStart();
    case "trimEnd":
      return s.trimEnd();
    case "startsWith":
      return s.startsWith(
        text(host, args[0], method, scope, node),
        index(host, args[1], method, scope, node),
      );
    case "endsWith":
      return s.endsWith(text(host, args[0], method, scope, node), index(host, args[1], method, scope, node));
    case "replace":
    case "replaceAll": {
      const pattern = text(host, args[0], method, scope, node);
      const replacement = text(host, args[1], method, scope, node);
      const count = method === "replace" ? (s.includes(pattern) ? 1 : 0) : s.split(pattern).length - 1;
      // Checked before building it: "".replaceAll("", long) would otherwise grow quadratically.
      host.checkLength(
        s.length + count * Math.max(0, replacement.length - pattern.length),
        "string",
        scope,
        node,
      );
      // A function replacement never gets here (text() refuses it); `$&`-style patterns are pure.
      return method === "replace" ? s.replace(pattern, replacement) : s.replaceAll(pattern, replacement);
    }
    case "split": {
      if (args[0] === undefined) return [s];
      const sep = text(host, args[0], method, scope, node);
      const limit = index(host, args[1], method, scope, node);
      const parts = s.split(sep, limit);
      host.checkLength(parts.length, "array", scope, node);
      host.step(parts.length, scope, node);
      return parts;
    }
    case "padStart":
    case "padEnd": {
      const target = index(host, args[0], method, scope, node) ?? 0;
      const fill = args[1] === undefined ? " " : text(host, args[1], method, scope, node);
      host.checkLength(target, "string", scope, node);
      return method === "padStart" ? s.padStart(target, fill) : s.padEnd(target, fill);
    }
    default:
      return host.fail(PARSE.unsupportedCall, scope, node, [`the string method .${method}()`]);
  }
}

/** A string argument; a regular expression or a function is not evaluated. */
function text(host: BuiltinHost, v: Value, method: string, scope: Scope, node: ts.Node): string {
  if (typeof v === "string") return v;
  if (v instanceof FunctionValue) {
    return host.fail(PARSE.unsupportedCall, scope, node, [`.${method}() with a function (write the text)`]);
  }
  return host.fail(PARSE.typeError, scope, node, [`.${method}() takes a string here, not ${describe(v)}`]);
}

/**
 * `Array.from({ length: n }, (_, i) => …)` and `Array.from(array | string, fn?)`: the one way
 * definitions build a list of n things without a loop.
 */
export function arrayFrom(host: BuiltinHost, args: readonly Value[], scope: Scope, node: ts.Node): Value {
  const source = args[0];
  const fn = args[1] === undefined ? undefined : callback(host, args[1], "from", scope, node);
  let items: readonly EvalValue[];
  if (Array.isArray(source)) {
    items = source;
  } else if (typeof source === "string") {
    items = [...source];
  } else if (isRecord(source) && typeof source.length === "number") {
    const n = source.length;
    if (!Number.isSafeInteger(n) || n < 0) {
      return host.fail(PARSE.typeError, scope, node, [
        `Array.from({ length }) needs a whole number ≥ 0, not ${n}`,
      ]);
    }
    host.checkLength(n, "array", scope, node);
    items = new Array<EvalValue>(n).fill(undefined);
  } else {
    return host.fail(PARSE.typeError, scope, node, [
      `Array.from() takes { length: n }, an array or a string, not ${describe(source)}`,
    ]);
  }
  host.checkLength(items.length, "array", scope, node);
  const out: EvalValue[] = [];
  for (let i = 0; i < items.length; i++) {
    host.step(1, scope, node);
    out.push(
      fn === undefined
        ? (items[i] as EvalValue)
        : stored(host, host.call(fn, [items[i], i], scope, node), scope, node),
    );
  }
  return out;
}

export function objectMethod(
  host: BuiltinHost,
  method: string,
  args: readonly Value[],
  scope: Scope,
  node: ts.Node,
): Value {
  const v = args[0];
  if (method === "fromEntries") {
    if (!Array.isArray(v)) {
      return host.fail(PARSE.typeError, scope, node, [
        `Object.fromEntries() needs an array of [key, value] pairs, not ${describe(v)}`,
      ]);
    }
    host.checkLength(v.length, "object", scope, node);
    host.step(v.length, scope, node);
    const out: Record<string, EvalValue> = {};
    for (const entry of v) {
      if (!Array.isArray(entry)) {
        host.fail(PARSE.typeError, scope, node, [
          `Object.fromEntries() needs [key, value] pairs, found ${describe(entry)}`,
        ]);
      }
      const k = entry[0];
      if (!(k === null || typeof k !== "object")) {
        host.fail(PARSE.typeError, scope, node, [`${describe(k)} cannot be a property key`]);
      }
      const key = String(k);
      if (RESERVED_KEYS.has(key)) host.fail(PARSE.reservedKey, scope, node, [key]);
      setKey(out, key, entry[1]);
    }
    return out;
  }
  if (v === null || v === undefined) {
    return host.fail(PARSE.typeError, scope, node, [`Object.${method}() of ${describe(v)}`]);
  }
  if (typeof v === "object" && !Array.isArray(v) && !isRecord(v)) {
    return host.fail(PARSE.typeError, scope, node, [`Object.${method}() of ${describe(v)} is not supported`]);
  }
  const target = v as object;
  const out: EvalValue[] =
    method === "keys"
      ? Object.keys(target)
      : method === "values"
        ? (Object.values(target) as EvalValue[])
        : (Object.entries(target) as EvalValue[]);
  host.step(out.length, scope, node);
  return out;
}
