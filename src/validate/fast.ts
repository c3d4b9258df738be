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
import type { EvalRecord } from "../model/evaluated.js";
import { isDslObject } from "../model/evaluated.js";
import type { DslClassName } from "../model/kinds.js";
import { parseDuration } from "./duration.js";
import { isCanonicalDtype } from "../model/dtypes.js";
import { isValidName } from "./names.js";
import { scheduleError } from "../materialize/schedule.js";
import { isTransformSource } from "../model/evaluated.js";
import {
  AGGREGATION_FUNCTIONS,
  FILE_FORMATS,
  MESSAGE_FORMATS,
  SPARK_FILE_FORMATS,
  VECTOR_SEARCH_METRICS,
} from "../model/kinds.js";
import type { OptionsOf } from "./schemas.js";
import {
  BATCH_SOURCE_CLASSES,
  FEATURE_VIEW_SOURCE_CLASSES,
  STREAM_SOURCE_CLASSES,
  isPlainRecord,
  onDemandSourceOf,
  selectionOf,
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
const viewName: Check = (v) => (typeof v === "string" && isValidName(v, "view") ? v : FAIL);
const columnName: Check = (v) => (typeof v === "string" && isValidName(v, "column") ? v : FAIL);
const str: Check = (v) => (typeof v === "string" ? v : FAIL);
const text: Check = (v) => (typeof v === "string" && v !== "" ? v : FAIL);
const bool: Check = (v) => (typeof v === "boolean" ? v : FAIL);
/** Only canonical spellings: the schema would rewrite `struct<a: int64>` to `struct<a:int64>`. */
const dtype: Check = (v) => (isCanonicalDtype(v) ? v : FAIL);
const ttl: Check = (v) => parseDuration(v) ?? FAIL;
/** Aggregation windows: longer than zero. */
const window: Check = (v) => {
  const seconds = parseDuration(v);
  return seconds !== null && seconds >= 1 ? seconds : FAIL;
};
/** `version`: a non-empty string or a whole number ≥ 0, kept as written. */
const version: Check = (v) =>
  (typeof v === "string" && v !== "") || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0)
    ? v
    : FAIL;
/** Source text of a `transform` function (the schema's output). */
const transform: Check = (v) => (isTransformSource(v) ? v.text : FAIL);

function oneOf(values: readonly string[]): Check {
  const allowed: ReadonlySet<string> = new Set(values);
  return (v) => (typeof v === "string" && allowed.has(v) ? v : FAIL);
}

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

/**
 * A feature service entry and an on-demand view's source: the schema's own checks
 * (schemas.ts), which need no zod, run without a report.
 */
const viewSelection: Check = (v) => selectionOf(v) ?? FAIL;
const onDemandSource: Check = (v) => onDemandSourceOf(v) ?? FAIL;

/** A possibly empty list (the schema has no minimum); a new array. */
function anyListOf(item: Check): Check {
  const nonEmpty = listOf(item);
  return (v) => (Array.isArray(v) && v.length === 0 ? [] : nonEmpty(v));
}

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

const fields = listOf(ref(["Field"]));
const entities = anyListOf(ref(["Entity"]));
const viewCommon = { ...common, name: viewName };
const featureView = {
  ...viewCommon,
  entities,
  schema: fields,
  source: ref(FEATURE_VIEW_SOURCE_CLASSES),
  ttl,
  online: bool,
  offline: bool,
  version,
  batchSchedule: (v: unknown) => (typeof v === "string" && scheduleError(v) === null ? v : FAIL),
};
/** Feast's warehouse sources: every option optional (rules.ts checks what they need). */
const warehouseSource = { ...batchSource, table: text, query: text, timestampField: text };
const streamSource = {
  ...common,
  timestampField: text,
  batchSource: ref(BATCH_SOURCE_CLASSES),
  createdTimestampColumn: text,
  fieldMapping: stringRecord(true),
  watermarkDelayThreshold: ttl,
};

/** Every class has one, with the schema's keys in its order: a valid project never builds a zod schema. */
const FAST: Record<DslClassName, FastShape> = {
  Project: shape(["name"], common),
  /** After fastField: a Field with more than a name and a dtype (a description, say). */
  Field: shape(["name", "dtype"], {
    name: columnName,
    dtype,
    description: str,
    tags: stringRecord(false),
    vectorIndex: bool,
    vectorLength: (v) => (typeof v === "number" && Number.isSafeInteger(v) && v > 0 ? v : FAIL),
    vectorSearchMetric: oneOf(VECTOR_SEARCH_METRICS),
  }),
  Entity: shape(["name"], { ...common, joinKeys: listOf(columnName), valueType: dtype }),
  FileSource: shape(["timestampField", "path"], {
    ...batchSource,
    path: text,
    fileFormat: oneOf(FILE_FORMATS),
  }),
  PostgresSource: shape(["name", "timestampField"], { ...batchSource, table: text, query: text }),
  BigQuerySource: shape([], { ...warehouseSource, datePartitionColumn: text }),
  SnowflakeSource: shape([], { ...warehouseSource, database: text, schema: text, warehouse: text }),
  RedshiftSource: shape([], { ...warehouseSource, database: text, schema: text }),
  SparkSource: shape([], { ...warehouseSource, path: text, fileFormat: oneOf(SPARK_FILE_FORMATS) }),
  TrinoSource: shape([], { ...warehouseSource, connectorArgs: stringRecord(false) }),
  PushSource: shape(["name", "batchSource"], {
    ...common,
    batchSource: ref(BATCH_SOURCE_CLASSES),
  }),
  RequestSource: shape(["name", "schema"], { ...common, schema: fields }),
  KafkaSource: shape(
    ["name", "bootstrapServers", "topic", "timestampField", "messageFormat", "batchSource"],
    {
      ...common,
      bootstrapServers: text,
      topic: text,
      timestampField: text,
      messageFormat: oneOf(MESSAGE_FORMATS),
      batchSource: ref(BATCH_SOURCE_CLASSES),
      createdTimestampColumn: text,
      fieldMapping: stringRecord(true),
      watermarkDelayThreshold: ttl,
    },
  ),
  KinesisSource: shape(["name", "region", "streamName", "recordFormat", "timestampField", "batchSource"], {
    ...common,
    region: text,
    streamName: text,
    recordFormat: oneOf(MESSAGE_FORMATS),
    ...streamSource,
  }),
  FeatureView: shape(["name", "schema", "source"], featureView),
  BatchFeatureView: shape(["name", "schema", "source"], {
    ...featureView,
    source: ref(BATCH_SOURCE_CLASSES),
    transform,
  }),
  OnDemandFeatureView: shape(["name", "sources", "schema", "transform"], {
    ...viewCommon,
    sources: listOf(onDemandSource),
    schema: fields,
    transform,
    mode: oneOf(["batch", "row"]),
    singleton: bool,
    writeToOnlineStore: bool,
    entities,
    version,
  }),
  StreamFeatureView: shape(["name", "schema", "source"], {
    ...viewCommon,
    entities,
    schema: fields,
    source: ref([...STREAM_SOURCE_CLASSES, "PushSource"]),
    aggregations: anyListOf(ref(["Aggregation"])),
    timestampField: text,
    ttl,
    online: bool,
    offline: bool,
    version,
  }),
  Aggregation: shape(["column", "function", "timeWindow"], {
    column: text,
    function: oneOf(AGGREGATION_FUNCTIONS),
    timeWindow: window,
    name: columnName,
    slideInterval: window,
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
  if (keys !== 2 || typeof name !== "string" || !isValidName(name, "column") || !isCanonicalDtype(dtype))
    return null;
  return options as OptionsOf<"Field">;
}

/** The schema's output for `options` of `cls`, or null when the schema has to decide. */
export function fastOptions(cls: DslClassName, options: EvalRecord): Record<string, unknown> | null {
  if (cls === "Field") {
    const plain = fastField(options);
    if (plain !== null) return plain;
  }
  const s = (FAST as Partial<Record<DslClassName, FastShape>>)[cls];
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
