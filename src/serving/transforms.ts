/**
 * On-demand transforms, run where they are needed (serving and training) and nowhere else:
 * `plan` and `apply` never load this module.
 *
 * The registry holds each transform's TypeScript source text. A runner transpiles it once per
 * registry version (with the compiler the parser already carries, loaded on first use) and
 * runs it in a `node:vm` context of its own: only the language's pure built-ins (no `require`,
 * `process`, timers, `fetch`, I/O; code generation from strings and WebAssembly disabled), a
 * time limit per call, and promise jobs drained inside that limit.
 *
 * Nothing of the host realm enters the context: inputs go in as JSON text (bigint, dates and
 * bytes tagged) and outputs come out the same way, so a transform cannot reach the host's
 * `Function` through a prototype chain. The outputs are checked against the view's schema.
 */
import { createRequire } from "node:module";
import { types } from "node:util";
import vm from "node:vm";
import type * as TsMorph from "ts-morph";
import type { Dtype } from "../model/kinds.js";
import type { RegistryState } from "../model/registry.js";
import type { FieldSpec, OnDemandFeatureViewSpec } from "../model/spec.js";

/** Per call; long enough for any row-wise arithmetic on a batch, short enough to keep serving. */
export const DEFAULT_TRANSFORM_TIMEOUT_MS = 500;

export interface TransformRunner {
  /** The registry serial it was compiled for. */
  readonly serial: number;
  /**
   * Columns in (feature and request-field names → one value per row), columns out (each field of
   * the view's schema). Throws a `TransformError` naming the view on a throw, a timeout or a
   * wrong shape.
   */
  run(viewName: string, inputs: Record<string, unknown[]>): Record<string, unknown[]>;
}

export class TransformError extends Error {
  constructor(
    readonly view: string,
    message: string,
  ) {
    super(`on-demand view ${view}: ${message}`);
    this.name = "TransformError";
  }
}

export interface TransformRunnerOptions {
  timeoutMs?: number;
}

interface Compiled {
  context: vm.Context;
  /** Fills the harness's slot: the next call's input, or a thrown value to describe. */
  hold: (value: unknown) => void;
  schema: FieldSpec[];
}

/**
 * Runs in each context before the transform's code, so what the host calls is fixed before the
 * transform can touch anything: `__fsops_run` and `__fsops_describe` are global `const`s (a later
 * script can neither reassign nor redeclare them, and no property of `globalThis` shadows them),
 * and the built-ins they use are captured here. The input and a thrown value pass through a
 * closure slot the host fills with the function this script evaluates to: the host never reads or
 * writes a property of an object the transform controls.
 *
 * Whatever the transform throws becomes a plain string inside the context, within the time limit
 * (a getter, a Proxy trap or a `toString` that never returns is stopped there), so the host only
 * ever sees a string or Node's own timeout error.
 */
const HARNESS = new vm.Script(
  String.raw`
"use strict";
delete globalThis.WebAssembly;
delete globalThis.SharedArrayBuffer;
delete globalThis.Atomics;
const [__fsops_run, __fsops_describe, __fsops_hold] = (() => {
  const { parse, stringify } = JSON;
  const { isArray } = Array;
  const { from: bytes } = Uint8Array;
  const { isNaN } = Number;
  const { isFinite } = Number;
  const S = String;
  const B = BigInt;
  const D = Date;
  const U8 = Uint8Array;
  const toArray = Array.from;
  const getTime = D.prototype.getTime;
  const toISOString = D.prototype.toISOString;
  const bigintToString = B.prototype.toString;
  const { apply } = Reflect;
  const call = (f, self) => apply(f, self, []);
  let held;
  const take = () => {
    const value = held;
    held = undefined;
    return value;
  };
  // Tags are objects of one key starting with "$"; every "$" key of the data itself gets one
  // more "$" on the way in and loses it on the way out, so data never reads as a tag.
  const { keys, defineProperty } = Object;
  const slice = S.prototype.slice;
  const rename = (value, names, from) => {
    let any = false;
    for (let i = 0; i < names.length; i++) if (names[i][0] === "$") any = true;
    if (!any) return value;
    const out = {};
    for (let i = 0; i < names.length; i++) {
      const k = names[i];
      const to = k[0] !== "$" ? k : from ? apply(slice, k, [1]) : "$" + k;
      defineProperty(out, to, { value: value[k], enumerable: true, writable: true, configurable: true });
    }
    return out;
  };
  const revive = (key, value) => {
    if (value === null || typeof value !== "object" || isArray(value)) return value;
    const names = keys(value);
    if (names.length === 1) {
      const tag = names[0];
      const v = value[tag];
      if (tag === "$b" && typeof v === "string") return B(v);
      if (tag === "$d" && typeof v === "string") return new D(v);
      if (tag === "$u8" && isArray(v)) return apply(bytes, U8, [v]);
    }
    return rename(value, names, true);
  };
  const encode = function (key, value) {
    const raw = this[key];
    if (typeof raw === "bigint") return { $b: call(bigintToString, raw) };
    if (raw instanceof D) {
      const time = call(getTime, raw);
      return { $d: isNaN(time) ? "invalid" : call(toISOString, raw) };
    }
    if (raw instanceof U8) return { $u8: toArray(raw) };
    if (typeof raw === "number" && !isFinite(raw)) return { $n: S(raw) };
    if (typeof raw === "function") return { $f: true };
    if (value !== null && typeof value === "object" && !isArray(value)) return rename(value, keys(value), false);
    return value;
  };
  const message = (e) => {
    try {
      const m = S(e !== null && e !== undefined && e.message !== undefined ? e.message : e);
      return typeof m === "string" ? m : "unprintable error";
    } catch {
      return "unprintable error";
    }
  };
  const run = () => {
    const input = take();
    try {
      const out = __fsops_transform(parse(input, revive));
      if (out !== null && typeof out === "object" && typeof out.then === "function") {
        throw new TypeError("the transform returned a Promise; it must return the columns directly");
      }
      const text = stringify(out === undefined ? null : out, encode);
      return typeof text === "string" ? text : undefined;
    } catch (e) {
      throw message(e);
    }
  };
  const describe = () => message(take());
  const hold = (value) => {
    held = value;
  };
  return [run, describe, hold];
})();
__fsops_hold;
`,
  { filename: "fsops-transform-harness.js" },
);

const CALL = new vm.Script("__fsops_run()", { filename: "fsops-transform-call.js" });
const DESCRIBE = new vm.Script("__fsops_describe()", { filename: "fsops-transform-describe.js" });

/**
 * `displayErrors: false`: otherwise Node decorates a thrown object by reading its `stack` after the
 * time limit has ended, which runs a getter or Proxy trap of the transform's with no limit.
 */
const RUN = (timeout: number): vm.RunningScriptOptions => ({ timeout, displayErrors: false });

type Ts = typeof TsMorph.ts;
let tsModule: Ts | null = null;

/**
 * The compiler ts-morph carries, required directly as the parser does (src/parse/typescript.cts:
 * without ts-morph's wrapper), on first transpile only.
 */
function typescript(): Ts {
  tsModule ??= createRequire(import.meta.url)("@ts-morph/common/dist/typescript.js") as Ts;
  return tsModule;
}

export function createTransformRunner(
  state: RegistryState,
  options: TransformRunnerOptions = {},
): TransformRunner {
  const timeout = options.timeoutMs ?? DEFAULT_TRANSFORM_TIMEOUT_MS;
  const specs = new Map<string, OnDemandFeatureViewSpec>();
  for (const o of state.objects) {
    if (o.kind === "on_demand_feature_view") specs.set(o.name, o.spec as OnDemandFeatureViewSpec);
  }
  const compiled = new Map<string, Compiled | TransformError>();

  const compile = (view: string): Compiled => {
    const done = compiled.get(view);
    if (done instanceof TransformError) throw done;
    if (done !== undefined) return done;
    const spec = specs.get(view);
    if (spec === undefined) throw new TransformError(view, "no such on-demand view in the registry");
    const fail = (message: string): TransformError => {
      const error = new TransformError(view, `the transform does not load: ${message}`);
      compiled.set(view, error);
      return error;
    };
    let js: string;
    try {
      const ts = typescript();
      const out = ts.transpileModule(`const __fsops_transform = (${spec.transform}\n);`, {
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ESNext,
          removeComments: true,
        },
        reportDiagnostics: true,
      });
      // The compiler repairs broken syntax to emit something; a transform that does not parse
      // must fail loudly instead of running the repair.
      const syntax = (out.diagnostics ?? []).find(
        (d) => d.file !== undefined && d.category === ts.DiagnosticCategory.Error,
      );
      if (syntax !== undefined) throw fail(ts.flattenDiagnosticMessageText(syntax.messageText, " "));
      js = out.outputText;
    } catch (e) {
      // The compiler's own errors: host objects, never the transform's.
      if (e instanceof TransformError) throw e;
      throw fail(e instanceof Error ? e.message : String(e));
    }
    const context = vm.createContext(Object.create(null) as object, {
      name: `fsops transform ${view}`,
      codeGeneration: { strings: false, wasm: false },
      microtaskMode: "afterEvaluate",
    });
    let hold: ((value: unknown) => void) | null = null;
    try {
      const held: unknown = HARNESS.runInContext(context, RUN(timeout));
      if (typeof held !== "function") throw new Error("the harness did not start");
      hold = held as (value: unknown) => void;
      // The transform's text may break out of its wrapper and run (and throw) anything here.
      new vm.Script(js, { filename: `${view}.transform.js` }).runInContext(context, RUN(timeout));
    } catch (e) {
      if (timedOut(e)) throw fail(`Script execution timed out after ${timeout}ms`);
      throw fail(hold === null ? hostMessage(e) : describe(context, hold, e, timeout));
    }
    const result = { context, hold, schema: spec.schema };
    compiled.set(view, result);
    return result;
  };

  return {
    serial: state.serial,
    run(viewName, inputs) {
      const { context, hold, schema } = compile(viewName);
      let rows: number | null = null;
      for (const column of Object.values(inputs)) {
        rows = column.length;
        break;
      }
      hold(JSON.stringify(inputs, hostEncode));
      let text: unknown;
      try {
        text = CALL.runInContext(context, RUN(timeout));
      } catch (e) {
        if (timedOut(e)) {
          throw new TransformError(viewName, `the transform ran longer than ${timeout} ms and was stopped`);
        }
        throw new TransformError(viewName, `the transform threw: ${describe(context, hold, e, timeout)}`);
      } finally {
        hold(undefined);
      }
      const out = typeof text === "string" ? (JSON.parse(text, hostRevive) as unknown) : null;
      return checkOutputs(viewName, schema, out, rows);
    },
  };
}

/**
 * Node's own timeout error (created in the context's realm, with `code` an own data property),
 * told apart without running anything the transform could have planted: no Proxy, no getter, no
 * prototype chain.
 */
function timedOut(e: unknown): boolean {
  if (e === null || typeof e !== "object" || types.isProxy(e)) return false;
  const code = Object.getOwnPropertyDescriptor(e, "code");
  return code !== undefined && "value" in code && code.value === "ERR_SCRIPT_EXECUTION_TIMEOUT";
}

/**
 * A thrown value as text. The harness throws strings; anything else (a throw while loading, from
 * code outside the harness) is handed back to the context and described there, within the limit.
 */
function describe(context: vm.Context, hold: (value: unknown) => void, e: unknown, timeout: number): string {
  if (typeof e === "string") return e;
  hold(e);
  try {
    const text: unknown = DESCRIBE.runInContext(context, RUN(timeout));
    return typeof text === "string" ? text : "unprintable error";
  } catch {
    return `an error that could not be printed within ${timeout} ms`;
  } finally {
    hold(undefined);
  }
}

/** Only for values that cannot come from a transform (before its context runs anything). */
function hostMessage(e: unknown): string {
  if (typeof e === "string") return e;
  return !types.isProxy(e) && e instanceof Error ? e.message : "unprintable error";
}

/**
 * The wire between host and context is JSON with tags for what JSON lacks: an object of one key
 * `$b` (bigint), `$d` (date), `$u8` (bytes), `$n` (non-finite number), `$f` (function). The data's
 * own keys that start with `$` are escaped with one more `$` (and unescaped on arrival), so a
 * user's `{"$b": "…"}` in request data is plain data, never a tag.
 */
function hostEncode(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (typeof raw === "bigint") return { $b: raw.toString() };
  if (raw instanceof Date) return { $d: Number.isNaN(raw.getTime()) ? "invalid" : raw.toISOString() };
  if (raw instanceof Uint8Array) return { $u8: Array.from(raw) };
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return renameKeys(value as Record<string, unknown>, Object.keys(value), "escape");
  }
  return value;
}

function hostRevive(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  const v = value as Record<string, unknown>;
  const names = Object.keys(v);
  if (names.length === 1) {
    const tag = v[names[0] as string];
    switch (names[0]) {
      case "$b":
        if (typeof tag === "string" && /^-?\d+$/.test(tag)) return BigInt(tag);
        break;
      case "$d":
        if (typeof tag === "string") return new Date(tag === "invalid" ? NaN : tag);
        break;
      case "$u8":
        if (Array.isArray(tag)) return Uint8Array.from(tag as number[]);
        break;
      case "$n":
        if (typeof tag === "string") return tag === "NaN" ? NaN : tag.startsWith("-") ? -Infinity : Infinity;
        break;
      case "$f":
        if (tag === true) return FUNCTION;
        break;
    }
  }
  return renameKeys(v, names, "unescape");
}

/** `value` with each key starting with `$` given one `$` more (escape) or less (unescape). */
function renameKeys(
  value: Record<string, unknown>,
  names: readonly string[],
  how: "escape" | "unescape",
): Record<string, unknown> {
  if (!names.some((k) => k.startsWith("$"))) return value;
  // fromEntries defines own properties: a "__proto__" key stays data, never a prototype.
  return Object.fromEntries(
    names.map((k) => [k.startsWith("$") ? (how === "escape" ? `$${k}` : k.slice(1)) : k, value[k]]),
  );
}

const FUNCTION = Symbol("function");

function checkOutputs(
  view: string,
  schema: readonly FieldSpec[],
  out: unknown,
  rows: number | null,
): Record<string, unknown[]> {
  if (out === null || typeof out !== "object" || Array.isArray(out)) {
    throw new TransformError(
      view,
      `the transform must return an object of columns (${schema.map((f) => f.name).join(", ")}), got ${Array.isArray(out) ? "an array" : out === null ? "nothing" : typeof out}`,
    );
  }
  const columns = out as Record<string, unknown>;
  const result: Record<string, unknown[]> = {};
  let n = rows;
  for (const field of schema) {
    const column = columns[field.name];
    if (!Array.isArray(column)) {
      throw new TransformError(
        view,
        `output ${field.name} must be an array with one value per row, got ${column === undefined ? "nothing" : typeof column}`,
      );
    }
    n ??= column.length;
    if (column.length !== n) {
      throw new TransformError(view, `output ${field.name} has ${column.length} values for ${n} rows`);
    }
    result[field.name] = column.map((v, i) => {
      const value = coerce(v, field.dtype);
      if (value === WRONG) {
        throw new TransformError(view, `output ${field.name}[${i}] should be ${field.dtype}, got ${show(v)}`);
      }
      return value;
    });
  }
  return result;
}

const WRONG = Symbol("wrong");

/** A transform's value as the schema's dtype, or WRONG. */
export function coerce(v: unknown, dtype: Dtype): unknown {
  if (v === null || v === undefined) return null;
  if (dtype.endsWith("[]")) {
    if (!Array.isArray(v)) return WRONG;
    const element = dtype.slice(0, -2) as Dtype;
    const out = v.map((x) => coerce(x, element));
    return out.includes(WRONG) ? WRONG : out;
  }
  switch (dtype) {
    case "float32":
    case "float64":
      if (typeof v === "number") return v;
      if (typeof v === "bigint") return Number(v);
      return WRONG;
    case "int32":
      if (typeof v === "number" && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) return v;
      if (typeof v === "bigint" && v >= -(2n ** 31n) && v < 2n ** 31n) return Number(v);
      return WRONG;
    case "int64":
      if (typeof v === "bigint") return v;
      if (typeof v === "number" && Number.isSafeInteger(v)) return BigInt(v);
      if (typeof v === "string" && /^-?\d{1,19}$/.test(v)) return BigInt(v);
      return WRONG;
    case "string":
      return typeof v === "string" ? v : WRONG;
    case "bool":
      return typeof v === "boolean" ? v : WRONG;
    case "bytes":
      return v instanceof Uint8Array ? v : WRONG;
    case "unix_timestamp": {
      const d = v instanceof Date ? v : typeof v === "string" || typeof v === "number" ? new Date(v) : null;
      return d === null || Number.isNaN(d.getTime()) ? WRONG : d;
    }
    default:
      return WRONG;
  }
}

function show(v: unknown): string {
  if (v === FUNCTION) return "a function";
  if (typeof v === "string") return `string ${JSON.stringify(v.slice(0, 40))}`;
  if (typeof v === "object") return v === null ? "null" : Array.isArray(v) ? "an array" : "an object";
  return `${typeof v} ${String(v)}`;
}
