import type { Dtype, ObjectKind } from "../../src/model/kinds.js";
import { compareObjects } from "../../src/model/kinds.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryObject, RegistryState } from "../../src/model/registry.js";
import type {
  AnySpec,
  EntitySpec,
  FeatureServiceSpec,
  FeatureViewSpec,
  FileSourceSpec,
  OnDemandFeatureViewSpec,
  RequestSourceSpec,
  PostgresSourceSpec,
} from "../../src/model/spec.js";

/** Registry objects as an apply stores them, for training tests (no definitions to parse). */
const common = { description: "", tags: {}, owner: "" };
let line = 1;

function obj(kind: ObjectKind, name: string, spec: AnySpec): RegistryObject {
  return { kind, name, spec, file: "features.ts", line: line++ };
}

export function entity(name: string, joinKeys: string[], valueType: Dtype): RegistryObject {
  return obj("entity", name, { ...common, name, joinKeys, valueType } satisfies EntitySpec);
}

export function pgSource(
  name: string,
  opts: Partial<
    Pick<PostgresSourceSpec, "table" | "query" | "timestampField" | "createdTimestampColumn" | "fieldMapping">
  >,
): RegistryObject {
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
  return obj("data_source", name, spec);
}

export function fileSource(
  name: string,
  path: string,
  opts: Partial<Pick<FileSourceSpec, "timestampField" | "createdTimestampColumn" | "fieldMapping">>,
): RegistryObject {
  const spec: FileSourceSpec = {
    ...common,
    name,
    type: "file",
    path,
    timestampField: opts.timestampField ?? "event_timestamp",
    createdTimestampColumn: opts.createdTimestampColumn ?? null,
    fieldMapping: opts.fieldMapping ?? {},
  };
  return obj("data_source", name, spec);
}

export function view(
  name: string,
  entities: string[],
  schema: Record<string, Dtype>,
  source: string,
  ttl: number,
): RegistryObject {
  const spec: FeatureViewSpec = {
    ...common,
    name,
    entities,
    schema: Object.entries(schema).map(([n, dtype]) => ({ name: n, dtype })),
    source,
    ttl,
    online: true,
    offline: false,
  };
  return obj("feature_view", name, spec);
}

export function requestSource(name: string, schema: Record<string, Dtype>): RegistryObject {
  const spec: RequestSourceSpec = {
    ...common,
    name,
    type: "request",
    schema: Object.entries(schema).map(([n, dtype]) => ({ name: n, dtype })),
  };
  return obj("data_source", name, spec);
}

export function onDemandView(
  name: string,
  sources: OnDemandFeatureViewSpec["sources"],
  schema: Record<string, Dtype>,
  transform: string,
): RegistryObject {
  const spec: OnDemandFeatureViewSpec = {
    ...common,
    name,
    sources,
    schema: Object.entries(schema).map(([n, dtype]) => ({ name: n, dtype })),
    transform,
  };
  return obj("on_demand_feature_view", name, spec);
}

export function service(name: string, features: FeatureServiceSpec["features"]): RegistryObject {
  return obj("feature_service", name, { ...common, name, features } satisfies FeatureServiceSpec);
}

export function registryState(project: string, objects: RegistryObject[]): RegistryState {
  return {
    formatVersion: 1,
    project,
    lineage: "00000000-0000-0000-0000-000000000000",
    serial: 1,
    updatedAt: "2024-01-01T00:00:00.000Z",
    appliedBy: "test",
    objects: [...objects].sort(compareObjects),
    infra: null,
  };
}

export function projectConfig(dir: string, offlineUrl: string | null): ProjectConfig {
  return {
    dir,
    configFile: `${dir}/fsops.yaml`,
    project: "training",
    registry: { type: "file", path: `${dir}/registry.json`, display: "registry.json" },
    onlineStore: null,
    offlineStore: offlineUrl
      ? { type: "postgres", connectionString: offlineUrl, s3: null }
      : { type: "file", s3: null },
    protect: false,
    secrets: [],
  };
}
