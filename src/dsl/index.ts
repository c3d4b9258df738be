/**
 * The public DSL: `import { Entity, FeatureView, … } from "fsops"`.
 *
 * These are plain descriptor classes so editors complete option names and flag a wrong dtype
 * literal, and so users can construct them in their own tests. fsops itself never runs them: it
 * reads the files statically (src/parse) and only recognizes these names by import.
 */
import type { AggregationFunction, Dtype, MessageFormat } from "../model/kinds.js";

export type { AggregationFunction, Dtype, MessageFormat, ScalarDtype } from "../model/kinds.js";

/** `"90s" "30m" "12h" "1d" "1d12h"` or a number of seconds. */
export type Duration = number | `${number}${"s" | "m" | "h" | "d"}${string}`;

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
  /** Type of the join keys; defaults to `"string"`. */
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
export interface FileSourceOptions extends BatchSourceOptions {
  path: string;
}
export class FileSource extends Descriptor<FileSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name;
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

export type BatchSource = FileSource | PostgresSource;

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
}
export class KafkaSource extends Descriptor<KafkaSourceOptions> {
  readonly kind = "data_source" as const;
  get name(): string {
    return this.options.name;
  }
}

export type DataSource = FileSource | PostgresSource | PushSource | RequestSource | KafkaSource;

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

export interface FeatureViewOptions extends CommonOptions {
  name: string;
  entities: Entity[];
  schema: Field[];
  source: BatchSource | PushSource | KafkaSource;
  ttl?: Duration;
  /** Defaults to true: a table in the online store. */
  online?: boolean;
  offline?: boolean;
  /**
   * How often `fsops materialize-incremental --due` refreshes this view: `"@hourly"`,
   * `"@daily"` or a cron expression (`"15 * * * *"`, UTC).
   */
  batchSchedule?: string;
}
export class FeatureView extends Selectable<FeatureViewOptions> {
  readonly kind = "feature_view" as const;
  get name(): string {
    return this.options.name;
  }
}

export interface OnDemandFeatureViewOptions extends CommonOptions {
  name: string;
  sources: (FeatureView | StreamFeatureView | FeatureViewProjection | RequestSource)[];
  schema: Field[];
  /** Recorded as source text and never run by fsops. */
  transform: (inputs: Record<string, unknown[]>) => Record<string, unknown[]>;
}
export class OnDemandFeatureView extends Selectable<OnDemandFeatureViewOptions> {
  readonly kind = "on_demand_feature_view" as const;
  get name(): string {
    return this.options.name;
  }
}

export interface AggregationOptions {
  column: string;
  function: AggregationFunction;
  timeWindow: Duration;
}
export class Aggregation extends Descriptor<AggregationOptions> {
  readonly kind = "aggregation" as const;
}

export interface StreamFeatureViewOptions extends CommonOptions {
  name: string;
  entities: Entity[];
  schema: Field[];
  source: KafkaSource | PushSource;
  aggregations?: Aggregation[];
  ttl?: Duration;
  online?: boolean;
}
export class StreamFeatureView extends Selectable<StreamFeatureViewOptions> {
  readonly kind = "stream_feature_view" as const;
  get name(): string {
    return this.options.name;
  }
}

export type AnyFeatureView = FeatureView | OnDemandFeatureView | StreamFeatureView;

export interface FeatureServiceOptions extends CommonOptions {
  name: string;
  features: (AnyFeatureView | FeatureViewProjection)[];
}
export class FeatureService extends Descriptor<FeatureServiceOptions> {
  readonly kind = "feature_service" as const;
  get name(): string {
    return this.options.name;
  }
}
