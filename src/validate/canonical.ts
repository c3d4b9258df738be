/**
 * Canonical specs (src/model/spec.ts): defaults filled, durations in seconds, record keys sorted,
 * references by name, no locations. Every builder writes its keys in one fixed order (common
 * keys, then the interface's own keys in declaration order) so `JSON.stringify` of a spec is
 * byte-identical whatever order the files were read in; the diff and the registry rely on it.
 */
import type { DslObject } from "../model/evaluated.js";
import type { DslClassName, Dtype } from "../model/kinds.js";
import type {
  AggregationSpec,
  AnySpec,
  DataSourceSpec,
  EntitySpec,
  FeatureServiceSpec,
  FeatureViewRef,
  FeatureViewSpec,
  FieldSpec,
  FileSourceSpec,
  KafkaSourceSpec,
  OnDemandFeatureViewSpec,
  ProjectSpec,
  OnDemandSourceRef,
  StreamFeatureViewSpec,
} from "../model/spec.js";
import type { OptionsOf } from "./schemas.js";

export function sortedRecord(r: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!r) return out;
  for (const key of Object.keys(r).sort()) out[key] = r[key]!;
  return out;
}

// Every builder writes the common keys (name, description, tags, owner) itself, as one object
// literal: a spread of a shared helper's result is far slower on large projects.

/**
 * `{ name, dtype }`, then each optional key only when it says something: a registry written
 * before they existed reads back equal, and a plain field costs no more than before.
 */
export function fieldSpec(o: OptionsOf<"Field">): FieldSpec {
  const f: FieldSpec = { name: o.name, dtype: o.dtype };
  if (o.description) f.description = o.description;
  if (o.tags && Object.keys(o.tags).length > 0) f.tags = sortedRecord(o.tags);
  if (o.vectorIndex) f.vectorIndex = true;
  if (o.vectorLength !== undefined) f.vectorLength = o.vectorLength;
  if (o.vectorSearchMetric !== undefined) f.vectorSearchMetric = o.vectorSearchMetric;
  return f;
}

export function aggregationSpec(o: OptionsOf<"Aggregation">): AggregationSpec {
  const a: AggregationSpec = { column: o.column, function: o.function, timeWindow: o.timeWindow };
  if (o.name !== undefined) a.name = o.name;
  if (o.slideInterval !== undefined) a.slideInterval = o.slideInterval;
  return a;
}

/** `2` and `"2"` are one version. */
function versionText(v: string | number): string {
  return typeof v === "number" ? String(v) : v;
}

function fieldSpecs(fields: readonly DslObject[], c: SpecContext): FieldSpec[] {
  return fields.map((f) => c.fieldOf(f));
}

/** What the builders need to resolve values nested in an object. */
export interface SpecContext {
  nameOf(obj: DslObject): string;
  fieldOf(obj: DslObject): FieldSpec;
  aggregationOf(obj: DslObject): AggregationSpec;
  /**
   * The type of an entity's join keys when the entity states none: the one type views give them
   * with schema Fields (Feast's idiom), or undefined (then "string" is assumed, with a warning).
   */
  inferredValueType(entity: DslObject): Dtype | undefined;
  /** The schema Fields of a view that name one of its join keys (split from its features). */
  isJoinKeyField(view: DslObject, field: DslObject): boolean;
}

/** Feast's default name of a source without one: its table, else its path. */
export function defaultSourceName(o: { name?: string; table?: string; path?: string }): string | undefined {
  return o.name ?? o.table ?? o.path;
}

function projectSpec(o: OptionsOf<"Project">): ProjectSpec {
  return { name: o.name, description: o.description ?? "", tags: sortedRecord(o.tags), owner: o.owner ?? "" };
}

function entitySpec(obj: DslObject, o: OptionsOf<"Entity">, c: SpecContext): EntitySpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    joinKeys: o.joinKeys ? [...o.joinKeys] : [o.name],
    valueType: o.valueType ?? c.inferredValueType(obj) ?? "string",
  };
}

function fileSourceSpec(o: OptionsOf<"FileSource">): DataSourceSpec {
  const spec: FileSourceSpec = {
    name: o.name ?? o.path,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    type: "file",
    path: o.path,
    timestampField: o.timestampField,
    createdTimestampColumn: o.createdTimestampColumn ?? null,
    fieldMapping: sortedRecord(o.fieldMapping),
  };
  if (o.fileFormat !== undefined) spec.fileFormat = o.fileFormat;
  return spec;
}

type WarehouseOptions = OptionsOf<
  "BigQuerySource" | "SnowflakeSource" | "RedshiftSource" | "SparkSource" | "TrinoSource"
>;

/** The keys every warehouse source spec starts with, in one fixed order. */
function warehouseBase(o: WarehouseOptions) {
  return {
    name: defaultSourceName(o)!,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    table: o.table ?? null,
    query: o.query ?? null,
    timestampField: o.timestampField ?? null,
    createdTimestampColumn: o.createdTimestampColumn ?? null,
    fieldMapping: sortedRecord(o.fieldMapping),
  };
}

function warehouseSourceSpec(cls: DslClassName, options: unknown): DataSourceSpec {
  switch (cls) {
    case "BigQuerySource": {
      const o = options as OptionsOf<"BigQuerySource">;
      return { ...warehouseBase(o), type: "bigquery", datePartitionColumn: o.datePartitionColumn ?? null };
    }
    case "SnowflakeSource": {
      const o = options as OptionsOf<"SnowflakeSource">;
      return {
        ...warehouseBase(o),
        type: "snowflake",
        database: o.database ?? null,
        schema: o.schema ?? null,
        warehouse: o.warehouse ?? null,
      };
    }
    case "RedshiftSource": {
      const o = options as OptionsOf<"RedshiftSource">;
      return {
        ...warehouseBase(o),
        type: "redshift",
        database: o.database ?? null,
        schema: o.schema ?? null,
      };
    }
    case "SparkSource": {
      const o = options as OptionsOf<"SparkSource">;
      return { ...warehouseBase(o), type: "spark", path: o.path ?? null, fileFormat: o.fileFormat ?? null };
    }
    default: {
      const o = options as OptionsOf<"TrinoSource">;
      return { ...warehouseBase(o), type: "trino", connectorArgs: sortedRecord(o.connectorArgs) };
    }
  }
}

function kinesisSourceSpec(o: OptionsOf<"KinesisSource">, c: SpecContext): DataSourceSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    type: "kinesis",
    region: o.region,
    streamName: o.streamName,
    recordFormat: o.recordFormat,
    timestampField: o.timestampField,
    batchSource: c.nameOf(o.batchSource),
    createdTimestampColumn: o.createdTimestampColumn ?? null,
    fieldMapping: sortedRecord(o.fieldMapping),
    watermarkDelayThreshold: o.watermarkDelayThreshold ?? null,
  };
}

function postgresSourceSpec(o: OptionsOf<"PostgresSource">): DataSourceSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    type: "postgres",
    table: o.table ?? null,
    query: o.query ?? null,
    timestampField: o.timestampField,
    createdTimestampColumn: o.createdTimestampColumn ?? null,
    fieldMapping: sortedRecord(o.fieldMapping),
  };
}

function pushSourceSpec(o: OptionsOf<"PushSource">, c: SpecContext): DataSourceSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    type: "push",
    batchSource: c.nameOf(o.batchSource),
  };
}

function requestSourceSpec(o: OptionsOf<"RequestSource">, c: SpecContext): DataSourceSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    type: "request",
    schema: fieldSpecs(o.schema, c),
  };
}

function kafkaSourceSpec(o: OptionsOf<"KafkaSource">, c: SpecContext): DataSourceSpec {
  const spec: KafkaSourceSpec = {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    type: "kafka",
    bootstrapServers: o.bootstrapServers,
    topic: o.topic,
    timestampField: o.timestampField,
    messageFormat: o.messageFormat,
    batchSource: c.nameOf(o.batchSource),
  };
  if (o.createdTimestampColumn !== undefined) spec.createdTimestampColumn = o.createdTimestampColumn;
  if (o.fieldMapping !== undefined && Object.keys(o.fieldMapping).length > 0)
    spec.fieldMapping = sortedRecord(o.fieldMapping);
  if (o.watermarkDelayThreshold !== undefined) spec.watermarkDelayThreshold = o.watermarkDelayThreshold;
  return spec;
}

/** A view's schema split into its features and the Fields that type its join keys. */
function splitSchema(view: DslObject, schema: readonly DslObject[], c: SpecContext) {
  const features: FieldSpec[] = [];
  const keys: FieldSpec[] = [];
  for (const f of schema) (c.isJoinKeyField(view, f) ? keys : features).push(c.fieldOf(f));
  return { features, keys };
}

function featureViewSpec(
  obj: DslObject,
  o: OptionsOf<"FeatureView"> & { transform?: string },
  c: SpecContext,
  batch: boolean,
): FeatureViewSpec {
  const { features, keys } = splitSchema(obj, o.schema, c);
  const spec: FeatureViewSpec = {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    entities: (o.entities ?? []).map((e) => c.nameOf(e)),
    schema: features,
    source: c.nameOf(o.source),
    ttl: o.ttl ?? 0,
    online: o.online ?? true,
    offline: o.offline ?? false,
  };
  if (keys.length > 0) spec.entityColumns = keys;
  if (batch) spec.type = "batch";
  if (o.transform !== undefined) spec.transform = o.transform;
  if (o.version !== undefined) spec.version = versionText(o.version);
  return spec;
}

function onDemandFeatureViewSpec(
  o: OptionsOf<"OnDemandFeatureView">,
  c: SpecContext,
): OnDemandFeatureViewSpec {
  const sources = o.sources.map((s): OnDemandSourceRef =>
    s.type === "feature_view"
      ? { type: "feature_view", name: c.nameOf(s.view), features: s.features ? [...s.features] : null }
      : { type: "request_source", name: c.nameOf(s.source), features: null },
  );
  const spec: OnDemandFeatureViewSpec = {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    sources,
    schema: fieldSpecs(o.schema, c),
    transform: o.transform,
  };
  // `singleton: true` is Feast's spelling of mode "row" (rules.ts refuses it with mode "batch").
  if (o.mode === "row" || o.singleton === true) spec.mode = "row";
  if (o.writeToOnlineStore === true) spec.writeToOnlineStore = true;
  if (o.entities !== undefined && o.entities.length > 0) spec.entities = o.entities.map((e) => c.nameOf(e));
  if (o.version !== undefined) spec.version = versionText(o.version);
  return spec;
}

function streamFeatureViewSpec(
  obj: DslObject,
  o: OptionsOf<"StreamFeatureView">,
  c: SpecContext,
): StreamFeatureViewSpec {
  const { features, keys } = splitSchema(obj, o.schema, c);
  const spec: StreamFeatureViewSpec = {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    entities: (o.entities ?? []).map((e) => c.nameOf(e)),
    schema: features,
    source: c.nameOf(o.source),
    aggregations: (o.aggregations ?? []).map((a) => c.aggregationOf(a)),
    ttl: o.ttl ?? 0,
    online: o.online ?? true,
  };
  if (o.offline !== undefined) spec.offline = o.offline;
  if (o.timestampField !== undefined) spec.timestampField = o.timestampField;
  if (keys.length > 0) spec.entityColumns = keys;
  if (o.version !== undefined) spec.version = versionText(o.version);
  return spec;
}

function featureServiceSpec(o: OptionsOf<"FeatureService">, c: SpecContext): FeatureServiceSpec {
  const spec: FeatureServiceSpec = {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    features: o.features.map((s): FeatureViewRef => ({
      view: c.nameOf(s.view),
      features: s.features ? [...s.features] : null,
    })),
  };
  if (o.loggingConfig !== undefined) {
    const d = o.loggingConfig.destination;
    spec.loggingConfig = {
      destination:
        d.type === "file"
          ? { type: "file", path: d.path, partitionBy: [...(d.partitionBy ?? [])] }
          : { type: d.type, table: d.table },
      sampleRate: o.loggingConfig.sampleRate ?? 1,
    };
  }
  return spec;
}

/** The registered spec of a fully valid object; null for the value classes (Field, Aggregation). */
export function specOf(obj: DslObject, options: unknown, c: SpecContext): AnySpec | null {
  // `options` is the schema output for the class (the caller parsed it with SCHEMAS[cls]).
  const cls = obj.$dsl;
  switch (cls) {
    case "Project":
      return projectSpec(options as OptionsOf<"Project">);
    case "Entity":
      return entitySpec(obj, options as OptionsOf<"Entity">, c);
    case "BigQuerySource":
    case "SnowflakeSource":
    case "RedshiftSource":
    case "SparkSource":
    case "TrinoSource":
      return warehouseSourceSpec(cls, options);
    case "KinesisSource":
      return kinesisSourceSpec(options as OptionsOf<"KinesisSource">, c);
    case "BatchFeatureView":
      return featureViewSpec(obj, options as OptionsOf<"FeatureView"> & { transform?: string }, c, true);
    case "FileSource":
      return fileSourceSpec(options as OptionsOf<"FileSource">);
    case "PostgresSource":
      return postgresSourceSpec(options as OptionsOf<"PostgresSource">);
    case "PushSource":
      return pushSourceSpec(options as OptionsOf<"PushSource">, c);
    case "RequestSource":
      return requestSourceSpec(options as OptionsOf<"RequestSource">, c);
    case "KafkaSource":
      return kafkaSourceSpec(options as OptionsOf<"KafkaSource">, c);
    case "FeatureView":
      return featureViewSpec(obj, options as OptionsOf<"FeatureView">, c, false);
    case "OnDemandFeatureView":
      return onDemandFeatureViewSpec(options as OptionsOf<"OnDemandFeatureView">, c);
    case "StreamFeatureView":
      return streamFeatureViewSpec(obj, options as OptionsOf<"StreamFeatureView">, c);
    case "FeatureService":
      return featureServiceSpec(options as OptionsOf<"FeatureService">, c);
    case "Field":
    case "Aggregation":
      return null;
  }
}
