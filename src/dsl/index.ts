/**
 * The public DSL: `import { Entity, FeatureView, … } from "fsops"`.
 *
 * These are plain descriptor classes so editors complete option names and flag a wrong dtype
 * literal, and so users can construct them in their own tests. fsops itself never runs them: it
 * reads the files statically (src/parse) and only recognizes these names by import.
 */
import type {
  AggregationFunction,
  Dtype,
  FileFormat,
  MessageFormat,
  SparkFileFormat,
  VectorSearchMetric,
} from "../model/kinds.js";

export type {
  AggregationFunction,
  Dtype,
  ElementDtype,
  ExtendedDtype,
  FileFormat,
  MessageFormat,
  ScalarDtype,
  SparkFileFormat,
  StructDtype,
  VectorSearchMetric,
} from "../model/kinds.js";

/**
 * `"90s" "30m" "12h" "1d" "1d12h" "520w"` or a number of seconds (Feast's `timedelta(weeks=520)`
 * is `"520w"`).
 */
export type Duration = number | `${number}${"s" | "m" | "h" | "d" | "w"}${string}`;

export interface CommonOptions {
  description?: string;
  tags?: Record<string, string>;
  owner?: string;
}

abstract class Descriptor<O> {
  constructor(readonly options: O) {}
}

export interface EntityOptions extends CommonOptions {
  name: string;
  /** Defaults to `[name]`. */
  joinKeys?: string[];
  /**
   * Type of the join keys. When absent, a view's schema may type them (a `Field` named like the
   * key, Feast's way); when nobody states it, `"string"` is assumed with a warning.
   */
  valueType?: Dtype;
}
export class Entity extends Descriptor<EntityOptions> {
  readonly kind = "entity" as const;
  get name(): string {
    return this.options.name;
  }
}

export interface FieldOptions {
  name: string;
  dtype: Dtype;
  description?: string;
  tags?: Record<string, string>;
  /** The field is a vector searched by similarity (Feast's `vector_index`). */
  vectorIndex?: boolean;
  /** Number of elements of the vector (Feast's `vector_length`). */
  vectorLength?: number;
  vectorSearchMetric?: VectorSearchMetric;
}
export class Field extends Descriptor<FieldOptions> {
  readonly kind = "field" as const;
  get name(): string {
    return this.options.name;
  }
}

interface BatchSourceOptions extends CommonOptions {
  name: string;
  timestampField: string;
  createdTimestampColumn?: string;
  /** Source column → feature name. */
  fieldMapping?: Record<string, string>;
}
export interface FileSourceOptions extends Omit<BatchSourceOptions, "name"> {
  /** Defaults to `path` (Feast's default name of a file source). */
  name?: string;
  path: string;
  fileFormat?: FileFormat;
}
export class FileSource extends Descriptor<FileSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name ?? this.options.path;
  }
}

export type PostgresSourceOptions = BatchSourceOptions &
  ({ table: string; query?: never } | { query: string; table?: never });
export class PostgresSource extends Descriptor<PostgresSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name;
  }
}

/**
 * Options shared by the warehouse sources fsops registers but cannot read (BigQuery, Snowflake,
 * Redshift, Spark, Trino): they are registered, diffed and planned; `materialize` and training
 * data say they cannot read them.
 */
interface WarehouseSourceOptions extends CommonOptions {
  /** Defaults to `table` when there is one (Feast's default); required with `query`. */
  name?: string;
  table?: string;
  query?: string;
  /** Feast's default is no event timestamp (""); fsops stores null. */
  timestampField?: string;
  createdTimestampColumn?: string;
  fieldMapping?: Record<string, string>;
}

export interface BigQuerySourceOptions extends WarehouseSourceOptions {
  /** Feast's `date_partition_column`. */
  datePartitionColumn?: string;
}
export class BigQuerySource extends Descriptor<BigQuerySourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name ?? this.options.table ?? "";
  }
}

export interface SnowflakeSourceOptions extends WarehouseSourceOptions {
  database?: string;
  schema?: string;
  warehouse?: string;
}
export class SnowflakeSource extends Descriptor<SnowflakeSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name ?? this.options.table ?? "";
  }
}

export interface RedshiftSourceOptions extends WarehouseSourceOptions {
  database?: string;
  schema?: string;
}
export class RedshiftSource extends Descriptor<RedshiftSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name ?? this.options.table ?? "";
  }
}

export interface SparkSourceOptions extends WarehouseSourceOptions {
  /** Files read by Spark (exactly one of table, query, path). */
  path?: string;
  fileFormat?: SparkFileFormat;
}
export class SparkSource extends Descriptor<SparkSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name ?? this.options.table ?? "";
  }
}

export interface TrinoSourceOptions extends WarehouseSourceOptions {
  /** Trino connector properties, as Feast's `connector_args` (string values). */
  connectorArgs?: Record<string, string>;
}
export class TrinoSource extends Descriptor<TrinoSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name ?? this.options.table ?? "";
  }
}

export type WarehouseSource = BigQuerySource | SnowflakeSource | RedshiftSource | SparkSource | TrinoSource;
export type BatchSource = FileSource | PostgresSource | WarehouseSource;

export interface PushSourceOptions extends CommonOptions {
  name: string;
  batchSource: BatchSource;
}
export class PushSource extends Descriptor<PushSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name;
  }
}

export interface RequestSourceOptions extends CommonOptions {
  name: string;
  schema: Field[];
}
export class RequestSource extends Descriptor<RequestSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name;
  }
}

export interface KafkaSourceOptions extends CommonOptions {
  name: string;
  bootstrapServers: string;
  topic: string;
  timestampField: string;
  messageFormat: MessageFormat;
  batchSource: BatchSource;
  createdTimestampColumn?: string;
  fieldMapping?: Record<string, string>;
  /** How late an event may arrive (Feast's `watermark_delay_threshold`). */
  watermarkDelayThreshold?: Duration;
}
export class KafkaSource extends Descriptor<KafkaSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name;
  }
}

/** Feast's `KinesisSource`: registered, never read by fsops. */
export interface KinesisSourceOptions extends CommonOptions {
  name: string;
  region: string;
  streamName: string;
  /** Feast's `record_format`. */
  recordFormat: MessageFormat;
  timestampField: string;
  batchSource: BatchSource;
  createdTimestampColumn?: string;
  fieldMapping?: Record<string, string>;
  watermarkDelayThreshold?: Duration;
}
export class KinesisSource extends Descriptor<KinesisSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name;
  }
}

export type StreamSource = KafkaSource | KinesisSource;
export type DataSource = BatchSource | PushSource | RequestSource | StreamSource;

/** `featureView.select([...])`: a subset of a view's features, for services and on-demand views. */
export class FeatureViewProjection {
  constructor(
    readonly view: AnyFeatureView,
    readonly features: string[],
  ) {}
}

abstract class Selectable<O> extends Descriptor<O> {
  select(features: string[]): FeatureViewProjection {
    return new FeatureViewProjection(this as unknown as AnyFeatureView, features);
  }
}

/** A view's version label (Feast's `version`), stored as text: `2` and `"2"` are the same. */
export type ViewVersion = string | number;

export interface FeatureViewOptions extends CommonOptions {
  name: string;
  /**
   * Omitted or `[]`: a view without entities (Feast's entity-less views). Its online table has
   * one key column, Feast's dummy key `__dummy_id`, holding one row.
   */
  entities?: Entity[];
  /** Features, and optionally Fields named like join keys to type them (Feast's idiom). */
  schema: Field[];
  source: BatchSource | PushSource | StreamSource;
  ttl?: Duration;
  /** Defaults to true: a table in the online store. */
  online?: boolean;
  offline?: boolean;
  version?: ViewVersion;
}
export class FeatureView extends Selectable<FeatureViewOptions> {
  readonly kind = "feature_view" as const;
  get name(): string {
    return this.options.name;
  }
}

/** Feast's `BatchFeatureView`: a feature view over a batch source, optionally with a transform. */
export interface BatchFeatureViewOptions extends Omit<FeatureViewOptions, "source"> {
  source: BatchSource;
  /** Recorded as source text and never run by plan/apply (Feast's `udf`). */
  transform?: (inputs: Record<string, unknown[]>) => Record<string, unknown[]>;
}
export class BatchFeatureView extends Selectable<BatchFeatureViewOptions> {
  readonly kind = "feature_view" as const;
  get name(): string {
    return this.options.name;
  }
}

/**
 * How an on-demand transform is called: `"batch"` (default) with columns
 * (`Record<string, unknown[]>`, Feast's "pandas" and "python" modes), `"row"` with one row's
 * values (`Record<string, unknown>`, Feast's `singleton=True`).
 */
export type OnDemandMode = "batch" | "row";
export type BatchTransform = (inputs: Record<string, unknown[]>) => Record<string, unknown[]>;
export type RowTransform = (row: Record<string, unknown>) => Record<string, unknown>;

interface OnDemandFeatureViewBase extends CommonOptions {
  name: string;
  sources: (FeatureView | BatchFeatureView | StreamFeatureView | FeatureViewProjection | RequestSource)[];
  schema: Field[];
  /**
   * Feast's `write_to_online_store`: the transform runs when data is written and its outputs are
   * stored online (a table keyed like `entities`), instead of running at read time.
   */
  writeToOnlineStore?: boolean;
  /** Keys of the stored outputs when `writeToOnlineStore` is true. */
  entities?: Entity[];
  version?: ViewVersion;
}
/**
 * `transform` is recorded as source text and never run by fsops' plan or apply. `singleton: true`
 * is Feast's spelling of `mode: "row"`; with `mode: "batch"` it is an error.
 */
export type OnDemandFeatureViewOptions = OnDemandFeatureViewBase &
  (
    | { mode?: "batch"; singleton?: false; transform: BatchTransform }
    | { mode: "row"; singleton?: boolean; transform: RowTransform }
    | { mode?: "row"; singleton: true; transform: RowTransform }
  );
export class OnDemandFeatureView extends Selectable<OnDemandFeatureViewOptions> {
  readonly kind = "on_demand_feature_view" as const;
  get name(): string {
    return this.options.name;
  }
}

export interface AggregationOptions {
  /** A column of the view's source (not necessarily a schema field). */
  column: string;
  function: AggregationFunction;
  timeWindow: Duration;
  /**
   * The output feature. Default: `column` when the column is itself a schema field (Feast's
   * convention), else `<column>_<function>_<timeWindow>` like `amount_sum_1h`.
   */
  name?: string;
  /** How often the window advances (Feast's `slide_interval`); defaults to `timeWindow`. */
  slideInterval?: Duration;
}
export class Aggregation extends Descriptor<AggregationOptions> {
  readonly kind = "aggregation" as const;
}

export interface StreamFeatureViewOptions extends CommonOptions {
  name: string;
  entities?: Entity[];
  /** The view's outputs: every aggregation output must be listed here. */
  schema: Field[];
  source: StreamSource | PushSource;
  aggregations?: Aggregation[];
  /** The event-time column aggregations are windowed on; defaults to the source's. */
  timestampField?: string;
  ttl?: Duration;
  online?: boolean;
  offline?: boolean;
  version?: ViewVersion;
}
export class StreamFeatureView extends Selectable<StreamFeatureViewOptions> {
  readonly kind = "stream_feature_view" as const;
  get name(): string {
    return this.options.name;
  }
}

export type AnyFeatureView = FeatureView | BatchFeatureView | OnDemandFeatureView | StreamFeatureView;

/** Where served feature vectors are logged (Feast's `LoggingConfig.destination`). */
export type LoggingDestination =
  | { type: "file"; path: string; partitionBy?: string[] }
  | { type: "postgres" | "bigquery" | "snowflake" | "redshift" | "spark" | "trino"; table: string };

export interface LoggingConfig {
  destination: LoggingDestination;
  /** Fraction of requests logged, in (0, 1]; defaults to 1. */
  sampleRate?: number;
}

export interface FeatureServiceOptions extends CommonOptions {
  name: string;
  features: (AnyFeatureView | FeatureViewProjection)[];
  loggingConfig?: LoggingConfig;
}
export class FeatureService extends Descriptor<FeatureServiceOptions> {
  readonly kind = "feature_service" as const;
  get name(): string {
    return this.options.name;
  }
}

/**
 * Feast's `Project`: the project's description and tags, registered like the other objects.
 * `name` must be the `project` of fsops.yaml; at most one per project.
 */
export interface ProjectOptions {
  name: string;
  description?: string;
  tags?: Record<string, string>;
  owner?: string;
}
export class Project extends Descriptor<ProjectOptions> {
  readonly kind = "project" as const;
  get name(): string {
    return this.options.name;
  }
}
