/**
 * zod schemas of the options of every DSL class: shapes, types and value formats (names, dtypes,
 * durations, which classes a reference may point to). Rules that look at several values or at
 * other objects (uniqueness, projections, join keys) live in rules.ts.
 *
 * Custom checks report a `Problem` through zod's custom issues; issues.ts turns every zod issue
 * into a Diagnostic at the option's location.
 */
import type * as Zod from "zod";
import type { DslClassName, Dtype } from "../model/kinds.js";
import {
  AGGREGATION_FUNCTIONS,
  EXTENDED_DTYPES,
  FILE_FORMATS,
  LOGGING_TABLE_DESTINATIONS,
  MESSAGE_FORMATS,
  SCALAR_DTYPES,
  SPARK_FILE_FORMATS,
  VECTOR_SEARCH_METRICS,
} from "../model/kinds.js";
import { isCanonicalDtype, MAX_LIST_DEPTH, parseDtype } from "../model/dtypes.js";
import type { DslObject, Projection } from "../model/evaluated.js";
import { isDslObject, isProjection, isTransformSource } from "../model/evaluated.js";
import { CODES } from "./codes.js";
import type { ValidationCode } from "./codes.js";
import { article, describeValue, quote } from "./describe.js";
import { parseDuration, suggestDuration } from "./duration.js";
import { nameProblem, nearest, suggestName } from "./names.js";
import { scheduleError } from "../materialize/schedule.js";
import type { NameRole } from "./names.js";
import { zod } from "../model/zod.js";
import type * as ZodApi from "../model/zod-api.js";

/**
 * zod, set by build() before it calls the schema helpers below (only build() calls them): the
 * module loads without evaluating zod (model/zod.ts).
 */
let z: typeof ZodApi;

/** What a custom check found; `detail` follows the option path in the message ("ttl <detail>"). */
export interface Problem {
  code: ValidationCode;
  detail: string;
  hint?: string | null;
  /** Relative to the checked value (e.g. `["features", 2]` inside a projection). */
  path?: PropertyKey[];
  /** The message names the option holding the value, not `path` inside it (projections). */
  nameOuter?: boolean;
}

/** `params` of the custom zod issues raised by `checked`. */
export interface ProblemParams {
  fsCode: ValidationCode;
  hint?: string;
  /** Length of `Problem.path`: the message names the option, not the inside of the value. */
  innerDepth: number;
  /** For references: the classes allowed (the hint is derived from the value found). */
  allowed?: readonly string[];
}

type Report = (p: Problem) => void;
const INVALID: unique symbol = Symbol("invalid");

/**
 * A schema running `fn` on the raw value. `fn` reports problems and returns the output value (or
 * INVALID). An absent value is reported as missing, so wrap in `.optional()` for optional options.
 */
function checked<T>(fn: (v: unknown, report: Report) => T | typeof INVALID) {
  return z.unknown().transform((v, ctx): T => {
    let failed = false;
    const report: Report = (p) => {
      failed = true;
      const params: ProblemParams = { fsCode: p.code, innerDepth: p.nameOuter ? (p.path?.length ?? 0) : 0 };
      if (p.hint) params.hint = p.hint;
      ctx.addIssue({ code: "custom", message: p.detail, path: p.path ?? [], params });
    };
    if (v === undefined) {
      report({ code: CODES.missingOption, detail: "is required" });
      return z.NEVER;
    }
    const out = fn(v, report);
    return failed || out === INVALID ? z.NEVER : out;
  });
}

// ---------------------------------------------------------------------------------------------
// Values

/** A name in one role (see names.ts): the rule is the real constraint of where it ends up. */
function nameSchemaFor(role: NameRole) {
  return checked((v, report) => {
    if (typeof v !== "string") {
      report({ code: CODES.wrongType, detail: `must be a string; got ${describeValue(v)}` });
      return INVALID;
    }
    const problem = nameProblem(v, role);
    if (problem !== null) {
      const suggestion = suggestName(v, role);
      report({
        code: CODES.invalidName,
        detail: `${quote(v)} ${problem}`,
        hint: suggestion ? `use ${JSON.stringify(suggestion)}` : null,
      });
      return INVALID;
    }
    return v;
  });
}

export function isDtype(v: unknown): v is Dtype {
  return isCanonicalDtype(v) || (typeof v === "string" && parseDtype(v).ok);
}

/** Type names from SQL, Python and other languages → the fsops dtype (a typo distance misleads). */
const DTYPE_ALIASES: Readonly<Record<string, string>> = {
  int: "int64",
  integer: "int32",
  long: "int64",
  bigint: "int64",
  float: "float32",
  real: "float32",
  double: "float64",
  str: "string",
  text: "string",
  varchar: "string",
  boolean: "bool",
  binary: "bytes",
  bytea: "bytes",
  timestamp: "unix_timestamp",
  datetime: "unix_timestamp",
  timestamptz: "timestamp_tz",
  numeric: "decimal",
  jsonb: "json",
  dict: "map",
  object: "map",
  guid: "uuid",
  timeuuid: "time_uuid",
};

const NAMED_DTYPES: readonly string[] = [...SCALAR_DTYPES, ...EXTENDED_DTYPES];
const FEAST_ARRAY = /^(?:array|list)[([<](.*)[)\]>]$/;

/** Feast spellings (`Float32`, `Array(Int64)`, `UnixTimestamp`, `TimeUuid`) and typos → the fsops dtype. */
export function suggestDtype(v: string): string | null {
  let lowered = v
    .trim()
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/\s+/g, "");
  let lists = 0;
  for (let m = FEAST_ARRAY.exec(lowered); m; m = FEAST_ARRAY.exec(lowered)) {
    lowered = m[1]!;
    lists++;
  }
  while (lowered.endsWith("[]")) {
    lowered = lowered.slice(0, -2);
    lists++;
  }
  if (lists > MAX_LIST_DEPTH) return null;
  const suffix = "[]".repeat(lists);
  if (parseDtype(lowered + suffix).ok) return lowered + suffix === v ? null : lowered + suffix;
  if (lowered.startsWith("struct")) return null;
  const near = DTYPE_ALIASES[lowered] ?? nearest(lowered, NAMED_DTYPES);
  return near === null ? null : `${near}${suffix}`;
}

function dtypeCheck(v: unknown, report: Report): Dtype | typeof INVALID {
  if (typeof v !== "string") {
    report({
      code: CODES.wrongType,
      detail: `must be a dtype string like "float32"; got ${describeValue(v)}`,
    });
    return INVALID;
  }
  if (isCanonicalDtype(v)) return v;
  const parsed = parseDtype(v);
  if (parsed.ok) return parsed.canonical;
  const suggestion = suggestDtype(v);
  report({
    code: CODES.invalidDtype,
    detail: /[<[(]/.test(v) ? `${quote(v)} is not a dtype (${parsed.problem})` : `${quote(v)} is not a dtype`,
    hint: suggestion
      ? `did you mean ${quote(suggestion)}?`
      : `use one of ${NAMED_DTYPES.join(" ")}, struct<name:dtype,…>, or a list like "float32[]" or "int64[][]"`,
  });
  return INVALID;
}

function durationSchema(minimum: 0 | 1) {
  return checked((v, report) => {
    const seconds = parseDuration(v);
    if (seconds !== null && seconds >= minimum) return seconds;
    if (typeof v !== "string" && typeof v !== "number") {
      report({
        code: CODES.wrongType,
        detail: `must be a duration like "1d" or a number of seconds; got ${describeValue(v)}`,
      });
      return INVALID;
    }
    if (seconds === 0) {
      report({ code: CODES.invalidDuration, detail: `must be longer than zero; got ${describeValue(v)}` });
      return INVALID;
    }
    const suggestion = suggestDuration(v);
    report({
      code: CODES.invalidDuration,
      detail: `${describeValue(v)} is not a valid duration`,
      hint: suggestion
        ? `write ${quote(suggestion)}`
        : 'write "90s", "30m", "12h", "1d", "520w", "1d12h" or a whole number of seconds',
    });
    return INVALID;
  });
}
/** `batchSchedule`: a cron expression croner accepts (UTC), or one of its @nicknames. */
function scheduleCheck(v: unknown, report: Report): string | typeof INVALID {
  if (typeof v !== "string") {
    report({
      code: CODES.wrongType,
      detail: `must be a string like "@hourly" or "0 * * * *"; got ${describeValue(v)}`,
    });
    return INVALID;
  }
  const problem = scheduleError(v);
  if (problem === null) return v;
  report({
    code: CODES.invalidSchedule,
    detail: `${describeValue(v)} is not a valid schedule (${problem})`,
    hint: 'write "@hourly", "@daily", or a cron expression like "15 * * * *" (minute hour day month weekday, UTC)',
  });
  return INVALID;
}

/** An options object or `{ key: value }` map: not an array, DSL object, projection or transform. */
export function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !isDslObject(v) &&
    !isProjection(v) &&
    !isTransformSource(v)
  );
}

/** `{ key: "value" }` (tags, fieldMapping); each bad value is reported at its key. */
function stringRecord(what: string, nonEmptyValues: boolean) {
  return checked((v, report): Record<string, string> | typeof INVALID => {
    if (!isPlainRecord(v)) {
      report({ code: CODES.wrongType, detail: `must be an object of ${what}; got ${describeValue(v)}` });
      return INVALID;
    }
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(v)) {
      if (key === "__proto__") {
        // As a key of a JavaScript object it would set the prototype, not store a value.
        report({
          path: [key],
          code: CODES.invalidName,
          detail: '"__proto__" cannot be a key',
          hint: "rename the key",
        });
      } else if (typeof value !== "string") {
        report({
          path: [key],
          code: CODES.wrongType,
          detail: `must be a string; got ${describeValue(value)}`,
          hint: typeof value === "number" || typeof value === "boolean" ? `write "${String(value)}"` : null,
        });
      } else if (nonEmptyValues && value === "") {
        report({ path: [key], code: CODES.emptyValue, detail: "must not be empty" });
      } else {
        out[key] = value;
      }
    }
    return out;
  });
}

function listOf(names: readonly string[]): string {
  if (names.length === 1) return names[0]!;
  return `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]!}`;
}

/** What to say when a reference is of the wrong kind (beyond "expected X, got Y"). */
export function referenceHint(got: unknown, allowed: readonly string[]): string | null {
  if (typeof got === "string") {
    return "reference the object itself (the const it is bound to), not its name";
  }
  if (isDslObject(got) && got.$dsl === "RequestSource") {
    return "request sources feed OnDemandFeatureViews only";
  }
  if (isDslObject(got) && (BATCH_SOURCE_CLASSES as readonly string[]).includes(got.$dsl)) {
    if (allowed.includes("KafkaSource") && !allowed.includes("FileSource")) {
      return "use a FeatureView to serve a batch source";
    }
  }
  if (isDslObject(got) && got.$dsl === "OnDemandFeatureView" && !allowed.includes(got.$dsl)) {
    return "an on-demand feature view cannot feed another one";
  }
  return null;
}

export type DslRef<C extends DslClassName> = DslObject & { readonly $dsl: C };

/**
 * A reference to a DSL object of one of `classes`. A plain check, not `checked`: schemas hold
 * many references (every Field of every view) and a check costs a fraction of a transform.
 */
function ref<C extends DslClassName>(classes: readonly C[]) {
  const allowed: ReadonlySet<string> = new Set(classes);
  const expected = `${article(classes[0]!)} ${listOf(classes)}`;
  const params: ProblemParams = { fsCode: CODES.wrongReference, innerDepth: 0, allowed: classes };
  return z.custom<DslRef<C>>((v) => isDslObject(v) && allowed.has(v.$dsl), {
    error: (issue) => `must be ${expected}; got ${describeValue(issue.input)}`,
    params,
  });
}

export const FEATURE_VIEW_CLASSES = [
  "FeatureView",
  "BatchFeatureView",
  "OnDemandFeatureView",
  "StreamFeatureView",
] as const;
/** Warehouse sources fsops registers but cannot read (Feast's offline stores). */
export const WAREHOUSE_SOURCE_CLASSES = [
  "BigQuerySource",
  "SnowflakeSource",
  "RedshiftSource",
  "SparkSource",
  "TrinoSource",
] as const;
export const BATCH_SOURCE_CLASSES = ["FileSource", "PostgresSource", ...WAREHOUSE_SOURCE_CLASSES] as const;
export const STREAM_SOURCE_CLASSES = ["KafkaSource", "KinesisSource"] as const;
/** Like Feast: a batch source, or a push/stream source (whose batch source backs it offline). */
export const FEATURE_VIEW_SOURCE_CLASSES = [
  ...BATCH_SOURCE_CLASSES,
  "PushSource",
  ...STREAM_SOURCE_CLASSES,
] as const;

/** A whole feature view or a projection of one. */
export interface ViewSelection {
  view: DslObject;
  /** null = every feature of the view. */
  features: string[] | null;
  /** The `.select([...])`, when it is one (for locations). */
  projection: Projection | null;
}

/** Checks a projection's own shape; `report` paths are relative to the projection. */
function checkProjection(
  p: Projection,
  viewClasses: readonly string[],
  report: Report,
): ViewSelection | typeof INVALID {
  let ok = true;
  const view = p.view;
  if (!isDslObject(view) || !viewClasses.includes(view.$dsl)) {
    report({
      nameOuter: true,
      path: ["view"],
      code: CODES.wrongReference,
      detail: `.select() must be called on ${article(viewClasses[0]!)} ${listOf(viewClasses)}; got ${describeValue(view)}`,
      hint: referenceHint(view, viewClasses),
    });
    ok = false;
  }
  const features = p.features;
  if (!Array.isArray(features)) {
    report({
      nameOuter: true,
      path: ["features"],
      code: CODES.wrongType,
      detail: `.select() takes a list of feature names; got ${describeValue(features)}`,
    });
    return INVALID;
  }
  if (features.length === 0) {
    report({
      nameOuter: true,
      path: ["features"],
      code: CODES.emptyValue,
      detail: ".select([]) selects no feature",
      hint: "list the features to select, or use the view itself for all of them",
    });
    ok = false;
  }
  features.forEach((f, i) => {
    if (typeof f !== "string") {
      report({
        nameOuter: true,
        path: ["features", i],
        code: CODES.wrongType,
        detail: `.select() takes feature names; got ${describeValue(f)}`,
      });
      ok = false;
    }
  });
  return ok ? { view: view as DslObject, features: features as string[], projection: p } : INVALID;
}

function viewSelectionCheck(v: unknown, report: Report): ViewSelection | typeof INVALID {
  if (isDslObject(v) && (FEATURE_VIEW_CLASSES as readonly string[]).includes(v.$dsl)) {
    return { view: v, features: null, projection: null };
  }
  if (isProjection(v)) return checkProjection(v, FEATURE_VIEW_CLASSES, report);
  report({
    code: CODES.wrongReference,
    detail: `must be a feature view or a projection (\`view.select([...])\`); got ${describeValue(v)}`,
    hint: referenceHint(v, FEATURE_VIEW_CLASSES),
  });
  return INVALID;
}

export type OnDemandSource =
  ({ type: "feature_view" } & ViewSelection) | { type: "request_source"; source: DslRef<"RequestSource"> };

const ON_DEMAND_VIEW_CLASSES = ["FeatureView", "BatchFeatureView", "StreamFeatureView"] as const;
function onDemandSourceCheck(v: unknown, report: Report): OnDemandSource | typeof INVALID {
  if (isDslObject(v)) {
    if (v.$dsl === "RequestSource") return { type: "request_source", source: v as DslRef<"RequestSource"> };
    if ((ON_DEMAND_VIEW_CLASSES as readonly string[]).includes(v.$dsl)) {
      return { type: "feature_view", view: v, features: null, projection: null };
    }
  }
  if (isProjection(v)) {
    const s = checkProjection(v, ON_DEMAND_VIEW_CLASSES, report);
    return s === INVALID ? INVALID : { type: "feature_view", ...s };
  }
  const allowed = [...ON_DEMAND_VIEW_CLASSES, "RequestSource"];
  report({
    code: CODES.wrongReference,
    detail: `must be a FeatureView, a BatchFeatureView, a StreamFeatureView, a projection of one, or a RequestSource; got ${describeValue(v)}`,
    hint: referenceHint(v, allowed),
  });
  return INVALID;
}

const ignore: Report = () => undefined;

/** A feature service entry's selection, or null when the schema would report a problem. */
export function selectionOf(v: unknown): ViewSelection | null {
  const out = viewSelectionCheck(v, ignore);
  return out === INVALID ? null : out;
}

/** An on-demand view's source, or null when the schema would report a problem. */
export function onDemandSourceOf(v: unknown): OnDemandSource | null {
  const out = onDemandSourceCheck(v, ignore);
  return out === INVALID ? null : out;
}

function transformCheck(v: unknown, report: Report): string | typeof INVALID {
  if (isTransformSource(v)) return v.text;
  report({
    code: CODES.wrongType,
    detail: `must be a function (fsops records its source text and never runs it); got ${describeValue(v)}`,
  });
  return INVALID;
}

/**
 * Builds every zod schema. Called on first use (schemas()): a valid project takes the zod-free
 * fast paths (fast.ts) and never pays for constructing the schemas at start-up.
 */
function build() {
  z = zod();
  const nameSchema = nameSchemaFor("object");
  const viewNameSchema = nameSchemaFor("view");
  const columnNameSchema = nameSchemaFor("column");
  const dtypeSchema = checked(dtypeCheck);
  const scheduleSchema = checked(scheduleCheck);
  /** ttl: 0 means "never expires". */
  const ttlSchema = durationSchema(0);
  const windowSchema = durationSchema(1);
  /** Free text that must say something (paths, topics, column names of the source). */
  const text = z.string().min(1);
  const tags = stringRecord("string tags", false);
  /** Feature service entries: any feature view or a projection of one. */
  const viewSelection = checked(viewSelectionCheck);
  const onDemandSource = checked(onDemandSourceCheck);
  const transform = checked(transformCheck);
  // ---------------------------------------------------------------------------------------------
  // Options of every class

  const common = {
    name: nameSchema,
    description: z.string().optional(),
    tags: tags.optional(),
    owner: z.string().optional(),
  };
  /** Views: their name becomes a table name and a Redis key segment. */
  const viewCommon = { ...common, name: viewNameSchema };

  const fieldMapping = stringRecord("source column → feature name strings", true);

  const batchSource = {
    ...common,
    timestampField: text,
    createdTimestampColumn: text.optional(),
    /** Source column → feature name. */
    fieldMapping: fieldMapping.optional(),
  };

  /** Feast's warehouse sources: `name` defaults to the table (see rules.ts), no event time required. */
  const warehouseSource = {
    ...batchSource,
    name: nameSchema.optional(),
    table: text.optional(),
    query: text.optional(),
    timestampField: text.optional(),
  };

  const fields = z.array(ref(["Field"])).min(1);
  const entities = z.array(ref(["Entity"]));
  /** `version`: a label; numbers are stored as their text (2 and "2" are one version). */
  const version = z.union([z.string().min(1), z.number().int().nonnegative()]);

  const loggingDestination = z.discriminatedUnion("type", [
    z.strictObject({ type: z.literal("file"), path: text, partitionBy: z.array(text).optional() }),
    z.strictObject({ type: z.enum(LOGGING_TABLE_DESTINATIONS), table: text }),
  ]);
  const loggingConfig = z.strictObject({
    destination: loggingDestination,
    sampleRate: z.number().gt(0).lte(1).optional(),
  });

  const featureViewOptions = {
    ...viewCommon,
    entities: entities.optional(),
    schema: fields,
    source: ref(FEATURE_VIEW_SOURCE_CLASSES),
    ttl: ttlSchema.optional(),
    online: z.boolean().optional(),
    offline: z.boolean().optional(),
    version: version.optional(),
    batchSchedule: scheduleSchema.optional(),
  };

  const SHAPES = {
    Project: { ...common },
    Entity: {
      ...common,
      joinKeys: z.array(columnNameSchema).min(1).optional(),
      valueType: dtypeSchema.optional(),
    },
    Field: {
      name: columnNameSchema,
      dtype: dtypeSchema,
      description: z.string().optional(),
      tags: tags.optional(),
      vectorIndex: z.boolean().optional(),
      vectorLength: z.number().int().positive().optional(),
      vectorSearchMetric: z.enum(VECTOR_SEARCH_METRICS).optional(),
    },
    FileSource: {
      ...batchSource,
      name: nameSchema.optional(),
      path: text,
      fileFormat: z.enum(FILE_FORMATS).optional(),
    },
    PostgresSource: { ...batchSource, table: text.optional(), query: text.optional() },
    BigQuerySource: { ...warehouseSource, datePartitionColumn: text.optional() },
    SnowflakeSource: {
      ...warehouseSource,
      database: text.optional(),
      schema: text.optional(),
      warehouse: text.optional(),
    },
    RedshiftSource: { ...warehouseSource, database: text.optional(), schema: text.optional() },
    SparkSource: {
      ...warehouseSource,
      path: text.optional(),
      fileFormat: z.enum(SPARK_FILE_FORMATS).optional(),
    },
    TrinoSource: {
      ...warehouseSource,
      connectorArgs: stringRecord("connector properties (strings)", false).optional(),
    },
    PushSource: { ...common, batchSource: ref(BATCH_SOURCE_CLASSES) },
    RequestSource: { ...common, schema: fields },
    KafkaSource: {
      ...common,
      bootstrapServers: text,
      topic: text,
      timestampField: text,
      messageFormat: z.enum(MESSAGE_FORMATS),
      batchSource: ref(BATCH_SOURCE_CLASSES),
      createdTimestampColumn: text.optional(),
      fieldMapping: fieldMapping.optional(),
      watermarkDelayThreshold: ttlSchema.optional(),
    },
    KinesisSource: {
      ...common,
      region: text,
      streamName: text,
      recordFormat: z.enum(MESSAGE_FORMATS),
      timestampField: text,
      batchSource: ref(BATCH_SOURCE_CLASSES),
      createdTimestampColumn: text.optional(),
      fieldMapping: fieldMapping.optional(),
      watermarkDelayThreshold: ttlSchema.optional(),
    },
    FeatureView: featureViewOptions,
    BatchFeatureView: {
      ...featureViewOptions,
      source: ref(BATCH_SOURCE_CLASSES),
      transform: transform.optional(),
    },
    OnDemandFeatureView: {
      ...viewCommon,
      sources: z.array(onDemandSource).min(1),
      schema: fields,
      transform,
      mode: z.enum(["batch", "row"]).optional(),
      singleton: z.boolean().optional(),
      writeToOnlineStore: z.boolean().optional(),
      entities: entities.optional(),
      version: version.optional(),
    },
    StreamFeatureView: {
      ...viewCommon,
      entities: entities.optional(),
      schema: fields,
      source: ref([...STREAM_SOURCE_CLASSES, "PushSource"]),
      aggregations: z.array(ref(["Aggregation"])).optional(),
      timestampField: text.optional(),
      ttl: ttlSchema.optional(),
      online: z.boolean().optional(),
      offline: z.boolean().optional(),
      version: version.optional(),
    },
    Aggregation: {
      column: text,
      function: z.enum(AGGREGATION_FUNCTIONS),
      timeWindow: windowSchema,
      name: columnNameSchema.optional(),
      slideInterval: windowSchema.optional(),
    },
    FeatureService: {
      ...common,
      features: z.array(viewSelection).min(1),
      loggingConfig: loggingConfig.optional(),
    },
  } as const satisfies Record<DslClassName, Zod.ZodRawShape>;

  type Shapes = typeof SHAPES;

  /** Strict: an unknown option is an error (FS201), not silently dropped. */
  const SCHEMAS = Object.fromEntries(
    Object.entries(SHAPES).map(([cls, shape]) => [cls, z.strictObject(shape)]),
  ) as { [C in DslClassName]: Zod.ZodObject<Shapes[C], Zod.core.$strict> };

  return { SHAPES, SCHEMAS, viewSelection, onDemandSource };
}

type Built = ReturnType<typeof build>;
let built: Built | undefined;

/** The schemas, built on first use. */
function schemas(): Built {
  return (built ??= build());
}

/** Whether any schema was built yet (the examples are valid without: test/validate/zod-free.test.ts). */
export function schemasBuilt(): boolean {
  return built !== undefined;
}

/** The strict schema of the options of each class. */
export function classSchemas(): Built["SCHEMAS"] {
  return schemas().SCHEMAS;
}

/** The schema of each option of each class. */
export function classShapes(): Built["SHAPES"] {
  return schemas().SHAPES;
}

/** A feature service entry (`features`). */
export function viewSelectionSchema(): Built["viewSelection"] {
  return schemas().viewSelection;
}

/** An on-demand view's source (`sources`). */
export function onDemandSourceSchema(): Built["onDemandSource"] {
  return schemas().onDemandSource;
}

export type OptionsOf<C extends DslClassName> = Zod.output<Built["SCHEMAS"][C]>;

/** Option names of a class, for "did you mean" hints. */
export function optionNames(cls: DslClassName): string[] {
  return Object.keys(classShapes()[cls]);
}
