/**
 * The staging example on server online stores (Postgres, Redis), source checks against a real
 * offline Postgres, and the interactive confirmation on a real pseudo-terminal.
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { freshDatabase, freshRedisDb } from "../services/index.js";
import { REPO, cliEnv, copyExample, runCli } from "./helpers.js";

vi.setConfig({ testTimeout: 300_000 });

/** Replace the example's online store (keeping its file registry) with `onlineYaml`. */
async function useOnlineStore(dir: string, onlineYaml: string, extra = ""): Promise<void> {
  const cfg = join(dir, "fsops.yaml");
  const text = await readFile(cfg, "utf8");
  const start = text.indexOf("online_store:");
  if (start < 0) throw new Error("fixture drifted: no online_store in fsops.yaml");
  await writeFile(cfg, `${text.slice(0, start)}${onlineYaml}\n${extra}`);
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe("the staging example on server online stores", () => {
  it("Postgres: apply creates the typed tables in the configured schema, then plan shows no changes", async () => {
    const dir = await copyExample("staging");
    const url = await freshDatabase();
    await useOnlineStore(
      dir,
      "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: feature serving",
    );
    const env = { ONLINE: url };

    const applied = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('CREATE SCHEMA IF NOT EXISTS "feature serving"');

    const tables = await query<{ table_name: string }>(
      url,
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
      ["feature serving"],
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        "driver_ranking_staging__driver_hourly_stats",
        "driver_ranking_staging__customer_daily_profile",
        "driver_ranking_staging__driver_trips_stream",
      ]),
    );
    const columns = await query<{ column_name: string; data_type: string }>(
      url,
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
      ["feature serving", "driver_ranking_staging__driver_hourly_stats"],
    );
    expect(columns[0]).toEqual({ column_name: "driver_id", data_type: "bigint" });
    expect(columns.at(-2)).toEqual({ column_name: "event_ts", data_type: "timestamp with time zone" });
    expect(columns.find((c) => c.column_name === "active_hours_7d")?.data_type).toBe("ARRAY");

    const plan = await runCli(["plan", dir, "--detailed-exitcode"], { env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes.");
    expect(plan.stdout + plan.stderr).not.toContain(new URL(url).pathname.slice(1) + "?");

    // Drift: someone drops a table by hand; plan reports it and apply repairs it.
    await query(url, 'DROP TABLE "feature serving"."driver_ranking_staging__driver_hourly_stats"');
    const drift = await runCli(["plan", dir, "--detailed-exitcode"], { env });
    expect(drift.code).toBe(2);
    expect(drift.stdout).toMatch(/drift: table missing/);
    expect((await runCli(["apply", dir, "--auto-approve"], { env })).code).toBe(0);
    expect((await runCli(["plan", dir, "--detailed-exitcode"], { env })).code).toBe(0);
  });

  it("Redis: apply writes the meta hash under the project's prefix, then plan shows no changes", async () => {
    const dir = await copyExample("staging");
    const url = await freshRedisDb();
    await useOnlineStore(dir, "online_store:\n  type: redis\n  connection_string: ${ONLINE}");
    const env = { ONLINE: url };
    const redis = new Redis(url);
    try {
      await redis.hset("someone_else:driver:1", "x", "1");
      const applied = await runCli(["apply", dir, "--auto-approve"], { env });
      expect(applied.code, applied.stderr).toBe(0);
      const meta = await redis.hgetall("fsops:driver_ranking_staging:__meta");
      expect(Object.keys(meta)).toEqual(
        expect.arrayContaining(["driver_hourly_stats", "driver_trips_stream"]),
      );
      const plan = await runCli(["plan", dir, "--detailed-exitcode"], { env });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);

      // Rows written for the affinity view are removed when the view is deleted; other keys stay.
      await redis.hset("fsops:driver_ranking_staging:driver_hourly_stats:1001", "conv_rate", "0.5");
      await writeFile(join(dir, "affinity_features.ts"), "export {};\n");
      await writeFile(
        join(dir, "services.ts"),
        (await readFile(join(dir, "services.ts"), "utf8"))
          .replace(/import \{ driverCustomerAffinity \} from "\.\/affinity_features\.js";\n/, "")
          .replace(/export const driverRankingV3[\s\S]*$/, ""),
      );
      await writeFile(
        join(dir, "index.ts"),
        (await readFile(join(dir, "index.ts"), "utf8")).replace(/.*affinity_features.*\n/g, ""),
      );
      await redis.hset(
        "fsops:driver_ranking_staging:driver_customer_affinity:1001:c9",
        "trips_together",
        "3",
      );
      const del = await runCli(["plan", dir], { env });
      expect(del.code, del.stderr).toBe(0);
      expect(del.stdout).toMatch(/SCAN MATCH "fsops:driver_ranking_staging:driver_customer_affinity:\*"/);
      expect((await runCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env })).code).toBe(0);
      expect(await redis.exists("fsops:driver_ranking_staging:driver_customer_affinity:1001:c9")).toBe(0);
      expect(await redis.exists("fsops:driver_ranking_staging:driver_hourly_stats:1001")).toBe(1);
      expect(await redis.exists("someone_else:driver:1")).toBe(1);
    } finally {
      redis.disconnect();
    }
  });
});

describe("fsops plan --check-sources", () => {
  it("reports offline tables that do not match the PostgresSource definitions, at the definition", async () => {
    const dir = await copyExample("staging");
    const offline = await freshDatabase();
    await query(offline, "CREATE SCHEMA analytics");
    // driver_hourly_stats exists but lacks the timestamp column; driver_trips and the query's table are missing.
    await query(
      offline,
      "CREATE TABLE analytics.driver_hourly_stats (driver_id bigint, conv_rate real, acc_rate real, avg_daily_trips bigint, cancellation_rate real, rating_avg real, active_hours_7d real[], created timestamptz)",
    );
    const env = { FSOPS_OFFLINE_PG: offline };
    const r = await runCli(["plan", dir, "--check-sources"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sources\.ts:\d+:\d+ - error FS402: .*event_timestamp/);
    expect(r.stderr).toMatch(/sources\.ts:\d+:\d+ - error FS401: .*analytics\.driver_trips/);
    expect(r.stdout + r.stderr).not.toContain(offline);

    // Without an offline store the checks cannot run: a warning, not a failure.
    const none = await runCli(["plan", dir, "--check-sources"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toMatch(/warning FS\d+: --check-sources needs an offline_store/);

    // Without the flag the same project plans fine: checks are opt-in.
    expect((await runCli(["plan", dir], { env })).code).toBe(0);
  });
});

describe("interactive apply on a terminal", () => {
  /** Run the CLI under `script`, which gives it a real pseudo-terminal, and type `answer` at the prompt. */
  function onTerminal(args: string[], answer: string): Promise<{ code: number | null; out: string }> {
    const tsx = import.meta.resolve("tsx");
    const cmd = [process.execPath, "--import", tsx, join(REPO, "src/cli/bin.ts"), ...args]
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(" ");
    const { CI: _ci, ...env } = cliEnv();
    return new Promise((resolve, reject) => {
      const child = spawn("script", ["-qec", cmd, "/dev/null"], { env, stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      let answered = false;
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (!answered && out.includes("Enter a value:")) {
          answered = true;
          child.stdin.write(`${answer}\r`);
        }
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, out }));
    });
  }

  it("shows the plan and applies only on 'yes'", async () => {
    const dir = await copyExample("production");
    const no = await onTerminal(["apply", dir], "no");
    expect(no.out).toMatch(/Plan: \d+ to create/);
    expect(no.out).toMatch(/Only 'yes' will be accepted/);
    expect(no.out).toMatch(/cancelled/);
    expect(no.code).toBe(1);
    expect((await runCli(["show", dir, "--json"])).stdout.trim()).toBe("null");

    const yes = await onTerminal(["apply", dir], "yes");
    expect(yes.out).toMatch(/Apply complete: driver_ranking_production is at serial 1/);
    expect(yes.code).toBe(0);
  });
});
