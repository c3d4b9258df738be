/**
 * Values the evaluator works with. Everything a definition can hold is an `EvalValue`
 * (src/model/evaluated.ts); a few things exist only while evaluating (a DSL class, a module
 * namespace) and may be bound to names but never stored inside a value.
 */
import type { ts } from "ts-morph";
import type { SourceLocation } from "../model/diagnostic.js";
import type { EvalRecord, EvalValue, TransformSource } from "../model/evaluated.js";
import type { DslClassName } from "../model/kinds.js";
import { isDslObject, isProjection } from "../model/evaluated.js";
import { CLASS_KIND, DSL_CLASSES } from "../model/kinds.js";
import type { ParsedFile } from "./source.js";
import type { ModuleRecord } from "./modules.js";

/** A lexical scope: helper parameters and local consts, then the module's top level. */
export interface Scope {
  /** undefined for a module's top level (its names live in `mod.scope`). */
  readonly vars: Map<string, unknown> | undefined;
  readonly parent: Scope | undefined;
  readonly mod: ModuleRecord;
  /**
   * For a helper's scope: where the value of each parameter was written at the call site (a
   * literal argument, or one passed on from an outer call), so that a mistake in it is reported
   * there and not inside the helper.
   */
  origins?: Map<string, ValueOrigin>;
}

/** A position in a file where a value was written. */
export interface ValueOrigin {
  readonly file: ParsedFile;
  readonly start: number;
}

export type FunctionNode = ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration;

/** Values that can be named but not stored in a definition. */
export abstract class Opaque {
  abstract describe(): string;
}

export class DslClassValue extends Opaque {
  constructor(readonly name: DslClassName) {
    super();
  }
  describe(): string {
    return `the class ${this.name}`;
  }
}

export class NamespaceValue extends Opaque {
  /** undefined: the "fsops" module itself. */
  constructor(readonly mod: ModuleRecord | undefined) {
    super();
  }
  describe(): string {
    return this.mod ? `the module namespace of ${this.mod.file.path}` : 'the "fsops" module namespace';
  }
}

/**
 * A function value (arrow, function expression or declaration) with the scope it closes over.
 * It is also the `TransformSource` fsops records for an on-demand view's `transform`: creating
 * it never runs its body, so a function that is only stored is never evaluated.
 */
export class FunctionValue implements TransformSource {
  readonly $transform = true as const;
  readonly #node: FunctionNode;
  readonly #scope: Scope;
  constructor(
    readonly text: string,
    readonly location: SourceLocation,
    node: FunctionNode,
    scope: Scope,
  ) {
    this.#node = node;
    this.#scope = scope;
  }
  node(): FunctionNode {
    return this.#node;
  }
  scope(): Scope {
    return this.#scope;
  }
}

export type Value = EvalValue | Opaque;

/** Marks a local const that is declared but not initialized yet. */
export const TDZ: unique symbol = Symbol("uninitialized");
/** An optional chain that short-circuited (`a?.b` with `a` nullish). */
export const SHORT: unique symbol = Symbol("short-circuit");
/** A name found in no scope: a global, or unknown. */
export const NOT_FOUND: unique symbol = Symbol("not found");

export const RESERVED_KEYS: ReadonlySet<string> = new Set(["$dsl", "$projection", "$transform"]);

export function isPrimitive(v: unknown): v is null | undefined | boolean | number | string {
  return v === null || typeof v !== "object";
}

/** A plain object built from an object literal, Object.fromEntries or a spread. */
export function isRecord(v: unknown): v is EvalRecord {
  return (
    typeof v === "object" &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    !("$dsl" in v) &&
    !("$projection" in v)
  );
}

/** How messages name a value's type. */
export function describe(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "undefined";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return "a number";
  if (typeof v === "boolean") return "a boolean";
  if (Array.isArray(v)) return "an array";
  if (v instanceof FunctionValue) return "a function";
  if (v instanceof Opaque) return v.describe();
  if (isDslObject(v)) {
    const name = v.options["name"];
    return typeof name === "string" ? `a DSL object (${v.$dsl} "${name}")` : `a DSL object (${v.$dsl})`;
  }
  if (isProjection(v)) return "a projection (view.select(...))";
  return "an object";
}

/** Sets a key on a record we built; `__proto__` becomes an own key instead of a prototype change. */
export function setKey(rec: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") {
    Object.defineProperty(rec, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    rec[key] = value;
  }
}

/** The `kind` getter of each DSL class at run time (src/dsl): the registered kind, or the value's own. */
export const RUNTIME_KIND: Readonly<Record<DslClassName, string>> = Object.fromEntries(
  DSL_CLASSES.map((c) => [c, CLASS_KIND[c] ?? c.toLowerCase()]),
) as Record<DslClassName, string>;

export const SELECTABLE: ReadonlySet<DslClassName> = new Set<DslClassName>([
  "FeatureView",
  "OnDemandFeatureView",
  "StreamFeatureView",
]);
