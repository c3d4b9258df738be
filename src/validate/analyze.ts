import type { Diagnostic } from "../model/diagnostic.js";
import type { DslObject } from "../model/evaluated.js";
import type { DslClassName } from "../model/kinds.js";
import { DSL_CLASSES } from "../model/kinds.js";
import { CODES } from "./codes.js";
import { describeValue } from "./describe.js";
import { diagnosticAt, issuesToDiagnostics } from "./issues.js";
import { fastOptions } from "./fast.js";
import { classSchemas, classShapes, isPlainRecord } from "./schemas.js";
import type { OptionsOf } from "./schemas.js";

/** One construction after its options went through its schema. */
export interface Analysis<C extends DslClassName = DslClassName> {
  readonly obj: DslObject & { readonly $dsl: C };
  /**
   * The options that passed their schema: all of them when the whole object parsed, otherwise
   * each option checked alone, so rules across objects can still run on what is valid and every
   * mistake is reported in one pass.
   */
  readonly options: Partial<OptionsOf<C>>;
  /** Options and object-level rules all passed (references not considered). */
  valid: boolean;
  /** The parser could not evaluate some options: what is absent may have been written. */
  readonly incomplete: boolean;
  /** rules.ts: the schema's Fields as written, computed once per object. */
  schemaFields?: SchemaFields;
}

export interface FieldEntry {
  index: number;
  obj: DslObject;
  /** undefined when the Field's name was rejected. */
  name: string | undefined;
}

/** `complete` when every entry is a Field with a valid name. */
export interface SchemaFields {
  fields: FieldEntry[];
  complete: boolean;
}

const KNOWN_CLASSES: ReadonlySet<string> = new Set(DSL_CLASSES);

export function isKnownClass(obj: DslObject): boolean {
  return KNOWN_CLASSES.has(obj.$dsl);
}

/** Parse one construction's options with its class schema. */
export function analyzeOptions(obj: DslObject, diagnostics: Diagnostic[], incomplete = false): Analysis {
  if (!isPlainRecord(obj.options)) {
    diagnostics.push(
      diagnosticAt(
        obj,
        [],
        CODES.wrongType,
        `options must be an object literal; got ${describeValue(obj.options)}`,
        `write new ${obj.$dsl}({ name: "…", … })`,
      ),
    );
    return { obj, options: {}, valid: false, incomplete };
  }
  const fast = fastOptions(obj.$dsl, obj.options);
  if (fast !== null) return { obj, options: fast, valid: !incomplete, incomplete };
  const schema = classSchemas()[obj.$dsl];
  const result = schema.safeParse(obj.options);
  if (result.success) return { obj, options: result.data, valid: !incomplete, incomplete };
  // Incomplete: an absent value is the parser's finding (already reported), not a new one.
  diagnostics.push(...issuesToDiagnostics(obj, result.error.issues, incomplete));
  const partial: Record<string, unknown> = {};
  const shape: Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }> =
    classShapes()[obj.$dsl];
  for (const [key, option] of Object.entries(shape)) {
    const one = option.safeParse(obj.options[key]);
    if (one.success && one.data !== undefined) partial[key] = one.data;
  }
  return { obj, options: partial as Partial<OptionsOf<DslClassName>>, valid: false, incomplete };
}

/**
 * Was option `key` given but rejected? Rules that need the full value of an option (every field
 * name of a schema) skip when it is, rather than report consequences of an error already reported.
 */
export function optionRejected(a: Analysis, key: string): boolean {
  return a.obj.options[key] !== undefined && (a.options as Record<string, unknown>)[key] === undefined;
}
