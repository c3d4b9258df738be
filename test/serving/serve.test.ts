/**
 * `fsops serve` and the `fsops/serving` SDK against real stores: golden request/response pairs in
 * the JSON of Feast's feature server, statuses, ttl at read time, on-demand transforms in the
 * sandbox, bad bodies, and live registry refresh.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FeatureStore, toFeastJson } from "../../src/serving/index.js";
import type { RunningServer } from "../../src/serving/server.js";
import { startServer } from "../../src/serving/server.js";
import { freshDatabase, freshRedisDb, hasService, services } from "../services/index.js";
import {
  apply,
  definitions,
  HOUR,
  makeProject,
  post,
  sampleRows,
  SCHEMA,
  ts,
  writePostgresRows,
  writeRedisRows,
} from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const NOW = Date.now();

/** What every store must answer for the sample rows (event times relative to NOW). */
function goldenFeatures(): string {
  const t1 = ts(new Date(NOW - HOUR));
  const t2 = ts(new Date(NOW - 2 * HOUR));
  const t3 = ts(new Date(NOW - 48 * HOUR));
  const epoch = "1970-01-01T00:00:00Z";
  return (
    JSON.stringify({
      metadata: { feature_names: ["driver_id", "conv_rate", "trips", "hours"] },
      results: [
        {
          values: [1001, 1002, 1003, 1004],
          statuses: ["PRESENT", "PRESENT", "PRESENT", "PRESENT"],
          event_timestamps: [epoch, epoch, epoch, epoch],
        },
        {
          values: [0.5, null, null, null],
          statuses: ["PRESENT", "NULL_VALUE", "OUTSIDE_MAX_AGE", "NOT_FOUND"],
          event_timestamps: [t1, t2, t3, epoch],
        },
        {
          values: ["TRIPS_1001", 7, null, null],
          statuses: ["PRESENT", "PRESENT", "OUTSIDE_MAX_AGE", "NOT_FOUND"],
          event_timestamps: [t1, t2, t3, epoch],
        },
        {
          values: [[1.5, 2], null, null, null],
          statuses: ["PRESENT", "NULL_VALUE", "OUTSIDE_MAX_AGE", "NOT_FOUND"],
          event_timestamps: [t1, t2, t3, epoch],
        },
      ],
    })
      // JSON.stringify cannot write an int64 past 2^53; the server writes every digit.
      .replace('"TRIPS_1001"', "9007199254740993")
  );
}

function goldenService(): string {
  const t1 = ts(new Date(NOW - HOUR));
  const tc = ts(new Date(NOW - 400 * 24 * HOUR));
  const epoch = "1970-01-01T00:00:00Z";
  return JSON.stringify({
    metadata: {
      feature_names: [
        "driver_id",
        "customer_id",
        "driver_stats__conv_rate",
        "driver_stats__trips",
        "customer_profile__tier",
        "pair_stats__rides",
        "conv_plus__conv_plus_val",
        "conv_plus__trips_doubled",
      ],
    },
    results: [
      { values: [1001, 1002], statuses: ["PRESENT", "PRESENT"], event_timestamps: [epoch, epoch] },
      { values: ["c1", "c2"], statuses: ["PRESENT", "PRESENT"], event_timestamps: [epoch, epoch] },
      {
        values: [0.5, null],
        statuses: ["PRESENT", "NULL_VALUE"],
        event_timestamps: [t1, ts(new Date(NOW - 2 * HOUR))],
      },
      {
        values: ["TRIPS_1001", 7],
        statuses: ["PRESENT", "PRESENT"],
        event_timestamps: [t1, ts(new Date(NOW - 2 * HOUR))],
      },
      { values: ["gold", null], statuses: ["PRESENT", "NOT_FOUND"], event_timestamps: [tc, epoch] },
      { values: [4, null], statuses: ["PRESENT", "NOT_FOUND"], event_timestamps: [t1, epoch] },
      // The transform by hand: conv_rate + val_to_add, trips × 2 (null stays null).
      { values: [0.5 + 0.25, null], statuses: ["PRESENT", "NULL_VALUE"], event_timestamps: [epoch, epoch] },
      { values: ["TRIPS_X2", 14], statuses: ["PRESENT", "PRESENT"], event_timestamps: [epoch, epoch] },
    ],
  })
    .replace('"TRIPS_1001"', "9007199254740993")
    .replace('"TRIPS_X2"', "18014398509481986");
}

const FEATURES_REQUEST = {
  entities: { driver_id: [1001, 1002, 1003, 1004] },
  features: ["driver_stats:conv_rate", "driver_stats:trips", "driver_stats:hours"],
};
const SERVICE_REQUEST = {
  entities: { driver_id: [1001, 1002], customer_id: ["c1", "c2"] },
  feature_service: "ranking",
  full_feature_names: true,
  request_context: { val_to_add: [0.25, 1] },
};

interface Fixture {
  dir: string;
  env: Record<string, string>;
  store: FeatureStore;
  server: RunningServer;
}

async function serve(dir: string, env: Record<string, string>): Promise<Fixture> {
  const store = await FeatureStore.open(dir, { env, watch: true, transformTimeoutMs: 200 });
  const server = await startServer(store, { port: 0 });
  return { dir, env, store, server };
}

describe.runIf(hasService("postgres"))("fsops serve on a Postgres online store, file registry", () => {
  let f: Fixture;
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
    const dir = await makeProject({
      registry: "data/registry.json",
      online: `  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`,
    });
    const env = { ONLINE: url };
    await apply(dir, env);
    for (const [view, rows] of Object.entries(sampleRows(NOW))) await writePostgresRows(url, view, rows);
    f = await serve(dir, env);
  });
  afterAll(async () => {
    await f?.server.close();
  });

  it("answers /get-online-features with Feast's column-oriented JSON: statuses, timestamps, int64 digits", async () => {
    const res = await post(f.server.url, "/get-online-features", FEATURES_REQUEST);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toBe(goldenFeatures());
    // The SDK's toFeastJson of the same request writes the same bytes.
    const sdk = await f.store.getOnlineFeatures({
      features: FEATURES_REQUEST.features,
      entityRows: FEATURES_REQUEST.entities.driver_id.map((driver_id) => ({ driver_id })),
    });
    expect(toFeastJson(sdk)).toBe(goldenFeatures());
  });

  it("answers a feature service over three views with full feature names and on-demand values", async () => {
    const res = await post(f.server.url, "/get-online-features", SERVICE_REQUEST);
    expect(res.status, res.text).toBe(200);
    expect(res.text).toBe(goldenService());
  });

  it("the SDK returns rows with statuses, int64 as bigint, and plain names by default", async () => {
    const out = await f.store.getOnlineFeatures({
      featureService: "ranking",
      entityRows: [{ driver_id: 1001, customer_id: "c1" }],
      requestContext: { val_to_add: [1] },
    });
    expect(out.featureNames).toEqual([
      "driver_id",
      "customer_id",
      "conv_rate",
      "trips",
      "tier",
      "rides",
      "conv_plus_val",
      "trips_doubled",
    ]);
    expect(out.rows[0]).toEqual({
      driver_id: 1001n,
      customer_id: "c1",
      conv_rate: 0.5,
      trips: 9007199254740993n,
      tier: "gold",
      rides: 4,
      conv_plus_val: 1.5,
      trips_doubled: 18014398509481986n,
    });
    expect(out.statuses[0]?.trips).toBe("PRESENT");
    expect(out.eventTimestamps[0]?.conv_rate?.getTime()).toBe(NOW - HOUR);
  });

  it("SDK errors name the unknown feature, unknown service, missing join key, wrong key type", async () => {
    const rows = [{ driver_id: 1001 }];
    await expect(
      f.store.getOnlineFeatures({ features: ["driver_stats:nope"], entityRows: rows }),
    ).rejects.toThrow(/features\[0\]: view driver_stats has no feature "nope"/);
    await expect(f.store.getOnlineFeatures({ features: ["nope:x"], entityRows: rows })).rejects.toThrow(
      /unknown feature view "nope"/,
    );
    await expect(f.store.getOnlineFeatures({ featureService: "nope", entityRows: rows })).rejects.toThrow(
      /unknown feature service "nope" \(known: ranking\)/,
    );
    await expect(
      f.store.getOnlineFeatures({ features: ["pair_stats:rides"], entityRows: rows }),
    ).rejects.toThrow(/missing join key customer_id \(needed by pair_stats\)/);
    await expect(
      f.store.getOnlineFeatures({ features: ["driver_stats:trips"], entityRows: [{ driver_id: "abc" }] }),
    ).rejects.toThrow(/entities.driver_id\[0\]: expected an int64/);
  });

  it("stops an endless transform at the time limit, answers with an error naming the view, then serves the next request", async () => {
    const started = Date.now();
    const res = await post(f.server.url, "/get-online-features", {
      entities: { driver_id: [1001] },
      features: ["spin:never"],
    });
    expect(res.status).toBe(500);
    expect(res.json).toEqual({
      error: "on-demand view spin: the transform ran longer than 200 ms and was stopped",
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    const wrong = await post(f.server.url, "/get-online-features", {
      entities: { driver_id: [1001] },
      features: ["wrong_shape:x"],
    });
    expect(wrong.status).toBe(500);
    expect((wrong.json as { error: string }).error).toMatch(
      /^on-demand view wrong_shape: output x must be an array/,
    );
    const next = await post(f.server.url, "/get-online-features", FEATURES_REQUEST);
    expect(next.text).toBe(goldenFeatures());
  });

  it("hands request_context values shaped like the sandbox's tags to the transform as plain data", async () => {
    const values = [{ $b: "not a number" }, { $d: "2020-01-01" }, { $u8: [1] }, { $$b: "1" }];
    const res = await post(f.server.url, "/get-online-features", {
      entities: { driver_id: [1001, 1002, 1003, 1004] },
      features: ["echo_request:seen"],
      request_context: { val_to_add: values },
    });
    expect(res.status, res.text).toBe(200);
    const results = (res.json as { results: { values: unknown[]; statuses: string[] }[] }).results;
    expect(results[1]?.values).toEqual(values.map((v) => JSON.stringify(v)));
    expect(results[1]?.statuses).toEqual(["PRESENT", "PRESENT", "PRESENT", "PRESENT"]);
    // The SDK's requestContext the same.
    const out = await f.store.getOnlineFeatures({
      features: ["echo_request:seen"],
      entityRows: [{ driver_id: 1 }],
      requestContext: { val_to_add: [{ $b: "x" }] },
    });
    expect(out.rows[0]?.seen).toBe('{"$b":"x"}');
  });

  it("answers bad bodies with 4xx and a JSON error naming the field, and stays healthy", async () => {
    const cases: [unknown, RegExp][] = [
      ["{not json", /not JSON/],
      ["", /empty/],
      ["[1,2]", /must be a JSON object/],
      [{ entities: "x", features: [] }, /^entities: expected an object/],
      [
        { entities: { driver_id: 5 }, features: ["driver_stats:trips"] },
        /^entities.driver_id: expected an array/,
      ],
      [{ entities: { driver_id: [1] }, features: "driver_stats:trips" }, /^features: expected an array/],
      [{ entities: { driver_id: [1] }, features: [1] }, /^features: expected an array/],
      [{ entities: { driver_id: [1] }, feature_service: 3 }, /^feature_service: expected/],
      [{ entities: { driver_id: [1] }, feature_service: "ghost" }, /unknown feature service "ghost"/],
      [
        { entities: { driver_id: [1] }, features: ["driver_stats:trips"], full_feature_names: "yes" },
        /^full_feature_names/,
      ],
      [
        { entities: { driver_id: [1, 2], customer_id: ["a"] }, feature_service: "ranking" },
        /entities.customer_id: has 1 values/,
      ],
      [
        { entities: { driver_id: [1.5] }, features: ["driver_stats:trips"] },
        /entities.driver_id\[0\]: expected an int64/,
      ],
      [{ entities: { driver_id: [1] }, feature_service: "ranking" }, /missing join key customer_id/],
      [
        { entities: { driver_id: [1], customer_id: ["c"] }, feature_service: "ranking" },
        /request_context.val_to_add: missing/,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await post(f.server.url, "/get-online-features", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(res.json as object)).toEqual(["error"]);
      expect((res.json as { error: string }).error).toMatch(message);
    }
    const huge = `{"entities":{"driver_id":[${"1,".repeat(5 * 1024 * 1024)}1]}}`; // 10 MB
    const big = await post(f.server.url, "/get-online-features", huge);
    expect(big.status).toBe(400);
    expect((big.json as { error: string }).error).toMatch(/larger than the 1048576-byte limit/);
    const wrongMethod = await fetch(`${f.server.url}/get-online-features`);
    expect(wrongMethod.status).toBe(405);
    const health = await fetch(`${f.server.url}/health`);
    expect(health.status).toBe(200);
    expect((await post(f.server.url, "/get-online-features", FEATURES_REQUEST)).text).toBe(goldenFeatures());
  });

  it("answers /health as Feast's feature server does: 200 with an empty body (serial in a header)", async () => {
    const res = await fetch(`${f.server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(res.headers.get("content-length")).toBe("0");
    expect(res.headers.get("content-type")).toBeNull();
    expect(res.headers.get("x-fsops-registry-serial")).toBe(String(f.store.version.state.serial));
  });

  it("/metrics has latency histograms per endpoint, errors, and the served serial", async () => {
    const text = await (await fetch(`${f.server.url}/metrics`)).text();
    expect(text).toMatch(
      /fsops_serve_request_duration_seconds_bucket\{le="0.005",endpoint="\/get-online-features",code="200"\}/,
    );
    expect(text).toMatch(
      /fsops_serve_request_duration_seconds_bucket\{le="\+Inf",endpoint="\/get-online-features",code="200"\} [1-9]\d*\n/,
    );
    expect(text).toMatch(
      /fsops_serve_request_duration_seconds_sum\{endpoint="\/get-online-features",code="200"\} [\d.e-]+\nfsops_serve_request_duration_seconds_count\{endpoint="\/get-online-features",code="200"\} [1-9]\d*\n/,
    );
    expect(text).toContain("# TYPE fsops_serve_request_duration_seconds histogram\n");
    expect(text).toMatch(
      /fsops_serve_request_errors_total\{endpoint="\/get-online-features",code="400"\} \d+/,
    );
    expect(text).toMatch(/fsops_serve_transform_errors_total\{view="spin"\} 1/);
    expect(text).toMatch(/fsops_registry_serial \d+/);
    expect(text).not.toContain(new URL(url).password || "\u0000");
  });

  it("serves a feature added by an apply within 1 s, without a restart (file registry)", async () => {
    const before = f.store.version.state.serial;
    await writeFile(join(f.dir, "features.ts"), definitions(["surge"]));
    await apply(f.dir, f.env);
    const applied = Date.now();
    let res = await post(f.server.url, "/get-online-features", {
      entities: { driver_id: [1001] },
      features: ["driver_stats:surge"],
    });
    while (res.status !== 200 && Date.now() - applied < 1_000) {
      await new Promise((r) => setTimeout(r, 20));
      res = await post(f.server.url, "/get-online-features", {
        entities: { driver_id: [1001] },
        features: ["driver_stats:surge"],
      });
    }
    expect(res.status, res.text).toBe(200);
    expect(Date.now() - applied).toBeLessThan(1_000);
    expect((res.json as { results: { statuses: string[] }[] }).results[1]?.statuses).toEqual(["NULL_VALUE"]);
    expect(f.store.version.state.serial).toBe(before + 1);
  });
});

describe.runIf(hasService("postgres"))("live refresh with a Postgres registry (LISTEN/NOTIFY)", () => {
  it("serves a feature added by an apply within 1 s", async () => {
    const url = await freshDatabase();
    const dir = await makeProject({
      registry: "${REGISTRY}",
      online: `  type: postgres\n  connection_string: \${REGISTRY}\n  schema: ${SCHEMA}`,
    });
    const env = { REGISTRY: url };
    await apply(dir, env);
    const f = await serve(dir, env);
    try {
      await new Promise((r) => setTimeout(r, 200)); // the LISTEN connection is up
      await writeFile(join(dir, "features.ts"), definitions(["surge"]));
      await apply(dir, env);
      const applied = Date.now();
      const ask = () =>
        post(f.server.url, "/get-online-features", {
          entities: { driver_id: [1] },
          features: ["driver_stats:surge"],
        });
      let res = await ask();
      while (res.status !== 200 && Date.now() - applied < 1_000) {
        await new Promise((r) => setTimeout(r, 10));
        res = await ask();
      }
      expect(res.status, res.text).toBe(200);
      expect(Date.now() - applied).toBeLessThan(1_000);
      expect((res.json as { results: { statuses: string[] }[] }).results[1]?.statuses).toEqual(["NOT_FOUND"]);
    } finally {
      await f.server.close();
    }
  });
});

describe.runIf(hasService("redis"))("fsops serve on a Redis online store", () => {
  it("answers the same golden responses from one pipeline of HMGETs", async () => {
    const redisUrl = await freshRedisDb();
    const dir = await makeProject({
      registry: "data/registry.json",
      online: "  type: redis\n  connection_string: ${ONLINE}",
    });
    const env = { ONLINE: redisUrl };
    await apply(dir, env);
    for (const [view, rows] of Object.entries(sampleRows(NOW))) await writeRedisRows(redisUrl, view, rows);
    const f = await serve(dir, env);
    try {
      const res = await post(f.server.url, "/get-online-features", FEATURES_REQUEST);
      expect(res.text).toBe(goldenFeatures());
      const svc = await post(f.server.url, "/get-online-features", SERVICE_REQUEST);
      expect(svc.text).toBe(goldenService());
      expect((await fetch(`${f.server.url}/health`)).status).toBe(200);
    } finally {
      await f.server.close();
    }
  });
});

describe.runIf(hasService("redis-cluster"))("fsops serve on a Redis Cluster", () => {
  it("answers the golden responses with keys spread over the masters", async () => {
    const { nodes } = services().redisCluster;
    const dir = await makeProject({
      registry: "data/registry.json",
      online: "  type: redis\n  connection_string: ${ONLINE}",
    });
    const env = { ONLINE: `redis+cluster://${nodes.map((n) => `${n.host}:${n.port}`).join(",")}` };
    await apply(dir, env);
    for (const [view, rows] of Object.entries(sampleRows(NOW))) await writeRedisRows(nodes, view, rows);
    const f = await serve(dir, env);
    try {
      expect((await post(f.server.url, "/get-online-features", FEATURES_REQUEST)).text).toBe(
        goldenFeatures(),
      );
      expect((await post(f.server.url, "/get-online-features", SERVICE_REQUEST)).text).toBe(goldenService());
    } finally {
      await f.server.close();
    }
  });
});

describe("the embedded (PGlite) online store", () => {
  it("serves through the SDK, and /health is 503 once the store is gone", async () => {
    const dir = await makeProject({
      registry: "data/registry.json",
      online: '  type: postgres\n  connection_string: ""',
    });
    await apply(dir);
    const store = await FeatureStore.open(dir, { env: {} });
    const server = await startServer(store, { port: 0 });
    try {
      const out = await store.getOnlineFeatures({
        features: ["driver_stats:conv_rate", "customer_profile:tier"],
        entityRows: [{ driver_id: 1, customer_id: "x" }],
      });
      expect(out.statuses[0]).toEqual({
        driver_id: "PRESENT",
        customer_id: "PRESENT",
        conv_rate: "NOT_FOUND",
        tier: "NOT_FOUND",
      });
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      await store.reader.close();
      const health = await fetch(`${server.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.text()).toBe(""); // Feast's 503 has no body either
    } finally {
      await server.close().catch(() => undefined);
    }
    const text = await readFile(join(dir, "fsops.yaml"), "utf8");
    expect(text).toContain("project:");
  });
});
