/**
 * The CLI end to end (a child process, as a user runs it): kill -9 at random points of a
 * materialize then a rerun converges with no interval recorded for unwritten data; push input
 * errors name row and column and write nothing; secrets never printed; show lists lag.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { openMaterializationStore } from "../../src/registry/materializations.js";
import { freshDatabase, hasService } from "../services/index.js";
import { runCli, spawnCli, tempDir } from "../cli/helpers.js";
import { OFFLINE_DDL, T0, applyAndLoad, writeProject } from "./fixtures.js";
import type { ProjectConfig } from "../../src/model/config.js";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const PASSWORD = "Sup3r-s3cret-pw";

/** A URL with a password (the test server trusts everyone, so it is accepted and must never show). */
function withPassword(url: string): string {
  const u = new URL(url);
  u.username = "postgres";
  u.password = PASSWORD;
  return u.toString();
}

describe.runIf(hasService("postgres"))("the CLI on Postgres", () => {
  let dir: string;
  let env: Record<string, string>;
  let offline: pg.Client;
  let online: pg.Client;
  let config: ProjectConfig;
  const ROWS = 40_000;
  const KEYS = 20_000;

  beforeAll(async () => {
    dir = join(await tempDir(), "p");
    const offlineUrl = withPassword(await freshDatabase());
    const onlineUrl = withPassword(await freshDatabase());
    env = { ONLINE: onlineUrl, OFFLINE: offlineUrl };
    offline = new pg.Client({ connectionString: offlineUrl });
    online = new pg.Client({ connectionString: onlineUrl });
    await offline.connect();
    await online.connect();
    await offline.query(OFFLINE_DDL);
    await offline.query(
      `INSERT INTO offline.stats_events
       SELECT i % ${KEYS}, timestamptz '2025-01-01' + (i % 97) * interval '1 minute' + i * interval '1 microsecond',
              NULL, (i % 13)::real / 4, i, 'n' || i
         FROM generate_series(1, ${ROWS}) AS i`,
    );
    await writeProject(dir, {
      kind: "postgres",
      online: "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: serving",
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
    });
    config = (await applyAndLoad(dir, env)).config;
  });
  afterAll(async () => {
    await offline?.end();
    await online?.end();
  });

  const onlineStats = async () =>
    (
      await online.query<{ k: string; e: string }>(
        `SELECT driver_id::text AS k, event_ts::text AS e FROM serving."fill_test__stats" ORDER BY driver_id`,
      )
    ).rows;
  const newestOffline = async (end: string) =>
    (
      await offline.query<{ k: string; e: string }>(
        `SELECT DISTINCT ON (driver_id) driver_id::text AS k, event_timestamp::text AS e FROM offline.stats_events
          WHERE event_timestamp <= $1::timestamptz ORDER BY driver_id, event_timestamp DESC`,
        [end],
      )
    ).rows;

  it("kill -9 at random points: no interval recorded for unwritten data, the rerun converges", async () => {
    const store = openMaterializationStore(config.registry);
    const { materialize } = await import("../../src/materialize/index.js");
    const base = Date.parse("2025-01-01T02:00:00Z");
    await materialize({ config, who: "t" }, { start: null, end: new Date(base), views: ["stats"] });
    try {
      for (let i = 1; i <= 3; i++) {
        const end = new Date(base + i * 3_600_000).toISOString();
        // New events for every key inside (previous end, end]: the killed run has real work to do.
        await offline.query(
          `INSERT INTO offline.stats_events
           SELECT k, $1::timestamptz - interval '1 minute', NULL, 0.5, ${i}, 'iter'
             FROM generate_series(0, ${KEYS - 1}) AS k`,
          [end],
        );
        const before = (await store.read("fill_test")).filter((r) => r.view === "stats").length;
        const child = spawnCli(["materialize-incremental", dir, "--end", end, "--views", "stats"], { env });
        const closed = new Promise((r) => child.once("close", r));
        // Wait until it writes, then kill at a random point of the writing.
        const deadline = Date.now() + 60_000;
        for (;;) {
          const n = await online.query(
            `SELECT count(*)::int AS n FROM serving."fill_test__stats" WHERE event_ts > $1::timestamptz - interval '1 hour'`,
            [end],
          );
          if (n.rows[0].n > 0 || child.exitCode !== null || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        await new Promise((r) => setTimeout(r, Math.random() * 150));
        child.kill("SIGKILL");
        await closed;
        const records = (await store.read("fill_test")).filter((r) => r.view === "stats").slice(before);
        const want = await newestOffline(end);
        if (records.some((r) => r.end === end)) expect(await onlineStats()).toEqual(want);
        const rerun = await runCli(["materialize-incremental", dir, "--end", end, "--views", "stats"], {
          env,
        });
        expect(rerun.code, rerun.stderr).toBe(0);
        expect(await onlineStats()).toEqual(want);
        const last = (await store.read("fill_test")).filter((r) => r.view === "stats").at(-1);
        expect(last?.end).toBe(end);
      }
    } finally {
      await store.close();
    }
  });

  it("prints one line per view, JSON with --json, and show lists the last end and lag", async () => {
    const r = await runCli(["materialize", dir, "--start", "2024-12-31", "--end", "2025-01-01T02:00:00Z"], {
      env,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ stats +\(2024-12-31T00:00:00.000Z, 2025-01-01T02:00:00.000Z\] +[\d,]+ rows/);
    expect(r.stdout.trim().split("\n")).toHaveLength(3);
    const j = await runCli(["materialize-incremental", dir, "--end", "2025-01-01T07:00:00Z", "--json"], {
      env,
    });
    const parsed = JSON.parse(j.stdout) as { ok: boolean; results: { view: string; start: string }[] };
    expect(parsed.ok).toBe(true);
    expect(parsed.results.find((x) => x.view === "stats")?.start).toBe("2025-01-01T05:00:00.000Z");
    const show = await runCli(["show", dir], { env });
    expect(show.stdout).toMatch(/stats +2025-01-01T07:00:00.000Z +\d+d/);
    const shown = JSON.parse((await runCli(["show", dir, "--json"], { env })).stdout) as {
      materializations: { view: string; lastEnd: string; lagSeconds: number }[];
    };
    expect(shown.materializations.find((m) => m.view === "stats")).toMatchObject({
      lastEnd: "2025-01-01T07:00:00.000Z",
    });
    for (const out of [r, j, show]) expect(out.stdout + out.stderr).not.toContain(PASSWORD);
  });

  it("a view that fails does not stop the others; exit 1; the error never shows the password", async () => {
    await offline.query("ALTER TABLE offline.pair_events RENAME COLUMN raw_score TO score_raw");
    try {
      const r = await runCli(["materialize", dir, "--start", "2024-12-31", "--end", "2025-01-01T02:00:00Z"], {
        env,
      });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/✓ stats /);
      expect(r.stdout).toMatch(/✓ stats_ttl /);
      expect(r.stderr).toMatch(
        /✗ pairs +failed: features\.ts:\d+: error FS403: source pairs_src: column "raw_score"/,
      );
      expect(r.stderr).toMatch(/score_raw/);
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    } finally {
      await offline.query("ALTER TABLE offline.pair_events RENAME COLUMN score_raw TO raw_score");
    }
  });

  it("push: a bad row writes nothing and says which row and column; good rows land", async () => {
    const file = join(await tempDir(), "rows.jsonl");
    await writeFile(
      file,
      [
        `{"driver_id": 424242, "event_timestamp": "2030-01-01T00:00:00Z", "conv": 1.5, "trips": 1, "name": "p"}`,
        ``,
        `{"driver_id": 424243, "event_timestamp": "2030-01-01T00:00:00Z", "conv": "high", "trips": 1, "name": "p"}`,
      ].join("\n"),
    );
    const bad = await runCli(["push", dir, "stats_push", "--file", file, "--to", "online_and_offline"], {
      env,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('row 3, column "conv": expected a number (float32), got "high"');
    expect(bad.stderr).toContain("nothing was written");
    expect(bad.stdout + bad.stderr).not.toContain(PASSWORD);
    const count = async () =>
      (
        await online.query(
          `SELECT count(*)::int AS n FROM serving."fill_test__stats" WHERE driver_id >= 424242`,
        )
      ).rows[0].n as number;
    expect(await count()).toBe(0);

    const csv = join(await tempDir(), "rows.csv");
    await writeFile(
      csv,
      `driver_id,event_timestamp,conv,trips,name\n424242,2030-01-01T00:00:00Z,1.5,1,"a, ""quoted"" name"\n`,
    );
    const good = await runCli(["push", dir, "stats_push", "--file", csv], { env });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/pushed 1 rows of stats_push to online \(views: stats\)/);
    const row = await online.query(`SELECT name FROM serving."fill_test__stats" WHERE driver_id = 424242`);
    expect(row.rows[0].name).toBe('a, "quoted" name');
  });

  it("refuses a project never applied, naming the command that fixes it", async () => {
    const other = join(await tempDir(), "q");
    await writeProject(other, {
      kind: "postgres",
      online: "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: other",
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
    });
    const r = await runCli(["materialize-incremental", other], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nothing applied yet[\s\S]*run fsops apply/);
    const drift = await runCli(["materialize-incremental", dir, "--views", "pairs"], {
      env: { ...env },
    });
    expect(drift.code).toBe(0);
    await online.query('ALTER TABLE serving."fill_test__pairs" RENAME TO "gone"');
    try {
      const r2 = await runCli(["materialize-incremental", dir, "--views", "pairs", "--end", "2031-01-01"], {
        env,
      });
      expect(r2.code).toBe(1);
      expect(r2.stderr).toMatch(
        /drift: table "serving"."fill_test__pairs" of view pairs is missing[\s\S]*fsops apply/,
      );
    } finally {
      await online.query('ALTER TABLE serving."gone" RENAME TO "fill_test__pairs"');
    }
  });
});

void T0;
