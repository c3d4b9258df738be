/**
 * Properties of materialize and push beyond one window: older windows never overwrite newer
 * values, push and materialize running at once end with the newest event per key, incremental
 * start rules, --due schedules, and push validation writing nothing on bad input.
 */
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { materialize, materializeIncremental, readMaterializations } from "../../src/materialize/index.js";
import { openOnlineForWrites } from "../../src/materialize/online-store.js";
import type { OpenOnline } from "../../src/materialize/online-store.js";
import { pushRows, PushValidationError } from "../../src/materialize/push.js";
import { dueAfter, scheduleError } from "../../src/materialize/schedule.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { freshDatabase, freshRedisDb, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import {
  MIN,
  OFFLINE_DDL,
  T0,
  applyAndLoad,
  expected,
  generate,
  loadOfflinePostgres,
  readOnlinePostgres,
  readOnlineRedis,
  sortedEntries,
  writeProject,
} from "./fixtures.js";
import type { Dataset, OnlineRows, StatsRow } from "./fixtures.js";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const at = (minutes: number) => new Date(T0 + minutes * 60_000);
const iso = (us: number) => new Date(us / 1000).toISOString();

describe("schedules", () => {
  it("accepts @hourly, @daily and cron; says why a bad one is bad", () => {
    expect(scheduleError("@hourly")).toBeNull();
    expect(scheduleError("@daily")).toBeNull();
    expect(scheduleError("15 */2 * * *")).toBeNull();
    expect(scheduleError("61 * * * *")).toMatch(/./);
    expect(scheduleError("every hour")).toMatch(/./);
  });
  it("is due when a tick lies in (last end, now]", () => {
    expect(dueAfter("@hourly", at(30), at(50))).toBe(false);
    expect(dueAfter("@hourly", at(30), at(60))).toBe(true);
    expect(dueAfter("@daily", at(0), at(23 * 60))).toBe(false);
    expect(dueAfter("@daily", at(0), at(24 * 60))).toBe(true);
  });
});

interface Store {
  name: string;
  config: ProjectConfig;
  state: RegistryState;
  online: OpenOnline;
  offline: pg.Client;
  read(view: "stats"): Promise<OnlineRows>;
  clear(): Promise<void>;
  close(): Promise<void>;
}

async function postgresStore(): Promise<Store> {
  const dir = join(await tempDir(), "p");
  const offlineUrl = await freshDatabase();
  const onlineUrl = await freshDatabase();
  const offline = new pg.Client({ connectionString: offlineUrl });
  await offline.connect();
  await offline.query(OFFLINE_DDL);
  await writeProject(dir, {
    kind: "postgres",
    online: "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: serving",
    offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
    schedule: true,
  });
  const { config, state } = await applyAndLoad(dir, { ONLINE: onlineUrl, OFFLINE: offlineUrl });
  const online = await openOnlineForWrites(config.onlineStore!);
  const reader = new pg.Client({ connectionString: onlineUrl });
  await reader.connect();
  return {
    name: "postgres",
    config,
    state,
    online,
    offline,
    read: (view) => readOnlinePostgres(async (s) => (await reader.query(s)).rows, "serving", view),
    clear: async () => void (await reader.query('TRUNCATE serving."fill_test__stats"')),
    close: async () => {
      await online.close();
      await offline.end();
      await reader.end();
    },
  };
}

async function redisStore(): Promise<Store> {
  const dir = join(await tempDir(), "p");
  const offlineUrl = await freshDatabase();
  const redisUrl = await freshRedisDb();
  const offline = new pg.Client({ connectionString: offlineUrl });
  await offline.connect();
  await offline.query(OFFLINE_DDL);
  await writeProject(dir, {
    kind: "postgres",
    online: "online_store:\n  type: redis\n  connection_string: ${REDIS}",
    offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
    schedule: true,
  });
  const { config, state } = await applyAndLoad(dir, { REDIS: redisUrl, OFFLINE: offlineUrl });
  const online = await openOnlineForWrites(config.onlineStore!);
  const redis = new Redis(redisUrl);
  return {
    name: "redis",
    config,
    state,
    online,
    offline,
    read: (view) => readOnlineRedis(redis, view),
    clear: async () => {
      const keys = await redis.keys("fsops:fill_test:stats:*");
      if (keys.length) await redis.del(...keys);
    },
    close: async () => {
      await online.close();
      await offline.end();
      redis.disconnect();
    },
  };
}

/** Newest row per key of `rows` (event, then created), as the online store must hold it. */
function newest(rows: StatsRow[]): OnlineRows {
  const ds: Dataset = { stats: rows, pairs: [], start: null, end: at(100_000) };
  return expected(ds, "stats");
}

const stores = [
  ...(hasService("postgres") ? [["postgres", postgresStore] as const] : []),
  ...(hasService("postgres") && hasService("redis") ? [["redis", redisStore] as const] : []),
];

describe.each(stores)("materialize and push on %s", (_name, open) => {
  let s: Store;
  beforeAll(async () => {
    s = await open();
  });
  afterAll(() => s?.close());
  const ctx = () => ({ config: s.config, who: "tester", state: s.state, online: s.online });

  it("an older window materialized after a newer one never overwrites newer values", async () => {
    for (let seed = 0; seed < 30; seed++) {
      const ds = generate(500 + seed);
      await loadOfflinePostgres(s.offline, ds);
      await s.clear();
      const split = at(45);
      const newer = await materialize(ctx(), { start: split, end: at(200), views: ["stats"] });
      const older = await materialize(ctx(), { start: null, end: split, views: ["stats"] });
      expect([...newer, ...older].every((r) => r.status === "ok")).toBe(true);
      const got = sortedEntries(await s.read("stats"));
      const want = sortedEntries(expected({ ...ds, start: null, end: at(200) }, "stats"));
      expect(got, `seed ${500 + seed}`).toEqual(want);
    }
  });

  it("push and materialize of the same keys at once end with the newest event per key", async () => {
    for (let seed = 0; seed < 10; seed++) {
      const ds = generate(900 + seed);
      await loadOfflinePostgres(s.offline, ds);
      await s.clear();
      // Pushed rows: the same drivers, events before, equal to and after the offline ones.
      const pushed: StatsRow[] = ["1", "2", "3", "-5"].map((id, i) => ({
        driver_id: id,
        event_us: T0 * 1000 + [5, 60, 130, 200][i]! * MIN,
        created_us: T0 * 1000 + 9 * MIN,
        conv: 0.5 * i,
        trips: String(i),
        name: `pushed ${i}`,
      }));
      const [m, p] = await Promise.all([
        materialize(ctx(), { start: null, end: at(200), views: ["stats"] }),
        pushRows(ctx(), {
          source: "stats_push",
          to: "online",
          rows: pushed.map((r) => ({
            driver_id: r.driver_id,
            event_timestamp: iso(r.event_us!),
            created: iso(r.created_us!),
            conv: r.conv,
            trips: r.trips,
            name: r.name,
          })),
        }),
      ]);
      expect(m[0]?.status).toBe("ok");
      expect(p.online).toBe(true);
      const inWindow = ds.stats.filter((r) => r.event_us !== null && r.event_us <= at(200).getTime() * 1000);
      // Equal event times: either may win (the guard lets an equal event through); compare events.
      const want = newest([...inWindow, ...pushed]);
      const got = await s.read("stats");
      expect(
        sortedEntries(got).map(([k, v]) => [k, v.eventUs]),
        `seed ${900 + seed}`,
      ).toEqual(sortedEntries(want).map(([k, v]) => [k, v.eventUs]));
    }
  });

  it("incremental: first run from the beginning (no ttl), then from the last end; --due follows batchSchedule", async () => {
    // A project of its own: the other tests recorded intervals.
    const own = await open();
    const ctx = () => ({ config: own.config, who: "tester", state: own.state, online: own.online });
    const s = own;
    const ds = generate(77);
    await loadOfflinePostgres(s.offline, ds);
    await s.clear();
    const first = await materializeIncremental(ctx(), { end: at(40), views: ["stats", "stats_ttl"] });
    expect(first.map((r) => [r.view, r.status, r.start])).toEqual([
      ["stats", "ok", null],
      ["stats_ttl", "ok", at(40 - 60).toISOString()],
    ]);
    const second = await materializeIncremental(ctx(), { end: at(100), views: ["stats"] });
    expect(second[0]).toMatchObject({
      status: "ok",
      start: at(40).toISOString(),
      end: at(100).toISOString(),
    });
    expect(sortedEntries(await s.read("stats"))).toEqual(
      sortedEntries(expected({ ...ds, start: null, end: at(100) }, "stats")),
    );
    // stats runs @hourly; last end 01:40 → not due at 01:50, due at 02:00. stats_ttl has no schedule.
    const notDue = await materializeIncremental(ctx(), { end: at(110), due: true });
    expect(notDue.filter((r) => r.view.startsWith("stats")).map((r) => [r.view, r.status])).toEqual([
      ["stats", "skipped"],
      ["stats_ttl", "skipped"],
    ]);
    const due = await materializeIncremental(ctx(), { end: at(120), due: true, views: ["stats"] });
    expect(due[0]).toMatchObject({ status: "ok", start: at(100).toISOString() });
    const fresh = await readMaterializations(s.config, s.state);
    expect(fresh.find((f) => f.view === "stats")?.lastEnd).toBe(at(120).toISOString());
    await own.close();
  });

  it("a bad push row writes nothing and names its row and column", async () => {
    await s.clear();
    const good = {
      driver_id: "1",
      event_timestamp: "2025-01-01T00:00:00Z",
      conv: 1,
      trips: "2",
      name: "bad-push-probe",
    };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...good, conv: "fast" }, /row 3, column "conv": expected a number/],
      [{ ...good, driver_id: null }, /row 3, column "driver_id": missing join key/],
      [{ ...good, colour: "red" }, /row 3, column "colour": unknown column/],
      [{ ...good, trips: 1.5 }, /row 3, column "trips": expected an integer/],
      [{ ...good, event_timestamp: "yesterday" }, /row 3, column "event_timestamp"/],
    ];
    for (const [bad, message] of cases) {
      const attempt = pushRows(ctx(), {
        source: "stats_push",
        rows: [good, good, bad, good],
        to: "online_and_offline",
      });
      await expect(attempt).rejects.toThrow(PushValidationError);
      await expect(attempt).rejects.toThrow(message);
    }
    expect((await s.read("stats")).size).toBe(0);
    const offlineRows = await s.offline.query(
      "SELECT count(*)::int AS n FROM offline.stats_events WHERE name = 'bad-push-probe'",
    );
    expect(offlineRows.rows[0].n).toBe(0);
  });

  it("a good push appends to the Postgres batch source and upserts online", async () => {
    await s.clear();
    await s.offline.query("TRUNCATE offline.stats_events");
    const result = await pushRows(ctx(), {
      source: "stats_push",
      to: "online_and_offline",
      rows: [
        { driver_id: "7", event_timestamp: "2025-01-01T00:10:00.000001Z", conv: 0.25, trips: 3, name: "x" },
        { driver_id: 7, event_timestamp: "2025-01-01T00:05:00Z", conv: 9, trips: "4", name: "older" },
      ],
    });
    expect(result).toMatchObject({ rows: 2, online: true, offline: true, views: ["stats"] });
    const offline = await s.offline.query(
      "SELECT driver_id::text, name, event_timestamp FROM offline.stats_events ORDER BY event_timestamp",
    );
    expect(offline.rows.map((r) => r.name)).toEqual(["older", "x"]);
    const online = await s.read("stats");
    expect(online.get('["7"]')).toEqual({
      features: ["0.25", "3", "x"],
      eventUs: Date.parse("2025-01-01T00:10:00Z") * 1000 + 1,
    });
  });
});
