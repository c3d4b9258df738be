/**
 * Reproducibility (`createdBefore`), located errors, output files, S3 file sources.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { getHistoricalFeatures } from "../../src/training/index.js";
import type { TrainingContext } from "../../src/training/index.js";
import { planRequest } from "../../src/training/request.js";
import { freshBucket, freshDatabase, hasService, s3ClientConfig, services } from "../services/index.js";
import {
  entity,
  fileSource,
  onDemandView,
  pgSource,
  projectConfig,
  registryState,
  requestSource,
  service,
  view,
} from "./fixtures.js";

const state = registryState("training", [
  entity("driver", ["driver_id"], "int64"),
  pgSource("stats_pg", { table: "driver_stats", createdTimestampColumn: "created" }),
  fileSource("stats_file", "data/stats", { createdTimestampColumn: "created" }),
  pgSource("broken_pg", { table: "driver_stats", fieldMapping: { conv: "rate" } }),
  pgSource("text_keys_pg", { table: "text_keys" }),
  fileSource("broken_file", "data/stats", { timestampField: "ts" }),
  view("stats", ["driver"], { conv_rate: "float64", trips: "int32" }, "stats_pg", 0),
  view("stats_f", ["driver"], { conv_rate: "float64", trips: "int32" }, "stats_file", 0),
  view("broken", ["driver"], { rate: "float64" }, "broken_pg", 0),
  view("text_keys", ["driver"], { v: "int32" }, "text_keys_pg", 0),
  view("broken_f", ["driver"], { conv_rate: "float64" }, "broken_file", 0),
  fileSource("edges_file", "data/edges", {}),
  fileSource("edges_created_file", "data/edges", { createdTimestampColumn: "created" }),
  fileSource("stats_csv", "data/stats.csv", { createdTimestampColumn: "created" }),
  view("stats_csv", ["driver"], { trips: "int32" }, "stats_csv", 0),
  view("edges_ttl", ["driver"], { trips: "int32" }, "edges_file", 3600),
  view("edges_created", ["driver"], { trips: "int32" }, "edges_created_file", 0),
  service("model_v1", [{ view: "stats", features: ["conv_rate"] }]),
  requestSource("vals", { val_to_add: "float64" }),
  onDemandView(
    "conv_plus",
    [
      { type: "feature_view", name: "stats", features: ["conv_rate", "trips"] },
      { type: "request_source", name: "vals", features: null },
    ],
    { conv_plus_val: "float64", trips_doubled: "int64" },
    `(inputs: Record<string, unknown[]>) => {
    const conv = inputs["conv_rate"] ?? [];
    const add = inputs["val_to_add"] ?? [];
    const trips = inputs["stats__trips"] ?? [];
    return {
      conv_plus_val: conv.map((c, i) => (c === null ? null : Number(c) + Number(add[i]))),
      trips_doubled: trips.map((t) => (t === null ? null : BigInt(t as bigint) * 2n)),
    };
  }`,
  ),
]);

describe("request planning (pure)", () => {
  it("unknown features, views and services are named, with what exists", () => {
    const plan = (req: Parameters<typeof planRequest>[1]) => () => planRequest(state, req);
    expect(plan({ entityRows: [], features: ["stats:nope"] })).toThrow(
      "unknown feature stats:nope (requested as stats:nope)",
    );
    expect(plan({ entityRows: [], features: ["nope:x"] })).toThrow(
      'unknown feature view "nope" (feature nope:x) in project training',
    );
    expect(plan({ entityRows: [], featureService: "model_v9" })).toThrow(
      'unknown feature service "model_v9" in project training',
    );
    expect(plan({ entityRows: [], features: ["stats"] })).toThrow("is not of the form view:feature");
    expect(plan({ entityRows: [], features: ["stats:conv_rate", "stats_f:conv_rate"] })).toThrow(
      "features stats:conv_rate and stats_f:conv_rate would both be the column conv_rate",
    );
    expect(plan({ entityRows: [], features: ["stats:conv_rate"], createdBefore: "yesterday" })).toThrow(
      'createdBefore "yesterday" is not a time',
    );
    expect(plan({ entitySql: "select 1", entityRows: [], features: ["stats:conv_rate"] })).toThrow(
      "give exactly one of entityRows or entitySql",
    );
    const p = planRequest(state, { entityRows: [], featureService: "model_v1", fullFeatureNames: true });
    expect(p.outputs.map((o) => o.output)).toEqual(["stats__conv_rate"]);
  });
});

describe.runIf(hasService("postgres"))("createdBefore, errors and output files (real Postgres)", () => {
  let dir: string;
  let url: string;
  let ctx: TrainingContext;
  let client: pg.Client;

  const writeParquet = async (file: string, rows: [number, string, string, number, number][]) => {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const values = rows.map(
      ([d, ts, c, conv, trips]) => `(${d}, TIMESTAMPTZ '${ts}', TIMESTAMPTZ '${c}', ${conv}, ${trips})`,
    );
    await conn.run(
      `COPY (SELECT * FROM (VALUES ${values.join(", ")}) t(driver_id, event_timestamp, created, conv_rate, trips)) TO '${file}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fsops-training-req-"));
    url = await freshDatabase();
    client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`
      CREATE TABLE driver_stats (driver_id bigint, event_timestamp timestamptz, created timestamptz, conv_rate double precision, trips int);
      INSERT INTO driver_stats VALUES
        (1, '2024-01-01 10:00:00Z', '2024-01-01 10:05:00Z', 0.5, 10),
        (1, '2024-01-02 10:00:00Z', '2024-01-02 10:05:00Z', 0.6, 11),
        (2, '2024-01-01 12:00:00Z', '2024-01-01 12:01:00Z', 0.9, 3);
      CREATE TABLE text_keys (driver_id text, event_timestamp timestamptz, v int);`);
    await mkdir(path.join(dir, "data", "stats"), { recursive: true });
    await writeParquet(path.join(dir, "data", "stats", "part-0.parquet"), [
      [1, "2024-01-01 10:00:00Z", "2024-01-01 10:05:00Z", 0.5, 10],
      [1, "2024-01-02 10:00:00Z", "2024-01-02 10:05:00Z", 0.6, 11],
      [2, "2024-01-01 12:00:00Z", "2024-01-01 12:01:00Z", 0.9, 3],
    ]);
    ctx = { projectDir: dir, config: projectConfig(dir, url), state };
  });

  afterAll(async () => {
    await client?.end();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const entityRows = [
    { driver_id: 1, event_timestamp: "2024-01-01T11:00:00Z", label: "a" },
    { driver_id: 1, event_timestamp: "2024-01-03T00:00:00Z", label: "b" },
    { driver_id: 2, event_timestamp: "2024-01-02T00:00:00Z", label: "c" },
    { driver_id: 1, event_timestamp: "2024-01-01T11:00:00Z", label: "a" },
  ];

  it("createdBefore rebuilds an earlier training set exactly after newer rows were added (both engines)", async () => {
    const features = ["stats:conv_rate", "stats:trips", "stats_f:conv_rate", "stats_f:trips"];
    const req = { entityRows, features, fullFeatureNames: true };
    const before = await (await getHistoricalFeatures(ctx, req)).toArray();
    expect(before.map((r) => r.stats__conv_rate)).toEqual([0.5, 0.6, 0.9, 0.5]);
    expect(before.map((r) => r.stats_f__trips)).toEqual([10, 11, 3, 10]);
    // Later: a restatement of a past event (same event time, created later), a late-arriving
    // older event, and a new event inside the old window, in both sources.
    const later: [number, string, string, number, number][] = [
      [1, "2024-01-01 10:00:00Z", "2024-02-01 00:00:00Z", 0.55, 100],
      [1, "2024-01-01 10:30:00Z", "2024-02-01 00:00:00Z", 0.58, 101],
      [2, "2024-01-01 23:00:00Z", "2024-02-01 00:00:00Z", 0.95, 102],
    ];
    for (const [d, ts, c, conv, trips] of later)
      await client.query("INSERT INTO driver_stats VALUES ($1, $2, $3, $4, $5)", [d, ts, c, conv, trips]);
    await writeParquet(path.join(dir, "data", "stats", "part-1.parquet"), later);

    const now = await (await getHistoricalFeatures(ctx, req)).toArray();
    expect(now.map((r) => r.stats__conv_rate)).toEqual([0.58, 0.6, 0.95, 0.58]);
    expect(now.map((r) => r.stats_f__conv_rate)).toEqual([0.58, 0.6, 0.95, 0.58]);
    const rebuilt = await (
      await getHistoricalFeatures(ctx, { ...req, createdBefore: "2024-01-31T00:00:00Z" })
    ).toArray();
    expect(rebuilt).toEqual(before);
  });

  it("every entity row once, in input order, labels carried; int64 keys come back as numbers", async () => {
    const rows = await (
      await getHistoricalFeatures(ctx, { entityRows, featureService: "model_v1" })
    ).toArray();
    expect(rows.map((r) => [r.driver_id, r.label])).toEqual([
      [1, "a"],
      [1, "b"],
      [2, "c"],
      [1, "a"],
    ]);
    expect(rows[0]!.event_timestamp).toEqual(new Date("2024-01-01T11:00:00Z"));
  });

  it("an entity row without a time or a key matches nothing, on both engines", async () => {
    const rows = await (
      await getHistoricalFeatures(ctx, {
        entityRows: [
          { driver_id: 1, event_timestamp: null, label: "no time" },
          { driver_id: null, event_timestamp: "2024-01-03T00:00:00Z", label: "no key" },
          { driver_id: 1, event_timestamp: "2024-01-03T00:00:00Z", label: "both" },
        ],
        features: ["stats:trips", "stats_f:trips"],
        fullFeatureNames: true,
        createdBefore: "2024-01-31T00:00:00Z",
      })
    ).toArray();
    expect(rows.map((r) => [r.label, r.stats__trips, r.stats_f__trips])).toEqual([
      ["no time", null, null],
      ["no key", null, null],
      ["both", 11, 11],
    ]);
  });

  it("file scans keep the feature rows at both ends of the entity times' reach (first − ttl, last)", async () => {
    // Feature rows outside [first entity time − ttl, last entity time] are dropped before the
    // ASOF; the rows exactly at either end must stay.
    await mkdir(path.join(dir, "data", "edges"), { recursive: true });
    await writeParquet(path.join(dir, "data", "edges", "part-0.parquet"), [
      [1, "2024-01-01 09:00:00Z", "2024-01-01 09:00:00Z", 0, 1],
      [1, "2024-01-01 12:00:00Z", "2024-01-01 12:00:00Z", 0, 2],
      [1, "2024-01-01 12:00:01Z", "2024-01-01 12:00:01Z", 0, 3],
    ]);
    const rows = await (
      await getHistoricalFeatures(ctx, {
        entityRows: [
          { driver_id: 1, event_timestamp: "2024-01-01T12:00:00Z" },
          { driver_id: 1, event_timestamp: "2024-01-01T10:00:00Z" },
        ],
        features: ["edges_ttl:trips", "edges_created:trips"],
        fullFeatureNames: true,
      })
    ).toArray();
    expect(rows.map((r) => [r.edges_ttl__trips, r.edges_created__trips])).toEqual([
      [2, 2],
      [1, 1],
    ]);
  });

  it("a CSV file source breaks event-time ties by created too (its own join path)", async () => {
    // Restatements of one event (same event time): the latest created counts; createdBefore
    // steps back to the earlier one. The latest is neither first nor last in the file.
    await writeFile(
      path.join(dir, "data", "stats.csv"),
      [
        "driver_id,event_timestamp,created,trips",
        "1,2024-01-01T10:00:00Z,2024-01-05T00:00:00Z,20",
        "1,2024-01-01T10:00:00Z,2024-02-01T00:00:00Z,30",
        "1,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,10",
        "1,2024-01-01T09:00:00Z,2024-03-01T00:00:00Z,5",
      ].join("\n") + "\n",
    );
    const req = {
      entityRows: [{ driver_id: 1, event_timestamp: "2024-01-01T11:00:00Z" }],
      features: ["stats_csv:trips"],
    };
    const trips = async (createdBefore?: string) =>
      (await (await getHistoricalFeatures(ctx, { ...req, createdBefore })).toArray())[0]!.trips;
    expect(await trips()).toBe(30);
    expect(await trips("2024-01-31T00:00:00Z")).toBe(20);
    expect(await trips("2024-01-02T00:00:00Z")).toBe(10);
  });

  it("on-demand views run the server's transform runner on the joined rows", async () => {
    const rows = await (
      await getHistoricalFeatures(ctx, {
        entityRows: entityRows.map((r, i) => ({ ...r, val_to_add: i * 10 })),
        features: ["conv_plus:conv_plus_val", "stats:trips", "conv_plus:trips_doubled"],
        createdBefore: "2024-01-31T00:00:00Z",
      })
    ).toArray();
    expect(rows.map((r) => [r.conv_plus_val, r.trips, r.trips_doubled])).toEqual([
      [0.5, 10, 20],
      [10.6, 11, 22],
      [20.9, 3, 6],
      [30.5, 10, 20],
    ]);
    expect(Object.keys(rows[0]!)).toEqual([
      "driver_id",
      "event_timestamp",
      "label",
      "val_to_add",
      "conv_plus_val",
      "trips",
      "trips_doubled",
    ]);
  });

  it("source column missing: located at the source's definition, both engines", async () => {
    const pgErr = getHistoricalFeatures(ctx, { entityRows, features: ["broken:rate"] }).then((r) =>
      r.toArray(),
    );
    await expect(pgErr).rejects.toThrow(
      /^features\.ts:\d+: error FS403: source broken_pg: column "conv" \(feature broken\.rate\) not in table driver_stats/,
    );
    const fileErr = getHistoricalFeatures(ctx, { entityRows, features: ["broken_f:conv_rate"] }).then((r) =>
      r.toArray(),
    );
    await expect(fileErr).rejects.toThrow(
      /^features\.ts:\d+: error FS402: source broken_file: column "ts" \(timestampField\) not in the files of data\/stats/,
    );
  });

  it("an offline store that refuses the login or is not there is a connection error, password masked", async () => {
    const secret = "hunter2-training";
    const u = new URL(url);
    // The test server trusts local logins: an unknown role is what it refuses.
    u.username = "no_such_role";
    u.password = secret;
    const badLogin = { ...ctx, config: projectConfig(dir, u.toString()) };
    const loginErr = getHistoricalFeatures(badLogin, { entityRows, features: ["stats:conv_rate"] }).then(
      (r) => r.toArray(),
    );
    await expect(loginErr).rejects.toThrow(
      /^offline store connection error \(postgres(ql)?:\/\/[^)]*\*\*\*@/,
    );
    await expect(loginErr).rejects.toMatchObject({ hint: expect.stringMatching(/refused the login/) });
    await expect(loginErr).rejects.not.toThrow(new RegExp(secret));
    // A port nothing listens on: refused at once, not a hang and not a bad relation.
    u.port = "1";
    const closed = { ...ctx, config: projectConfig(dir, u.toString()) };
    const closedErr = getHistoricalFeatures(closed, { entityRows, features: ["stats:conv_rate"] }).then((r) =>
      r.toArray(),
    );
    await expect(closedErr).rejects.toThrow(/^offline store connection error .*ECONNREFUSED/);
    await expect(closedErr).rejects.not.toThrow(new RegExp(secret));
  });

  it("mismatched key types: in the entity rows, an entity file, and a source", async () => {
    const rowsErr = getHistoricalFeatures(ctx, {
      entityRows: [{ driver_id: "7", event_timestamp: "2024-01-01" }],
      features: ["stats:trips"],
    }).then((r) => r.toArray());
    await expect(rowsErr).rejects.toThrow(
      'entityRows[0].driver_id: mismatched key type: "7" is a string, but join key driver_id of entity driver is int64',
    );
    const file = path.join(dir, "entities.csv");
    await writeFile(file, "driver_id,event_timestamp\nD7,2024-01-01\n");
    const fileErr = getHistoricalFeatures(ctx, { entityFile: file, features: ["stats:trips"] }).then((r) =>
      r.toArray(),
    );
    await expect(fileErr).rejects.toThrow(
      "entities.csv: mismatched key type: column driver_id is VARCHAR, but join key driver_id of entity driver is int64",
    );
    const srcErr = getHistoricalFeatures(ctx, { entityRows, features: ["text_keys:v"] }).then((r) =>
      r.toArray(),
    );
    await expect(srcErr).rejects.toThrow(
      /^features\.ts:\d+: source text_keys_pg: mismatched key type: column "driver_id" is text, but join key driver_id of entity driver is int64/,
    );
  });

  it("entity files without join keys or timestamps, or with a bad time, are named with the row", async () => {
    const file = path.join(dir, "e.jsonl");
    await writeFile(file, '{"id": 1, "event_timestamp": "2024-01-01"}\n');
    await expect(
      getHistoricalFeatures(ctx, { entityFile: file, features: ["stats:trips"] }).then((r) => r.toArray()),
    ).rejects.toThrow("e.jsonl: no column driver_id (the entity rows have id, event_timestamp)");
    const csv = path.join(dir, "e.csv");
    await writeFile(csv, "driver_id,event_timestamp\n1,2024-01-01\n2,soon\n");
    await expect(
      getHistoricalFeatures(ctx, { entityFile: csv, features: ["stats:trips"] }).then((r) => r.toArray()),
    ).rejects.toThrow('e.csv row 2 (line 3): event_timestamp "soon" is not a time');
  });

  it("writes Parquet and CSV; a failure leaves nothing at the path", async () => {
    const req = { entityRows, features: ["stats:conv_rate", "stats:trips"] };
    const csv = path.join(dir, "out.csv");
    expect(await (await getHistoricalFeatures(ctx, req)).writeFile(csv)).toEqual({ rows: 4 });
    expect((await readFile(csv, "utf8")).split("\n")[0]).toBe(
      "driver_id,event_timestamp,label,conv_rate,trips",
    );
    const pq = path.join(dir, "out.parquet");
    expect(await (await getHistoricalFeatures(ctx, req)).writeFile(pq)).toEqual({ rows: 4 });
    const bad = path.join(dir, "bad.parquet");
    await expect(
      (await getHistoricalFeatures(ctx, { entityRows, features: ["broken:rate"] })).writeFile(bad),
    ).rejects.toThrow();
    expect(existsSync(bad)).toBe(false);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe.runIf(hasService("postgres") && hasService("s3"))("FileSource on S3 (radosgw)", () => {
  it("reads s3:// Parquet parts with the offline_store.s3 settings", async () => {
    const bucket = await freshBucket();
    const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
    const s3 = new S3Client(s3ClientConfig());
    const dir = await mkdtemp(path.join(tmpdir(), "fsops-training-s3-"));
    try {
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const db = await DuckDBInstance.create(":memory:");
      const conn = await db.connect();
      const local = path.join(dir, "p.parquet");
      await conn.run(
        `COPY (SELECT * FROM (VALUES (1, TIMESTAMPTZ '2024-01-01 10:00:00Z', 0.5), (1, TIMESTAMPTZ '2024-01-02 10:00:00Z', 0.6)) t(driver_id, event_timestamp, conv_rate)) TO '${local}' (FORMAT parquet)`,
      );
      conn.closeSync();
      db.closeSync();
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: "stats/part-0.parquet", Body: await readFile(local) }),
      );
      const { s3: info } = services();
      process.env.AWS_ACCESS_KEY_ID = info.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = info.secretAccessKey;
      const s3State = registryState("training", [
        entity("driver", ["driver_id"], "int64"),
        fileSource("s3_src", `s3://${bucket}/stats`, {}),
        view("s3_stats", ["driver"], { conv_rate: "float64" }, "s3_src", 0),
      ]);
      const config = projectConfig(dir, null);
      config.offlineStore = {
        type: "file",
        s3: { endpoint: info.endpoint, region: info.region, forcePathStyle: true },
      };
      const rows = await (
        await getHistoricalFeatures(
          { projectDir: dir, config, state: s3State },
          {
            entityRows: [
              { driver_id: 1, event_timestamp: "2024-01-02T09:00:00Z" },
              { driver_id: 1, event_timestamp: "2024-01-03T00:00:00Z" },
            ],
            features: ["s3_stats:conv_rate"],
          },
        )
      ).toArray();
      expect(rows.map((r) => r.conv_rate)).toEqual([0.5, 0.6]);
    } finally {
      s3.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
