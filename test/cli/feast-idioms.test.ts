/**
 * Issue 12, part 2: TypeScript translations of Feast definitions (test/fixtures/feast-idioms, one
 * construct each) validate, plan and apply against a real Postgres online store; the registry
 * and the plan carry every option, and the new dtypes get their documented column types.
 */
import { cp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { freshDatabase } from "../services/index.js";
import { REPO, runCli, tempDir } from "./helpers.js";

vi.setConfig({ testTimeout: 300_000 });

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

interface RegistryObject {
  kind: string;
  name: string;
  spec: Record<string, unknown>;
}

async function registryObjects(dir: string): Promise<Map<string, RegistryObject>> {
  const file = JSON.parse(await readFile(join(dir, "data/registry.json"), "utf8")) as {
    projects: Record<string, { state: { objects: RegistryObject[] } }>;
  };
  const objects = file.projects["feast_idioms"]!.state.objects;
  return new Map(objects.map((o) => [`${o.kind}:${o.name}`, o]));
}

describe("Feast idioms end to end (Postgres online store)", () => {
  it("validates with no diagnostic, applies every construct with its options, types the columns, then plans no changes", async () => {
    const dir = join(await tempDir(), "feast-idioms");
    await cp(join(REPO, "test/fixtures/feast-idioms"), dir, { recursive: true });
    const url = await freshDatabase();
    const env = { ONLINE: url };

    const validated = await runCli(["validate", dir], { env });
    expect(validated.code, validated.stdout + validated.stderr).toBe(0);
    expect(validated.stdout).toContain("23 objects valid");
    expect(validated.stdout + validated.stderr).not.toMatch(/warning|error/);

    const planned = await runCli(["plan", dir, "--json"], { env });
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as {
      changes: { kind: string; name: string; action: string }[];
    };
    const created = plan.changes.filter((c) => c.action === "create").map((c) => `${c.kind}:${c.name}`);
    expect(created).toEqual(
      expect.arrayContaining([
        "project:feast_idioms",
        "data_source:data/driver_stats.parquet",
        "data_source:proj.ds.orders",
        "data_source:hive.default.orders",
        "data_source:orders_snowflake",
        "data_source:orders_redshift",
        "data_source:orders_spark",
        "data_source:trips_kinesis",
        "feature_view:driver_hourly_stats",
        "feature_view:global_stats",
        "feature_view:orders_daily",
        "stream_feature_view:driver_trips",
        "on_demand_feature_view:adjusted_rate_row",
        "feature_service:driver_activity_v1",
      ]),
    );
    expect(created).toHaveLength(23);

    const applied = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    // The registry carries every option written.
    const reg = await registryObjects(dir);
    expect(reg.get("project:feast_idioms")!.spec).toMatchObject({
      description: "Feast idioms translated to fsops",
      tags: { team: "ml-platform" },
    });
    expect(reg.get("entity:driver")!.spec).toMatchObject({ joinKeys: ["driver_id"], valueType: "int64" });
    const fv = reg.get("feature_view:driver_hourly_stats")!.spec;
    expect(fv).toMatchObject({
      ttl: 520 * 7 * 86_400,
      version: "2",
      entityColumns: [{ name: "driver_id", dtype: "int64" }],
    });
    expect(fv.schema).toEqual([
      { name: "conv_rate", dtype: "float32", description: "Conversion rate", tags: { pii: "false" } },
      { name: "Acc_Rate", dtype: "float64" },
      { name: "2nd_trip", dtype: "bool" },
      { name: "profile", dtype: "map" },
      { name: "raw", dtype: "json" },
      { name: "address", dtype: "struct<street:string,zip:int32>" },
      { name: "grid", dtype: "int64[][]" },
      { name: "trip_id", dtype: "uuid" },
      { name: "fare", dtype: "decimal" },
      { name: "last_seen", dtype: "timestamp_tz" },
      {
        name: "embedding",
        dtype: "float32[]",
        vectorIndex: true,
        vectorLength: 4,
        vectorSearchMetric: "cosine",
      },
      { name: "bucket_00", dtype: "int32" },
      { name: "bucket_01", dtype: "int32" },
    ]);
    expect(reg.get("feature_view:global_stats")!.spec).toMatchObject({ entities: [] });
    expect(reg.get("feature_view:orders_daily")!.spec).toMatchObject({
      type: "batch",
      source: "proj.ds.orders",
      transform: "(inputs) => ({ total: inputs.total! })",
    });
    expect(reg.get("data_source:data/driver_stats.parquet")!.spec).toMatchObject({
      type: "file",
      fileFormat: "parquet",
      createdTimestampColumn: "created",
    });
    expect(reg.get("data_source:proj.ds.orders")!.spec).toMatchObject({
      type: "bigquery",
      table: "proj.ds.orders",
      datePartitionColumn: "day",
      fieldMapping: { order_total: "total" },
    });
    expect(reg.get("data_source:orders_snowflake")!.spec).toMatchObject({
      type: "snowflake",
      database: "FEAST",
      schema: "PUBLIC",
      warehouse: "COMPUTE_WH",
      table: "ORDERS",
    });
    expect(reg.get("data_source:orders_redshift")!.spec).toMatchObject({
      type: "redshift",
      query: "SELECT * FROM spectrum.orders",
    });
    expect(reg.get("data_source:orders_spark")!.spec).toMatchObject({ type: "spark", fileFormat: "parquet" });
    expect(reg.get("data_source:hive.default.orders")!.spec).toMatchObject({
      type: "trino",
      connectorArgs: { type: "hive" },
    });
    expect(reg.get("data_source:trips_kafka")!.spec).toMatchObject({
      watermarkDelayThreshold: 300,
      fieldMapping: { miles_raw: "miles" },
    });
    expect(reg.get("data_source:trips_kinesis")!.spec).toMatchObject({
      type: "kinesis",
      region: "us-west-2",
      streamName: "trips",
      recordFormat: "avro",
      watermarkDelayThreshold: 60,
    });
    expect(reg.get("stream_feature_view:driver_trips")!.spec).toMatchObject({
      timestampField: "event_timestamp",
      aggregations: [
        { column: "trips", function: "count", timeWindow: 3_600 },
        { column: "miles", function: "sum", timeWindow: 3_600, name: "miles_1h", slideInterval: 600 },
        { column: "miles", function: "sum", timeWindow: 86_400, name: "miles_1d", slideInterval: 600 },
        { column: "miles", function: "sum", timeWindow: 604_800, name: "miles_7d", slideInterval: 600 },
        { column: "speed", function: "std", timeWindow: 3_600, name: "speed_std_1h" },
        { column: "fare", function: "avg", timeWindow: 86_400 },
      ],
    });
    expect(reg.get("on_demand_feature_view:adjusted_rate")!.spec).not.toHaveProperty("mode");
    expect(reg.get("on_demand_feature_view:adjusted_rate_row")!.spec).toMatchObject({
      mode: "row",
      writeToOnlineStore: true,
      entities: ["driver"],
    });
    expect(reg.get("feature_service:driver_activity_v1")!.spec).toMatchObject({
      loggingConfig: { destination: { type: "file", path: "data/logs", partitionBy: [] }, sampleRate: 0.5 },
    });

    // The online tables: key typed by the schema Field, the documented type of each dtype.
    const columns = await query<{ column_name: string; udt_name: string }>(
      url,
      "SELECT column_name, udt_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      ["feast_idioms__driver_hourly_stats"],
    );
    expect(Object.fromEntries(columns.map((c) => [c.column_name, c.udt_name]))).toEqual({
      driver_id: "int8",
      conv_rate: "float4",
      Acc_Rate: "float8",
      "2nd_trip": "bool",
      profile: "jsonb",
      raw: "jsonb",
      address: "jsonb",
      grid: "jsonb",
      trip_id: "uuid",
      fare: "numeric",
      last_seen: "timestamptz",
      embedding: "_float4",
      bucket_00: "int4",
      bucket_01: "int4",
      event_ts: "timestamptz",
      created_ts: "timestamptz",
    });
    const dummy = await query<{ column_name: string }>(
      url,
      "SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
      ["feast_idioms__global_stats"],
    );
    expect(dummy.map((c) => c.column_name)).toEqual(["__dummy_id", "total_trips", "event_ts", "created_ts"]);

    const again = await runCli(["plan", dir, "--detailed-exitcode"], { env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("No changes.");

    // A field's description and tags are diffed: the plan (text and JSON) shows them.
    const views = join(dir, "views.ts");
    await writeFile(
      views,
      (await readFile(views, "utf8"))
        .replace('description: "Conversion rate"', 'description: "Conversion rate (7 days)"')
        .replace('tags: { pii: "false" }', 'tags: { pii: "true" }'),
    );
    const changed = await runCli(["plan", dir, "--json"], { env });
    const changedPlan = JSON.parse(changed.stdout) as {
      changes: { name: string; action: string; impact: string; fields: { path: string }[] }[];
    };
    const update = changedPlan.changes.find((c) => c.name === "driver_hourly_stats")!;
    expect(update).toMatchObject({ action: "update", impact: "safe" });
    expect(update.fields.map((f) => f.path)).toEqual([
      "schema.conv_rate.description",
      "schema.conv_rate.tags.pii",
    ]);
    const text = await runCli(["plan", dir], { env });
    expect(text.stdout).toContain("schema.conv_rate.description");
    expect(text.stdout).toContain('"Conversion rate (7 days)"');
  });
});
