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
import { SCALAR_DTYPES } from "../model/kinds.js";
import { DUMMY_ENTITY_KEY, joinKeyDtype } from "../infra/layout.js";
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

const READABLE: ReadonlySet<string> = new Set(SCALAR_DTYPES.flatMap((d) => [d, `${d}[]`]));

/**
 * True for the dtypes materialize, push and training read: the eight basic scalars and one-level
 * lists of them. The others the DSL accepts (json, map, struct<…>, uuid, decimal, T[][] …) have
 * online columns but no reader yet: they are refused up front, never copied wrong.
 */
export function isReadableDtype(dtype: string): boolean {
  return READABLE.has(dtype);
}

/** The message for a column whose dtype `isReadableDtype` refuses. */
export function unreadableDtypeMessage(view: string, what: string, name: string, dtype: string): string {
  return `view ${JSON.stringify(view)}: ${what} ${JSON.stringify(name)} has dtype ${dtype}, which materialize/push/training cannot read yet (supported: ${SCALAR_DTYPES.join(", ")} and their lists T[])`;
}

/**
 * Resolve `view` of the applied state to its batch source and canonical columns. Throws
 * `OfflineSourceError` when the view is unknown, reads a source that is not a batch source, or
 * has a join key or feature whose dtype is not readable (`isReadableDtype`). `features`, when
 * given, limits that dtype check to the features a caller reads (training reads only the
 * requested ones); the join keys are always checked.
 */
export function viewSource(state: RegistryState, view: string, features?: readonly string[]): ViewSource {
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
      const dtype = joinKeyDtype(spec, key, { valueType: entity?.valueType ?? "string" });
      keys.push({ name: key, dtype, column: columnFor(mapping, key) });
    }
  }
  if (keys.length === 0) keys.push({ name: DUMMY_ENTITY_KEY, dtype: "string", column: "" });
  const checked = [
    ...keys.map((k) => ({ what: "join key", name: k.name, dtype: k.dtype })),
    ...spec.schema
      .filter((f) => features === undefined || features.includes(f.name))
      .map((f) => ({ what: "feature", name: f.name, dtype: f.dtype })),
  ];
  const unreadable = checked.filter((c) => !isReadableDtype(c.dtype));
  if (unreadable.length > 0) {
    const c = unreadable[0]!;
    const others = unreadable.slice(1).map((u) => `${u.name} (${u.dtype})`);
    throw new OfflineSourceError(
      `${object.file === null ? "" : `${object.file}${object.line === null ? "" : `:${object.line}`}: `}${unreadableDtypeMessage(view, c.what, c.name, c.dtype)}${others.length > 0 ? `; also ${others.join(", ")}` : ""}`,
      "give the column one of the supported dtypes (e.g. a JSON value as string), or leave the view out of materialize/push/training",
    );
  }
  const columns = spec.schema.map((f) => ({
    name: f.name,
    dtype: f.dtype,
    column: columnFor(mapping, f.name),
  }));
  return {
    view,
    kind: object.kind as ViewSource["kind"],
    keys,
    features: columns,
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
