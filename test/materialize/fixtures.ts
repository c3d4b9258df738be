/**
 * A small project with three online views over two sources, a seeded generator of offline rows
 * and a brute-force oracle of what materialize must leave in the online store.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import type { Redis } from "ioredis";
import { applyProject } from "../../src/commands/apply.js";
import { loadConfig } from "../../src/commands/load-project.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { openRegistryStore } from "../../src/registry/open-store.js";

export const T0 = Date.UTC(2025, 0, 1);
export const MIN = 60_000_000; // µs

export interface StatsRow {
  driver_id: string | null; // int64 as text
  event_us: number | null;
  created_us: number | null;
  conv: number | null;
  trips: string | null;
  name: string | null;
}
export interface PairRow {
  city: string | null;
  zone_id: number | null;
  ts_us: number | null;
  raw_score: number | null;
  flag: boolean | null;
}
export interface Dataset {
  stats: StatsRow[];
  pairs: PairRow[];
  start: Date | null;
  end: Date;
}

/** The views, their ttl (s) and how to read their key/feature values from a source row. */
export const VIEWS = ["pairs", "stats", "stats_ttl"] as const;
export type ViewName = (typeof VIEWS)[number];
export const TTL: Record<ViewName, number> = { stats: 0, stats_ttl: 3600, pairs: 1800 };

/** Source kind: PostgresSource tables, or FileSource Parquet folders under the project. */
export type SourceKind = "postgres" | "file";

export function definitions(kind: SourceKind, schedule = false): string {
  const statsSrc =
    kind === "postgres"
      ? `new PostgresSource({ name: "stats_src", table: "offline.stats_events", timestampField: "event_timestamp", createdTimestampColumn: "created" })`
      : `new FileSource({ name: "stats_src", path: "data/offline/stats", timestampField: "event_timestamp", createdTimestampColumn: "created" })`;
  const pairsSrc =
    kind === "postgres"
      ? `new PostgresSource({ name: "pairs_src", table: "offline.pair_events", timestampField: "ts", fieldMapping: { raw_score: "score" } })`
      : `new FileSource({ name: "pairs_src", path: "data/offline/pairs", timestampField: "ts", fieldMapping: { raw_score: "score" } })`;
  return `import { Entity, FeatureView, Field, FileSource, PostgresSource, PushSource } from "fsops";
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
export const city = new Entity({ name: "city", joinKeys: ["city"], valueType: "string" });
export const zone = new Entity({ name: "zone", joinKeys: ["zone_id"], valueType: "int32" });
const statsSrc = ${statsSrc};
export const statsPush = new PushSource({ name: "stats_push", batchSource: statsSrc });
const fields = [
  new Field({ name: "conv", dtype: "float32" }),
  new Field({ name: "trips", dtype: "int64" }),
  new Field({ name: "name", dtype: "string" }),
];
export const stats = new FeatureView({ name: "stats", entities: [driver], schema: fields, source: statsPush${schedule ? `, batchSchedule: "@hourly"` : ""} });
export const statsTtl = new FeatureView({ name: "stats_ttl", entities: [driver], ttl: "1h", schema: fields.slice(0, 2), source: statsSrc });
export const pairs = new FeatureView({
  name: "pairs",
  entities: [city, zone],
  ttl: "30m",
  schema: [new Field({ name: "score", dtype: "float64" }), new Field({ name: "flag", dtype: "bool" })],
  source: ${pairsSrc},
});
`;
}

export async function writeProject(
  dir: string,
  opts: { kind: SourceKind; online: string; offline: string; registry?: string; schedule?: boolean },
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "fsops.yaml"),
    `project: fill_test\nregistry: ${opts.registry ?? "data/registry.json"}\n${opts.online}\n${opts.offline}\n`,
  );
  await writeFile(join(dir, "features.ts"), definitions(opts.kind, opts.schedule));
}

export async function applyAndLoad(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<{ config: ProjectConfig; state: RegistryState }> {
  const outcome = await applyProject(dir, { env, who: "tester", commit: null }, { allowDestroy: true });
  if (outcome.status !== "applied" && outcome.status !== "no-changes") {
    throw new Error(`apply failed: ${JSON.stringify(outcome).slice(0, 2000)}`);
  }
  const loaded = await loadConfig(dir, { env });
  if (loaded.status !== "ok") throw new Error("config invalid");
  const registry = openRegistryStore(loaded.config.registry);
  try {
    const state = (await registry.read(loaded.config.project)).state;
    if (!state) throw new Error("no state");
    return { config: loaded.config, state };
  } finally {
    await registry.close();
  }
}

// ------------------------------------------------------------------ generation

/** Mulberry32: a small seeded PRNG, so a failing dataset can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generate(seed: number): Dataset {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T>(v: T, pNull = 0.15): T | null => (r() < pNull ? null : v);
  // Few distinct times so equal event times (and created tie-breaks) are common; a µs offset too.
  const time = () => T0 * 1000 + pick([0, 10, 20, 30, 40, 50, 60, 90, 120]) * MIN + (r() < 0.1 ? 1 : 0);
  const drivers = ["1", "2", "3", "9007199254740993", "-5"];
  const n = Math.floor(r() * 40);
  const stats: StatsRow[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const row: StatsRow = {
      driver_id: maybe(pick(drivers), 0.05),
      event_us: maybe(time(), 0.05),
      created_us: maybe(T0 * 1000 + pick([0, 1, 2, 3]) * MIN, 0.3),
      conv: maybe(pick([0, 0.25, 0.5, -1.75, 3])),
      trips: maybe(pick(["0", "7", "9007199254740995", "-3"])),
      name: maybe(pick(["a", "b", "é ü", "x'y\"z", ""])),
    };
    // (key, event, created) identical twice would make "the newest" ambiguous: skip.
    const id = `${row.driver_id}|${row.event_us}|${row.created_us}`;
    if (seen.has(id)) continue;
    seen.add(id);
    stats.push(row);
  }
  const pairs: PairRow[] = [];
  const seenPairs = new Set<string>();
  const m = Math.floor(r() * 30);
  for (let i = 0; i < m; i++) {
    const row: PairRow = {
      city: maybe(pick(["ams", "ber", "a:b"]), 0.05),
      zone_id: maybe(pick([1, 2, -7]), 0.05),
      ts_us: maybe(time(), 0.05),
      raw_score: maybe(pick([1.5, -2.25, 1e10, 0])),
      flag: maybe(pick([true, false])),
    };
    const id = `${row.city}|${row.zone_id}|${row.ts_us}`;
    if (seenPairs.has(id)) continue;
    seenPairs.add(id);
    pairs.push(row);
  }
  const points = [-10, 0, 15, 30, 45, 60, 75, 90, 120, 150];
  let start: Date | null = r() < 0.3 ? null : new Date(T0 + pick(points) * 60_000);
  let end = new Date(T0 + pick(points) * 60_000);
  if (start !== null && start.getTime() >= end.getTime())
    [start, end] = [end, new Date(start.getTime() + 60_000)];
  if (start !== null && start.getTime() === end.getTime()) start = null;
  return { stats, pairs, start, end };
}

// ------------------------------------------------------------------ oracle

/** What the online store holds for one entity: features as comparable text, event µs. */
export type OnlineRows = Map<string, { features: (string | null)[]; eventUs: number }>;

const show = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** Brute force: every key's newest row in the window (created breaks ties; null created loses). */
export function oracle(ds: Dataset, view: ViewName): OnlineRows {
  const endUs = ds.end.getTime() * 1000;
  const startUs = ds.start === null ? null : ds.start.getTime() * 1000;
  const ttl = TTL[view];
  const inWindow = (e: number) =>
    (startUs === null || e > startUs) && e <= endUs && (ttl === 0 || e >= endUs - ttl * 1_000_000);
  const best = new Map<string, { row: StatsRow | PairRow; e: number; c: number }>();
  const consider = (key: string, row: StatsRow | PairRow, e: number, c: number | null) => {
    if (!inWindow(e)) return;
    const cur = best.get(key);
    const cc = c ?? -Infinity;
    if (cur === undefined || e > cur.e || (e === cur.e && cc > cur.c)) best.set(key, { row, e, c: cc });
  };
  if (view === "pairs") {
    for (const p of ds.pairs) {
      if (p.city === null || p.zone_id === null || p.ts_us === null) continue;
      consider(JSON.stringify([p.city, String(p.zone_id)]), p, p.ts_us, null);
    }
  } else {
    for (const s of ds.stats) {
      if (s.driver_id === null || s.event_us === null) continue;
      consider(JSON.stringify([s.driver_id]), s, s.event_us, s.created_us);
    }
  }
  const out: OnlineRows = new Map();
  for (const [key, { row, e }] of best) {
    const features =
      view === "pairs"
        ? [show((row as PairRow).raw_score), show((row as PairRow).flag)]
        : view === "stats"
          ? [show((row as StatsRow).conv), show((row as StatsRow).trips), show((row as StatsRow).name)]
          : [show((row as StatsRow).conv), show((row as StatsRow).trips)];
    out.set(key, { features, eventUs: e });
  }
  return out;
}

// ------------------------------------------------------------------ offline data

export const OFFLINE_DDL = `
  CREATE SCHEMA IF NOT EXISTS offline;
  CREATE TABLE IF NOT EXISTS offline.stats_events (driver_id bigint, event_timestamp timestamptz,
    created timestamptz, conv real, trips bigint, name text);
  CREATE TABLE IF NOT EXISTS offline.pair_events (city text, zone_id int, ts timestamp,
    raw_score double precision, flag boolean);`;

const iso = (us: number | null) =>
  us === null
    ? null
    : new Date(Math.floor(us / 1000)).toISOString().replace("Z", `${String(us % 1000).padStart(3, "0")}Z`);

export async function loadOfflinePostgres(client: pg.Client, ds: Dataset): Promise<void> {
  await client.query("TRUNCATE offline.stats_events, offline.pair_events");
  if (ds.stats.length > 0) {
    await client.query(
      `INSERT INTO offline.stats_events SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(driver_id bigint,
         event_timestamp timestamptz, created timestamptz, conv real, trips bigint, name text)`,
      [
        JSON.stringify(
          ds.stats.map((s) => ({ ...s, event_timestamp: iso(s.event_us), created: iso(s.created_us) })),
        ),
      ],
    );
  }
  if (ds.pairs.length > 0) {
    await client.query(
      `INSERT INTO offline.pair_events SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(city text, zone_id int,
         ts timestamp, raw_score double precision, flag boolean)`,
      [JSON.stringify(ds.pairs.map((p) => ({ ...p, ts: iso(p.ts_us)?.replace("Z", "") ?? null })))],
    );
  }
}

/** Write the dataset as Parquet part files under `<dir>/data/offline/{stats,pairs}/` with DuckDB. */
export async function loadOfflineParquet(dir: string, ds: Dataset, parts = 2): Promise<void> {
  const { rm } = await import("node:fs/promises");
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    await c.run("SET TimeZone = 'UTC'");
    for (const [name, rows, cols] of [
      [
        "stats",
        ds.stats.map((s) => ({ ...s, event_timestamp: iso(s.event_us), created: iso(s.created_us) })),
        "driver_id BIGINT, event_timestamp TIMESTAMPTZ, created TIMESTAMPTZ, conv FLOAT, trips BIGINT, name VARCHAR",
      ],
      [
        "pairs",
        ds.pairs.map((p) => ({ ...p, ts: iso(p.ts_us)?.replace("Z", "") ?? null })),
        "city VARCHAR, zone_id INTEGER, ts TIMESTAMP, raw_score DOUBLE, flag BOOLEAN",
      ],
    ] as const) {
      const folder = join(dir, "data", "offline", name);
      await rm(folder, { recursive: true, force: true });
      await mkdir(folder, { recursive: true });
      for (let p = 0; p < parts; p++) {
        const part = (rows as object[]).filter((_, i) => i % parts === p);
        const json = join(folder, `.part-${p}.json`);
        await writeFile(json, JSON.stringify(part.length ? part : []));
        const colsSpec = cols
          .split(", ")
          .map((c) => c.split(" "))
          .map(([n, t]) => `'${n}': '${t}'`)
          .join(", ");
        await c.run(
          `COPY (SELECT * FROM read_json('${json}', columns = {${colsSpec}}, format = 'array')) TO '${join(folder, `part-${p}.parquet`)}' (FORMAT parquet)`,
        );
        await rm(json);
      }
    }
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

// ------------------------------------------------------------------ reading the online store

const FEATURES: Record<ViewName, string[]> = {
  stats: ["conv", "trips", "name"],
  stats_ttl: ["conv", "trips"],
  pairs: ["score", "flag"],
};
const KEYS: Record<ViewName, string[]> = {
  stats: ["driver_id"],
  stats_ttl: ["driver_id"],
  pairs: ["city", "zone_id"],
};

export async function readOnlinePostgres(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  schema: string,
  view: ViewName,
): Promise<OnlineRows> {
  const cols = [...KEYS[view], ...FEATURES[view]]
    .map((c) => (c === "conv" || c === "score" ? `"${c}"::float8::text AS "${c}"` : `"${c}"::text AS "${c}"`))
    .join(", ");
  const rows = await query(
    `SELECT ${cols}, (extract(epoch from event_ts) * 1000000)::bigint::text AS e FROM "${schema}"."fill_test__${view}"`,
  );
  const out: OnlineRows = new Map();
  for (const r of rows) {
    out.set(JSON.stringify(KEYS[view].map((k) => String(r[k]))), {
      features: FEATURES[view].map((f) => normalize(r[f])),
      eventUs: Number(r.e),
    });
  }
  return out;
}

export async function readOnlineRedis(redis: Redis, view: ViewName): Promise<OnlineRows> {
  const prefix = `fsops:fill_test:${view}:`;
  const keys = await redis.keys(`${prefix}*`);
  const out: OnlineRows = new Map();
  for (const key of keys) {
    const h = await redis.hgetall(key);
    out.set(key.slice(prefix.length), {
      features: FEATURES[view].map((f) => (h[f] === undefined ? null : normalize(JSON.parse(h[f]!)))),
      eventUs: Number(h.__event_ts),
    });
  }
  return out;
}

function normalize(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v === "t" || v === "true" || v === true) return "true";
  if (v === "f" || v === "false" || v === false) return "false";
  if (typeof v === "string" && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v) && !/^-?\d+$/.test(v))
    return String(Number(v));
  return String(v);
}

/** Oracle rows with features normalized like the store readers do. */
export function expected(ds: Dataset, view: ViewName): OnlineRows {
  const o = oracle(ds, view);
  for (const v of o.values()) v.features = v.features.map((f) => normalize(f));
  return o;
}

export function sortedEntries(m: OnlineRows): [string, { features: (string | null)[]; eventUs: number }][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
