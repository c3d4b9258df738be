/**
 * Issue 13: materialization of one view (10 float features) from `size` offline rows over
 * size/10 entities, each run into an empty online store, next to its floor:
 *
 * - materialize/pg-pg:      same Postgres database offline and online (fsops pushes one statement
 *                           down) vs psql -c of the equivalent hand-written statement. ≤ 1.2×.
 * - materialize/pg-redis:   Postgres → Redis (cursor read + Lua upserts, pipelined) vs the same
 *                           cursor read + a raw ioredis HSET pipeline. ≤ 1.5×; peak RSS < 300 MB.
 * - materialize/parquet-pg: Parquet (DuckDB prints each row's COPY line) → Postgres (per batch:
 *                           COPY into a TEMP table + one guarded upsert) vs DuckDB reading the
 *                           files to CSV + psql \copy. ≤ 1.5×.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { applyProject } from "../../src/commands/apply.js";
import { createDatabase } from "../lib/admin.js";
import { benchServers, serviceUnavailable } from "../lib/services.js";
import type { BenchCase, JsonValue, Prepared, Target } from "../lib/types.js";

const workload = fileURLToPath(new URL("../workloads/materialize.ts", import.meta.url));
const FEATURES = 10;
const feats = Array.from({ length: FEATURES }, (_, i) => `f${i}`);
const sizesFromEnv = (fallback: number[]): number[] =>
  process.env.FSOPS_BENCH_FILL_SIZES ? process.env.FSOPS_BENCH_FILL_SIZES.split(",").map(Number) : fallback;

let made = 0;

function definitions(source: string): string {
  return `import { Entity, FeatureView, Field, FileSource, PostgresSource } from "fsops";
const entity = new Entity({ name: "entity", joinKeys: ["entity_id"], valueType: "int64" });
export const view = new FeatureView({
  name: "bench_view",
  entities: [entity],
  schema: [${feats.map((f) => `new Field({ name: "${f}", dtype: "float32" })`).join(", ")}],
  source: ${source},
});
`;
}

async function project(
  dir: string,
  online: string,
  offline: string,
  source: string,
  env: Record<string, string>,
) {
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, "fsops.yaml"),
    `project: bench_fill\nregistry: data/registry.json\n${online}\n${offline}\n`,
  );
  await writeFile(path.join(dir, "features.ts"), definitions(source));
  const outcome = await applyProject(dir, { env, who: "bench", commit: null }, { allowDestroy: true });
  if (outcome.status !== "applied") throw new Error(`bench apply: ${JSON.stringify(outcome).slice(0, 500)}`);
}

async function loadOffline(url: string, size: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE TABLE bench_src (entity_id bigint, event_timestamp timestamptz, created timestamptz,
    ${feats.map((f) => `${f} real`).join(", ")})`);
  await c.query(
    `INSERT INTO bench_src SELECT i % ${size / 10}, timestamptz '2025-01-01' + (i * 37 % 100000) * interval '1 second',
       timestamptz '2025-01-01', ${feats.map((_, j) => `((i * ${j + 3}) % 1000)::real / 8`).join(", ")}
     FROM generate_series(1, ${size}) AS i`,
  );
  await c.query("ANALYZE bench_src");
  await c.end();
}

const verifyRows = (size: number) => (summary: JsonValue) => {
  const s = summary as { written?: number } | null;
  return s?.written === size / 10 ? null : `wrote ${s?.written} entities, expected ${size / 10}`;
};

const pgPg: BenchCase = {
  name: "materialize/pg-pg",
  sizes: sizesFromEnv([100_000, 1_000_000]),
  services: ["postgres"],
  unavailable: async () => serviceUnavailable("postgres"),
  target: (): Target => ({ ratio: 1.2 }),
  async prepare(size, workDir): Promise<Prepared> {
    const info = benchServers().postgres!;
    const url = await createDatabase(info.url, `fill_pgpg_${process.pid}_${made++}`);
    await loadOffline(url, size);
    const dir = await mkdtemp(path.join(workDir, "fill-pgpg-"));
    await project(
      dir,
      "online_store:\n  type: postgres\n  connection_string: ${ONLINE}",
      "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
      `new PostgresSource({ name: "src", table: "bench_src", timestampField: "event_timestamp", createdTimestampColumn: "created" })`,
      { ONLINE: url, OFFLINE: url },
    );
    const args = {
      dir,
      onlineUrl: url,
      offlineUrl: url,
      redisUrl: null,
      table: "bench_fill__bench_view",
      features: FEATURES,
      psql: path.join(info.binDir, "psql"),
      parquetDir: null,
      serverPids: info.pids,
    };
    return {
      subject: { module: workload, args: { ...args, mode: "subject" }, runs: 2 },
      floor: { module: workload, args: { ...args, mode: "psql" }, runs: 2 },
      floorLabel: "psql -c of the hand-written INSERT … SELECT DISTINCT ON … ON CONFLICT … WHERE statement",
      input: { rows: size, entities: size / 10, features: FEATURES },
      verify: verifyRows(size),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const pgRedis: BenchCase = {
  name: "materialize/pg-redis",
  sizes: sizesFromEnv([100_000, 1_000_000]),
  services: ["postgres", "redis"],
  unavailable: async () => serviceUnavailable("postgres") ?? serviceUnavailable("redis"),
  target: (): Target => ({ ratio: 1.5, maxRssMb: 300 }),
  async prepare(size, workDir): Promise<Prepared> {
    const info = benchServers().postgres!;
    const redis = benchServers().redis!;
    const url = await createDatabase(info.url, `fill_pgredis_${process.pid}_${made++}`);
    await loadOffline(url, size);
    const redisUrl = `${redis.url.replace(/\/\d*$/, "")}/7`;
    const dir = await mkdtemp(path.join(workDir, "fill-pgredis-"));
    await project(
      dir,
      "online_store:\n  type: redis\n  connection_string: ${REDIS}",
      "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
      `new PostgresSource({ name: "src", table: "bench_src", timestampField: "event_timestamp", createdTimestampColumn: "created" })`,
      { REDIS: redisUrl, OFFLINE: url },
    );
    const args = {
      dir,
      onlineUrl: null,
      offlineUrl: url,
      redisUrl,
      table: "",
      features: FEATURES,
      psql: "",
      parquetDir: null,
      serverPids: [...info.pids, ...redis.pids],
    };
    return {
      subject: { module: workload, args: { ...args, mode: "subject" }, runs: 2 },
      floor: { module: workload, args: { ...args, mode: "redis-raw" }, runs: 2 },
      floorLabel: "the same cursor read of the latest rows + a raw ioredis pipeline of HSETs",
      input: { rows: size, entities: size / 10, features: FEATURES },
      verify: verifyRows(size),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const parquetPg: BenchCase = {
  name: "materialize/parquet-pg",
  sizes: sizesFromEnv([100_000, 1_000_000]),
  services: ["postgres"],
  unavailable: async () => serviceUnavailable("postgres"),
  target: (): Target => ({ ratio: 1.5 }),
  async prepare(size, workDir): Promise<Prepared> {
    const info = benchServers().postgres!;
    const url = await createDatabase(info.url, `fill_parquet_${process.pid}_${made++}`);
    const dir = await mkdtemp(path.join(workDir, "fill-parquet-"));
    const parquetDir = path.join(dir, "offline");
    await mkdir(parquetDir, { recursive: true });
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    for (let part = 0; part < 4; part++) {
      await c.run(
        `COPY (SELECT i % ${size / 10} AS entity_id, TIMESTAMPTZ '2025-01-01' + to_seconds(i * 37 % 100000) AS event_timestamp,
                  TIMESTAMPTZ '2025-01-01' AS created, ${feats.map((f, j) => `CAST(((i * ${j + 3}) % 1000) / 8 AS FLOAT) AS ${f}`).join(", ")}
             FROM range(${(part * size) / 4 + 1}, ${((part + 1) * size) / 4 + 1}) AS t(i))
           TO '${path.join(parquetDir, `part-${part}.parquet`)}' (FORMAT parquet)`,
      );
    }
    c.closeSync();
    db.closeSync();
    await project(
      dir,
      "online_store:\n  type: postgres\n  connection_string: ${ONLINE}",
      "offline_store:\n  type: file",
      `new FileSource({ name: "src", path: "offline", timestampField: "event_timestamp", createdTimestampColumn: "created" })`,
      { ONLINE: url },
    );
    const args = {
      dir,
      onlineUrl: url,
      offlineUrl: null,
      redisUrl: null,
      table: "bench_fill__bench_view",
      features: FEATURES,
      psql: path.join(info.binDir, "psql"),
      parquetDir,
      serverPids: info.pids,
    };
    return {
      subject: { module: workload, args: { ...args, mode: "subject" }, runs: 2 },
      floor: { module: workload, args: { ...args, mode: "duckdb-copy" }, runs: 2 },
      floorLabel:
        "DuckDB reading the same Parquet files (latest per key) to CSV + psql \\copy into the table",
      input: { rows: size, entities: size / 10, features: FEATURES, parts: 4 },
      verify: verifyRows(size),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const cases: BenchCase[] = [pgPg, pgRedis, parquetPg];
export default cases;
