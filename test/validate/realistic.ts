/**
 * A driver-ranking project as the parser would hand it over: several files, shared entities,
 * inline sources, projections, an on-demand view, a push source and a stream view.
 */
import type { DslObject } from "../../src/model/evaluated.js";
import { Defs } from "./helpers.js";

export function realisticProject(): Defs {
  const d = new Defs();
  const driver = d.entity(
    "driver",
    {
      joinKeys: ["driver_id"],
      valueType: "int64",
      description: "A driver",
      tags: { team: "drivers", pii: "no" },
    },
    { file: "entities.ts", line: 3 },
  );
  const customer = d.entity("customer", { joinKeys: ["customer_id"] }, { file: "entities.ts", line: 9 });

  const hourly = d.make(
    "PostgresSource",
    {
      name: "driver_hourly_source",
      table: "driver_hourly_stats",
      timestampField: "event_timestamp",
      createdTimestampColumn: "created",
      fieldMapping: { trips_today: "trips", conv: "conv_rate" },
    },
    { file: "sources.ts", line: 4 },
  );
  const profile = d.make(
    "FileSource",
    {
      name: "customer_profile_source",
      path: "data/customer_profile.parquet",
      timestampField: "event_timestamp",
    },
    { file: "sources.ts", line: 14 },
  );
  const push = d.make(
    "PushSource",
    { name: "driver_push", batchSource: hourly },
    { file: "sources.ts", line: 20 },
  );
  const kafka = d.make(
    "KafkaSource",
    {
      name: "driver_trips_stream",
      bootstrapServers: "kafka:9092",
      topic: "driver_trips",
      timestampField: "event_timestamp",
      messageFormat: "json",
      batchSource: hourly,
    },
    { file: "sources.ts", line: 24 },
  );
  const request = d.make(
    "RequestSource",
    { name: "trip_request", schema: [d.field("val_to_add", "int64", { file: "sources.ts", line: 36 })] },
    { file: "sources.ts", line: 34 },
  );

  const f = (name: string, dtype: string, line: number): DslObject =>
    d.make(
      "Field",
      { name, dtype, description: `${name} (kept in the spec)`, tags: { x: "y" } },
      { file: "views/driver.ts", line },
    );
  const driverStats = d.make(
    "FeatureView",
    {
      name: "driver_hourly_stats",
      entities: [driver],
      ttl: "1d12h",
      schema: [f("conv_rate", "float32", 8), f("acc_rate", "float32", 9), f("trips", "int64", 10)],
      source: hourly,
      tags: { tier: "gold", team: "driver_performance" },
      owner: "ml-platform@example.com",
    },
    { file: "views/driver.ts", line: 4 },
  );
  const pushed = d.make(
    "FeatureView",
    {
      name: "driver_pushed",
      entities: [driver],
      schema: [d.field("last_lat", "float64", { file: "views/driver.ts", line: 22 })],
      source: push,
      online: true,
      offline: true,
      ttl: 3600,
    },
    { file: "views/driver.ts", line: 18 },
  );
  const customerProfile = d.make(
    "FeatureView",
    {
      name: "customer_profile",
      entities: [customer],
      schema: [
        d.field("avg_order_value", "float64", { file: "views/customer.ts", line: 7 }),
        d.field("favorite_categories", "string[]", { file: "views/customer.ts", line: 8 }),
      ],
      source: profile,
      online: false,
    },
    { file: "views/customer.ts", line: 3 },
  );
  const trips = d.make(
    "StreamFeatureView",
    {
      name: "driver_trips_live",
      entities: [driver],
      schema: [d.field("trip_count", "int64", { file: "views/stream.ts", line: 8 })],
      source: kafka,
      aggregations: [
        d.make(
          "Aggregation",
          { column: "trip_count", function: "sum", timeWindow: "1h" },
          { file: "views/stream.ts", line: 10 },
        ),
        d.make(
          "Aggregation",
          { column: "trip_count", function: "count", timeWindow: "1d" },
          { file: "views/stream.ts", line: 11 },
        ),
      ],
      ttl: "12h",
    },
    { file: "views/stream.ts", line: 3 },
  );
  const adjusted = d.make(
    "OnDemandFeatureView",
    {
      name: "conv_rate_adjusted",
      sources: [d.select(driverStats, ["conv_rate"], { file: "views/on_demand.ts", line: 5 }), request],
      schema: [d.field("conv_rate_plus_val", "float64", { file: "views/on_demand.ts", line: 6 })],
      transform: d.transform(
        "(inputs) => ({ conv_rate_plus_val: inputs.conv_rate.map((v, i) => v + inputs.val_to_add[i]) })",
        {
          file: "views/on_demand.ts",
          line: 7,
        },
      ),
      description: "conv_rate plus a request value",
    },
    { file: "views/on_demand.ts", line: 3 },
  );
  d.make(
    "FeatureService",
    {
      name: "driver_ranking_v1",
      features: [
        d.select(driverStats, ["conv_rate", "acc_rate"], { file: "services.ts", line: 5 }),
        customerProfile,
      ],
    },
    { file: "services.ts", line: 3 },
  );
  d.make(
    "FeatureService",
    {
      name: "driver_ranking_v2",
      features: [
        driverStats,
        adjusted,
        d.select(trips, ["trip_count"], { file: "services.ts", line: 12 }),
        pushed,
      ],
      tags: { stage: "beta" },
    },
    { file: "services.ts", line: 10 },
  );
  // The same entity declared again in another file, identically: merges.
  d.entity("customer", { joinKeys: ["customer_id"] }, { file: "more/entities.ts", line: 1 });
  return d;
}

/**
 * Deep copies with fresh object identities and ids (shared references stay shared), as a second
 * parse of the same files would produce, listed in `order`.
 */
export function reparse(objects: readonly DslObject[], order: (xs: DslObject[]) => DslObject[]): DslObject[] {
  const copies = new Map<object, unknown>();
  let nextId = 1000;
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    const known = copies.get(v);
    if (known !== undefined) return known;
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      copies.set(v, out);
      for (const x of v) out.push(copy(x));
      return out;
    }
    const out: Record<string, unknown> = {};
    copies.set(v, out);
    for (const [k, x] of Object.entries(v)) out[k] = k === "id" && "$dsl" in v ? nextId++ : copy(x);
    return out;
  };
  return order([...objects]).map((o) => copy(o) as DslObject);
}

/** A deterministic shuffle (mulberry32), so a failing order can be reproduced. */
export function shuffled<T>(xs: T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
