/**
 * Issue 15: training sets (point-in-time joins) at `size` entity rows × 3 views × 10·size feature
 * rows each (100,000 × 1,000,000 at full size).
 *
 * - training/postgres: fsops with the entity rows from `entitySql` and the join pushed down to
 *   the offline Postgres, written to Parquet, next to a hand-written LATERAL query run by psql
 *   (`\copy … TO file`). Target ≤ 1.5× (CPU of client + server + psql).
 * - training/duckdb: fsops over Parquet files (entity file in, Parquet out), next to a
 *   hand-written DuckDB ASOF JOIN of the same files COPY'd to Parquet with the same options
 *   (zstd). Target ≤ 1.3×.
 * - training/rss: peak RSS of the DuckDB path at `size` entity rows against the same at
 *   size / 10 (measured once in prepare). Target ≤ 1.2×.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createDatabase } from "../lib/admin.js";
import { runTask } from "../lib/child.js";
import { benchServers, serviceUnavailable } from "../lib/services.js";
import { fillPostgres, shapeOf, writeParquet } from "../lib/training-data.js";
import type { BenchCase, JsonValue, Prepared, Target } from "../lib/types.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const workload = (name: string): string => fileURLToPath(new URL(`../workloads/${name}.ts`, import.meta.url));
const missing = () =>
  existsSync(path.join(ROOT, "src/training/index.ts")) ? null : "src/training is not in this checkout";

const rowsCheck = (size: number) => (summary: JsonValue) => {
  const s = summary as { rows?: number } | null;
  return s?.rows === size ? null : `wrote ${s?.rows} rows, expected ${size}`;
};

let made = 0;

const postgresCase: BenchCase = {
  name: "training/postgres",
  sizes: [100_000],
  services: ["postgres"],
  unavailable: async () => missing() ?? serviceUnavailable("postgres"),
  target: (): Target => ({ ratio: 1.5 }),
  async prepare(size, workDir): Promise<Prepared> {
    const dir = await mkdtemp(path.join(workDir, `training-pg-${size}-`));
    const server = benchServers().postgres!;
    const url = await createDatabase(server.url, `training_${process.pid}_${made++}`);
    const shape = shapeOf(size);
    await fillPostgres(url, shape);
    return {
      subject: {
        module: workload("training-subject"),
        args: { engine: "postgres", dir, url, serverPids: server.pids },
        runs: 2,
      },
      floor: {
        module: workload("training-psql-floor"),
        args: { dir, url, psql: path.join(server.binDir, "psql"), serverPids: server.pids },
        runs: 2,
      },
      floorLabel:
        "psql -c \\copy (hand-written LEFT JOIN LATERAL … ORDER BY ts DESC LIMIT 1 per view) TO file.csv",
      input: { ...shape },
      verify: rowsCheck(size),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const duckdbCase: BenchCase = {
  name: "training/duckdb",
  sizes: [100_000],
  unavailable: async () => missing(),
  target: (): Target => ({ ratio: 1.3 }),
  async prepare(size, workDir): Promise<Prepared> {
    const dir = await mkdtemp(path.join(workDir, `training-duck-${size}-`));
    const shape = shapeOf(size);
    await writeParquet(dir, shape);
    return {
      subject: {
        module: workload("training-subject"),
        args: { engine: "file", dir, url: null, serverPids: [] },
        runs: 2,
      },
      floor: { module: workload("training-duckdb-floor"), args: { dir }, runs: 2 },
      floorLabel:
        "hand-written DuckDB ASOF LEFT JOIN of the same Parquet files, COPY to Parquet (zstd, as fsops writes)",
      input: { ...shape },
      verify: rowsCheck(size),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

const rssCase: BenchCase = {
  name: "training/rss",
  sizes: [1_000_000],
  unavailable: async () => missing(),
  target: (): Target => ({ other: "peak RSS ≤ 1.2× at size/10" }),
  async prepare(size, workDir): Promise<Prepared> {
    const small = Math.floor(size / 10);
    const big = await mkdtemp(path.join(workDir, `training-rss-${size}-`));
    const little = await mkdtemp(path.join(workDir, `training-rss-${small}-`));
    // Same feature files for both (the shape of size/10): only the number of entity rows differs.
    const shape = { ...shapeOf(small), entityRows: size };
    await writeParquet(big, shape);
    await writeParquet(little, { ...shape, entityRows: small });
    const baseline = await runTask(
      {
        module: workload("training-subject"),
        args: { engine: "file", dir: little, url: null, serverPids: [] },
        runs: 1,
      },
      ROOT,
    );
    return {
      subject: {
        module: workload("training-subject"),
        args: { engine: "file", dir: big, url: null, serverPids: [] },
        runs: 1,
      },
      floor: null,
      floorLabel: `the same retrieval at ${small.toLocaleString("en-US")} entity rows (same feature files)`,
      input: { ...shape, baselineEntityRows: small, baselinePeakRssMb: Math.round(baseline.peakRssMb) },
      verify: rowsCheck(size),
      assess(summaries) {
        const worst = Math.max(...summaries.map((s) => (s as { rssMb: number }).rssMb));
        const ratio = worst / baseline.peakRssMb;
        return {
          notes: [
            `peak RSS ${worst.toFixed(0)} MB at ${size} entity rows, ${baseline.peakRssMb.toFixed(0)} MB at ${small}: ${ratio.toFixed(2)}×`,
          ],
          misses: ratio > 1.2 ? [`peak RSS ratio ${ratio.toFixed(2)} > 1.2`] : [],
        };
      },
      cleanup: async () => {
        await rm(big, { recursive: true, force: true });
        await rm(little, { recursive: true, force: true });
      },
    };
  },
};

const cases: BenchCase[] = [postgresCase, duckdbCase, rssCase];
export default cases;
