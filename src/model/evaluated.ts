import type { DslClassName } from "./kinds.js";
import type { SourceLocation } from "./diagnostic.js";

/**
 * What the static evaluator produces: plain values plus the DSL constructions it found.
 * Nothing here was produced by running user code.
 */
export type EvalValue =
  | null
  | undefined
  | boolean
  | number
  | string
  | EvalValue[]
  | EvalRecord
  | DslObject
  | Projection
  | TransformSource;

export interface EvalRecord {
  readonly [key: string]: EvalValue;
}

/** One `new X({...})` of a DSL class, found anywhere in the project (top level or nested). */
export interface DslObject {
  readonly $dsl: DslClassName;
  /** Stable per parse: index in `ParseResult.objects`. */
  readonly id: number;
  /** The evaluated first argument (the options object); `{}` when absent or not evaluable. */
  readonly options: EvalRecord;
  /** Location of the `new` expression. */
  readonly location: SourceLocation;
  /**
   * Optional: a number that orders objects exactly as their locations do (the parser's file
   * index and offset), so that checking source order needs no location. Absent on hand-built
   * objects, which are then ordered by `location`.
   */
  readonly sourceOrder?: number;
  /**
   * Locations of option values, keyed by dotted path into `options`
   * (`"name"`, `"schema"`, `"schema.1"`, `"tags.team"`), where the value was written literally
   * in this construction. Validation errors point here, falling back to `location`.
   */
  readonly optionLocations: Readonly<Record<string, SourceLocation>>;
}

/** `featureView.select(["a", "b"])`. */
export interface Projection {
  readonly $projection: true;
  readonly view: EvalValue;
  readonly features: EvalValue;
  readonly location: SourceLocation;
}

/** The `transform` of an OnDemandFeatureView: recorded as source text, never evaluated. */
export interface TransformSource {
  readonly $transform: true;
  readonly text: string;
  readonly location: SourceLocation;
}

export function isDslObject(v: unknown): v is DslObject {
  return typeof v === "object" && v !== null && "$dsl" in v;
}
export function isProjection(v: unknown): v is Projection {
  return typeof v === "object" && v !== null && "$projection" in v;
}
export function isTransformSource(v: unknown): v is TransformSource {
  return typeof v === "object" && v !== null && "$transform" in v;
}
