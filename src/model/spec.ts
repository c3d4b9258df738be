import type { AggregationFunction, Dtype, MessageFormat, ObjectKind } from "./kinds.js";
import type { SourceLocation } from "./diagnostic.js";

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

export interface FieldSpec {
  name: string;
  dtype: Dtype;
}

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
}
export type DataSourceSpec =
  FileSourceSpec | PostgresSourceSpec | PushSourceSpec | RequestSourceSpec | KafkaSourceSpec;

export interface FeatureViewSpec extends Common {
  entities: string[]; // order kept: it is the key column order
  schema: FieldSpec[]; // order kept: it is the column order
  source: string;
  ttl: number; // seconds; 0 = no expiry
  online: boolean; // default true
  offline: boolean; // default false
  /** `"@hourly"`, `"@daily"` or a cron expression (UTC); absent = no schedule. */
  batchSchedule?: string;
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
}

export interface AggregationSpec {
  column: string;
  function: AggregationFunction;
  timeWindow: number; // seconds
}

export interface StreamFeatureViewSpec extends Common {
  entities: string[];
  schema: FieldSpec[];
  source: string;
  aggregations: AggregationSpec[];
  ttl: number;
  online: boolean;
}

export interface FeatureServiceSpec extends Common {
  features: FeatureViewRef[];
}

export interface SpecByKind {
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
