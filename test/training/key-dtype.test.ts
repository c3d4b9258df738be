/**
 * Join keys typed by a view's schema Field (not by the entity), and dtypes training cannot read
 * yet (json …): refused up front with a located message, never `CAST(… AS undefined)`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FeatureViewSpec } from "../../src/model/spec.js";
import { getHistoricalFeatures } from "../../src/training/index.js";
import { planRequest, TrainingError } from "../../src/training/request.js";
import { freshDatabase, hasService } from "../services/index.js";
import { entity, pgSource, projectConfig, registryState, view } from "./fixtures.js";

// The entity says nothing useful ("string", the default); the view's Field says int64.
const stats = view("stats", ["driver"], { trips: "int32" }, "stats_pg", 0);
const blobs = view("blobs", ["driver"], { trips: "int32", payload: "json" }, "stats_pg", 0);
for (const v of [stats, blobs])
  (v.spec as FeatureViewSpec).entityColumns = [{ name: "driver_id", dtype: "int64" }];
const state = registryState("training_keys", [
  entity("driver", ["driver_id"], "string"),
  pgSource("stats_pg", { table: "driver_stats" }),
  stats,
  blobs,
]);

describe("request planning: key and feature dtypes (pure)", () => {
  it("types a join key by the view's Field before the entity's valueType", () => {
    const plan = planRequest(state, { entityRows: [], features: ["stats:trips"] });
    expect(plan.joinKeys).toEqual([{ name: "driver_id", dtype: "int64", entity: "driver" }]);
  });

  it("refuses a json feature with a located message naming the supported dtypes", () => {
    const run = () => planRequest(state, { entityRows: [], features: ["blobs:payload"] });
    expect(run).toThrow(TrainingError);
    expect(run).toThrow(
      /^features\.ts:\d+: view "blobs": feature "payload" has dtype json, which materialize\/push\/training cannot read yet \(supported: int32, int64, .*unix_timestamp and their lists T\[\]\)/,
    );
  });
});

describe.runIf(hasService("postgres"))("an int64 key typed by the view's Field (real Postgres)", () => {
  let dir: string;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fsops-training-keys-"));
    url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`
      CREATE TABLE driver_stats (driver_id bigint, event_timestamp timestamptz, trips int, payload jsonb);
      INSERT INTO driver_stats VALUES (1, '2024-01-01 10:00:00Z', 10, '{}'), (2, '2024-01-01 12:00:00Z', 3, '{}');`);
    await client.end();
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("joins on the bigint column (no mismatched key type)", async () => {
    const ctx = { projectDir: dir, config: projectConfig(dir, url), state };
    const rows = await (
      await getHistoricalFeatures(ctx, {
        entityRows: [
          { driver_id: 2, event_timestamp: "2024-01-02T00:00:00Z" },
          { driver_id: 1, event_timestamp: "2024-01-02T00:00:00Z" },
        ],
        features: ["stats:trips"],
      })
    ).toArray();
    expect(rows.map((r) => [r.driver_id, r.trips])).toEqual([
      [2, 3],
      [1, 10],
    ]);
  });
});
