/**
 * The write side of `fsops serve`: push over HTTP and read back over HTTP, materialize and
 * materialize-incremental over HTTP, and the per-view freshness metric — on a real Postgres
 * (offline and online in one database).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { dataActions } from "../../src/serving/data-actions.js";
import { FeatureStore } from "../../src/serving/index.js";
import type { RunningServer } from "../../src/serving/server.js";
import { startServer } from "../../src/serving/server.js";
import { freshDatabase, hasService } from "../services/index.js";
import { apply, HOUR, makeProject, post, SCHEMA, ts } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const NOW = Date.now();

interface Results {
  metadata: { feature_names: string[] };
  results: { values: unknown[]; statuses: string[]; event_timestamps: string[] }[];
}

describe.runIf(hasService("postgres"))("fsops serve: push and materialize over HTTP", () => {
  let server: RunningServer;
  let store: FeatureStore;
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`CREATE TABLE driver_stats (driver_id bigint, conv_rate real, acc_rate double precision,
      trips bigint, hours real[], event_timestamp timestamptz)`);
    // Driver 1: an old and a newer row (the newer wins); driver 2: one row after the window.
    await client.query(
      `INSERT INTO driver_stats VALUES
        (1, 0.25, 0.5, 10, '{1,2}', $1), (1, 0.75, 0.5, 11, '{3}', $2), (2, 0.5, 0.5, 5, NULL, $3)`,
      [new Date(NOW - 3 * HOUR), new Date(NOW - 2 * HOUR), new Date(NOW + HOUR)],
    );
    await client.end();
    const dir = await makeProject({
      registry: "data/registry.json",
      online: `  type: postgres\n  connection_string: \${DB}\n  schema: ${SCHEMA}`,
      offline: "  type: postgres\n  connection_string: ${DB}",
    });
    const env = { DB: url };
    await apply(dir, env);
    store = await FeatureStore.open(dir, { env });
    server = await startServer(store, { port: 0, actions: dataActions(store) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("push over HTTP, read back over HTTP", async () => {
    const at = new Date(NOW - 60_000);
    const pushed = await post(server.url, "/push", {
      push_source_name: "driver_push",
      df: {
        driver_id: [7, 8],
        event_timestamp: [at.toISOString(), at.toISOString()],
        conv_rate: [0.5, 0.25],
        trips: [12, "9007199254740993"],
      },
      to: "online",
    });
    expect(pushed.status, pushed.text).toBe(200);
    const read = await post(server.url, "/get-online-features", {
      entities: { driver_id: [7, 8, 9] },
      features: ["driver_fresh:conv_rate", "driver_fresh:trips"],
    });
    expect(read.status, read.text).toBe(200);
    expect(read.text).toBe(
      JSON.stringify({
        metadata: { feature_names: ["driver_id", "conv_rate", "trips"] },
        results: [
          {
            values: [7, 8, 9],
            statuses: ["PRESENT", "PRESENT", "PRESENT"],
            event_timestamps: Array(3).fill("1970-01-01T00:00:00Z"),
          },
          {
            values: [0.5, 0.25, null],
            statuses: ["PRESENT", "PRESENT", "NOT_FOUND"],
            event_timestamps: [ts(at), ts(at), "1970-01-01T00:00:00Z"],
          },
          {
            values: [12, "BIG", null],
            statuses: ["PRESENT", "PRESENT", "NOT_FOUND"],
            event_timestamps: [ts(at), ts(at), "1970-01-01T00:00:00Z"],
          },
        ],
      }).replace('"BIG"', "9007199254740993"),
    );
  });

  it("a bad push is a 400 naming row and column, and writes nothing", async () => {
    const bad = await post(server.url, "/push", {
      push_source_name: "driver_push",
      df: {
        driver_id: [20, 21],
        event_timestamp: [new Date(NOW).toISOString(), new Date(NOW).toISOString()],
        conv_rate: [0.5, "fast"],
        trips: [1, 2],
      },
    });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toMatch(/row 2, column "conv_rate"/);
    const unknown = await post(server.url, "/push", { push_source_name: "nope", df: { driver_id: [1] } });
    expect(unknown.status).toBe(400);
    const shape = await post(server.url, "/push", { push_source_name: "driver_push", df: [1, 2] });
    expect(shape.status).toBe(400);
    expect((shape.json as { error: string }).error).toMatch(/^df: expected an object of columns/);
    const read = await post(server.url, "/get-online-features", {
      entities: { driver_id: [20] },
      features: ["driver_fresh:conv_rate"],
    });
    expect((read.json as Results).results[1]?.statuses).toEqual(["NOT_FOUND"]);
  });

  it("a bad push cell is a 400 naming its JSON field (df.column[index]); nothing is written online or offline", async () => {
    const offlineRows = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query("SELECT count(*)::int AS n FROM driver_stats")).rows[0].n as number;
      } finally {
        await client.end();
      }
    };
    const before = await offlineRows();
    const now = new Date(NOW).toISOString();
    const good = { driver_id: [30, 31], event_timestamp: [now, now], conv_rate: [0.5, 0.5], trips: [1, 2] };
    const cases: [Record<string, unknown[]>, string, RegExp][] = [
      [{ ...good, conv_rate: [0.5, 1e39] }, "df.conv_rate[1]", /out of range for float32/],
      [{ ...good, trips: ["9223372036854775808", 2] }, "df.trips[0]", /out of range for int64/],
      [{ ...good, trips: [1, 2 ** 60] }, "df.trips[1]", /past 2\^53: pass int64 as a string of digits/],
      [
        { ...good, event_timestamp: [now, "2025-02-30T00:00:00Z"] },
        "df.event_timestamp[1]",
        /not a valid date/,
      ],
      [{ ...good, driver_id: [30, null] }, "df.driver_id[1]", /missing join key/],
      [{ ...good, colour: ["red", "blue"] }, "df.colour", /unknown column/],
    ];
    for (const [df, field, message] of cases) {
      const bad = await post(server.url, "/push", {
        push_source_name: "driver_push",
        df,
        to: "online_and_offline",
      });
      expect(bad.status, bad.text).toBe(400);
      const error = (bad.json as { error: string }).error;
      expect(error.startsWith(`${field}: `), error).toBe(true);
      expect(error).toMatch(message);
      expect(error).toMatch(/nothing was written$/);
    }
    const read = await post(server.url, "/get-online-features", {
      entities: { driver_id: [30, 31] },
      features: ["driver_fresh:conv_rate"],
    });
    expect((read.json as Results).results[1]?.statuses).toEqual(["NOT_FOUND", "NOT_FOUND"]);
    expect(await offlineRows()).toBe(before);
  });

  it("materialize and materialize-incremental over HTTP fill what /get-online-features serves, and /metrics shows freshness", async () => {
    const end = new Date(NOW);
    const bad = await post(server.url, "/materialize", { start_ts: "yesterday", end_ts: end.toISOString() });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toMatch(/^start_ts: expected an ISO 8601 time/);

    const done = await post(server.url, "/materialize", {
      start_ts: new Date(NOW - 10 * HOUR).toISOString(),
      end_ts: end.toISOString(),
      feature_views: ["driver_stats"],
    });
    expect(done.status, done.text).toBe(200);
    expect((done.json as { views: { view: string; status: string; rows: number }[] }).views).toMatchObject([
      { view: "driver_stats", status: "ok", rows: 1 },
    ]);
    const read = await post(server.url, "/get-online-features", {
      entities: { driver_id: [1, 2] },
      features: ["driver_stats:conv_rate", "driver_stats:trips", "driver_stats:hours"],
    });
    const body = read.json as Results;
    expect(body.results[1]).toEqual({
      values: [0.75, null],
      statuses: ["PRESENT", "NOT_FOUND"],
      event_timestamps: [ts(new Date(NOW - 2 * HOUR)), "1970-01-01T00:00:00Z"],
    });
    expect(body.results[2]?.values).toEqual([11, null]);
    expect(body.results[3]?.values).toEqual([[3], null]);

    const incremental = await post(server.url, "/materialize-incremental", {
      end_ts: new Date(NOW + 2 * HOUR).toISOString(),
      feature_views: ["driver_stats"],
    });
    expect(incremental.status, incremental.text).toBe(200);
    const after = await post(server.url, "/get-online-features", {
      entities: { driver_id: [2] },
      features: ["driver_stats:trips"],
    });
    expect((after.json as Results).results[1]?.values).toEqual([5]);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const m = /fsops_feature_view_freshness_seconds\{view="driver_stats"\} (-?[\d.e+-]+)/.exec(metrics);
    expect(m, metrics).not.toBeNull();
    expect(Number(m?.[1])).toBe(0); // the last end is in the future: clamped at 0
    expect(metrics).toMatch(/fsops_serve_request_duration_seconds_count\{endpoint="\/push",code="200"\} 1/);
  });

  it("FeatureStore.getHistoricalFeatures builds training rows with the same on-demand values serving returns", async () => {
    // After the materialize test: driver 1's newest row (conv_rate 0.75, trips 11) is online.
    const served = await store.getOnlineFeatures({
      features: ["driver_stats:conv_rate", "conv_plus:conv_plus_val"],
      entityRows: [{ driver_id: 1 }],
      requestContext: { val_to_add: [1] },
    });
    const training = await store.getHistoricalFeatures({
      entityRows: [{ driver_id: 1, event_timestamp: new Date(NOW - HOUR), val_to_add: 1 }],
      features: ["driver_stats:conv_rate", "driver_stats:trips", "conv_plus:conv_plus_val"],
    });
    const rows = await training.toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.conv_rate).toBe(0.75);
    expect(Number(rows[0]?.trips)).toBe(11);
    expect(rows[0]?.conv_plus_val).toBe(served.rows[0]?.conv_plus_val);
    expect(served.rows[0]?.conv_plus_val).toBe(1.75);
  });
});
