/**
 * Desired states built as values (no parser involved): a driver-ranking project in two
 * versions, the registry state a project would have after applying one, and the online-store
 * actions the infra stage would attach. Shared by the plan and render tests.
 */
import { kindOrder } from "../../src/model/index.js";
import type {
  AggregationSpec,
  DataSourceSpec,
  DesiredObject,
  DesiredState,
  EntitySpec,
  FeatureServiceSpec,
  FeatureViewSpec,
  FieldSpec,
  InfraAction,
  ObjectKind,
  OnDemandFeatureViewSpec,
  RegistryState,
  SpecByKind,
  StreamFeatureViewSpec,
} from "../../src/model/index.js";
import { edgesFromSpecs } from "../../src/plan/references.js";

type Common = { description?: string; tags?: Record<string, string>; owner?: string };
type At = { file: string; line: number };

const common = (name: string, o: Common) => ({
  name,
  description: o.description ?? "",
  tags: Object.fromEntries(Object.entries(o.tags ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
  owner: o.owner ?? "",
});

function obj<K extends ObjectKind>(kind: K, spec: SpecByKind[K], at: At): DesiredObject<K> {
  return { kind, name: spec.name, spec, location: { file: at.file, line: at.line, column: 1 } };
}

export const field = (name: string, dtype: FieldSpec["dtype"]): FieldSpec => ({ name, dtype });
export const agg = (
  column: string,
  fn: AggregationSpec["function"],
  timeWindow: number,
): AggregationSpec => ({
  column,
  function: fn,
  timeWindow,
});

export function entity(
  name: string,
  o: Partial<Pick<EntitySpec, "joinKeys" | "valueType">> & Common = {},
  at: At = { file: "entities.ts", line: 1 },
): DesiredObject<"entity"> {
  return obj(
    "entity",
    { ...common(name, o), joinKeys: o.joinKeys ?? [name], valueType: o.valueType ?? "string" },
    at,
  );
}

type SourceOptions =
  | { type: "postgres"; table?: string; query?: string; timestampField?: string }
  | { type: "file"; path: string; timestampField?: string }
  | { type: "push"; batchSource: string }
  | { type: "request"; schema: FieldSpec[] }
  | { type: "kafka"; topic: string; batchSource: string };

export function source(
  name: string,
  o: SourceOptions & Common,
  at: At = { file: "sources.ts", line: 1 },
): DesiredObject<"data_source"> {
  const c = common(name, o);
  let spec: DataSourceSpec;
  switch (o.type) {
    case "postgres":
      spec = {
        ...c,
        type: "postgres",
        table: o.table ?? null,
        query: o.query ?? null,
        timestampField: o.timestampField ?? "event_timestamp",
        createdTimestampColumn: null,
        fieldMapping: {},
      };
      break;
    case "file":
      spec = {
        ...c,
        type: "file",
        path: o.path,
        timestampField: o.timestampField ?? "event_timestamp",
        createdTimestampColumn: null,
        fieldMapping: {},
      };
      break;
    case "push":
      spec = { ...c, type: "push", batchSource: o.batchSource };
      break;
    case "request":
      spec = { ...c, type: "request", schema: o.schema };
      break;
    case "kafka":
      spec = {
        ...c,
        type: "kafka",
        bootstrapServers: "kafka:9092",
        topic: o.topic,
        timestampField: "event_timestamp",
        messageFormat: "json",
        batchSource: o.batchSource,
      };
      break;
  }
  return obj("data_source", spec, at);
}

export function featureView(
  name: string,
  o: Partial<Omit<FeatureViewSpec, "name" | keyof Common>> &
    Pick<FeatureViewSpec, "entities" | "schema" | "source"> &
    Common,
  at: At = { file: "views.ts", line: 1 },
): DesiredObject<"feature_view"> {
  return obj(
    "feature_view",
    {
      ...common(name, o),
      entities: o.entities,
      schema: o.schema,
      source: o.source,
      ttl: o.ttl ?? 0,
      online: o.online ?? true,
      offline: o.offline ?? false,
    },
    at,
  );
}

export function onDemandView(
  name: string,
  o: Pick<OnDemandFeatureViewSpec, "sources" | "schema" | "transform"> & Common,
  at: At = { file: "on_demand.ts", line: 1 },
): DesiredObject<"on_demand_feature_view"> {
  return obj(
    "on_demand_feature_view",
    { ...common(name, o), sources: o.sources, schema: o.schema, transform: o.transform },
    at,
  );
}

export function streamView(
  name: string,
  o: Partial<Omit<StreamFeatureViewSpec, "name" | keyof Common>> &
    Pick<StreamFeatureViewSpec, "entities" | "schema" | "source"> &
    Common,
  at: At = { file: "stream.ts", line: 1 },
): DesiredObject<"stream_feature_view"> {
  return obj(
    "stream_feature_view",
    {
      ...common(name, o),
      entities: o.entities,
      schema: o.schema,
      source: o.source,
      aggregations: o.aggregations ?? [],
      ttl: o.ttl ?? 0,
      online: o.online ?? true,
    },
    at,
  );
}

export function service(
  name: string,
  o: Pick<FeatureServiceSpec, "features"> & Common,
  at: At = { file: "services.ts", line: 1 },
): DesiredObject<"feature_service"> {
  return obj("feature_service", { ...common(name, o), features: o.features }, at);
}

/** A desired state with sorted objects and the edges their specs imply. */
export function desiredState(project: string, objects: DesiredObject[]): DesiredState {
  const sorted = [...objects].sort(
    (a, b) => kindOrder(a.kind) - kindOrder(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { project, objects: sorted, edges: edgesFromSpecs(sorted) };
}

/** The registry state a successful apply of `desired` would leave. */
export function stateOf(
  desired: DesiredState,
  serial = 1,
  lineage = "3f0c6f5e-6d7a-4c43-9a57-1f3b0f3c2a11",
): RegistryState {
  return {
    formatVersion: 1,
    project: desired.project,
    lineage,
    serial,
    updatedAt: "2025-01-01T00:00:00.000Z",
    appliedBy: "ci@example.com",
    objects: desired.objects.map((o) => ({
      kind: o.kind,
      name: o.name,
      spec: o.spec,
      file: o.location.file,
      line: o.location.line,
    })),
    infra: null,
  };
}

const HOUR = 3600;
const DAY = 86400;

const TRANSFORM_V1 = `(inputs) => {
  const df = {};
  df.conv_rate_plus_val1 = inputs.conv_rate + inputs.val_to_add;
  df.conv_rate_plus_val2 = inputs.conv_rate + inputs.val_to_add_2;
  return df;
}`;

const TRANSFORM_V2 = `(inputs) => {
  const df = {};
  df.conv_rate_plus_val1 = inputs.conv_rate + inputs.val_to_add;
  df.conv_rate_plus_val2 = inputs.conv_rate * 2 + inputs.val_to_add_2;
  return df;
}`;

/** The project as applied last week (what the registry holds). */
export function driverRankingV1(): DesiredState {
  return desiredState("driver_ranking_staging", [
    entity(
      "driver",
      { joinKeys: ["driver_id"], valueType: "int64", description: "A driver" },
      { file: "entities.ts", line: 3 },
    ),
    entity("customer", { joinKeys: ["customer_id"], valueType: "string" }, { file: "entities.ts", line: 9 }),
    source(
      "driver_hourly_stats_source",
      { type: "postgres", table: "driver_hourly_stats" },
      { file: "sources.ts", line: 4 },
    ),
    source(
      "customer_profile_source",
      { type: "file", path: "data/customer_profile.parquet" },
      { file: "sources.ts", line: 11 },
    ),
    source(
      "driver_stats_push_source",
      { type: "push", batchSource: "driver_hourly_stats_source" },
      { file: "sources.ts", line: 17 },
    ),
    source(
      "conv_rate_request",
      { type: "request", schema: [field("val_to_add", "int64"), field("val_to_add_2", "int64")] },
      { file: "sources.ts", line: 22 },
    ),
    featureView(
      "driver_hourly_stats",
      {
        entities: ["driver"],
        schema: [
          field("conv_rate", "float32"),
          field("acc_rate", "float32"),
          field("avg_daily_trips", "int64"),
        ],
        source: "driver_hourly_stats_source",
        ttl: DAY,
        tags: { team: "driver_performance" },
        owner: "ml-platform@example.com",
      },
      { file: "features/driver.ts", line: 8 },
    ),
    featureView(
      "customer_daily_profile",
      {
        entities: ["customer"],
        schema: [
          field("current_balance", "float32"),
          field("avg_passenger_count", "float32"),
          field("lifetime_trip_count", "int64"),
        ],
        source: "customer_profile_source",
        ttl: 2 * DAY,
        description: "Daily customer profile",
      },
      { file: "features/customer.ts", line: 6 },
    ),
    onDemandView(
      "transformed_conv_rate",
      {
        sources: [
          { type: "feature_view", name: "driver_hourly_stats", features: ["conv_rate"] },
          { type: "request_source", name: "conv_rate_request", features: null },
        ],
        schema: [field("conv_rate_plus_val1", "float64"), field("conv_rate_plus_val2", "float64")],
        transform: TRANSFORM_V1,
      },
      { file: "features/on_demand.ts", line: 5 },
    ),
    streamView(
      "driver_trips_stream",
      {
        entities: ["driver"],
        schema: [field("trips", "int64")],
        source: "driver_stats_push_source",
        aggregations: [agg("trips", "sum", HOUR), agg("trips", "count", DAY)],
        ttl: HOUR,
      },
      { file: "features/stream.ts", line: 7 },
    ),
    service(
      "driver_ranking_v1",
      {
        features: [
          { view: "driver_hourly_stats", features: ["conv_rate", "acc_rate"] },
          { view: "transformed_conv_rate", features: null },
        ],
      },
      { file: "services.ts", line: 4 },
    ),
    service(
      "driver_ranking_v2",
      {
        features: [
          { view: "customer_daily_profile", features: ["current_balance"] },
          { view: "driver_hourly_stats", features: null },
          { view: "driver_trips_stream", features: null },
        ],
      },
      { file: "services.ts", line: 12 },
    ),
    featureView(
      "legacy_driver_scores",
      {
        entities: ["driver"],
        schema: [field("score", "float64")],
        source: "driver_hourly_stats_source",
        tags: { "fsops.protect": "true" },
      },
      { file: "features/legacy.ts", line: 2 },
    ),
  ]);
}

/**
 * This week's pull request: a new view and service, a retyped and an inserted field, a longer
 * ttl, a changed transform, the customer key retyped (replace), the stream view and its push
 * source dropped (so v2 stops serving it), a description written with Markdown and HTML in it,
 * and the protected legacy view removed from the code.
 */
export function driverRankingV2(): DesiredState {
  const v1 = driverRankingV1();
  const keep = v1.objects.filter(
    (o) =>
      ![
        "driver_trips_stream",
        "driver_stats_push_source",
        "legacy_driver_scores",
        "driver_hourly_stats",
        "customer",
        "customer_daily_profile",
        "transformed_conv_rate",
        "driver_ranking_v2",
      ].includes(o.name),
  );
  return desiredState("driver_ranking_staging", [
    ...keep,
    entity("customer", { joinKeys: ["customer_id"], valueType: "int64" }, { file: "entities.ts", line: 9 }),
    featureView(
      "driver_hourly_stats",
      {
        entities: ["driver"],
        schema: [
          field("conv_rate", "float64"),
          field("acc_rate", "float32"),
          field("trips_today", "int32"),
          field("avg_daily_trips", "int64"),
        ],
        source: "driver_hourly_stats_source",
        ttl: 2 * DAY,
        tags: { team: "driver_performance", tier: "gold" },
        owner: "ml-platform@example.com",
      },
      { file: "features/driver.ts", line: 8 },
    ),
    featureView(
      "customer_daily_profile",
      {
        entities: ["customer"],
        schema: [
          field("current_balance", "float32"),
          field("avg_passenger_count", "float32"),
          field("lifetime_trip_count", "int64"),
        ],
        source: "customer_profile_source",
        ttl: 2 * DAY,
        description: "Daily | customer `profile` </details> <b>bold</b> ```",
      },
      { file: "features/customer.ts", line: 6 },
    ),
    featureView(
      "driver_weekly_stats",
      {
        entities: ["driver"],
        schema: [field("weekly_trips", "int64"), field("weekly_rating", "float32")],
        source: "driver_hourly_stats_source",
        ttl: 7 * DAY,
      },
      { file: "features/driver_weekly.ts", line: 3 },
    ),
    onDemandView(
      "transformed_conv_rate",
      {
        sources: [
          { type: "feature_view", name: "driver_hourly_stats", features: ["conv_rate"] },
          { type: "request_source", name: "conv_rate_request", features: null },
        ],
        schema: [field("conv_rate_plus_val1", "float64"), field("conv_rate_plus_val2", "float64")],
        transform: TRANSFORM_V2,
      },
      { file: "features/on_demand.ts", line: 5 },
    ),
    service(
      "driver_ranking_v2",
      {
        features: [
          { view: "customer_daily_profile", features: ["current_balance"] },
          { view: "driver_hourly_stats", features: null },
        ],
      },
      { file: "services.ts", line: 12 },
    ),
    service(
      "driver_ranking_v3",
      {
        features: [
          { view: "driver_hourly_stats", features: ["conv_rate", "trips_today"] },
          { view: "driver_weekly_stats", features: null },
        ],
      },
      { file: "services.ts", line: 21 },
    ),
  ]);
}

/** What the online-store stage would attach to the v1 → v2 plan (Postgres). */
export function driverRankingInfra(): InfraAction[] {
  const table = (view: string) => `"driver_ranking_staging__${view}"`;
  return [
    {
      store: "postgres",
      action: "rebuild_table",
      target: "driver_ranking_staging__customer_daily_profile",
      object: "feature_view:customer_daily_profile",
      impact: "rebuild",
      reason: "entity customer join key type changed",
      statements: [
        `DROP TABLE IF EXISTS ${table("customer_daily_profile")}`,
        `CREATE TABLE IF NOT EXISTS ${table("customer_daily_profile")} ("customer_id" bigint NOT NULL, "current_balance" real, "avg_passenger_count" real, "lifetime_trip_count" bigint, "event_ts" timestamptz, "created_ts" timestamptz, PRIMARY KEY ("customer_id"))`,
      ],
    },
    {
      store: "postgres",
      action: "rebuild_table",
      target: "driver_ranking_staging__driver_hourly_stats",
      object: "feature_view:driver_hourly_stats",
      impact: "rebuild",
      reason: "column conv_rate changes type",
      statements: [
        `DROP TABLE IF EXISTS ${table("driver_hourly_stats")}`,
        `CREATE TABLE IF NOT EXISTS ${table("driver_hourly_stats")} ("driver_id" bigint NOT NULL, "conv_rate" double precision, "acc_rate" real, "trips_today" integer, "avg_daily_trips" bigint, "event_ts" timestamptz, "created_ts" timestamptz, PRIMARY KEY ("driver_id"))`,
      ],
    },
    {
      store: "postgres",
      action: "create_table",
      target: "driver_ranking_staging__driver_weekly_stats",
      object: "feature_view:driver_weekly_stats",
      impact: "safe",
      reason: "new view",
      statements: [
        `CREATE TABLE IF NOT EXISTS ${table("driver_weekly_stats")} ("driver_id" bigint NOT NULL, "weekly_trips" bigint, "weekly_rating" real, "event_ts" timestamptz, "created_ts" timestamptz, PRIMARY KEY ("driver_id"))`,
      ],
    },
    {
      store: "postgres",
      action: "drop_table",
      target: "driver_ranking_staging__driver_trips_stream",
      object: "stream_feature_view:driver_trips_stream",
      impact: "destructive",
      reason: "view deleted",
      statements: [`DROP TABLE IF EXISTS ${table("driver_trips_stream")}`],
    },
    {
      store: "postgres",
      action: "create_schema",
      target: "public",
      object: null,
      impact: "safe",
      reason: "online store schema missing",
      statements: [`CREATE SCHEMA IF NOT EXISTS "public"`],
    },
  ];
}

/** A copy of `state` with one object's spec changed by `patch` (edges recomputed). */
export function modify<K extends ObjectKind>(
  state: DesiredState,
  kind: K,
  name: string,
  patch: (spec: SpecByKind[K]) => SpecByKind[K],
): DesiredState {
  let found = false;
  const objects = state.objects.map((o) => {
    if (o.kind !== kind || o.name !== name) return o;
    found = true;
    return { ...o, spec: patch(structuredClone(o.spec) as SpecByKind[K]) } as DesiredObject;
  });
  if (!found) throw new Error(`fixture has no ${kind}:${name}`);
  return desiredState(state.project, objects);
}

/** A copy of `state` without the named objects (edges recomputed). */
export function without(state: DesiredState, ...ids: string[]): DesiredState {
  return desiredState(
    state.project,
    state.objects.filter((o) => !ids.includes(`${o.kind}:${o.name}`)),
  );
}
