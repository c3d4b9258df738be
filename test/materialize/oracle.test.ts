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

/** What differs between stores: the project, how data is loaded, and how the online tables are emptied and read. */
interface Setup {
  kind: "postgres" | "file";
  /** The fsops.yaml blocks. */
  online: string;
  offline: string;
  env: Record<string, string>;
  /** Before apply (a file offline store needs its Parquet files to exist). */
  beforeApply?(dir: string): Promise<void>;
  load(dir: string, ds: Dataset): Promise<void>;
  /** Clients to empty and read the online tables with; `close` releases what it opened. */
  store(online: OpenOnline): Promise<Pick<Harness, "clear" | "read" | "close">>;
}

/** Writes the project, applies it and opens its online store for writes, as `fsops materialize` does. */
async function openHarness(setup: Setup): Promise<Harness> {
  const dir = join(await tempDir(), "p");
  await writeProject(dir, { kind: setup.kind, online: setup.online, offline: setup.offline });
  await setup.beforeApply?.(dir);
  const { config, state } = await applyAndLoad(dir, setup.env);
  const online = await openOnlineForWrites(config.onlineStore!);
  const store = await setup.store(online);
  return {
    config,
    state,
    online,
    load: (ds) => setup.load(dir, ds),
    clear: () => store.clear(),
    read: (view) => store.read(view),
    close: async () => {
      await online.close();
      await store.close();
    },
  };
}

/** The online tables in a Postgres-compatible database (`exec` may run several statements). */
function sqlTables(
  exec: (sql: string) => Promise<unknown>,
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  schema: string,
): Pick<Harness, "clear" | "read"> {
  return {
    clear: async () => {
      await exec(VIEWS.map((v) => `TRUNCATE ${schema}."fill_test__${v}"`).join(";"));
    },
    read: (view) => readOnlinePostgres(query, schema, view),
  };
}

async function pgQuery(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** A connected client to a fresh database holding the offline tables. */
async function offlinePostgres(url: string): Promise<pg.Client> {
  const client = await pgQuery(url);
  await client.query(OFFLINE_DDL);
  return client;
}

function pgTables(client: pg.Client, schema: string): Pick<Harness, "clear" | "read"> {
  const run = async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[];
  return sqlTables(run, run, schema);
}

describe.runIf(hasService("postgres"))("materialize equals the oracle: Postgres", () => {
  let h: Harness;
  beforeAll(async () => {
    const offlineUrl = await freshDatabase();
    const onlineUrl = await freshDatabase();
    const offline = await offlinePostgres(offlineUrl);
    h = await openHarness({
      kind: "postgres",
      online: "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: serving",
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
      env: { ONLINE: onlineUrl, OFFLINE: offlineUrl },
      load: (_dir, ds) => loadOfflinePostgres(offline, ds),
      store: async () => {
        const onlineClient = await pgQuery(onlineUrl);
        return {
          ...pgTables(onlineClient, "serving"),
          close: async () => {
            await offline.end();
            await onlineClient.end();
          },
        };
      },
    });
  });
  afterAll(() => h?.close());

  it(`streams rows from another database: ${DATASETS} datasets`, () => runDatasets(h, 1000, "stream"));
});

describe.runIf(hasService("postgres"))(
  "materialize equals the oracle: Postgres pushdown (same database)",
  () => {
    let h: Harness;
    beforeAll(async () => {
      const url = await freshDatabase();
      const db = await offlinePostgres(url);
      h = await openHarness({
        kind: "postgres",
        online: "online_store:\n  type: postgres\n  connection_string: ${DB}\n  schema: serving",
        offline: "offline_store:\n  type: postgres\n  connection_string: ${DB}",
        env: { DB: url },
        load: (_dir, ds) => loadOfflinePostgres(db, ds),
        store: async () => ({ ...pgTables(db, "serving"), close: () => db.end() }),
      });
    });
    afterAll(() => h?.close());

    it(`runs one INSERT … SELECT DISTINCT ON per view: ${DATASETS} datasets`, () =>
      runDatasets(h, 2000, "pushdown"));
  },
);

describe.runIf(hasService("postgres") && hasService("redis"))("materialize equals the oracle: Redis", () => {
  let h: Harness;
  beforeAll(async () => {
    const offlineUrl = await freshDatabase();
    const redisUrl = await freshRedisDb();
    const offline = await offlinePostgres(offlineUrl);
    h = await openHarness({
      kind: "postgres",
      online: "online_store:\n  type: redis\n  connection_string: ${REDIS}",
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
      env: { REDIS: redisUrl, OFFLINE: offlineUrl },
      load: (_dir, ds) => loadOfflinePostgres(offline, ds),
      store: async () => {
        const redis = new Redis(redisUrl);
        return {
          clear: async () => {
            const keys = await redis.keys("fsops:fill_test:*:*");
            const data = keys.filter((k) => !k.endsWith(":__meta"));
            if (data.length) await redis.del(...data);
          },
          read: (view) => readOnlineRedis(redis, view),
          close: async () => {
            await offline.end();
            redis.disconnect();
          },
        };
      },
    });
  });
  afterAll(() => h?.close());

  it(`writes hashes with the Lua guard, pipelined: ${DATASETS} datasets`, () =>
    runDatasets(h, 3000, "stream"));
});

describe("materialize equals the oracle: embedded PGlite from Parquet files (DuckDB)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({
      kind: "file",
      online: "online_store:\n  type: embedded",
      offline: "offline_store:\n  type: file",
      env: {},
      beforeApply: (dir) => loadOfflineParquet(dir, generate(1)),
      load: (dir, ds) => loadOfflineParquet(dir, ds),
      store: async (online) => {
        const sql = online.sql!;
        return {
          ...sqlTables(
            (text) => sql.exec(text),
            async (text) => (await sql.query(text)).rows,
            "public",
          ),
          close: async () => {},
        };
      },
    });
  });
  afterAll(() => h?.close());

  it(`reads Parquet part files and upserts into PGlite: ${DATASETS} datasets`, () =>
    runDatasets(h, 4000, "stream"));
});
