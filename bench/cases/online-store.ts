/**
 * Issue 4: the online store on real servers the runner starts.
 *
 * - online-apply/postgres: apply of 1,000 new online feature views (1,000 tables) in one
 *   transaction by fsops' provisioner, next to the floor of the same DDL run by `psql -1 -f`, a
 *   fresh database each run. Target: within 1.5× (CPU of client + server, psql's included).
 * - online-cleanup/redis: clean-up of a deleted view with 1,000,000 keys by the provisioner, next
 *   to the same SCAN + UNLINK loop written directly; PING latency sampled from a second
 *   connection during it. Target: PING max < 50 ms.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { planInfra } from "../../src/infra/plan-infra.js";
import { sha256 } from "../lib/admin.js";
import { desiredStateOf } from "../lib/desired.js";
import { generateRepo } from "../lib/generate.js";
import type { PingStats } from "../lib/pinger.js";
import { benchServers, serviceUnavailable } from "../lib/services.js";
import type { BenchCase, JsonValue, Prepared, Target } from "../lib/types.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const workload = (name: string): string => fileURLToPath(new URL(`../workloads/${name}.ts`, import.meta.url));
const REQUIRED = [
  "src/infra/open-online-store.ts",
  "src/infra/plan-infra.ts",
  "src/infra/redis-provisioner.ts",
];
const PING_MAX_MS = 50;

function missingModules(): string | null {
  const missing = REQUIRED.filter((f) => !existsSync(path.join(ROOT, f)));
  return missing.length === 0 ? null : `the online store needs ${missing.join(", ")}, not in this checkout`;
}

const onlineApply: BenchCase = {
  name: "online-apply/postgres",
  sizes: [1000],
  services: ["postgres"],
  unavailable: async () => missingModules() ?? serviceUnavailable("postgres"),
  target: (): Target => ({ ratio: 1.5 }),
  async prepare(size, workDir): Promise<Prepared> {
    const dir = await mkdtemp(path.join(workDir, `online-apply-${size}-`));
    // The generator makes every fifth view offline: 1.25× the views gives `size` online ones.
    const repo = await generateRepo(dir, { views: Math.round(size * 1.25) });
    // The DDL psql runs: the pure planner's for an empty schema. The subject plans against its
    // real empty database; `verify` checks both are the same statements.
    const desired = await desiredStateOf(dir, repo.project);
    const planned = planInfra(
      repo.project,
      desired,
      null,
      { store: "postgres", schema: "public", schemaExists: true, tables: [] },
      "postgres",
    );
    const statements = planned.actions.flatMap((a) => a.statements);
    const file = path.join(dir, "online-ddl.sql");
    await writeFile(file, `${statements.join("\n")}\n`);
    const ddlSha = sha256(statements);
    const pgInfo = benchServers().postgres!;
    const common = { adminUrl: pgInfo.url, serverPids: pgInfo.pids };
    return {
      subject: { module: workload("online-apply"), args: { dir, project: repo.project, ...common }, runs: 2 },
      floor: {
        module: workload("psql-floor"),
        args: { file, psql: path.join(pgInfo.binDir, "psql"), ...common },
        runs: 2,
      },
      floorLabel: "psql -X -1 -f of the same DDL (one transaction), fresh database, same server",
      input: {
        onlineViews: size,
        views: repo.expected.feature_view,
        statements: statements.length,
        ddlBytes: Buffer.byteLength(statements.join("\n")),
      },
      verify(summary: JsonValue) {
        const s = summary as {
          createTable?: number;
          tables?: number;
          ddlSha256?: string;
          statements?: number;
        } | null;
        if (!s) return "no summary";
        if (s.createTable !== size) return `planned ${s.createTable} create_table actions, expected ${size}`;
        if (s.tables !== size) return `${s.tables} tables after the apply, expected ${size}`;
        if (s.ddlSha256 !== ddlSha)
          return `the provisioner's ${s.statements} statements differ from the DDL given to psql`;
        return null;
      },
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

interface CleanupSummary {
  keys?: number;
  viewKeysLeft?: number;
  bystandersKept?: number;
  bystanders?: number;
  metaKept?: number;
  seedMs?: number;
  ping?: PingStats;
  idlePing?: PingStats;
  slowCommands?: number;
  slowestCommandMs?: number;
  slowestCommand?: string;
}

const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

const redisCleanup: BenchCase = {
  name: "online-cleanup/redis",
  sizes: [1_000_000],
  services: ["redis"],
  unavailable: async () => missingModules() ?? serviceUnavailable("redis"),
  target: (): Target => ({ other: `PING max <${PING_MAX_MS} ms` }),
  async prepare(size, workDir): Promise<Prepared> {
    const beforeDir = await mkdtemp(path.join(workDir, "redis-before-"));
    const afterDir = await mkdtemp(path.join(workDir, "redis-after-"));
    // fv_00001 and fv_00002 are online (fv_00000 is not); "after" has no fv_00002.
    await generateRepo(beforeDir, { views: 3 });
    await generateRepo(afterDir, { views: 2 });
    const redis = benchServers().redis!;
    const args = {
      url: redis.url,
      host: redis.host,
      port: redis.port,
      project: "bench_redis",
      beforeDir,
      afterDir,
      view: "fv_00002",
      keys: size,
      bystandersPerGroup: 1000,
      serverPids: redis.pids,
    };
    return {
      subject: { module: workload("redis-cleanup"), args, runs: 1 },
      floor: { module: workload("redis-cleanup-floor"), args, runs: 1 },
      floorLabel: "the same SCAN MATCH … COUNT 1000 + UNLINK loop written directly with ioredis",
      input: { keys: size, bystanders: 3 * args.bystandersPerGroup, fieldsPerHash: 4 },
      verify(summary: JsonValue) {
        const s = summary as CleanupSummary | null;
        if (!s?.ping) return "no summary";
        if (s.viewKeysLeft !== 0) return `${s.viewKeysLeft} keys of the view left after the clean-up`;
        if (s.bystandersKept !== s.bystanders)
          return `${s.bystandersKept} of ${s.bystanders} keys of other views/projects/owners kept`;
        if (s.metaKept !== 1) return "the project's meta hash is gone";
        if (s.ping.samples < 10) return `only ${s.ping.samples} PING samples during the clean-up`;
        return null;
      },
      assess(summaries: JsonValue[]) {
        const all = summaries as CleanupSummary[];
        const notes = all.map(
          (s, i) =>
            `round ${i + 1}: PING during clean-up ${s.ping!.samples} samples, p50 ${ms(s.ping!.p50Ms)}, ` +
            `p99 ${ms(s.ping!.p99Ms)}, max ${ms(s.ping!.maxMs)}; same sampling with Redis idle: p99 ` +
            `${ms(s.idlePing!.p99Ms)}, max ${ms(s.idlePing!.maxMs)}; slowest command in Redis ` +
            `${s.slowCommands ? `${ms(s.slowestCommandMs!)} (${s.slowestCommand})` : "< 1 ms"}; ` +
            `seeded ${s.keys!.toLocaleString("en-US")} keys in ${(s.seedMs! / 1000).toFixed(1)} s`,
        );
        const worst = Math.max(...all.map((s) => s.ping!.maxMs));
        return {
          notes,
          misses:
            worst >= PING_MAX_MS ? [`PING max ${ms(worst)} ≥ ${PING_MAX_MS} ms during the clean-up`] : [],
        };
      },
      cleanup: async () => {
        await rm(beforeDir, { recursive: true, force: true });
        await rm(afterDir, { recursive: true, force: true });
      },
    };
  },
};

const cases: BenchCase[] = [onlineApply, redisCleanup];
export default cases;
