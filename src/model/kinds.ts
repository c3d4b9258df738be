/** The registered object kinds, in the order plans and JSON list them. */
export const OBJECT_KINDS = [
  "project",
  "entity",
  "data_source",
  "feature_view",
  "on_demand_feature_view",
  "stream_feature_view",
  "feature_service",
] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** Kinds that share one namespace: a feature service or on-demand view references any of them by name. */
export const FEATURE_VIEW_KINDS: readonly ObjectKind[] = [
  "feature_view",
  "on_demand_feature_view",
  "stream_feature_view",
];

/** The constructors exported by the `fsops` DSL. */
export const DSL_CLASSES = [
  "Entity",
  "Field",
  "FileSource",
  "PostgresSource",
  "PushSource",
  "RequestSource",
  "KafkaSource",
  "BigQuerySource",
  "SnowflakeSource",
  "RedshiftSource",
  "SparkSource",
  "TrinoSource",
  "KinesisSource",
  "FeatureView",
  "BatchFeatureView",
  "OnDemandFeatureView",
  "StreamFeatureView",
  "Aggregation",
  "FeatureService",
  "Project",
] as const;
export type DslClassName = (typeof DSL_CLASSES)[number];

/** The registered kind of each DSL class; Field and Aggregation are values inside other objects. */
export const CLASS_KIND: Readonly<Record<DslClassName, ObjectKind | null>> = {
  Entity: "entity",
  Field: null,
  FileSource: "data_source",
  PostgresSource: "data_source",
  PushSource: "data_source",
  RequestSource: "data_source",
  KafkaSource: "data_source",
  BigQuerySource: "data_source",
  SnowflakeSource: "data_source",
  RedshiftSource: "data_source",
  SparkSource: "data_source",
  TrinoSource: "data_source",
  KinesisSource: "data_source",
  FeatureView: "feature_view",
  // Feast's BatchFeatureView is a FeatureView subclass: same namespace, same online table.
  BatchFeatureView: "feature_view",
  OnDemandFeatureView: "on_demand_feature_view",
  StreamFeatureView: "stream_feature_view",
  Aggregation: null,
  FeatureService: "feature_service",
  Project: "project",
};

export const SCALAR_DTYPES = [
  "int32",
  "int64",
  "float32",
  "float64",
  "string",
  "bytes",
  "bool",
  "unix_timestamp",
] as const;
export type ScalarDtype = (typeof SCALAR_DTYPES)[number];

/**
 * Dtypes beyond Feast's eight primitives, spelled after Feast's type names (`Uuid` → `uuid`,
 * `TimeUuid` → `time_uuid`, `Decimal` → `decimal`, `Json` → `json`, `Map` → `map`): each is
 * one value in the online store (see the README's table for the Postgres column types).
 * `timestamp_tz` is an instant written with its time zone (Feast's tz-aware UnixTimestamp).
 */
export const EXTENDED_DTYPES = ["uuid", "time_uuid", "decimal", "json", "map", "timestamp_tz"] as const;
export type ExtendedDtype = (typeof EXTENDED_DTYPES)[number];

/** `struct<name:dtype,…>` (Feast's `Struct({"name": dtype, …})`); fields in written order. */
export type StructDtype = `struct<${string}>`;
export type ElementDtype = ScalarDtype | ExtendedDtype | StructDtype;
/** A value, a list of values (`float32[]`) or a list of lists (`int64[][]`, Feast's `Array(Array(Int64))`). */
export type Dtype = ElementDtype | `${ElementDtype}[]` | `${ElementDtype}[][]`;

export const AGGREGATION_FUNCTIONS = ["sum", "count", "mean", "avg", "std", "min", "max", "last"] as const;
export type AggregationFunction = (typeof AGGREGATION_FUNCTIONS)[number];

export const MESSAGE_FORMATS = ["json", "avro", "protobuf"] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

export const VECTOR_SEARCH_METRICS = ["cosine", "l2", "inner_product", "l1"] as const;
export type VectorSearchMetric = (typeof VECTOR_SEARCH_METRICS)[number];

export const FILE_FORMATS = ["parquet", "csv", "delta"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export const SPARK_FILE_FORMATS = ["parquet", "csv", "json", "avro", "delta", "orc"] as const;
export type SparkFileFormat = (typeof SPARK_FILE_FORMATS)[number];

export const LOGGING_TABLE_DESTINATIONS = [
  "postgres",
  "bigquery",
  "snowflake",
  "redshift",
  "spark",
  "trino",
] as const;

/** Names become SQL identifiers and Redis key segments. */
export const NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;
export const NAME_MAX_LENGTH = 63;

/** `kind:name`, the id used in graphs, plans and `dependents`. */
export type ObjectId = `${ObjectKind}:${string}`;
export function objectId(kind: ObjectKind, name: string): ObjectId {
  return `${kind}:${name}`;
}

export function kindOrder(kind: ObjectKind): number {
  return OBJECT_KINDS.indexOf(kind);
}

/** The order of objects everywhere (plans, registry, graphs): kind order, then name. */
export function compareObjects(
  a: { readonly kind: ObjectKind; readonly name: string },
  b: { readonly kind: ObjectKind; readonly name: string },
): number {
  return kindOrder(a.kind) - kindOrder(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** Columns every online table has after its features; no feature or join key may take these names. */
export const EVENT_TS_COLUMN = "event_ts";
export const CREATED_TS_COLUMN = "created_ts";
