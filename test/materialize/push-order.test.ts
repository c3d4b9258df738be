/**
 * `push --to online_and_offline` is never half a push that nobody is told about: the offline
 * append is prepared first (open transaction / temporary part file), the online rows are
 * written, then the append is made visible. An online failure leaves the offline source
 * untouched; a failure making the append visible says online was written and offline was not,
 * and the same push run again completes without duplicates.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pushRows, PushWriteError } from "../../src/materialize/push.js";
import { redisEntityKey } from "../../src/materialize/redis-format.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { freshDatabase, freshRedisDb, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { OFFLINE_DDL, applyAndLoad, writeProject } from "./fixtures.js";
import { writeAllTypesProject } from "./all-types.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const row = (driver: number, name: string) => ({
  driver_id: driver,
  event_timestamp: "2025-01-01T00:00:00Z",
  conv: 0.5,
  trips: 1,
  name,
});

async function failure(p: Promise<unknown>): Promise<PushWriteError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(PushWriteError);
  return e as PushWriteError;
}

describe.runIf(hasService("postgres"))(
  "push online_and_offline: the order of writes (Postgres online)",
  () => {
    let offline: pg.Client;
    let online: pg.Client;
    let config: ProjectConfig;
    let state: RegistryState;
    beforeAll(async () => {
      const offlineUrl = await freshDatabase();
      const onlineUrl = await freshDatabase();
      offline = new pg.Client({ connectionString: offlineUrl });
      await offline.connect();
      await offline.query(OFFLINE_DDL);
      online = new pg.Client({ connectionString: onlineUrl });
      await online.connect();
      const dir = join(await tempDir(), "p");
      await writeProject(dir, {
        kind: "postgres",
        online: "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: serving",
        offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
      });
      ({ config, state } = await applyAndLoad(dir, { ONLINE: onlineUrl, OFFLINE: offlineUrl }));
    });
    afterAll(async () => {
      await offline?.end();
      await online?.end();
    });
    const offlineNames = async () =>
      (await offline.query<{ name: string }>("SELECT name FROM offline.stats_events ORDER BY name")).rows.map(
        (r) => r.name,
      );
    const onlineNames = async () =>
      (
        await online.query<{ name: string }>('SELECT name FROM serving."fill_test__stats" ORDER BY name')
      ).rows.map((r) => r.name);

    it("an online write that fails leaves the offline source untouched, and says what was written", async () => {
      // The online store refuses one value (a constraint stands in for any failing online write).
      await online.query(
        `ALTER TABLE serving."fill_test__stats" ADD CONSTRAINT "no_poison" CHECK (name <> 'poison')`,
      );
      try {
        const e = await failure(
          pushRows(
            { config, who: "t", state },
            { source: "stats_push", to: "online_and_offline", rows: [row(1, "ok-1"), row(2, "poison")] },
          ),
        );
        expect(e.message).toMatch(
          /^push of 2 rows of stats_push failed writing view stats to the online store: .*no_poison.*\. Written: online nothing; view stats possibly in part; offline: nothing \(the prepared append was discarded\)\.$/,
        );
        expect(e.hint).toMatch(/rerunning the same push is safe: online writes are guarded by event time/);
        expect(e.written).toEqual({ onlineViews: [], onlinePartial: "stats", offline: false });
        expect(await offlineNames()).toEqual([]);
      } finally {
        await online.query(`ALTER TABLE serving."fill_test__stats" DROP CONSTRAINT "no_poison"`);
      }
    });

    it("an offline append that fails at commit says online was written and offline not; the rerun completes once", async () => {
      // A deferred constraint trigger fails the offline transaction at COMMIT, after the online writes.
      await offline.query(`
      CREATE FUNCTION offline.refuse() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
      CREATE CONSTRAINT TRIGGER "refuse_at_commit" AFTER INSERT ON offline.stats_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION offline.refuse();`);
      const push = () =>
        pushRows(
          { config, who: "t", state },
          { source: "stats_push", to: "online_and_offline", rows: [row(3, "c-3"), row(4, "c-4")] },
        );
      try {
        const e = await failure(push());
        expect(e.message).toBe(
          "push of 2 rows of stats_push: the offline append to table offline.stats_events failed: refused at commit. " +
            "Written: online views stats; offline: nothing appended.",
        );
        expect(e.hint).toBe(
          "rerunning the same push is safe: the online rows are rewritten unchanged (event-time guard), and the offline rows are appended once",
        );
        expect(e.written).toEqual({ onlineViews: ["stats"], onlinePartial: null, offline: false });
        expect(await onlineNames()).toEqual(["c-3", "c-4"]);
        expect(await offlineNames()).toEqual([]);
      } finally {
        await offline.query(
          `DROP TRIGGER "refuse_at_commit" ON offline.stats_events; DROP FUNCTION offline.refuse()`,
        );
      }
      const rerun = await push();
      expect(rerun).toMatchObject({ online: true, offline: true });
      expect(await offlineNames()).toEqual(["c-3", "c-4"]);
      expect(await onlineNames()).toEqual(["c-3", "c-4"]);
    });

    it("a connection lost during COMMIT is told as in doubt: offline unknown, look before rerunning", async () => {
      // At COMMIT a deferred trigger ends the push's own server process: the client sent COMMIT
      // and never got its answer, which is what a network cut at that moment looks like.
      await offline.query(`
      CREATE FUNCTION offline.vanish() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER "vanish_at_commit" AFTER INSERT ON offline.stats_events
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION offline.vanish();`);
      try {
        const e = await failure(
          pushRows(
            { config, who: "t", state },
            { source: "stats_push", to: "online_and_offline", rows: [row(5, "d-5")] },
          ),
        );
        expect(e.message).toMatch(
          /^push of 1 rows of stats_push: the offline append to table offline\.stats_events failed: .*\. Written: online views stats; offline: unknown \(the connection was lost during COMMIT\)\.$/,
        );
        expect(e.hint).toBe(
          "look for the pushed rows in table offline.stats_events before rerunning: a rerun appends them again if the commit went through; the online rows are rewritten unchanged (event-time guard)",
        );
        expect(e.written).toEqual({ onlineViews: ["stats"], onlinePartial: null, offline: "unknown" });
      } finally {
        await offline.query(
          `DROP TRIGGER "vanish_at_commit" ON offline.stats_events; DROP FUNCTION offline.vanish()`,
        );
      }
    });
  },
);

describe.runIf(hasService("postgres") && hasService("redis"))(
  "push online_and_offline (Redis online)",
  () => {
    it("a Redis write that fails leaves the offline source untouched", async () => {
      const offlineUrl = await freshDatabase();
      const redisUrl = await freshRedisDb();
      const offline = new pg.Client({ connectionString: offlineUrl });
      await offline.connect();
      const redis = new Redis(redisUrl);
      try {
        await offline.query(OFFLINE_DDL);
        const dir = join(await tempDir(), "p");
        await writeProject(dir, {
          kind: "postgres",
          online: "online_store:\n  type: redis\n  connection_string: ${REDIS}",
          offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
        });
        const { config, state } = await applyAndLoad(dir, { REDIS: redisUrl, OFFLINE: offlineUrl });
        // Entity 2's key holds a string, not a hash: its write fails (WRONGTYPE).
        await redis.set(
          redisEntityKey("fill_test", "stats", [{ name: "driver_id", dtype: "int64" }], ["2"]),
          "x",
        );
        const e = await failure(
          pushRows(
            { config, who: "t", state },
            { source: "stats_push", to: "online_and_offline", rows: [row(1, "a"), row(2, "b")] },
          ),
        );
        expect(e.message).toMatch(
          /failed writing view stats to the online store: .*WRONGTYPE.*offline: nothing/,
        );
        const n = await offline.query("SELECT count(*)::int AS n FROM offline.stats_events");
        expect(n.rows[0].n).toBe(0);
      } finally {
        redis.disconnect();
        await offline.end();
      }
    });
  },
);

describe.runIf(hasService("postgres"))("push into a FileSource folder", () => {
  let dir: string;
  let online: pg.Client;
  let config: ProjectConfig;
  let state: RegistryState;
  const folder = () => join(dir, "data", "offline", "all");
  const good = { driver_id: 1, event_timestamp: "2025-01-01T00:00:00Z", s: "x", i32s: [1, 2] };
  beforeAll(async () => {
    const onlineUrl = await freshDatabase();
    online = new pg.Client({ connectionString: onlineUrl });
    await online.connect();
    dir = join(await tempDir(), "p");
    await writeAllTypesProject(dir, "file");
    ({ config, state } = await applyAndLoad(dir, { ONLINE: onlineUrl }));
  });
  afterAll(async () => {
    await online?.end();
  });

  it("an online failure leaves no part file (and no temporary file) behind", async () => {
    await online.query(
      `ALTER TABLE serving."types_test__all_types" ADD CONSTRAINT "no_poison" CHECK (s <> 'poison')`,
    );
    try {
      await failure(
        pushRows(
          { config, who: "t", state },
          {
            source: "all_push",
            to: "online_and_offline",
            rows: [good, { ...good, driver_id: 2, s: "poison" }],
          },
        ),
      );
      expect(await readdir(folder())).toEqual([]);
    } finally {
      await online.query(`ALTER TABLE serving."types_test__all_types" DROP CONSTRAINT "no_poison"`);
    }
  });

  it("pushing the same rows again writes no second copy: the part file is named after its rows", async () => {
    const push = (rows: Record<string, unknown>[]) =>
      pushRows({ config, who: "t", state }, { source: "all_push", to: "online_and_offline", rows });
    await push([good]);
    await push([good]);
    const parts = await readdir(folder());
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatch(/^part-push-[0-9a-f]{32}\.parquet$/);
    await push([{ ...good, s: "y" }]);
    expect(await readdir(folder())).toHaveLength(2);
  });
});
