/**
 * Materialized online tables equal a brute-force oracle on ≥200 generated datasets per store:
 * Postgres (rows streamed from another database), Postgres sharing the offline database (one
 * pushed-down statement), Redis, and the embedded PGlite store reading Parquet files with DuckDB.
 * Datasets mix equal event times with created tie-breaks, nulls, ttl edges, two join keys, a
 * field mapping, µs offsets and empty windows.
 */
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { materialize } from "../../src/materialize/index.js";
import { openOnlineForWrites } from "../../src/materialize/online-store.js";
import type { OpenOnline } from "../../src/materialize/online-store.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { freshDatabase, freshRedisDb, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import {
  OFFLINE_DDL,
  VIEWS,
  applyAndLoad,
  expected,
  generate,
  loadOfflineParquet,
  loadOfflinePostgres,
  readOnlinePostgres,
  readOnlineRedis,
  sortedEntries,
  writeProject,
} from "./fixtures.js";
import type { Dataset, OnlineRows, ViewName } from "./fixtures.js";

vi.setConfig({ testTimeout: 600_000, hookTimeout: 120_000 });

const DATASETS = Number(process.env.FSOPS_ORACLE_DATASETS ?? 200);

interface Harness {
  config: ProjectConfig;
  state: RegistryState;
  online: OpenOnline;
  load(ds: Dataset): Promise<void>;
  clear(): Promise<void>;
  read(view: ViewName): Promise<OnlineRows>;
  close(): Promise<void>;
}

async function runDatasets(h: Harness, seedBase: number, expectMode: "pushdown" | "stream"): Promise<void> {
  for (let i = 0; i < DATASETS; i++) {
    const seed = seedBase + i;
    const ds = generate(seed);
    await h.load(ds);
    await h.clear();
    const results = await materialize(
      { config: h.config, who: "tester", state: h.state, online: h.online },
      { start: ds.start, end: ds.end },
    );
    for (const r of results) expect(r, `seed ${seed}`).toMatchObject({ status: "ok", mode: expectMode });
    for (const view of VIEWS) {
      const got = sortedEntries(await h.read(view));
      const want = sortedEntries(expected(ds, view));
      expect(
        got,
        `seed ${seed} view ${view} window ${ds.start?.toISOString()}..${ds.end.toISOString()}`,
      ).toEqual(want);
    }
  }
}

async function pgQuery(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

describe.runIf(hasService("postgres"))("materialize equals the oracle: Postgres", () => {
  let h: Harness;
  let offline: pg.Client;
  let onlineClient: pg.Client;
  beforeAll(async () => {
    const dir = join(await tempDir(), "p");
    const offlineUrl = await freshDatabase();
    const onlineUrl = await freshDatabase();
    offline = await pgQuery(offlineUrl);
    await offline.query(OFFLINE_DDL);
    await writeProject(dir, {
      kind: "postgres",
      online: "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: serving",
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
    });
    const { config, state } = await applyAndLoad(dir, { ONLINE: onlineUrl, OFFLINE: offlineUrl });
    onlineClient = await pgQuery(onlineUrl);
    const online = await openOnlineForWrites(config.onlineStore!);
    h = {
      config,
      state,
      online,
      load: (ds) => loadOfflinePostgres(offline, ds),
      clear: async () => {
        await onlineClient.query(VIEWS.map((v) => `TRUNCATE serving."fill_test__${v}"`).join(";"));
      },
      read: (view) => readOnlinePostgres(async (s) => (await onlineClient.query(s)).rows, "serving", view),
      close: async () => {
        await online.close();
        await offline.end();
        await onlineClient.end();
      },
    };
  });
  afterAll(() => h?.close());

  it(`streams rows from another database: ${DATASETS} datasets`, () => runDatasets(h, 1000, "stream"));
});

describe.runIf(hasService("postgres"))(
  "materialize equals the oracle: Postgres pushdown (same database)",
  () => {
    let h: Harness;
    let db: pg.Client;
    beforeAll(async () => {
      const dir = join(await tempDir(), "p");
      const url = await freshDatabase();
      db = await pgQuery(url);
      await db.query(OFFLINE_DDL);
      await writeProject(dir, {
        kind: "postgres",
        online: "online_store:\n  type: postgres\n  connection_string: ${DB}\n  schema: serving",
        offline: "offline_store:\n  type: postgres\n  connection_string: ${DB}",
      });
      const { config, state } = await applyAndLoad(dir, { DB: url });
      const online = await openOnlineForWrites(config.onlineStore!);
      h = {
        config,
        state,
        online,
        load: (ds) => loadOfflinePostgres(db, ds),
        clear: async () => {
          await db.query(VIEWS.map((v) => `TRUNCATE serving."fill_test__${v}"`).join(";"));
        },
        read: (view) => readOnlinePostgres(async (s) => (await db.query(s)).rows, "serving", view),
        close: async () => {
          await online.close();
          await db.end();
        },
      };
    });
    afterAll(() => h?.close());

    it(`runs one INSERT … SELECT DISTINCT ON per view: ${DATASETS} datasets`, () =>
      runDatasets(h, 2000, "pushdown"));
  },
);

describe.runIf(hasService("postgres") && hasService("redis"))("materialize equals the oracle: Redis", () => {
  let h: Harness;
  let offline: pg.Client;
  let redis: Redis;
  beforeAll(async () => {
    const dir = join(await tempDir(), "p");
    const offlineUrl = await freshDatabase();
    const redisUrl = await freshRedisDb();
    offline = await pgQuery(offlineUrl);
    await offline.query(OFFLINE_DDL);
    await writeProject(dir, {
      kind: "postgres",
      online: "online_store:\n  type: redis\n  connection_string: ${REDIS}",
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
    });
    const { config, state } = await applyAndLoad(dir, { REDIS: redisUrl, OFFLINE: offlineUrl });
    redis = new Redis(redisUrl);
    const online = await openOnlineForWrites(config.onlineStore!);
    h = {
      config,
      state,
      online,
      load: (ds) => loadOfflinePostgres(offline, ds),
      clear: async () => {
        const keys = await redis.keys("fsops:fill_test:*:*");
        const data = keys.filter((k) => !k.endsWith(":__meta"));
        if (data.length) await redis.del(...data);
      },
      read: (view) => readOnlineRedis(redis, view),
      close: async () => {
        await online.close();
        await offline.end();
        redis.disconnect();
      },
    };
  });
  afterAll(() => h?.close());

  it(`writes hashes with the Lua guard, pipelined: ${DATASETS} datasets`, () =>
    runDatasets(h, 3000, "stream"));
});

describe("materialize equals the oracle: embedded PGlite from Parquet files (DuckDB)", () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = join(await tempDir(), "p");
    await writeProject(dir, {
      kind: "file",
      online: "online_store:\n  type: embedded",
      offline: "offline_store:\n  type: file",
    });
    await loadOfflineParquet(dir, generate(1));
    const { config, state } = await applyAndLoad(dir, {});
    const online = await openOnlineForWrites(config.onlineStore!);
    const sql = online.sql!;
    h = {
      config,
      state,
      online,
      load: (ds) => loadOfflineParquet(dir, ds),
      clear: async () => {
        await sql.exec(VIEWS.map((v) => `TRUNCATE public."fill_test__${v}"`).join(";"));
      },
      read: (view) => readOnlinePostgres(async (s) => (await sql.query(s)).rows, "public", view),
      close: () => online.close(),
    };
  });
  afterAll(() => h?.close());

  it(`reads Parquet part files and upserts into PGlite: ${DATASETS} datasets`, () =>
    runDatasets(h, 4000, "stream"));
});
