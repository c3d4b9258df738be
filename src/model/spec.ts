import type { AggregationFunction, Dtype, MessageFormat, ObjectKind } from "./kinds.js";
import type { VectorSearchMetric } from "./kinds.js";
import type { SourceLocation } from "./diagnostic.js";
import type { FileFormat, SparkFileFormat } from "./kinds.js";

/**
 * Canonical, normalized specs: defaults filled, durations in seconds, tags sorted, references by
 * name, no source locations. This is what the registry stores and the diff compares; same
 * definitions give byte-identical specs whatever the file order.
 */
interface Common {
  name: string;
  description: string; // "" when absent
  tags: Record<string, string>; // keys sorted
  owner: string; // "" when absent
}

/**
 * A field. The optional keys are present only when set, so a registry written before they existed
 * reads back equal (no spurious "update" in plans) and byte-identical specs stay byte-identical.
 */
export interface FieldSpec {
  name: string;
  dtype: Dtype;
  description?: string; // only when non-empty
  tags?: Record<string, string>; // only when non-empty; keys sorted
  vectorIndex?: true;
  vectorLength?: number;
  vectorSearchMetric?: VectorSearchMetric;
}

/** Feast's Project: the project's own description, tags and owner (its name is fsops.yaml's). */
export type ProjectSpec = Common;

export interface EntitySpec extends Common {
  joinKeys: string[]; // default [name]
  valueType: Dtype; // default "string"
}

export interface FileSourceSpec extends Common {
  type: "file";
  path: string;
  timestampField: string;
  createdTimestampColumn: string | null;
  fieldMapping: Record<string, string>; // keys sorted
  fileFormat?: FileFormat; // only when written
}
export interface PostgresSourceSpec extends Common {
  type: "postgres";
  table: string | null; // exactly one of table / query
  query: string | null;
  timestampField: string;
  createdTimestampColumn: string | null;
  fieldMapping: Record<string, string>;
}
export interface PushSourceSpec extends Common {
  type: "push";
  batchSource: string;
}
export interface RequestSourceSpec extends Common {
  type: "request";
  schema: FieldSpec[];
}
export interface KafkaSourceSpec extends Common {
  type: "kafka";
  bootstrapServers: string;
  topic: string;
  timestampField: string;
  messageFormat: MessageFormat;
  batchSource: string;
  // Only when written (older registries have none of them):
  createdTimestampColumn?: string;
  fieldMapping?: Record<string, string>;
  watermarkDelayThreshold?: number; // seconds
}

/** Kinesis (Feast's KinesisSource): registered and planned; fsops never reads it. */
export interface KinesisSourceSpec extends Common {
  type: "kinesis";
  region: string;
  streamName: string;
  recordFormat: MessageFormat;
  timestampField: string;
  batchSource: string;
  createdTimestampColumn: string | null;
  fieldMapping: Record<string, string>;
  watermarkDelayThreshold: number | null; // seconds
}

/** Options every warehouse source has (Feast's: table or query, timestamps, field mapping). */
interface WarehouseSpecBase extends Common {
  table: string | null;
  query: string | null;
  timestampField: string | null; // null: none (Feast's "")
  createdTimestampColumn: string | null;
  fieldMapping: Record<string, string>;
}
export interface BigQuerySourceSpec extends WarehouseSpecBase {
  type: "bigquery";
  datePartitionColumn: string | null;
}
export interface SnowflakeSourceSpec extends WarehouseSpecBase {
  type: "snowflake";
  database: string | null;
  schema: string | null;
  warehouse: string | null;
}
export interface RedshiftSourceSpec extends WarehouseSpecBase {
  type: "redshift";
  database: string | null;
  schema: string | null;
}
export interface SparkSourceSpec extends WarehouseSpecBase {
  type: "spark";
  path: string | null;
  fileFormat: SparkFileFormat | null;
}
export interface TrinoSourceSpec extends WarehouseSpecBase {
  type: "trino";
  connectorArgs: Record<string, string>;
}
export type WarehouseSourceSpec =
  BigQuerySourceSpec | SnowflakeSourceSpec | RedshiftSourceSpec | SparkSourceSpec | TrinoSourceSpec;

/** Source types fsops registers but cannot read data from (materialize, training data refuse them). */
export const REGISTRY_ONLY_SOURCE_TYPES = [
  "bigquery",
  "snowflake",
  "redshift",
  "spark",
  "trino",
  "kinesis",
] as const;

export type DataSourceSpec =
  | FileSourceSpec
  | PostgresSourceSpec
  | PushSourceSpec
  | RequestSourceSpec
  | KafkaSourceSpec
  | KinesisSourceSpec
  | WarehouseSourceSpec;

export interface FeatureViewSpec extends Common {
  entities: string[]; // order kept: it is the key column order; [] = Feast's entity-less view
  schema: FieldSpec[]; // order kept: it is the column order (features only)
  source: string;
  ttl: number; // seconds; 0 = no expiry
  online: boolean; // default true
  offline: boolean; // default false
  // Only when written (older registries have none of them):
  /** Fields of the schema named like join keys (Feast's way to type them), in written order. */
  entityColumns?: FieldSpec[];
  /** A Feast BatchFeatureView (same table as a FeatureView). */
  type?: "batch";
  /** BatchFeatureView's transform: source text, never run by plan or apply. */
  transform?: string;
  version?: string;
}

/** A reference to a feature view (any feature-view kind) or a projection of it. */
export interface FeatureViewRef {
  view: string;
  features: string[] | null; // null = every feature of the view
}

export interface OnDemandSourceRef {
  type: "feature_view" | "request_source";
  name: string;
  features: string[] | null; // only for feature views; null = all
}

export interface OnDemandFeatureViewSpec extends Common {
  sources: OnDemandSourceRef[];
  schema: FieldSpec[];
  transform: string; // source text of the function, never run
  // Only when not the default (older registries have none of them):
  mode?: "row"; // absent: "batch"
  writeToOnlineStore?: true;
  entities?: string[]; // only with writeToOnlineStore
  version?: string;
}

export interface AggregationSpec {
  column: string; // a column of the source
  function: AggregationFunction;
  timeWindow: number; // seconds
  name?: string; // only when written; see aggregationOutputName
  slideInterval?: number; // seconds; only when written
}

export interface StreamFeatureViewSpec extends Common {
  entities: string[];
  schema: FieldSpec[]; // the view's outputs
  source: string;
  aggregations: AggregationSpec[];
  ttl: number;
  online: boolean;
  // Only when written:
  offline?: boolean;
  timestampField?: string;
  entityColumns?: FieldSpec[];
  version?: string;
}

export type LoggingDestinationSpec =
  | { type: "file"; path: string; partitionBy: string[] }
  | { type: "postgres" | "bigquery" | "snowflake" | "redshift" | "spark" | "trino"; table: string };

export interface LoggingConfigSpec {
  destination: LoggingDestinationSpec;
  sampleRate: number; // default 1
}

export interface FeatureServiceSpec extends Common {
  features: FeatureViewRef[];
  loggingConfig?: LoggingConfigSpec; // only when written
}

export interface SpecByKind {
  project: ProjectSpec;
  entity: EntitySpec;
  data_source: DataSourceSpec;
  feature_view: FeatureViewSpec;
  on_demand_feature_view: OnDemandFeatureViewSpec;
  stream_feature_view: StreamFeatureViewSpec;
  feature_service: FeatureServiceSpec;
}
export type AnySpec = SpecByKind[ObjectKind];

/** One validated object of the desired state. */
export interface DesiredObject<K extends ObjectKind = ObjectKind> {
  kind: K;
  name: string;
  spec: SpecByKind[K];
  /** Where it is defined: kept beside the spec, never inside it. */
  location: SourceLocation;
}

export interface GraphEdge {
  from: string; // dependent `kind:name`
  to: string; // dependency `kind:name`
}

/** The validated desired-state graph of one project. */
export interface DesiredState {
  project: string;
  /** Sorted by kind order, then name. */
  objects: DesiredObject[];
  /** Sorted by from, then to. */
  edges: GraphEdge[];
}
