/**
 * Zod-free fast paths for the options of the common classes, written the common way: every
 * option present is valid, none is unknown, none is `undefined`. They return exactly what the
 * class schema (schemas.ts) returns for such input, or null to let the schema decide. The schema
 * stays the only judge of anything else and the only source of diagnostics; a test checks that
 * both agree, on valid input and on every kind of mistake.
 *
 * Why: a project of 5,000 feature views has 60,000 constructions; zod's generic machinery costs
 * several times these checks, in time, in garbage and in compiled code.
 */
import type { DslObject, EvalRecord } from "../model/evaluated.js";
import { isDslObject, isProjection } from "../model/evaluated.js";
import type { DslClassName } from "../model/kinds.js";
import { parseDuration } from "./duration.js";
import { isValidName } from "./names.js";
import { scheduleError } from "../materialize/schedule.js";
import type { OptionsOf, ViewSelection } from "./schemas.js";
import {
  BATCH_SOURCE_CLASSES,
  FEATURE_VIEW_CLASSES,
  FEATURE_VIEW_SOURCE_CLASSES,
  isDtype,
  isPlainRecord,
} from "./schemas.js";

/** A check of one option value: the schema's output for it, or FAIL. */
type Check = (v: unknown) => unknown;
const FAIL: unique symbol = Symbol("fail");

interface FastShape {
  /** In the schema's key order, which is also the order of the output's keys. */
  readonly keys: readonly string[];
  readonly checks: ReadonlyMap<string, Check>;
  readonly required: ReadonlySet<string>;
}

const name: Check = (v) => (typeof v === "string" && isValidName(v) ? v : FAIL);
const str: Check = (v) => (typeof v === "string" ? v : FAIL);
const text: Check = (v) => (typeof v === "string" && v !== "" ? v : FAIL);
const bool: Check = (v) => (typeof v === "boolean" ? v : FAIL);
const dtype: Check = (v) => (isDtype(v) ? v : FAIL);
const ttl: Check = (v) => parseDuration(v) ?? FAIL;

/** `{ key: "value" }`: copied, like the schema does. */
function stringRecord(nonEmptyValues: boolean): Check {
  return (v) => {
    if (!isPlainRecord(v)) return FAIL;
    const out: Record<string, string> = {};
    for (const key of Object.keys(v)) {
      const value = v[key];
      if (typeof value !== "string" || (nonEmptyValues && value === "") || key === "__proto__") return FAIL;
      out[key] = value;
    }
    return out;
  };
}

function ref(classes: readonly DslClassName[]): Check {
  const allowed: ReadonlySet<string> = new Set(classes);
  return (v) => (isDslObject(v) && allowed.has(v.$dsl) ? v : FAIL);
}

/** A non-empty list; a new array, like the schema's output. */
function listOf(item: Check): Check {
  return (v) => {
    if (!Array.isArray(v) || v.length === 0) return FAIL;
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const x = item(v[i]);
      if (x === FAIL) return FAIL;
      out.push(x);
    }
    return out;
  };
}

const FEATURE_VIEWS: ReadonlySet<string> = new Set(FEATURE_VIEW_CLASSES);

/** A feature service entry: a view, or `view.select([...])` of names. */
const viewSelection: Check = (v): ViewSelection | typeof FAIL => {
  if (isDslObject(v)) return FEATURE_VIEWS.has(v.$dsl) ? { view: v, features: null, projection: null } : FAIL;
  if (!isProjection(v)) return FAIL;
  const { view, features } = v;
  if (!isDslObject(view) || !FEATURE_VIEWS.has(view.$dsl)) return FAIL;
  if (!Array.isArray(features) || features.length === 0) return FAIL;
  for (let i = 0; i < features.length; i++) if (typeof features[i] !== "string") return FAIL;
  return { view: view as DslObject, features: features as string[], projection: v };
};

function shape(required: readonly string[], checks: Record<string, Check>): FastShape {
  return { keys: Object.keys(checks), checks: new Map(Object.entries(checks)), required: new Set(required) };
}

const common = { name, description: str, tags: stringRecord(false), owner: str };
const batchSource = {
  ...common,
  timestampField: text,
  createdTimestampColumn: text,
  fieldMapping: stringRecord(true),
};

/** Only the classes a large project has many of; the rest always go through their schema. */
const FAST: Partial<Record<DslClassName, FastShape>> = {
  Entity: shape(["name"], { ...common, joinKeys: listOf(name), valueType: dtype }),
  FileSource: shape(["name", "timestampField", "path"], { ...batchSource, path: text }),
  PostgresSource: shape(["name", "timestampField"], { ...batchSource, table: text, query: text }),
  PushSource: shape(["name", "batchSource"], {
    ...common,
    batchSource: ref(BATCH_SOURCE_CLASSES),
  }),
  FeatureView: shape(["name", "entities", "schema", "source"], {
    ...common,
    entities: listOf(ref(["Entity"])),
    schema: listOf(ref(["Field"])),
    source: ref(FEATURE_VIEW_SOURCE_CLASSES),
    ttl,
    online: bool,
    offline: bool,
    batchSchedule: (v) => (typeof v === "string" && scheduleError(v) === null ? v : FAIL),
  }),
  FeatureService: shape(["name", "features"], { ...common, features: listOf(viewSelection) }),
};

/**
 * Fields are most of the constructions of a project (ten or more per view): `{ name, dtype }`,
 * both valid, is returned as it is (nothing downstream mutates options).
 */
export function fastField(options: EvalRecord): OptionsOf<"Field"> | null {
  let keys = 0;
  for (const key in options) {
    if (key !== "name" && key !== "dtype") return null;
    keys++;
  }
  const { name, dtype } = options;
  if (keys !== 2 || typeof name !== "string" || !isValidName(name) || !isDtype(dtype)) return null;
  return options as OptionsOf<"Field">;
}

/** The schema's output for `options` of `cls`, or null when the schema has to decide. */
export function fastOptions(cls: DslClassName, options: EvalRecord): Record<string, unknown> | null {
  if (cls === "Field") return fastField(options);
  const s = FAST[cls];
  if (s === undefined) return null;
  let given = 0;
  for (const key in options) {
    if (!s.checks.has(key)) return null;
    given++;
  }
  const out: Record<string, unknown> = {};
  let found = 0;
  for (let i = 0; i < s.keys.length; i++) {
    const key = s.keys[i]!;
    const v = options[key];
    if (v === undefined) {
      // Absent and required, or present as `undefined`: the schema words the diagnostic.
      if (s.required.has(key) || Object.hasOwn(options, key)) return null;
      continue;
    }
    const x = s.checks.get(key)!(v);
    if (x === FAIL) return null;
    out[key] = x;
    found++;
  }
  return found === given ? out : null;
}
