/**
 * Which offline source a view reads and which of its columns become the canonical columns
 * (join keys, features, event timestamp, created timestamp). Pure: a function of the registry's
 * applied state, never of local definitions, so what is filled is what was reviewed.
 */
import type { RegistryObject, RegistryState } from "../model/registry.js";
import type {
  DataSourceSpec,
  EntitySpec,
  FeatureViewSpec,
  FileSourceSpec,
  PostgresSourceSpec,
  StreamFeatureViewSpec,
} from "../model/spec.js";
import { DUMMY_ENTITY_KEY } from "../infra/layout.js";
import { OfflineSourceError } from "./errors.js";

/** A column of the canonical shape and the source column it is read from. */
export interface MappedColumn {
  /** Canonical name: the join key or feature name (the online column). */
  name: string;
  dtype: string;
  /** Column of the source relation, after `fieldMapping` (source column → feature name). */
  column: string;
}

export type BatchSourceSpec = FileSourceSpec | PostgresSourceSpec;

export interface ViewSource {
  view: string;
  kind: "feature_view" | "stream_feature_view";
  /** Join keys in key order; a view without entities has the constant dummy key (column null). */
  keys: MappedColumn[];
  features: MappedColumn[];
  /** Source column of the event timestamp (`timestampField`). */
  eventTimestamp: string;
  /** Source column of the created timestamp, or null. */
  createdTimestamp: string | null;
  /** ttl in seconds, 0 = none. */
  ttl: number;
  online: boolean;
  /** The batch source read (a push/Kafka source's `batchSource` is followed). */
  source: { name: string; spec: BatchSourceSpec; file: string | null; line: number | null };
  /** The push source feeding the view, when there is one. */
  pushSource: string | null;
  /** `batchSchedule` of the view, when set. */
  batchSchedule: string | null;
}

type ViewSpec = FeatureViewSpec | StreamFeatureViewSpec;

function find(state: RegistryState, kind: RegistryObject["kind"], name: string): RegistryObject | undefined {
  return state.objects.find((o) => o.kind === kind && o.name === name);
}

/** Names of the feature views and stream feature views of the applied state, sorted. */
export function viewNames(state: RegistryState): string[] {
  return state.objects
    .filter((o) => o.kind === "feature_view" || o.kind === "stream_feature_view")
    .map((o) => o.name)
    .sort();
}

/** The source column a canonical name is read from (fieldMapping maps source column → name). */
export function columnFor(mapping: Record<string, string>, name: string): string {
  return Object.keys(mapping).find((col) => mapping[col] === name) ?? name;
}

/**
 * Resolve `view` of the applied state to its batch source and canonical columns. Throws
 * `OfflineSourceError` when the view is unknown or reads a source that is not a batch source.
 */
export function viewSource(state: RegistryState, view: string): ViewSource {
  const object = find(state, "feature_view", view) ?? find(state, "stream_feature_view", view) ?? undefined;
  if (object === undefined) {
    throw new OfflineSourceError(
      `${state.project}: no feature view named ${JSON.stringify(view)} in the applied registry state`,
      `views: ${viewNames(state).join(", ") || "(none)"}; apply the definitions first (fsops apply)`,
    );
  }
  const spec = object.spec as ViewSpec;
  let sourceObject = find(state, "data_source", spec.source);
  let pushSource: string | null = null;
  let sourceSpec = sourceObject?.spec as DataSourceSpec | undefined;
  if (sourceSpec?.type === "push" || sourceSpec?.type === "kafka") {
    if (sourceSpec.type === "push") pushSource = spec.source;
    sourceObject = find(state, "data_source", sourceSpec.batchSource);
    sourceSpec = sourceObject?.spec as DataSourceSpec | undefined;
  }
  if (sourceObject === undefined || sourceSpec === undefined) {
    throw new OfflineSourceError(`view ${view}: its source ${spec.source} is not in the registry state`);
  }
  if (sourceSpec.type !== "file" && sourceSpec.type !== "postgres") {
    throw new OfflineSourceError(
      `view ${view}: source ${sourceObject.name} is a ${sourceSpec.type} source, which has no offline data to read`,
    );
  }
  const mapping = sourceSpec.fieldMapping;
  const keys: MappedColumn[] = [];
  for (const entityName of spec.entities) {
    const entity = find(state, "entity", entityName)?.spec as EntitySpec | undefined;
    for (const key of entity?.joinKeys ?? []) {
      if (keys.some((k) => k.name === key)) continue;
      keys.push({ name: key, dtype: entity?.valueType ?? "string", column: columnFor(mapping, key) });
    }
  }
  if (keys.length === 0) keys.push({ name: DUMMY_ENTITY_KEY, dtype: "string", column: "" });
  const features = spec.schema.map((f) => ({
    name: f.name,
    dtype: f.dtype,
    column: columnFor(mapping, f.name),
  }));
  return {
    view,
    kind: object.kind as ViewSource["kind"],
    keys,
    features,
    eventTimestamp: sourceSpec.timestampField,
    createdTimestamp: sourceSpec.createdTimestampColumn,
    ttl: spec.ttl,
    online: spec.online,
    source: { name: sourceObject.name, spec: sourceSpec, file: sourceObject.file, line: sourceObject.line },
    pushSource,
    batchSchedule: (spec as { batchSchedule?: string | null }).batchSchedule ?? null,
  };
}

/** True for the constant key of a view without entities (not read from the source). */
export function isDummyKey(c: MappedColumn): boolean {
  return c.name === DUMMY_ENTITY_KEY && c.column === "";
}

/** The value of the dummy key (Feast's): every row of an entity-less view shares it. */
export const DUMMY_ENTITY_VALUE = "";

/** Every source column a view needs, with what needs it (for missing-column messages). */
export function neededColumns(vs: ViewSource): { column: string; use: string }[] {
  const out: { column: string; use: string }[] = [];
  for (const k of vs.keys) if (!isDummyKey(k)) out.push({ column: k.column, use: `join key ${k.name}` });
  for (const f of vs.features) out.push({ column: f.column, use: `feature ${vs.view}.${f.name}` });
  out.push({ column: vs.eventTimestamp, use: "timestampField" });
  if (vs.createdTimestamp !== null) out.push({ column: vs.createdTimestamp, use: "createdTimestampColumn" });
  return out;
}
