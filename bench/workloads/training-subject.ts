/**
 * fsops' training-set retrieval: `getHistoricalFeatures` of 3 views × 3 features, written to a
 * Parquet file (Postgres: entity rows from `entitySql`, the join in the offline Postgres; files:
 * entity rows from a Parquet file, the join by DuckDB ASOF). Summary: rows, non-null values, and
 * the process's peak RSS.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { getHistoricalFeatures } from "../../src/training/index.js";
import { projectConfig } from "../../test/training/fixtures.js";
import { FEATURE_REFS, trainingState } from "../lib/training-data.js";
import { treeCpuMs } from "../lib/proc-cpu.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  engine: "postgres" | "file";
  dir: string;
  url: string | null;
  serverPids: number[];
}

const workload: Workload<Args> = {
  prepare: (args: JsonValue) => args as unknown as Args,
  async run(a) {
    const out = path.join(a.dir, `subject-${process.pid}.parquet`);
    const ctx = { projectDir: a.dir, config: projectConfig(a.dir, a.url), state: trainingState(a.engine) };
    const result = await getHistoricalFeatures(ctx, {
      ...(a.engine === "postgres"
        ? { entitySql: "SELECT * FROM entities" }
        : { entityFile: path.join(a.dir, "entities.parquet") }),
      features: FEATURE_REFS,
      fullFeatureNames: true,
    });
    const { rows } = await result.writeFile(out);
    await rm(out, { force: true });
    return { rows, rssMb: process.resourceUsage().maxRSS / 1024 };
  },
  externalCpuMs: ({ serverPids }) => treeCpuMs(serverPids),
};

export default workload;
