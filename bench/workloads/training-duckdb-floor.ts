/** The DuckDB floor: a hand-written ASOF JOIN over the same Parquet files, COPY'd to Parquet (zstd). */
import { rm } from "node:fs/promises";
import path from "node:path";
import { handWrittenDuckdb } from "../lib/training-data.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
}

const workload: Workload<Args> = {
  prepare: (args: JsonValue) => args as unknown as Args,
  async run(a) {
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:", { threads: "2" });
    const conn = await db.connect();
    const out = path.join(a.dir, `floor-${process.pid}.parquet`);
    try {
      await conn.run("SET TimeZone = 'UTC'");
      // The Parquet options fsops writes with (src/training/index.ts): both sides pay the same
      // codec, so the ratio compares the joins, not zstd against DuckDB's default snappy.
      const r = await conn.runAndReadAll(
        `COPY (${handWrittenDuckdb(a.dir)}) TO '${out}' (FORMAT parquet, COMPRESSION zstd)`,
      );
      return { rows: Number(r.getRowsJS()[0]?.[0] ?? 0), rssMb: process.resourceUsage().maxRSS / 1024 };
    } finally {
      conn.closeSync();
      db.closeSync();
      await rm(out, { force: true });
    }
  },
};

export default workload;
