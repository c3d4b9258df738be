/** The README's worked example, run on both engines, with and without createdBefore. */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { getHistoricalFeatures } from "../../src/training/index.js";
import type { TrainingContext } from "../../src/training/index.js";
import { freshDatabase, hasService } from "../services/index.js";
import { entity, fileSource, pgSource, projectConfig, registryState, view } from "./fixtures.js";

const FEATURE_ROWS = [
  [1001, "2024-01-31 10:00:00Z", "2024-01-31 10:05:00Z", 0.5],
  [1001, "2024-01-31 11:00:00Z", "2024-01-31 11:02:00Z", 0.6],
  [1001, "2024-01-31 11:00:00Z", "2024-01-31 12:30:00Z", 0.65],
  [1002, "2024-01-31 08:00:00Z", "2024-01-31 08:01:00Z", 0.9],
] as const;

const ENTITY_ROWS = [
  { driver_id: 1001, event_timestamp: "2024-01-31T10:30:00Z", label: 1 },
  { driver_id: 1001, event_timestamp: "2024-01-31T11:00:00Z", label: 0 },
  { driver_id: 1002, event_timestamp: "2024-01-31T10:00:00Z", label: 1 },
  { driver_id: 1001, event_timestamp: "2024-01-31T09:00:00Z", label: 0 },
  { driver_id: 1001, event_timestamp: "2024-01-31T10:30:00Z", label: 1 },
];

describe.runIf(hasService("postgres"))("README worked example", () => {
  let dir: string;
  let ctx: TrainingContext;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "fsops-readme-"));
    const url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      "CREATE TABLE driver_stats (driver_id bigint, event_timestamp timestamptz, created timestamptz, conv_rate float8)",
    );
    for (const r of FEATURE_ROWS)
      await client.query("INSERT INTO driver_stats VALUES ($1, $2, $3, $4)", [...r]);
    await client.end();
    await mkdir(path.join(dir, "data"));
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    const values = FEATURE_ROWS.map(([d, t, c, v]) => `(${d}, TIMESTAMPTZ '${t}', TIMESTAMPTZ '${c}', ${v})`);
    await conn.run(
      `COPY (SELECT * FROM (VALUES ${values.join(", ")}) t(driver_id, event_timestamp, created, conv_rate)) TO '${path.join(dir, "data", "driver_stats.parquet")}' (FORMAT parquet)`,
    );
    conn.closeSync();
    db.closeSync();
    const state = registryState("readme", [
      entity("driver", ["driver_id"], "int64"),
      pgSource("stats_pg", { table: "driver_stats", createdTimestampColumn: "created" }),
      fileSource("stats_file", "data/driver_stats.parquet", { createdTimestampColumn: "created" }),
      view("driver_stats", ["driver"], { conv_rate: "float64" }, "stats_pg", 3600),
      view("driver_stats_f", ["driver"], { conv_rate: "float64" }, "stats_file", 3600),
    ]);
    ctx = { projectDir: dir, config: projectConfig(dir, url), state };
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const createdBefore of [undefined, "2024-01-31T12:00:00Z"]) {
    it(`gives the README's values${createdBefore ? " with createdBefore 12:00" : ""} on both engines`, async () => {
      const rows = await (
        await getHistoricalFeatures(ctx, {
          entityRows: ENTITY_ROWS,
          features: ["driver_stats:conv_rate", "driver_stats_f:conv_rate"],
          fullFeatureNames: true,
          ...(createdBefore ? { createdBefore } : {}),
        })
      ).toArray();
      const want = [0.5, createdBefore ? 0.6 : 0.65, null, null, 0.5];
      expect(rows.map((r) => r.driver_stats__conv_rate)).toEqual(want);
      expect(rows.map((r) => r.driver_stats_f__conv_rate)).toEqual(want);
      expect(rows.map((r) => [r.driver_id, r.label])).toEqual(ENTITY_ROWS.map((e) => [e.driver_id, e.label]));
    });
  }
});
