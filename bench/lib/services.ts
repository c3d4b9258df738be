/**
 * The real servers of the bench (Postgres, Redis, radosgw), started once by the runner for the
 * cases that name them, through the test suite's own launcher (test/services): free loopback
 * ports in a fresh temp dir, never the machine's own servers on their default ports, stopped at
 * the end (and by the launcher's watchdog if the runner dies).
 *
 * Also here: which processes are each server, so a case can charge their CPU time to the run
 * that made them work (see proc-cpu.ts).
 */
import { startServices } from "../../test/services/start.js";
import type { RunningServices } from "../../test/services/start.js";
import type { PostgresInfo, RedisInfo, S3Info } from "../../test/services/types.js";
import { listeningPids, sameCephCluster } from "./proc-cpu.js";
import type { BenchService } from "./types.js";

export interface BenchServers {
  postgres: (PostgresInfo & { pids: number[] }) | null;
  redis: (RedisInfo & { pids: number[] }) | null;
  s3: (S3Info & { pids: number[] }) | null;
  /** Start time and memory of each, as the launcher measured them. */
  report: { name: string; seconds: number; rssMiB: number }[];
}

let running: RunningServices | null = null;
let servers: BenchServers | null = null;
let failure: string | null = null;

/** Starts the named servers (once per run of the bench); a failure is kept for `unavailable()`. */
export async function startBenchServices(names: readonly BenchService[]): Promise<void> {
  if (names.length === 0) return;
  try {
    running = await startServices([...new Set(names)].join(","));
    const { postgres, redis, s3 } = running.info;
    const port = (url: string): number => Number(new URL(url).port);
    servers = {
      postgres: postgres && { ...postgres, pids: listeningPids(postgres.port) },
      redis: redis && { ...redis, pids: listeningPids(redis.port) },
      s3: s3 && { ...s3, pids: sameCephCluster(listeningPids(port(s3.endpoint))) },
      report: running.report,
    };
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
  }
}

export async function stopBenchServices(): Promise<void> {
  const r = running;
  running = null;
  servers = null;
  await r?.stop();
}

/** Why `name` cannot be used (not started, failed to start), or null. */
export function serviceUnavailable(name: BenchService): string | null {
  if (failure) return `servers failed to start: ${failure}`;
  if (!servers?.[name]) return `${name} was not started (the runner starts the services a case names)`;
  if (servers[name].pids.length === 0)
    return `cannot find the processes of ${name} (needed for its CPU time)`;
  return null;
}

export function benchServers(): BenchServers {
  if (!servers) throw new Error(`bench servers not started${failure ? `: ${failure}` : ""}`);
  return servers;
}
