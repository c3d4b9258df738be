import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/model/diagnostic.js";
import type { DesiredObject, PushSourceSpec } from "../../src/model/spec.js";
import { checkSources, columnCompatibility } from "../../src/infra/check-sources.js";
import { OfflineStoreError } from "../../src/infra/errors.js";
import { openOfflineStore } from "../../src/infra/open-offline-store.js";
import type { SqlExecutor } from "../../src/infra/sql-executor.js";
import { freshDatabase, hasService } from "../services/index.js";
import { desiredState, entity, featureView, postgresSource, streamView } from "./fixtures.js";

const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line} ${d.message}`);

describe("column compatibility", () => {
  it("accepts exact and widening types, warns on lossy ones, refuses the rest", () => {
    expect(columnCompatibility("int64", "int4")).toBe("exact");
    expect(columnCompatibility("int32", "int8")).toBe("lossy");
    expect(columnCompatibility("float32", "float8")).toBe("lossy");
    expect(columnCompatibility("float64", "float4")).toBe("exact");
    expect(columnCompatibility("string", "varchar")).toBe("exact");
    expect(columnCompatibility("float32", "text")).toBe("incompatible");
    expect(columnCompatibility("float32[]", "_float4")).toBe("exact");
    expect(columnCompatibility("float32[]", "float4")).toBe("incompatible");
    expect(columnCompatibility("float32", "_float4")).toBe("incompatible");
  });

  it("knows the Feast dtypes: JSON kinds in json/jsonb, uuid, numeric, timestamptz", () => {
    expect(columnCompatibility("map", "jsonb")).toBe("exact");
    expect(columnCompatibility("json", "text")).toBe("lossy");
    expect(columnCompatibility("struct<a:int64>", "jsonb")).toBe("exact");
    expect(columnCompatibility("int64[][]", "jsonb")).toBe("exact");
    expect(columnCompatibility("int64[][]", "_int8")).toBe("incompatible");
    expect(columnCompatibility("uuid", "uuid")).toBe("exact");
    expect(columnCompatibility("decimal", "numeric")).toBe("exact");
    expect(columnCompatibility("decimal", "float8")).toBe("lossy");
    expect(columnCompatibility("timestamp_tz", "timestamptz")).toBe("exact");
    expect(columnCompatibility("uuid[]", "_uuid")).toBe("exact");
  });
});

describe.runIf(hasService("postgres"))("checkSources (real offline Postgres)", () => {
  let sql: SqlExecutor;
  beforeAll(async () => {
    sql = await openOfflineStore({ type: "postgres", connectionString: await freshDatabase() });
    await sql.exec(`
      CREATE TABLE driver_stats (driver_id bigint, event_timestamp timestamptz, created timestamptz,
                                 conv_rate real, acc_rate double precision, trips int);
      CREATE SCHEMA analytics;
      CREATE TABLE analytics.rides (rider_id text, ts timestamp, fare numeric, note text, vec float4[]);
    `);
  });
  afterAll(async () => {
    await sql?.close();
  });

  const driver = (): DesiredObject => entity("driver", ["driver_id"], "int64");

  it("finds nothing wrong with a matching table, a schema-qualified table and a query", async () => {
    const objects = [
      driver(),
      entity("rider", ["rider_id"], "string"),
      postgresSource("stats_src", { table: "driver_stats", createdTimestampColumn: "created" }),
      postgresSource("rides_src", { table: "analytics.rides", timestampField: "ts" }),
      postgresSource("query_src", {
        query: "SELECT driver_id, event_timestamp, conv_rate * 2 AS doubled FROM driver_stats;",
      }),
      featureView(
        "stats",
        ["driver"],
        { conv_rate: "float32", acc_rate: "float64", trips: "int64" },
        { source: "stats_src" },
      ),
      featureView("rides", ["rider"], { note: "string", vec: "float32[]" }, { source: "rides_src" }),
      featureView("doubled", ["driver"], { doubled: "float64" }, { source: "query_src" }),
    ];
    expect(await checkSources(desiredState("p", objects), sql)).toEqual([]);
  });

  it("reports a missing table and a failing query at the source definition", async () => {
    const missing = postgresSource("missing_src", { table: "nope" });
    const broken = postgresSource("broken_src", { query: "SELECT no_such_column FROM driver_stats" });
    const ds = await checkSources(
      desiredState("p", [
        driver(),
        missing,
        broken,
        featureView("a", ["driver"], { x: "int32" }, { source: "missing_src" }),
        featureView("b", ["driver"], { x: "int32" }, { source: "broken_src" }),
      ]),
      sql,
    );
    expect(brief(ds)).toEqual(
      [
        `error FS401 features.ts:${missing.location.line} source missing_src: table nope does not exist in the offline store`,
        `error FS401 features.ts:${broken.location.line} source broken_src: query failed in the offline store: column "no_such_column" does not exist`,
      ].sort((x, y) => Number(x.split(":")[1]!.split(" ")[0]) - Number(y.split(":")[1]!.split(" ")[0])),
    );
  });

  it("reports missing and mistyped columns, lossy types and a bad timestamp field", async () => {
    const src = postgresSource("stats_src", {
      table: "driver_stats",
      timestampField: "event_time",
      createdTimestampColumn: "trips",
      fieldMapping: { acc_rate: "accuracy" },
    });
    const ds = await checkSources(
      desiredState("p", [
        entity("driver", ["driver_id"], "string"),
        src,
        featureView(
          "stats",
          ["driver"],
          { conv_rate: "string", accuracy: "float32", convrate: "float32" },
          { source: "stats_src" },
        ),
      ]),
      sql,
    );
    expect(ds.map((d) => `${d.severity} ${d.code} ${d.message}`)).toEqual([
      'error FS402 source stats_src: timestampField "event_time" is not a column of table driver_stats',
      'error FS403 source stats_src: column "convrate" (feature stats.convrate) is not in table driver_stats',
      'error FS404 source stats_src: column "conv_rate" is float4, which cannot hold string (feature stats.conv_rate)',
      'error FS404 source stats_src: column "driver_id" is int8, which cannot hold string (join key of entity driver)',
      'warning FS405 source stats_src: column "acc_rate" is float8; converting to float32 may lose values (feature stats.accuracy)',
      'error FS406 source stats_src: createdTimestampColumn "trips" is int4, expected timestamptz, timestamp or date',
    ]);
    expect(ds.every((d) => d.line === src.location.line && d.file === "features.ts")).toBe(true);
    expect(ds.find((d) => d.code === "FS402")?.hint).toMatch(/did you mean "event_timestamp"/);
    expect(ds.find((d) => d.code === "FS403")?.hint).toMatch(/did you mean "conv_rate"/);
  });

  it("checks the batch source of a stream view's push source", async () => {
    const push: DesiredObject = {
      kind: "data_source",
      name: "push",
      spec: {
        name: "push",
        description: "",
        tags: {},
        owner: "",
        type: "push",
        batchSource: "stats_src",
      } satisfies PushSourceSpec,
      location: { file: "stream.ts", line: 1, column: 1 },
    };
    const ds = await checkSources(
      desiredState("p", [
        driver(),
        postgresSource("stats_src", { table: "driver_stats" }),
        push,
        streamView("live", ["driver"], { missing_col: "int64" }),
      ]),
      sql,
    );
    expect(ds.map((d) => d.code)).toEqual(["FS403"]);
  });

  it("warns that a warehouse source cannot be read, and checks a key typed by a schema Field with that type", async () => {
    const bigquery: DesiredObject = {
      kind: "data_source",
      name: "proj.ds.orders",
      spec: {
        ...postgresSource("x").spec,
        name: "proj.ds.orders",
        type: "bigquery",
        table: "proj.ds.orders",
        query: null,
        timestampField: null,
        datePartitionColumn: null,
      } as never,
      location: { file: "sources.ts", line: 9, column: 1 },
    };
    const objects = [
      entity("untyped", ["driver_id"], "string"),
      postgresSource("stats_src", { table: "driver_stats" }),
      bigquery,
      // driver_id is bigint in the table: typed string it would be incompatible, int64 fits.
      featureView(
        "stats",
        ["untyped"],
        { conv_rate: "float32" },
        {
          source: "stats_src",
          entityColumns: [{ name: "driver_id", dtype: "int64" }],
        },
      ),
      featureView("orders", ["untyped"], { total: "float64" }, { source: "proj.ds.orders", online: false }),
    ];
    expect(brief(await checkSources(desiredState("p", objects), sql))).toEqual([
      "warning FS407 sources.ts:9 source proj.ds.orders is a BigQuery source: fsops registers and plans it but cannot read its data (it reads PostgresSource and FileSource); point the view at a PostgresSource or FileSource holding the data, or write its online values with a push; its columns are not checked",
    ]);
  });

  it("never writes: a query calling a writing function leaves the offline store unchanged", async () => {
    await sql.exec(`
      CREATE TABLE audit (n int);
      CREATE FUNCTION writes() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
        BEGIN INSERT INTO audit VALUES (1); RETURN 1; END $$;
    `);
    const ds = await checkSources(
      desiredState("p", [
        driver(),
        postgresSource("evil", { query: "SELECT *, writes() AS w FROM driver_stats" }),
        featureView("v", ["driver"], { conv_rate: "float32", w: "int32" }, { source: "evil" }),
      ]),
      sql,
    );
    expect(ds).toEqual([]);
    expect((await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit")).rows[0]?.n).toBe(0);
  });
});

describe("openOfflineStore", () => {
  it("fails with a redacted error when the offline store is unreachable", async () => {
    const err = await openOfflineStore({
      type: "postgres",
      connectionString: "postgresql://u:hunter2pw@127.0.0.1:1/db",
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OfflineStoreError);
    expect((err as Error).message).not.toContain("hunter2pw");
    expect((err as Error).message).toContain("postgresql://u:***@127.0.0.1:1/db");
  });
});
