import type { Dtype } from "../../src/model/kinds.js";
import type {
  DesiredObject,
  DesiredState,
  EntitySpec,
  FeatureViewSpec,
  OnDemandFeatureViewSpec,
  PostgresSourceSpec,
  StreamFeatureViewSpec,
} from "../../src/model/spec.js";
import type { ObjectKind } from "../../src/model/kinds.js";
import { kindOrder } from "../../src/model/kinds.js";

/** Builders for desired states: canonical specs with defaults filled, as validation produces them. */

const common = { description: "", tags: {}, owner: "" };
let line = 1;
const at = (): DesiredObject["location"] => ({ file: "features.ts", line: line++, column: 1 });

export function entity(name: string, joinKeys: string[] = [name], valueType: Dtype = "int64"): DesiredObject {
  const spec: EntitySpec = { ...common, name, joinKeys, valueType };
  return { kind: "entity", name, spec, location: at() };
}

export function postgresSource(
  name: string,
  opts: Partial<
    Pick<PostgresSourceSpec, "table" | "query" | "timestampField" | "createdTimestampColumn" | "fieldMapping">
  > = {},
): DesiredObject {
  const spec: PostgresSourceSpec = {
    ...common,
    name,
    type: "postgres",
    table: opts.query !== undefined ? null : (opts.table ?? name),
    query: opts.query ?? null,
    timestampField: opts.timestampField ?? "event_timestamp",
    createdTimestampColumn: opts.createdTimestampColumn ?? null,
    fieldMapping: opts.fieldMapping ?? {},
  };
  return { kind: "data_source", name, spec, location: at() };
}

export function featureView(
  name: string,
  entities: string[],
  schema: Record<string, Dtype>,
  opts: Partial<Omit<FeatureViewSpec, "name" | "entities" | "schema">> = {},
): DesiredObject {
  const spec: FeatureViewSpec = {
    ...common,
    name,
    entities,
    schema: Object.entries(schema).map(([n, dtype]) => ({ name: n, dtype })),
    source: "src",
    ttl: 86400,
    online: true,
    offline: false,
    ...opts,
  };
  return { kind: "feature_view", name, spec, location: at() };
}

export function streamView(name: string, entities: string[], schema: Record<string, Dtype>): DesiredObject {
  const spec: StreamFeatureViewSpec = {
    ...common,
    name,
    entities,
    schema: Object.entries(schema).map(([n, dtype]) => ({ name: n, dtype })),
    source: "push",
    aggregations: [],
    ttl: 0,
    online: true,
  };
  return { kind: "stream_feature_view", name, spec, location: at() };
}

export function onDemandView(name: string, schema: Record<string, Dtype>): DesiredObject {
  const spec: OnDemandFeatureViewSpec = {
    ...common,
    name,
    sources: [],
    schema: Object.entries(schema).map(([n, dtype]) => ({ name: n, dtype })),
    transform: "(x) => x",
  };
  return { kind: "on_demand_feature_view", name, spec, location: at() };
}

export function desiredState(project: string, objects: DesiredObject[]): DesiredState {
  const sorted = [...objects].sort(
    (a, b) =>
      kindOrder(a.kind as ObjectKind) - kindOrder(b.kind as ObjectKind) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { project, objects: sorted, edges: [] };
}

/** The driver example of DESIGN.md. */
export function driverStats(
  overrides: Partial<Omit<FeatureViewSpec, "name" | "entities" | "schema">> = {},
  schema: Record<string, Dtype> = { conv_rate: "float32", acc_rate: "float32" },
): DesiredObject[] {
  return [entity("driver", ["driver_id"]), featureView("driver_stats", ["driver"], schema, overrides)];
}
