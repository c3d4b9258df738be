/**
 * StreamFlow end to end through the CLI: a music-streaming team keeps monthly snapshot tables in
 * Postgres (`as_of` dates: the snapshot as of 2024-02-01 holds January's activity, published on
 * February 1st), applies its definitions, and builds a churn training set "as of 2024-01-31"
 * with `fsops get-historical-features`. No February data may appear in it.
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { freshDatabase, hasService } from "../services/index.js";
import { runCli, tempDir } from "../cli/helpers.js";

const DEFINITIONS = `
import { Entity, Field, FeatureView, FeatureService, PostgresSource } from "fsops";

export const user = new Entity({ name: "user", joinKeys: ["user_id"], valueType: "int64" });

export const usage = new FeatureView({
  name: "monthly_usage",
  entities: [user],
  ttl: "62d",
  schema: [
    new Field({ name: "minutes_streamed", dtype: "int64" }),
    new Field({ name: "skips", dtype: "int32" }),
  ],
  source: new PostgresSource({
    name: "usage_snapshots",
    table: "analytics.monthly_usage_snapshot",
    timestampField: "as_of",
    createdTimestampColumn: "loaded_at",
  }),
});

export const billing = new FeatureView({
  name: "monthly_billing",
  entities: [user],
  schema: [
    new Field({ name: "plan", dtype: "string" }),
    new Field({ name: "late_payments", dtype: "int32" }),
  ],
  source: new PostgresSource({
    name: "billing_snapshots",
    query: "SELECT customer AS user_id, snapshot_date, plan_name, late FROM analytics.billing_snapshot",
    timestampField: "snapshot_date",
    fieldMapping: { plan_name: "plan", late: "late_payments" },
  }),
});

export const churn = new FeatureService({
  name: "churn_model",
  features: [usage, billing.select(["plan"])],
});
`;

async function readCsv(file: string): Promise<string[]> {
  const { readFile } = await import("node:fs/promises");
  return (await readFile(file, "utf8")).trim().split("\n");
}

describe.runIf(hasService("postgres"))(
  "StreamFlow: monthly snapshots, a training set as of 2024-01-31",
  () => {
    let dir: string;
    let url: string;
    const env = () => ({ FSOPS_OFFLINE_PG: url });

    beforeAll(async () => {
      url = await freshDatabase();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`
      CREATE SCHEMA analytics;
      CREATE TABLE analytics.monthly_usage_snapshot (user_id bigint, as_of date, loaded_at timestamptz, minutes_streamed bigint, skips int);
      INSERT INTO analytics.monthly_usage_snapshot VALUES
        (1, '2023-12-01', '2023-12-01 06:00Z', 900, 10),
        (1, '2024-01-01', '2024-01-01 06:00Z', 1200, 12),
        (1, '2024-02-01', '2024-02-01 06:00Z', 99999, 999),   -- January's activity, published in February
        (2, '2024-01-01', '2024-01-01 06:00Z', 300, 3),
        (2, '2024-01-01', '2024-01-03 09:00Z', 310, 4),       -- a correction of the same snapshot, loaded later
        (2, '2024-02-01', '2024-02-01 06:00Z', 88888, 888),
        (3, '2024-02-01', '2024-02-01 06:00Z', 77777, 777);   -- a user who only appears in February
      CREATE TABLE analytics.billing_snapshot (customer bigint, snapshot_date date, plan_name text, late int);
      INSERT INTO analytics.billing_snapshot VALUES
        (1, '2024-01-01', 'family', 0), (1, '2024-02-01', 'FEBRUARY', 9),
        (2, '2023-11-01', 'student', 1), (2, '2024-02-01', 'FEBRUARY', 9);
      CREATE TABLE labels (user_id bigint, event_timestamp timestamptz, churned boolean);
      INSERT INTO labels VALUES (2, '2024-01-31', true), (1, '2024-01-31', false), (3, '2024-01-31', false), (1, '2024-01-31', false);`);
      await client.end();
      dir = path.join(await tempDir(), "streamflow");
      await mkdir(dir, { recursive: true });
      await writeFile(
        path.join(dir, "fsops.yaml"),
        "project: streamflow\nregistry: data/registry.json\noffline_store:\n  type: postgres\n  connection_string: ${FSOPS_OFFLINE_PG}\n",
      );
      await writeFile(path.join(dir, "features.ts"), DEFINITIONS);
      await writeFile(
        path.join(dir, "churn_labels.csv"),
        "user_id,event_timestamp,churned\n2,2024-01-31,true\n1,2024-01-31T00:00:00Z,false\n3,2024-01-31,false\n1,2024-01-31,false\n",
      );
      const applied = await runCli(["apply", dir, "--auto-approve"], { env: env() });
      expect(applied.stderr + applied.stdout).not.toMatch(/error/i);
      expect(applied.code).toBe(0);
    });

    it("builds the training set from a CSV of labels: January's snapshots, never February's", async () => {
      const out = path.join(dir, "train.csv");
      const r = await runCli(
        [
          "get-historical-features",
          dir,
          "--entities",
          path.join(dir, "churn_labels.csv"),
          "--feature-service",
          "churn_model",
          "--out",
          out,
        ],
        { env: env() },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^wrote 4 rows to /);
      expect(await readCsv(out)).toEqual([
        "user_id,event_timestamp,churned,minutes_streamed,skips,plan",
        "2,2024-01-31 00:00:00+00,true,310,4,student",
        "1,2024-01-31 00:00:00+00,false,1200,12,family",
        "3,2024-01-31 00:00:00+00,false,,,",
        "1,2024-01-31 00:00:00+00,false,1200,12,family",
      ]);
    });

    it("--entity-sql and --created-before: the correction loaded on Jan 3 is not known on Jan 2", async () => {
      const out = path.join(dir, "train.parquet");
      const r = await runCli(
        [
          "get-historical-features",
          dir,
          "--entity-sql",
          "SELECT user_id, event_timestamp, churned FROM labels",
          "--features",
          "monthly_usage:minutes_streamed,monthly_billing:plan",
          "--created-before",
          "2024-01-02T00:00:00Z",
          "--out",
          out,
        ],
        { env: env() },
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const { DuckDBInstance } = await import("@duckdb/node-api");
      const db = await DuckDBInstance.create(":memory:");
      const conn = await db.connect();
      const rows = (
        await conn.runAndReadAll(`SELECT user_id, churned, minutes_streamed, plan FROM '${out}'`)
      ).getRowObjectsJS();
      conn.closeSync();
      db.closeSync();
      expect(rows).toEqual([
        { user_id: 2n, churned: true, minutes_streamed: 300n, plan: "student" },
        { user_id: 1n, churned: false, minutes_streamed: 1200n, plan: "family" },
        { user_id: 3n, churned: false, minutes_streamed: null, plan: null },
        { user_id: 1n, churned: false, minutes_streamed: 1200n, plan: "family" },
      ]);
    });

    it("a failing request leaves nothing at --out, and says what is wrong", async () => {
      const out = path.join(dir, "bad.parquet");
      const unknown = await runCli(
        [
          "get-historical-features",
          dir,
          "--entities",
          path.join(dir, "churn_labels.csv"),
          "--features",
          "monthly_usage:minutes",
          "--out",
          out,
        ],
        { env: env() },
      );
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("unknown feature monthly_usage:minutes");
      expect(unknown.stderr).toContain("hint: features of monthly_usage: minutes_streamed, skips");
      await writeFile(path.join(dir, "no_ts.csv"), "user_id,label\n1,true\n");
      const noTs = await runCli(
        [
          "get-historical-features",
          dir,
          "--entities",
          path.join(dir, "no_ts.csv"),
          "--feature-service",
          "churn_model",
          "--out",
          out,
        ],
        { env: env() },
      );
      expect(noTs.code).toBe(1);
      expect(noTs.stderr).toContain(
        "no_ts.csv: no column event_timestamp (the entity rows have user_id, label)",
      );
      // Fails in the engine, after the work started: a query that breaks half-way.
      const broken = await runCli(
        [
          "get-historical-features",
          dir,
          "--entity-sql",
          "SELECT user_id, event_timestamp, 1 / (user_id - 3) AS boom FROM labels",
          "--feature-service",
          "churn_model",
          "--out",
          out,
        ],
        { env: env() },
      );
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain("division by zero");
      expect(existsSync(out)).toBe(false);
      expect((await readdir(dir)).filter((f) => f.includes("bad.parquet"))).toEqual([]);
    });

    it("usage mistakes exit 2", async () => {
      const r = await runCli(
        ["get-historical-features", dir, "--features", "monthly_usage:skips", "--out", "x.csv"],
        {
          env: env(),
        },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("give exactly one of --entities FILE or --entity-sql SQL");
    });
  },
);
