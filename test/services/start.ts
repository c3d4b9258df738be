import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkBinaries, postgresBinDir } from "./binaries.js";
import { startS3 } from "./ceph.js";
import { startPostgres } from "./postgres.js";
import { rssMiB } from "./process.js";
import { startRedis, startRedisCluster } from "./redis.js";
import type { StartedService } from "./service.js";
import { SERVICE_NAMES, type ServiceName, type ServicesInfo } from "./types.js";

/** `FSOPS_TEST_SERVICES`: comma list of service names, `all` (the default) or `none`. */
export function parseSelection(value: string | undefined): ServiceName[] {
  const raw = (value ?? "all").trim().toLowerCase();
  if (raw === "" || raw === "all") return [...SERVICE_NAMES];
  if (raw === "none") return [];
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `FSOPS_TEST_SERVICES: unknown service ${unknown.map((u) => `"${u}"`).join(", ")}; ` +
        `expected a comma list of ${SERVICE_NAMES.join(", ")}, or all, or none`,
    );
  }
  return SERVICE_NAMES.filter((n) => names.includes(n));
}

export interface ServiceReport {
  name: ServiceName;
  seconds: number;
  /** Resident memory of its processes (and their children) right after start. */
  rssMiB: number;
}

export interface RunningServices {
  info: ServicesInfo;
  report: ServiceReport[];
  stop(): Promise<void>;
}

/** Sum of RSS of `pid` and all its descendants (Postgres forks its workers). */
function treeRssMiB(pids: number[]): number {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may contain spaces and parentheses: the ppid follows the last ")".
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // exited meanwhile
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, depth = 0; p && depth < 8; p = parentOf.get(p), depth++) {
      if (pids.includes(p)) return true;
    }
    return false;
  };
  let total = 0;
  for (const pid of parentOf.keys()) if (inTree(pid)) total += rssMiB(pid) ?? 0;
  return Math.round(total);
}

/**
 * If this process dies without running teardown (SIGKILL, a crash), a detached shell kills every
 * server we started and removes the temp dir, so nothing outlives the test run.
 */
function startWatchdog(root: string): () => void {
  const script =
    'while kill -0 "$1" 2>/dev/null; do sleep 1; done; ' +
    '[ -f "$2/pids" ] && kill -9 $(cat "$2/pids") 2>/dev/null; sleep 0.5; rm -rf "$2"';
  const child = spawn("sh", ["-c", script, "fsops-services-watchdog", String(process.pid), root], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
}

/** Starts the selected servers in parallel, each on free loopback ports in a fresh temp dir. */
export async function startServices(selectionText: string | undefined): Promise<RunningServices> {
  const selected = parseSelection(selectionText);
  const info: ServicesInfo = {
    selection: selectionText ?? "all",
    postgres: null,
    redis: null,
    redisCluster: null,
    s3: null,
  };
  if (selected.length === 0) return { info, report: [], stop: async () => {} };

  const asRoot = process.getuid?.() === 0;
  const binaries = checkBinaries(selected, asRoot);
  const root = mkdtempSync(join(tmpdir(), "fsops-services-"));
  // The Postgres cluster runs as the `postgres` user and must reach its directory.
  chmodSync(root, 0o755);
  const stopWatchdog = startWatchdog(root);
  const started: StartedService[] = [];
  const recordPids = () => writeFileSync(join(root, "pids"), started.flatMap((s) => s.pids).join(" "));
  const report: ServiceReport[] = [];

  const launch = async <T>(
    name: ServiceName,
    start: () => Promise<StartedService<T>>,
    assign: (i: T) => void,
  ) => {
    const t0 = performance.now();
    const service = await start();
    started.push(service);
    recordPids();
    assign(service.info);
    report.push({ name, seconds: (performance.now() - t0) / 1000, rssMiB: treeRssMiB(service.pids) });
  };

  const stop = async () => {
    await Promise.all(started.map((s) => s.stop().catch(() => undefined)));
    rmSync(root, { recursive: true, force: true });
    stopWatchdog();
  };

  const results = await Promise.allSettled(
    selected.map((name) => {
      switch (name) {
        case "postgres":
          return launch(
            name,
            () => startPostgres(binaries, postgresBinDir()!, join(root, "postgres")),
            (i) => (info.postgres = i),
          );
        case "redis":
          return launch(
            name,
            () => startRedis(binaries, join(root, "redis")),
            (i) => (info.redis = i),
          );
        case "redis-cluster":
          return launch(
            name,
            () => startRedisCluster(binaries, join(root, "redis-cluster")),
            (i) => (info.redisCluster = i),
          );
        case "s3":
          return launch(
            name,
            () => startS3(binaries, join(root, "ceph")),
            (i) => (info.s3 = i),
          );
      }
    }),
  );
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failures.length > 0) {
    await stop();
    throw new Error(`test services failed to start:\n${failures.map((e) => e.message).join("\n\n")}`);
  }
  report.sort((a, b) => SERVICE_NAMES.indexOf(a.name) - SERVICE_NAMES.indexOf(b.name));
  return { info, report, stop };
}
