/**
 * Approvals for changes that lose data, on a real Postgres online store: a rebuild (a table
 * dropped and recreated empty) is refused like a destructive change unless `--allow-rebuild`
 * (or `--allow-destroy`, which implies it) is given.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import type { PlanJson } from "../../src/render/plan-json.js";
import { freshDatabase } from "../services/index.js";
import { copyExample, runCli } from "./helpers.js";

vi.setConfig({ testTimeout: 300_000 });

const TABLE = '"feature_serving"."driver_ranking_staging__driver_hourly_stats"';

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Retype a column of driver_hourly_stats: its online table must be rebuilt (emptied). */
async function retypeTrips(dir: string): Promise<void> {
  const file = join(dir, "driver_features.ts");
  const text = await readFile(file, "utf8");
  const next = text.replace('avg_daily_trips: "int64"', 'avg_daily_trips: "float64"');
  if (next === text) throw new Error("fixture drifted: avg_daily_trips is not int64");
  await writeFile(file, next);
}

async function rowCount(url: string): Promise<number> {
  return Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${TABLE}`))[0]!.n);
}

describe("fsops apply: rebuilds need approval", () => {
  it("refuses a rebuild without --allow-rebuild, keeps the rows, then applies with it", async () => {
    const dir = await copyExample("staging");
    const url = await freshDatabase();
    const env = { FSOPS_STAGING_ONLINE_PG: url };
    const first = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(first.code, first.stderr).toBe(0);
    await query(url, `INSERT INTO ${TABLE} (driver_id, event_ts) VALUES (1001, now())`);
    await retypeTrips(dir);

    const plan = await runCli(["plan", dir], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(
      "Apply refuses rebuilds unless allowed: --allow-rebuild (or --allow-destroy).",
    );
    const json = JSON.parse((await runCli(["plan", dir, "--json"], { env })).stdout) as PlanJson;
    expect(json.infra.some((a) => a.action === "rebuild_table" && a.impact === "rebuild")).toBe(true);
    expect(json.changes.some((c) => c.impact === "destructive")).toBe(false);

    const refused = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/error: the plan rebuilds online data .*rebuild_table/);
    expect(refused.stderr).toMatch(/hint: .*--allow-rebuild/);
    expect(refused.stderr).toContain("Nothing was changed.");
    expect(await rowCount(url)).toBe(1);
    const shown = JSON.parse((await runCli(["show", dir, "--json"], { env })).stdout) as { serial: number };
    expect(shown.serial).toBe(1);

    const allowed = await runCli(["apply", dir, "--auto-approve", "--allow-rebuild"], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(await rowCount(url)).toBe(0);
    expect((await runCli(["plan", dir, "--detailed-exitcode"], { env })).code).toBe(0);
  });

  it("--allow-destroy implies --allow-rebuild", async () => {
    const dir = await copyExample("staging");
    const url = await freshDatabase();
    const env = { FSOPS_STAGING_ONLINE_PG: url };
    expect((await runCli(["apply", dir, "--auto-approve"], { env })).code).toBe(0);
    await retypeTrips(dir);
    const allowed = await runCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env });
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stdout).toMatch(/Apply complete: driver_ranking_staging is at serial 2/);
  });
});
