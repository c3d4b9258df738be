import type { Dtype } from "../model/kinds.js";
import { postgresType } from "../model/dtypes.js";
import type { Json } from "../model/json.js";
import type {
  DesiredObject,
  DesiredState,
  EntitySpec,
  FeatureViewSpec,
  StreamFeatureViewSpec,
} from "../model/spec.js";
import type {
  InfraRecord,
  LayoutColumn,
  PostgresInfraRecord,
  RecordedTable,
  RedisInfraRecord,
  ViewLayout,
} from "./infra-state.js";
import { INFRA_RECORD_VERSION } from "./infra-state.js";
import { objectId } from "../model/kinds.js";
import { CREATED_TS_COLUMN, EVENT_TS_COLUMN } from "../model/kinds.js";

/** Columns every online table has after its features. */
export { CREATED_TS_COLUMN, EVENT_TS_COLUMN };
/** The key column of a view with no entities (Feast's name for it). */
export const DUMMY_ENTITY_KEY = "__dummy_id";

/** A layout that cannot be built into a table (validation should have caught it). */
export class InfraPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InfraPlanError";
  }
}

/**
 * The Postgres column type of a dtype (`float32[]` → `real[]`, `map` → `jsonb`); see
 * src/model/dtypes.ts for the whole mapping and why nested lists are jsonb.
 */
export function pgType(dtype: string): string {
  const t = postgresType(dtype);
  if (t === null) throw new InfraPlanError(`unknown dtype ${JSON.stringify(dtype)}`);
  return t;
}

/**
 * The type of join key `key` of `entity` in a view: a Field of the view's schema named like the
 * key types it (Feast's idiom); else the entity's `valueType`. The one rule the online table,
 * materialize, push, training and serving share.
 */
export function joinKeyDtype(
  spec: { entityColumns?: readonly { name: string; dtype: Dtype }[] },
  key: string,
  entity: Pick<EntitySpec, "valueType">,
): Dtype {
  return spec.entityColumns?.find((c) => c.name === key)?.dtype ?? entity.valueType;
}

/** `udt_name` spellings (information_schema) → the canonical spelling `pgType` produces. */
const UDT_CANONICAL: Record<string, string> = {
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  text: "text",
  bytea: "bytea",
  bool: "boolean",
  timestamptz: "timestamptz",
  uuid: "uuid",
  numeric: "numeric",
  jsonb: "jsonb",
};

/** Canonical type of an introspected column; unknown types keep their `udt_name` (and so differ). */
export function canonicalUdtType(udtName: string): string {
  if (udtName.startsWith("_")) {
    const element = udtName.slice(1);
    return `${UDT_CANONICAL[element] ?? element}[]`;
  }
  return UDT_CANONICAL[udtName] ?? udtName;
}

type OnlineViewObject = DesiredObject<"feature_view"> | DesiredObject<"stream_feature_view">;

function isOnlineViewObject(o: DesiredObject): o is OnlineViewObject {
  return (o.kind === "feature_view" || o.kind === "stream_feature_view") && o.spec !== null;
}

/**
 * The online layout of every view that gets a table / keys: online feature views and stream
 * feature views (on-demand views are computed at read time and store nothing). Keyed by view name.
 */
export function desiredLayouts(desired: DesiredState): Map<string, ViewLayout> {
  const entities = new Map<string, EntitySpec>();
  for (const o of desired.objects) if (o.kind === "entity") entities.set(o.name, o.spec as EntitySpec);

  const layouts = new Map<string, ViewLayout>();
  const views = desired.objects.filter(isOnlineViewObject).sort((a, b) => compareStrings(a.name, b.name));
  for (const o of views) {
    const spec = o.spec as FeatureViewSpec | StreamFeatureViewSpec;
    if (!spec.online) continue;
    layouts.set(o.name, viewLayout(objectId(o.kind, o.name), o.name, spec, entities));
  }
  return layouts;
}

/** Names of feature views and stream feature views in the desired state, online or not. */
export function desiredViewNames(desired: DesiredState): Set<string> {
  return new Set(desired.objects.filter(isOnlineViewObject).map((o) => o.name));
}

function viewLayout(
  object: string,
  view: string,
  spec: FeatureViewSpec | StreamFeatureViewSpec,
  entities: Map<string, EntitySpec>,
): ViewLayout {
  const keys: LayoutColumn[] = [];
  for (const entityName of spec.entities) {
    const entity = entities.get(entityName);
    if (entity === undefined) {
      throw new InfraPlanError(`view ${view} uses entity ${entityName}, which is not defined`);
    }
    for (const key of entity.joinKeys) {
      const dtype = joinKeyDtype(spec, key, entity);
      const existing = keys.find((k) => k.name === key);
      if (existing === undefined) keys.push({ name: key, dtype });
      else if (existing.dtype !== dtype) {
        throw new InfraPlanError(
          `view ${view}: join key ${key} has two types (${existing.dtype}, ${dtype}) from different entities`,
        );
      }
    }
  }
  if (keys.length === 0) keys.push({ name: DUMMY_ENTITY_KEY, dtype: "string" });

  const taken = new Set([...keys.map((k) => k.name), EVENT_TS_COLUMN, CREATED_TS_COLUMN]);
  const features: LayoutColumn[] = [];
  for (const field of spec.schema) {
    if (taken.has(field.name)) {
      throw new InfraPlanError(
        `view ${view}: feature ${field.name} collides with a join key or a reserved column (${EVENT_TS_COLUMN}, ${CREATED_TS_COLUMN})`,
      );
    }
    taken.add(field.name);
    pgType(field.dtype); // unknown dtypes fail here, at plan time
    features.push({ name: field.name, dtype: field.dtype });
  }
  for (const k of keys) pgType(k.dtype);
  return { object, entities: [...spec.entities], keys, features };
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sameColumns(a: readonly LayoutColumn[], b: readonly LayoutColumn[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i]?.name && c.dtype === b[i]?.dtype);
}

// ---- the registry record (RegistryState.infra): parsed defensively, it is stored data ----

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parseColumns(v: unknown): LayoutColumn[] | null {
  if (!Array.isArray(v)) return null;
  const out: LayoutColumn[] = [];
  for (const c of v) {
    if (!isObject(c) || typeof c.name !== "string" || typeof c.dtype !== "string") return null;
    out.push({ name: c.name, dtype: c.dtype });
  }
  return out;
}

function parseLayout(v: unknown): ViewLayout | null {
  if (!isObject(v) || typeof v.object !== "string") return null;
  const keys = parseColumns(v.keys);
  const features = parseColumns(v.features);
  const entities =
    Array.isArray(v.entities) && v.entities.every((e) => typeof e === "string") ? v.entities : null;
  if (keys === null || features === null || entities === null) return null;
  return { object: v.object, entities: entities as string[], keys, features };
}

/** Parse a schema JSON from the Redis meta hash; null when it is not one fsops wrote. */
export function parseLayoutJson(text: string): ViewLayout | null {
  try {
    return parseLayout(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * The record of the last apply, or null when there is none or it is not one this version
 * understands (then drift detection works from what the store holds alone).
 */
export function parseInfraRecord(recorded: Json): InfraRecord | null {
  if (!isObject(recorded) || recorded.formatVersion !== INFRA_RECORD_VERSION) return null;
  if (recorded.store === "postgres" && typeof recorded.schema === "string" && isObject(recorded.tables)) {
    const tables: Record<string, RecordedTable> = {};
    for (const [view, t] of Object.entries(recorded.tables)) {
      const layout = parseLayout(t);
      if (layout === null || !isObject(t) || typeof t.table !== "string") continue;
      tables[view] = { ...layout, table: t.table };
    }
    const record: PostgresInfraRecord = {
      formatVersion: INFRA_RECORD_VERSION,
      store: "postgres",
      schema: recorded.schema,
      tables,
    };
    return record;
  }
  if (recorded.store === "redis" && isObject(recorded.views)) {
    const views: Record<string, ViewLayout> = {};
    for (const [view, l] of Object.entries(recorded.views)) {
      const layout = parseLayout(l);
      if (layout !== null) views[view] = layout;
    }
    const record: RedisInfraRecord = { formatVersion: INFRA_RECORD_VERSION, store: "redis", views };
    return record;
  }
  return null;
}

/** A layout as plain JSON with keys in a fixed order (the registry and the meta hash store it). */
export function layoutJson(layout: ViewLayout): { [key: string]: Json } {
  return {
    entities: [...layout.entities],
    features: layout.features.map((c) => ({ dtype: c.dtype, name: c.name })),
    keys: layout.keys.map((c) => ({ dtype: c.dtype, name: c.name })),
    object: layout.object,
  };
}

/**
 * Why data stored under layout `had` cannot serve layout `want` (empty: it can). Keys, entities
 * and feature dtypes define what a stored row means; anything else (added or removed features)
 * does not invalidate the rows.
 */
export function rebuildReasons(had: ViewLayout, want: ViewLayout): string[] {
  const reasons: string[] = [];
  if (!sameList(had.entities, want.entities)) {
    reasons.push(`entities ${listOrNone(had.entities)} → ${listOrNone(want.entities)}`);
  }
  if (!sameColumns(had.keys, want.keys)) {
    const hadNames = had.keys.map((k) => k.name);
    const wantNames = want.keys.map((k) => k.name);
    if (!sameList(hadNames, wantNames)) {
      reasons.push(`join keys ${listOrNone(hadNames)} → ${listOrNone(wantNames)}`);
    } else {
      for (const [i, k] of want.keys.entries()) {
        const before = had.keys[i];
        if (before !== undefined && before.dtype !== k.dtype) {
          reasons.push(`dtype of join key ${k.name} ${before.dtype} → ${k.dtype}`);
        }
      }
    }
  }
  for (const f of want.features) {
    const before = had.features.find((h) => h.name === f.name);
    if (before !== undefined && before.dtype !== f.dtype) {
      reasons.push(`dtype of ${f.name} ${before.dtype} → ${f.dtype}`);
    }
  }
  return reasons;
}

export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function listOrNone(list: readonly string[]): string {
  return list.length === 0 ? "(none)" : list.join(", ");
}
