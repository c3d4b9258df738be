/**
 * What the importer knows of Feast's Python API: each class (and decorator) Feast users
 * construct, the fsops DSL class it becomes, and how each keyword argument maps to an fsops
 * option. An argument not listed here is never dropped: it is reported and left in the output
 * under its Python name, which `fsops validate` rejects until someone decides what it means.
 */

/** How an argument's Python value becomes the option's TypeScript value. */
export type Conversion =
  | "value" // any convertible expression
  | "duration" // timedelta(...) → "1d"
  | "dtype" // Float32, Array(Int64), ValueType.INT64 → "float32", "int64[]"
  | "entities" // [driver] or ["driver"] (Feast resolves entity names)
  | "sources" // on-demand sources: a list, or the old {"name": view} mapping
  | "features" // the old `features=[Feature(...)]` list → schema
  | "format" // JsonFormat(...) → "json"
  | "list1" // `join_key="x"` → ["x"]
  | "requestSchema" // a list of Fields, or the old {"name": ValueType.X} mapping
  | "lower" // Feast's "COSINE" → fsops's "cosine"
  | "fileFormat" // ParquetFormat() → "parquet"
  | "mode" // on-demand mode: "pandas" / "python" are both fsops's default "batch"
  | "path"; // a file path relative to the Feast repository → relative to the fsops project

export interface OptionSpec {
  /** The fsops option name. */
  to: string;
  conv?: Conversion;
  /** The Python name is deprecated in Feast; the value still converts (a note says so). */
  deprecated?: boolean;
}

export interface ClassSpec {
  /** The fsops DSL class. */
  dsl: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** Keyword names of positional arguments, in Feast's order. */
  positional?: readonly string[];
  /** Arguments Feast accepts that carry nothing fsops stores, dropped with a note saying why. */
  ignored?: Readonly<Record<string, string>>;
}

const common: Record<string, OptionSpec> = {
  name: { to: "name" },
  description: { to: "description" },
  tags: { to: "tags" },
  owner: { to: "owner" },
};

const batchSource: Record<string, OptionSpec> = {
  ...common,
  timestamp_field: { to: "timestampField" },
  event_timestamp_column: { to: "timestampField", deprecated: true },
  created_timestamp_column: { to: "createdTimestampColumn" },
  field_mapping: { to: "fieldMapping" },
};

const warehouse = (extra: Record<string, OptionSpec>): ClassSpec["options"] => ({
  ...batchSource,
  table: { to: "table" },
  query: { to: "query" },
  ...extra,
});

const viewCommon: Record<string, OptionSpec> = {
  ...common,
  entities: { to: "entities", conv: "entities" },
  schema: { to: "schema" },
  ttl: { to: "ttl", conv: "duration" },
  online: { to: "online" },
  offline: { to: "offline" },
};

export const FEAST_CLASSES: Readonly<Record<string, ClassSpec>> = {
  Entity: {
    dsl: "Entity",
    positional: ["name", "value_type", "description", "join_key"],
    options: {
      ...common,
      join_keys: { to: "joinKeys" },
      join_key: { to: "joinKeys", conv: "list1", deprecated: true },
      value_type: { to: "valueType", conv: "dtype" },
    },
  },
  Field: {
    dsl: "Field",
    options: {
      name: { to: "name" },
      dtype: { to: "dtype", conv: "dtype" },
      description: { to: "description" },
      tags: { to: "tags" },
      vector_index: { to: "vectorIndex" },
      vector_length: { to: "vectorLength" },
      vector_search_metric: { to: "vectorSearchMetric", conv: "lower" },
    },
  },
  // Feast's pre-0.20 feature type: a name and a ValueType.
  Feature: {
    dsl: "Field",
    positional: ["name", "dtype"],
    options: {
      name: { to: "name" },
      dtype: { to: "dtype", conv: "dtype" },
      labels: { to: "tags", deprecated: true },
    },
  },
  FileSource: {
    dsl: "FileSource",
    options: {
      ...batchSource,
      path: { to: "path", conv: "path" },
      file_format: { to: "fileFormat", conv: "fileFormat" },
    },
  },
  PostgreSQLSource: { dsl: "PostgresSource", options: warehouse({}) },
  BigQuerySource: {
    dsl: "BigQuerySource",
    options: warehouse({
      table_ref: { to: "table", deprecated: true },
      date_partition_column: { to: "datePartitionColumn" },
    }),
  },
  SnowflakeSource: {
    dsl: "SnowflakeSource",
    options: warehouse({
      database: { to: "database" },
      schema: { to: "schema" },
      warehouse: { to: "warehouse" },
    }),
  },
  RedshiftSource: {
    dsl: "RedshiftSource",
    options: warehouse({ database: { to: "database" }, schema: { to: "schema" } }),
  },
  SparkSource: {
    dsl: "SparkSource",
    options: warehouse({ path: { to: "path", conv: "path" }, file_format: { to: "fileFormat" } }),
  },
  TrinoSource: { dsl: "TrinoSource", options: warehouse({ connector_args: { to: "connectorArgs" } }) },
  PushSource: {
    dsl: "PushSource",
    options: { ...common, batch_source: { to: "batchSource" } },
  },
  RequestSource: {
    dsl: "RequestSource",
    options: { ...common, schema: { to: "schema", conv: "requestSchema" } },
  },
  KafkaSource: {
    dsl: "KafkaSource",
    options: {
      ...batchSource,
      kafka_bootstrap_servers: { to: "bootstrapServers" },
      bootstrap_servers: { to: "bootstrapServers", deprecated: true },
      topic: { to: "topic" },
      message_format: { to: "messageFormat", conv: "format" },
      batch_source: { to: "batchSource" },
      watermark_delay_threshold: { to: "watermarkDelayThreshold", conv: "duration" },
    },
  },
  KinesisSource: {
    dsl: "KinesisSource",
    options: {
      ...batchSource,
      region: { to: "region" },
      stream_name: { to: "streamName" },
      record_format: { to: "recordFormat", conv: "format" },
      batch_source: { to: "batchSource" },
      watermark_delay_threshold: { to: "watermarkDelayThreshold", conv: "duration" },
    },
  },
  FeatureView: {
    dsl: "FeatureView",
    options: {
      ...viewCommon,
      source: { to: "source" },
      batch_source: { to: "source", deprecated: true },
      features: { to: "schema", conv: "features", deprecated: true },
      version: { to: "version" },
    },
  },
  BatchFeatureView: {
    dsl: "BatchFeatureView",
    options: { ...viewCommon, source: { to: "source" }, version: { to: "version" } },
  },
  OnDemandFeatureView: {
    dsl: "OnDemandFeatureView",
    options: {
      ...common,
      sources: { to: "sources", conv: "sources" },
      inputs: { to: "sources", conv: "sources", deprecated: true },
      schema: { to: "schema" },
      features: { to: "schema", conv: "features", deprecated: true },
      mode: { to: "mode", conv: "mode" },
      singleton: { to: "singleton" },
      version: { to: "version" },
      write_to_online_store: { to: "writeToOnlineStore" },
      entities: { to: "entities", conv: "entities" },
    },
  },
  StreamFeatureView: {
    dsl: "StreamFeatureView",
    options: {
      ...viewCommon,
      source: { to: "source" },
      aggregations: { to: "aggregations" },
      timestamp_field: { to: "timestampField" },
      version: { to: "version" },
    },
    ignored: { mode: "fsops records no stream engine (the transformation itself is reported when present)" },
  },
  Aggregation: {
    dsl: "Aggregation",
    positional: ["column", "function", "time_window", "slide_interval"],
    options: {
      column: { to: "column" },
      function: { to: "function" },
      time_window: { to: "timeWindow", conv: "duration" },
      slide_interval: { to: "slideInterval", conv: "duration" },
      name: { to: "name" },
    },
  },
  FeatureService: {
    dsl: "FeatureService",
    options: {
      ...common,
      features: { to: "features" },
      logging_config: { to: "loggingConfig" },
    },
  },
  Project: {
    dsl: "Project",
    options: common,
  },
};

/** Decorators that turn the function below them into a view named after the function. */
export const FEAST_DECORATORS: Readonly<Record<string, string>> = {
  on_demand_feature_view: "OnDemandFeatureView",
  stream_feature_view: "StreamFeatureView",
  batch_feature_view: "BatchFeatureView",
};

/** Feast's message formats → fsops `messageFormat`. */
export const FEAST_FORMATS: Readonly<Record<string, string>> = {
  JsonFormat: "json",
  AvroFormat: "avro",
  ProtoFormat: "protobuf",
};

/** Feast's logging configuration: `LoggingConfig(destination=..., sample_rate=...)`. */
export const LOGGING_CONFIG = "LoggingConfig";
export const LOGGING_DESTINATIONS: Readonly<Record<string, string>> = {
  FileLoggingDestination: "file",
  BigQueryLoggingDestination: "bigquery",
  SnowflakeLoggingDestination: "snowflake",
  RedshiftLoggingDestination: "redshift",
  SparkLoggingDestination: "spark",
  PostgreSQLLoggingDestination: "postgres",
};

/** Scalar types of `feast.types`. */
export const FEAST_PRIMITIVE_TYPES: Readonly<Record<string, string>> = {
  Int32: "int32",
  Int64: "int64",
  Float32: "float32",
  Float64: "float64",
  String: "string",
  Bytes: "bytes",
  Bool: "bool",
  UnixTimestamp: "unix_timestamp",
  Map: "map",
  Json: "json",
  Uuid: "uuid",
  TimeUuid: "time_uuid",
  Decimal: "decimal",
};

/** `ValueType.X` (entities' and old features' types). */
export const FEAST_VALUE_TYPES: Readonly<Record<string, string>> = {
  INT32: "int32",
  INT64: "int64",
  FLOAT: "float32",
  DOUBLE: "float64",
  STRING: "string",
  BYTES: "bytes",
  BOOL: "bool",
  UNIX_TIMESTAMP: "unix_timestamp",
  INT32_LIST: "int32[]",
  INT64_LIST: "int64[]",
  FLOAT_LIST: "float32[]",
  DOUBLE_LIST: "float64[]",
  STRING_LIST: "string[]",
  BYTES_LIST: "bytes[]",
  BOOL_LIST: "bool[]",
  UNIX_TIMESTAMP_LIST: "unix_timestamp[]",
  MAP: "map",
  JSON: "json",
  UUID: "uuid",
  TIME_UUID: "time_uuid",
  DECIMAL: "decimal",
  MAP_LIST: "map[]",
  JSON_LIST: "json[]",
  UUID_LIST: "uuid[]",
  DECIMAL_LIST: "decimal[]",
};

/** Feast's file formats → fsops `fileFormat`. */
export const FEAST_FILE_FORMATS: Readonly<Record<string, string>> = {
  ParquetFormat: "parquet",
  DeltaFormat: "delta",
  CsvFormat: "csv",
};

/** Python keyword arguments → camelCase, for arguments of classes the importer has no table for. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
