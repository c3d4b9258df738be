/**
 * Canonical specs (src/model/spec.ts): defaults filled, durations in seconds, record keys sorted,
 * references by name, no locations. Every builder writes its keys in one fixed order (common
 * keys, then the interface's own keys in declaration order) so `JSON.stringify` of a spec is
 * byte-identical whatever order the files were read in; the diff and the registry rely on it.
 */
import type { DslObject } from "../model/evaluated.js";
import type { DslClassName } from "../model/kinds.js";
import type {
  AggregationSpec,
  AnySpec,
  DataSourceSpec,
  EntitySpec,
  FeatureServiceSpec,
  FeatureViewRef,
  FeatureViewSpec,
  FieldSpec,
  OnDemandFeatureViewSpec,
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
 * A Field's `description` and `tags` are accepted (the DSL types allow them, as Feast does) but
 * not kept: FieldSpec is `{ name, dtype }` because the registry contract and the online-store
 * layout only depend on those; adding them later is a spec change every consumer must follow.
 */
export function fieldSpec(o: OptionsOf<"Field">): FieldSpec {
  return { name: o.name, dtype: o.dtype };
}

export function aggregationSpec(o: OptionsOf<"Aggregation">): AggregationSpec {
  return { column: o.column, function: o.function, timeWindow: o.timeWindow };
}

function fieldSpecs(fields: readonly DslObject[], c: SpecContext): FieldSpec[] {
  return fields.map((f) => c.fieldOf(f));
}

/** What the builders need to resolve values nested in an object. */
export interface SpecContext {
  nameOf(obj: DslObject): string;
  fieldOf(obj: DslObject): FieldSpec;
  aggregationOf(obj: DslObject): AggregationSpec;
}

function entitySpec(o: OptionsOf<"Entity">): EntitySpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    joinKeys: o.joinKeys ? [...o.joinKeys] : [o.name],
    valueType: o.valueType ?? "string",
  };
}

function fileSourceSpec(o: OptionsOf<"FileSource">): DataSourceSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    type: "file",
    path: o.path,
    timestampField: o.timestampField,
    createdTimestampColumn: o.createdTimestampColumn ?? null,
    fieldMapping: sortedRecord(o.fieldMapping),
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
  return {
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
}

function featureViewSpec(o: OptionsOf<"FeatureView">, c: SpecContext): FeatureViewSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    entities: o.entities.map((e) => c.nameOf(e)),
    schema: fieldSpecs(o.schema, c),
    source: c.nameOf(o.source),
    ttl: o.ttl ?? 0,
    online: o.online ?? true,
    offline: o.offline ?? false,
    // Only when set: specs (and registries) of views without a schedule stay byte-identical.
    ...(o.batchSchedule !== undefined ? { batchSchedule: o.batchSchedule } : {}),
  };
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
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    sources,
    schema: fieldSpecs(o.schema, c),
    transform: o.transform,
  };
}

function streamFeatureViewSpec(o: OptionsOf<"StreamFeatureView">, c: SpecContext): StreamFeatureViewSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    entities: o.entities.map((e) => c.nameOf(e)),
    schema: fieldSpecs(o.schema, c),
    source: c.nameOf(o.source),
    aggregations: (o.aggregations ?? []).map((a) => c.aggregationOf(a)),
    ttl: o.ttl ?? 0,
    online: o.online ?? true,
  };
}

function featureServiceSpec(o: OptionsOf<"FeatureService">, c: SpecContext): FeatureServiceSpec {
  return {
    name: o.name,
    description: o.description ?? "",
    tags: sortedRecord(o.tags),
    owner: o.owner ?? "",
    features: o.features.map((s): FeatureViewRef => ({
      view: c.nameOf(s.view),
      features: s.features ? [...s.features] : null,
    })),
  };
}

/** The registered spec of a fully valid object; null for the value classes (Field, Aggregation). */
export function specOf(cls: DslClassName, options: unknown, c: SpecContext): AnySpec | null {
  // `options` is the schema output for `cls` (the caller parsed it with SCHEMAS[cls]).
  switch (cls) {
    case "Entity":
      return entitySpec(options as OptionsOf<"Entity">);
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
      return featureViewSpec(options as OptionsOf<"FeatureView">, c);
    case "OnDemandFeatureView":
      return onDemandFeatureViewSpec(options as OptionsOf<"OnDemandFeatureView">, c);
    case "StreamFeatureView":
      return streamFeatureViewSpec(options as OptionsOf<"StreamFeatureView">, c);
    case "FeatureService":
      return featureServiceSpec(options as OptionsOf<"FeatureService">, c);
    case "Field":
    case "Aggregation":
      return null;
  }
}
