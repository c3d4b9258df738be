import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { ServiceStartError, freePort, run, waitUntil } from "./process.js";
import type { PostgresInfo } from "./types.js";
import type { StartedService } from "./service.js";

// 1 MB WAL segments: the template to copy shrinks from ~40 MB to ~25 MB.
const INITDB_ARGS = [
  "-U",
  "postgres",
  "-A",
  "trust",
  "-E",
  "UTF8",
  "--locale=C",
  "--no-sync",
  "--wal-segsize=1",
];

/** Durability off: a test cluster lives for one run. */
const SERVER_OPTIONS = [
  "-c fsync=off",
  "-c synchronous_commit=off",
  "-c full_page_writes=off",
  "-c listen_addresses=127.0.0.1",
  // Concurrency tests run ten processes with two connections each, next to other test files.
  "-c max_connections=300",
  "-c shared_buffers=32MB",
  "-c log_min_messages=warning",
];

interface RunAs {
  /** Command prefix that runs a binary as the cluster owner (`runuser` when we are root). */
  prefix(binary: string, args: string[]): [string, string[]];
  chown(path: string): void;
}

function runAs(binaries: Binaries): RunAs {
  if (process.getuid?.() !== 0) return { prefix: (binary, args) => [binary, args], chown: () => {} };
  // initdb and postgres refuse to run as root.
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  const runuser = binaries.find("runuser");
  return {
    prefix: (binary, args) => [runuser, ["-u", "postgres", "--", binary, ...args]],
    chown: (path) => chownSync(path, uid, gid),
  };
}

/**
 * An initdb'd data directory to copy (~0.1 s) instead of running initdb (~1 s) every run. Kept in
 * the system temp dir, keyed by the binaries and options; built aside and renamed into place, so a
 * concurrent run never sees a half-built template.
 */
async function template(binDir: string, as: RunAs, scratch: string): Promise<string> {
  const key = createHash("sha256")
    .update(`${binDir}\0${INITDB_ARGS.join(" ")}\0${process.getuid?.()}`)
    .digest("hex")
    .slice(0, 12);
  const cacheRoot = join(tmpdir(), "fsops-test-cache");
  const target = join(cacheRoot, `pg-template-${key}`);
  if (existsSync(join(target, "PG_VERSION"))) return target;
  mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
  const building = join(scratch, "pg-template");
  mkdirSync(building, { mode: 0o700 });
  as.chown(building);
  const [file, args] = as.prefix(join(binDir, "initdb"), [...INITDB_ARGS, "-D", building]);
  await run(file, args, { cwd: "/" });
  try {
    renameSync(building, target);
  } catch {
    // Another run renamed its own template first (or the temp dir is another file system):
    // use ours directly this time.
    return existsSync(join(target, "PG_VERSION")) ? target : building;
  }
  return target;
}

export async function startPostgres(
  binaries: Binaries,
  binDir: string,
  dir: string,
): Promise<StartedService<PostgresInfo>> {
  const as = runAs(binaries);
  mkdirSync(dir, { mode: 0o755 });
  const dataDir = join(dir, "data");
  const socketDir = join(dir, "sock");
  const logFile = join(dir, "postgres.log");
  mkdirSync(socketDir, { mode: 0o700 });
  as.chown(dir);
  as.chown(socketDir);

  const source = await template(binDir, as, dir);
  await run("cp", ["-a", source, dataDir]);
  const port = await freePort();
  const pgCtl = (args: string[]) => as.prefix(join(binDir, "pg_ctl"), ["-D", dataDir, ...args]);
  const options = [...SERVER_OPTIONS, `-p ${port}`, `-k ${socketDir}`].join(" ");
  try {
    const [file, args] = pgCtl(["-l", logFile, "-w", "-t", "60", "-o", options, "start"]);
    await run(file, args, { cwd: "/", timeoutMs: 90_000 });
  } catch (error) {
    throw new ServiceStartError("postgres", (error as Error).message, logFile);
  }

  const postmasterPid = () => {
    try {
      return Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    } catch {
      return undefined;
    }
  };
  const pid = postmasterPid();
  const info: PostgresInfo = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    host: "127.0.0.1",
    port,
    user: "postgres",
    socketDir,
    binDir,
  };
  // pg_ctl -w returns once the server accepts connections; one probe makes a broken setup fail here.
  await waitUntil("postgres", "a first query", async () => {
    const { default: pg } = await import("pg");
    const client = new pg.Client({ connectionString: info.url });
    await client.connect();
    try {
      await client.query("select 1");
    } finally {
      await client.end();
    }
    return true;
  });
  return {
    info,
    pids: pid ? [pid] : [],
    async stop() {
      const [file, args] = pgCtl(["-m", "immediate", "stop"]);
      try {
        await run(file, args, { cwd: "/", timeoutMs: 15_000 });
      } catch {
        const current = postmasterPid();
        if (current) {
          try {
            process.kill(current, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
