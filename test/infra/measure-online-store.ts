/**
 * Standalone measurements for the online store (not a test; no assertions):
 *   node --import tsx test/infra/measure-online-store.ts [pglite] [postgres] [redis] [cluster]
 * Starts its own servers via test/services. Prints figures; the bench harness (bench/) should call
 * the same src/infra functions: planInfra, PostgresProvisioner.apply, RedisProvisioner.deleteKeys.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cluster, Redis } from "ioredis";
import pg from "pg";
import { openPgExecutor } from "../../src/infra/pg-executor.js";
import { openPgliteExecutor } from "../../src/infra/pglite-executor.js";
import { planInfra } from "../../src/infra/plan-infra.js";
import { PostgresProvisioner } from "../../src/infra/postgres-provisioner.js";
import { openOnlineStore } from "../../src/infra/open-online-store.js";
import type { RedisProvisioner } from "../../src/infra/redis-provisioner.js";
import { redisViewPattern } from "../../src/infra/naming.js";
import { scanUnlinkStatement } from "../../src/infra/redis-commands.js";
import { startServices } from "../services/start.js";
import { desiredState, entity, featureView } from "./fixtures.js";

const argv = process.argv.slice(2);

// Child mode: time one PGlite open in a fresh process (cold WASM load included).
if (argv[0] === "--pglite-open") {
  const t0 = performance.now();
  const sql = await openPgliteExecutor(argv[1] as string);
  await sql.query("SELECT 1");
  const ms = performance.now() - t0;
  await sql.close();
  process.stdout.write(`${ms.toFixed(0)} ${Math.round(process.memoryUsage().rss / 2 ** 20)}\n`);
  process.exit(0);
}

// Child mode: PING the given nodes round-robin every 10 ms from a process of its own (so the
// clean-up's client work cannot delay the samples); "mark" on stdin splits idle from busy, EOF ends.
if (argv[0] === "--pinger") {
  const nodes = (argv[1] as string).split(",").map((hp) => {
    const [host, port] = hp.split(":");
    return new Redis({ host: host as string, port: Number(port) });
  });
  const phases: number[][] = [[]];
  let done = false;
  process.stdin.on("data", () => phases.push([]));
  process.stdin.on("end", () => (done = true));
  for (let i = 0; !done; i++) {
    const t = performance.now();
    await nodes[i % nodes.length]?.ping();
    phases[phases.length - 1]?.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 10));
  }
  process.stdout.write(JSON.stringify(phases));
  for (const n of nodes) n.disconnect();
  process.exit(0);
}

const want = new Set(argv.length > 0 ? argv : ["pglite", "postgres", "redis"]);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function pgliteOpen(dir: string): { ms: number; rssMiB: number } {
  const out = execFileSync(process.execPath, [
    "--import",
    "tsx",
    import.meta.filename,
    "--pglite-open",
    dir,
  ]).toString();
  const [ms, rss] = out.trim().split(" ").map(Number);
  return { ms: ms as number, rssMiB: rss as number };
}

function views(n: number) {
  return [
    entity("driver", ["driver_id"]),
    ...Array.from({ length: n }, (_, i) =>
      featureView(`view_${String(i).padStart(4, "0")}`, ["driver"], {
        conv_rate: "float32",
        acc_rate: "float64",
        trips: "int64",
        tags: "string[]",
      }),
    ),
  ];
}

if (want.has("pglite")) {
  const scratch = mkdtempSync(join(tmpdir(), "fsops-measure-pglite-"));
  try {
    const fresh: { ms: number; rssMiB: number }[] = [];
    const reopen: { ms: number; rssMiB: number }[] = [];
    for (let i = 0; i < 3; i++) {
      const dir = join(scratch, `db${i}`);
      fresh.push(pgliteOpen(dir));
      reopen.push(pgliteOpen(dir));
      reopen.push(pgliteOpen(dir));
    }
    const du = execFileSync("du", ["-sm", join(scratch, "db0")])
      .toString()
      .split("\t")[0];
    console.log(
      `PGlite open, new directory (fresh process): median ${fmt(median(fresh.map((x) => x.ms)))} ` +
        `[${fresh.map((x) => fmt(x.ms)).join(", ")}], rss ${median(fresh.map((x) => x.rssMiB))} MiB`,
    );
    console.log(
      `PGlite open, existing directory (fresh process): median ${fmt(median(reopen.map((x) => x.ms)))} ` +
        `[${reopen.map((x) => fmt(x.ms)).join(", ")}], rss ${median(reopen.map((x) => x.rssMiB))} MiB; data dir ${du} MB`,
    );
    // 1,000 tables on embedded, same DDL path.
    const sql = await openPgliteExecutor(join(scratch, "bench"));
    const store = new PostgresProvisioner(sql, { schema: "public" });
    const desired = desiredState("bench", views(1000));
    const t0 = performance.now();
    const plan = await store.plan("bench", desired, null);
    const t1 = performance.now();
    await store.apply("bench", plan.actions);
    const t2 = performance.now();
    const again = await store.plan("bench", desired, plan.record);
    const t3 = performance.now();
    console.log(
      `PGlite: plan 1,000 views ${fmt(t1 - t0)}, apply 1,000 tables in one transaction ${fmt(t2 - t1)}, ` +
        `re-plan (introspect 1,000 tables) ${fmt(t3 - t2)} → ${again.actions.length} actions`,
    );
    await store.close();
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

const servers = [...want].filter((w) => w !== "pglite");
const running =
  servers.length > 0
    ? await startServices(servers.map((s) => (s === "cluster" ? "redis-cluster" : s)).join(","))
    : null;
try {
  if (want.has("postgres") && running?.info.postgres) {
    const base = running.info.postgres.url;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    const fresh = async (name: string): Promise<string> => {
      await admin.query(`CREATE DATABASE "${name}"`);
      const u = new URL(base);
      u.pathname = `/${name}`;
      return u.toString();
    };
    const desired = desiredState("bench", views(1000));
    const tPlan0 = performance.now();
    const pure = planInfra(
      "bench",
      desired,
      null,
      { store: "postgres", schema: "public", schemaExists: true, tables: [] },
      "postgres",
    );
    const planMs = performance.now() - tPlan0;
    const statements = pure.actions.flatMap((a) => a.statements);
    const scratch = mkdtempSync(join(tmpdir(), "fsops-measure-psql-"));
    const file = join(scratch, "ddl.sql");
    writeFileSync(file, `${statements.join("\n")}\n`);
    const fsops: number[] = [];
    const psql: number[] = [];
    const runFsops = async (run: number): Promise<void> => {
      const sql = await openPgExecutor(await fresh(`fsops_${run}`));
      const store = new PostgresProvisioner(sql, { schema: "public" });
      const t0 = performance.now();
      await store.apply("bench", pure.actions);
      fsops.push(performance.now() - t0);
      await store.close();
    };
    const runPsql = async (run: number): Promise<void> => {
      const url = await fresh(`psql_${run}`);
      const t1 = performance.now();
      const r = spawnSync("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", file, url], {
        encoding: "utf8",
      });
      psql.push(performance.now() - t1);
      if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
    };
    // Alternate which goes first, so drift in machine load hits both alike.
    for (let run = 0; run < 9; run++) {
      if (run % 2 === 0) {
        await runFsops(run);
        await runPsql(run);
      } else {
        await runPsql(run);
        await runFsops(run);
      }
    }
    // Introspection + plan against 1,000 existing tables (what `fsops plan` costs with no changes).
    const sql = await openPgExecutor(await fresh("fsops_replan"));
    const store = new PostgresProvisioner(sql, { schema: "public" });
    await store.apply("bench", pure.actions);
    const t0 = performance.now();
    const again = await store.plan("bench", desired, pure.record);
    const replan = performance.now() - t0;
    await store.close();
    await admin.end();
    rmSync(scratch, { recursive: true, force: true });
    console.log(`Postgres: ${statements.length} statements for 1,000 views (pure plan ${fmt(planMs)})`);
    console.log(
      `  fsops apply (one transaction, 500 statements per round trip): median ${fmt(median(fsops))} [${fsops.map(fmt).join(", ")}]`,
    );
    console.log(
      `  psql -1 -f (same DDL, process start included): median ${fmt(median(psql))} [${psql.map(fmt).join(", ")}]`,
    );
    console.log(`  ratio fsops / psql: ${(median(fsops) / median(psql)).toFixed(2)}×`);
    console.log(
      `  re-plan against 1,000 tables (introspect + plan): ${fmt(replan)} → ${again.actions.length} actions`,
    );
  }

  for (const flavour of ["redis", "cluster"] as const) {
    if (!want.has(flavour)) continue;
    const cs =
      flavour === "redis"
        ? running?.info.redis?.url
        : `redis+cluster://${(running?.info.redisCluster?.nodes ?? []).map((n) => `${n.host}:${n.port}`).join(",")}`;
    if (cs === undefined) continue;
    const n = 1_000_000;
    const seeder: Redis | Cluster =
      flavour === "redis" ? new Redis(cs) : new Cluster(running?.info.redisCluster?.nodes ?? []);
    const tSeed = performance.now();
    for (let start = 0; start < n; start += 10_000) {
      if (seeder instanceof Redis) {
        const p = seeder.pipeline();
        for (let i = start; i < start + 10_000; i++)
          p.hset(`fsops:bench:big:${i}`, "conv_rate", "0.5", "acc_rate", "0.25");
        await p.exec();
      } else {
        await Promise.all(
          Array.from({ length: 10_000 }, (_, j) =>
            seeder.hset(`fsops:bench:big:${start + j}`, "conv_rate", "0.5", "acc_rate", "0.25"),
          ),
        );
      }
    }
    // Keys that must survive: another view and another project.
    await seeder.hset("fsops:bench:small:1", "x", "1");
    await seeder.hset("fsops:other:big:1", "x", "1");
    const seedMs = performance.now() - tSeed;

    const store = (await openOnlineStore({ type: "redis", connectionString: cs })) as RedisProvisioner;
    const tIntro = performance.now();
    const state = await store.introspect("bench");
    const introMs = performance.now() - tIntro;

    // PING every 10 ms from a separate process: 3 s idle first (the machine's own noise), then
    // during the clean-up.
    const nodes =
      flavour === "redis"
        ? [`${running?.info.redis?.host}:${running?.info.redis?.port}`]
        : (running?.info.redisCluster?.nodes ?? []).map((n) => `${n.host}:${n.port}`);
    const pinger = spawn(
      process.execPath,
      ["--import", "tsx", import.meta.filename, "--pinger", nodes.join(",")],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    let pingOut = "";
    pinger.stdout.on("data", (d: Buffer) => (pingOut += d.toString()));
    const pingerExit = new Promise((r) => pinger.on("exit", r));
    await new Promise((r) => setTimeout(r, 4000));
    pinger.stdin.write("mark\n");
    const t0 = performance.now();
    await store.apply("bench", [
      {
        store: "redis",
        action: "delete_keys",
        target: redisViewPattern("bench", "big"),
        object: null,
        impact: "destructive",
        reason: "measure",
        statements: [scanUnlinkStatement(redisViewPattern("bench", "big"))],
      },
    ]);
    const cleanMs = performance.now() - t0;
    pinger.stdin.end();
    await pingerExit;
    const [idlePhase = [], busyPhase = []] = JSON.parse(pingOut) as number[][];
    // The first second of the idle phase includes the child's own start-up.
    const idle = idlePhase.slice(Math.floor(idlePhase.length / 4)).sort((a, b) => a - b);
    const latencies = busyPhase.sort((a, b) => a - b);
    const left = (await seeder.exists("fsops:bench:big:1")) + (await seeder.exists("fsops:bench:big:999999"));
    const survivors =
      (await seeder.exists("fsops:bench:small:1")) + (await seeder.exists("fsops:other:big:1"));
    const p = (q: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
    console.log(
      `Redis (${flavour}): seeded ${n.toLocaleString("en")} keys in ${fmt(seedMs)}; introspect (meta + key scan) ${fmt(introMs)}, views with keys: ${state.store === "redis" ? state.viewsWithKeys?.join(",") : ""}`,
    );
    console.log(
      `  clean-up of 1,000,000 keys (SCAN COUNT 1000 + UNLINK per batch): ${fmt(cleanMs)}; ` +
        `PING during it: ${latencies.length} samples, median ${p(0.5).toFixed(2)} ms, p99 ${p(0.99).toFixed(2)} ms, max ${p(1).toFixed(2)} ms; ` +
        `keys left ${left}, bystanders kept ${survivors}/2`,
    );
    const q = (xs: number[], f: number): string =>
      (xs[Math.min(xs.length - 1, Math.floor(f * xs.length))] ?? NaN).toFixed(2);
    console.log(
      `  PING idle (before): ${idle.length} samples, median ${q(idle, 0.5)} ms, p99 ${q(idle, 0.99)} ms, max ${q(idle, 1)} ms`,
    );
    await store.close();
    seeder.disconnect();
  }
} finally {
  await running?.stop();
}
