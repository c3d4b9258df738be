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
  schema: FieldSpec[];
}

const CALL = new vm.Script("__fsops_run(__fsops_input)", { filename: "fsops-transform-call.js" });

/** Runs inside the context: decodes the inputs, calls the transform, encodes its result. */
const HARNESS = String.raw`
"use strict";
delete globalThis.WebAssembly;
delete globalThis.SharedArrayBuffer;
delete globalThis.Atomics;
const __fsops_revive = (key, value) => {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    if (typeof value.$b === "string") return BigInt(value.$b);
    if (typeof value.$d === "string") return new Date(value.$d);
    if (Array.isArray(value.$u8)) return Uint8Array.from(value.$u8);
  }
  return value;
};
const __fsops_encode = function (key, value) {
  const raw = this[key];
  if (typeof raw === "bigint") return { $b: raw.toString() };
  if (raw instanceof Date) return { $d: Number.isNaN(raw.getTime()) ? "invalid" : raw.toISOString() };
  if (raw instanceof Uint8Array) return { $u8: Array.from(raw) };
  if (typeof raw === "number" && !Number.isFinite(raw)) return { $n: String(raw) };
  if (typeof raw === "function") return { $f: true };
  return value;
};
globalThis.__fsops_run = (input) => {
  const out = __fsops_transform(JSON.parse(input, __fsops_revive));
  if (out !== null && typeof out === "object" && typeof out.then === "function") {
    throw new TypeError("the transform returned a Promise; it must return the columns directly");
  }
  return JSON.stringify(out === undefined ? null : out, __fsops_encode);
};
`;

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
      if (syntax !== undefined) throw new Error(ts.flattenDiagnosticMessageText(syntax.messageText, " "));
      const js = out.outputText;
      const context = vm.createContext(Object.create(null) as object, {
        name: `fsops transform ${view}`,
        codeGeneration: { strings: false, wasm: false },
        microtaskMode: "afterEvaluate",
      });
      new vm.Script(`${js}\n${HARNESS}`, { filename: `${view}.transform.js` }).runInContext(context, {
        timeout,
      });
      const result = { context, schema: spec.schema };
      compiled.set(view, result);
      return result;
    } catch (e) {
      const error = new TransformError(view, `the transform does not load: ${messageOf(e)}`);
      compiled.set(view, error);
      throw error;
    }
  };

  return {
    serial: state.serial,
    run(viewName, inputs) {
      const { context, schema } = compile(viewName);
      let rows: number | null = null;
      for (const column of Object.values(inputs)) {
        rows = column.length;
        break;
      }
      context.__fsops_input = JSON.stringify(inputs, hostEncode);
      let text: unknown;
      try {
        text = CALL.runInContext(context, { timeout });
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "ERR_SCRIPT_EXECUTION_TIMEOUT") {
          throw new TransformError(viewName, `the transform ran longer than ${timeout} ms and was stopped`);
        }
        throw new TransformError(viewName, `the transform threw: ${messageOf(e)}`);
      } finally {
        context.__fsops_input = undefined;
      }
      const out = typeof text === "string" ? (JSON.parse(text, hostRevive) as unknown) : null;
      return checkOutputs(viewName, schema, out, rows);
    },
  };
}

function hostEncode(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (typeof raw === "bigint") return { $b: raw.toString() };
  if (raw instanceof Date) return { $d: raw.toISOString() };
  if (raw instanceof Uint8Array) return { $u8: Array.from(raw) };
  return value;
}

function hostRevive(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const v = value as Record<string, unknown>;
    if (typeof v.$b === "string") return BigInt(v.$b);
    if (typeof v.$d === "string") return new Date(v.$d);
    if (Array.isArray(v.$u8)) return Uint8Array.from(v.$u8 as number[]);
    if (typeof v.$n === "string") return v.$n === "NaN" ? NaN : v.$n.startsWith("-") ? -Infinity : Infinity;
    if (v.$f === true) return FUNCTION;
  }
  return value;
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
      if (typeof v === "number" && Number.isInteger(v) && Math.abs(v) <= 2 ** 31) return v;
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

function messageOf(e: unknown): string {
  if (e !== null && typeof e === "object" && "message" in e)
    return String((e as { message: unknown }).message);
  return String(e);
}
