/**
 * Issue 13's materialization, subject and floors in one module (`args.mode`):
 *
 * - subject:      fsops `materialize()` of one view, window covering all the data
 * - psql:         psql -c running the equivalent hand-written INSERT … SELECT DISTINCT ON … ON CONFLICT
 * - redis-raw:    the same offline read (server-side cursor) + a raw ioredis pipeline of HSETs
 * - duckdb-copy:  DuckDB reading the same Parquet files (latest per key) to CSV, then psql \copy
 *
 * Every run starts from an empty online table / no view keys (reset, untimed).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { loadConfig } from "../../src/commands/load-project.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { openRegistryStore } from "../../src/registry/open-store.js";
import { materialize } from "../../src/materialize/index.js";
import { streamPostgresRows } from "../../src/offline/postgres-source.js";
import { reapedChildrenCpuMs, treeCpuMs } from "../lib/proc-cpu.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  mode: "subject" | "psql" | "redis-raw" | "duckdb-copy";
  dir: string;
  /** Postgres URL holding the online table (pg online cases) and/or the offline table. */
  onlineUrl: string | null;
  offlineUrl: string | null;
  redisUrl: string | null;
  table: string;
  features: number;
  psql: string;
  parquetDir: string | null;
  serverPids: number[];
}

interface Prepared extends Args {
  config: ProjectConfig;
  state: RegistryState;
}

const END = new Date("2030-01-01T00:00:00Z");
const feats = (n: number) => Array.from({ length: n }, (_, i) => `f${i}`);

function psql(bin: string, url: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["-X", "-q", "-v", "ON_ERROR_STOP=1", ...args, url], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${err.trim().slice(0, 300)}`)),
    );
  });
}

async function count(p: Prepared): Promise<number> {
  if (p.redisUrl !== null) {
    const r = new Redis(p.redisUrl);
    try {
      let n = 0;
      let cursor = "0";
      do {
        const [next, keys] = await r.scan(cursor, "MATCH", "fsops:bench_fill:bench_view:*", "COUNT", 10000);
        cursor = next;
        n += keys.length;
      } while (cursor !== "0");
      return n;
    } finally {
      r.disconnect();
    }
  }
  const c = new pg.Client({ connectionString: p.onlineUrl! });
  await c.connect();
  try {
    return (await c.query(`SELECT count(*)::int AS n FROM public."${p.table}"`)).rows[0].n as number;
  } finally {
    await c.end();
  }
}

const workload: Workload<Prepared> = {
  async prepare(args: JsonValue) {
    const a = args as unknown as Args;
    const loaded = await loadConfig(a.dir, {
      env: { ONLINE: a.onlineUrl ?? "", OFFLINE: a.offlineUrl ?? "", REDIS: a.redisUrl ?? "" },
    });
    if (loaded.status !== "ok") throw new Error("bench project config invalid");
    const registry = openRegistryStore(loaded.config.registry);
    const state = (await registry.read(loaded.config.project)).state;
    await registry.close();
    if (state === null) throw new Error("bench project not applied");
    return { ...a, config: loaded.config, state };
  },
  async reset(p) {
    if (p.redisUrl !== null) {
      const r = new Redis(p.redisUrl);
      await r.flushdb();
      // flushdb dropped the meta hash too: put back what apply wrote.
      const meta = (p.state.infra as { views?: Record<string, unknown> }).views ?? {};
      const { metaValue } = await import("../../src/infra/plan-redis.js");
      for (const [view, layout] of Object.entries(meta)) {
        await r.hset("fsops:bench_fill:__meta", view, metaValue(layout as never));
      }
      r.disconnect();
      return;
    }
    const c = new pg.Client({ connectionString: p.onlineUrl! });
    await c.connect();
    await c.query(`TRUNCATE public."${p.table}"`);
    await c.end();
  },
  async run(p) {
    const f = feats(p.features);
    switch (p.mode) {
      case "subject": {
        const results = await materialize(
          { config: p.config, who: "bench", state: p.state },
          { start: null, end: END },
        );
        const r = results[0]!;
        if (r.status !== "ok") throw new Error(`materialize failed: ${r.error?.message}`);
        return { rows: r.rows, mode: r.mode };
      }
      case "psql": {
        const sets = [...f, "event_ts", "created_ts"].map((c) => `"${c}" = EXCLUDED."${c}"`).join(", ");
        const sql = `INSERT INTO public."${p.table}" AS t ("entity_id", ${f.map((c) => `"${c}"`).join(", ")}, "event_ts", "created_ts")
          SELECT DISTINCT ON (entity_id) entity_id, ${f.join(", ")}, event_timestamp, created FROM bench_src
           WHERE event_timestamp <= '2030-01-01T00:00:00Z'
           ORDER BY entity_id, event_timestamp DESC, created DESC NULLS LAST
          ON CONFLICT ("entity_id") DO UPDATE SET ${sets} WHERE EXCLUDED."event_ts" >= t."event_ts"`;
        await psql(p.psql, p.onlineUrl!, ["-c", sql]);
        return null;
      }
      case "redis-raw": {
        const r = new Redis(p.redisUrl!);
        const sql = `SELECT DISTINCT ON (entity_id) entity_id::text AS k, ${f.join(", ")},
            (extract(epoch from event_timestamp) * 1000000)::bigint AS e FROM bench_src
           WHERE event_timestamp <= '2030-01-01T00:00:00Z'
           ORDER BY entity_id, event_timestamp DESC, created DESC NULLS LAST`;
        for await (const rows of streamPostgresRows(p.offlineUrl!, sql)) {
          const pipe = r.pipeline();
          for (const row of rows) {
            const args: string[] = ["__event_ts", String(row.e)];
            for (const c of f) if (row[c] !== null) args.push(c, JSON.stringify(row[c]));
            pipe.hset(`fsops:bench_fill:bench_view:["${String(row.k)}"]`, ...args);
          }
          await pipe.exec();
        }
        r.disconnect();
        return null;
      }
      case "duckdb-copy": {
        const { DuckDBInstance } = await import("@duckdb/node-api");
        const dir = await mkdtemp(join(tmpdir(), "bench-copy-"));
        const csv = join(dir, "rows.csv");
        const db = await DuckDBInstance.create(":memory:");
        const c = await db.connect();
        await c.run("SET TimeZone = 'UTC'");
        await c.run(
          `COPY (SELECT DISTINCT ON (entity_id) entity_id, ${f.join(", ")}, event_timestamp, created
                   FROM read_parquet('${p.parquetDir}/*.parquet') ORDER BY entity_id, event_timestamp DESC, created DESC NULLS LAST)
             TO '${csv}' (FORMAT csv, HEADER false)`,
        );
        c.closeSync();
        db.closeSync();
        await psql(p.psql, p.onlineUrl!, ["-c", `\\copy public."${p.table}" FROM '${csv}' CSV`]);
        await rm(dir, { recursive: true, force: true });
        return null;
      }
    }
  },
  async check(p, summary) {
    return { ...(summary as object), written: await count(p) };
  },
  externalCpuMs: ({ serverPids }) => reapedChildrenCpuMs() + treeCpuMs(serverPids),
};

export default workload;
