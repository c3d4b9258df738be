/**
 * CPU time of processes other than the measured one, from Linux's /proc: the bench's own
 * servers (found by the port they listen on) and the children a workload spawned (psql).
 *
 * A process tree's CPU is each live member's own time (utime + stime, all threads) plus its
 * reaped children's (cutime + cstime): a Postgres backend that served one psql session and
 * exited is still counted, in the postmaster's cutime, exactly once.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  /** R, S, D, Z (exited, not yet reaped), … */
  state: string;
  ppid: number;
  /** Own CPU (user + system) in ms. */
  ownMs: number;
  /** Reaped children's CPU in ms. */
  childrenMs: number;
}

function readStat(pid: number | "self"): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // exited meanwhile
  }
  // The command name may contain spaces and parentheses: fields resume after the last ")".
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ticks = (i: number): number => Number(f[i] ?? 0);
  const ms = (t: number): number => (t * 1000) / TICKS_PER_SECOND;
  return {
    state: f[0] ?? "",
    ppid: ticks(1),
    ownMs: ms(ticks(11) + ticks(12)),
    childrenMs: ms(ticks(13) + ticks(14)),
  };
}

function allPids(): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

/**
 * CPU ms so far of `roots` and all their descendants, live and reaped.
 *
 * A member exiting during the scan (a Postgres backend whose client just disconnected) must
 * be counted once: descendants are read before their roots (one reaped meanwhile is then in
 * the root's cutime), and the scan is taken again while a member is a zombie (exited, not
 * reaped: shows in neither) or was reaped between its read and its root's (counted twice). Seen in the materialize benches: one run in four charged 0 ms to a server
 * that had just run the whole statement.
 */
export function treeCpuMs(roots: readonly number[]): number {
  let last = 0;
  for (let attempt = 0; attempt < 100; attempt++) {
    const scan = treeCpuOnce(roots);
    if (scan.still) return scan.total;
    last = scan.total;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
  }
  return last;
}

function treeCpuOnce(roots: readonly number[]): { total: number; still: boolean } {
  const rootSet = new Set(roots);
  const stats = new Map<number, Stat>();
  // Descendants first, roots last: a child reaped meanwhile is then in its root's cutime.
  for (const pid of allPids()) {
    if (rootSet.has(pid)) continue;
    const s = readStat(pid);
    if (s) stats.set(pid, s);
  }
  for (const pid of roots) {
    const s = readStat(pid);
    if (s) stats.set(pid, s);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, depth = 0; p && depth < 16; p = stats.get(p)?.ppid, depth++) {
      if (rootSet.has(p)) return true;
    }
    return false;
  };
  let total = 0;
  let still = true;
  const members: number[] = [];
  for (const [pid, s] of stats) {
    if (!inTree(pid)) continue;
    total += s.ownMs + s.childrenMs;
    if (!rootSet.has(pid)) members.push(pid);
    if (s.state === "Z") still = false;
  }
  // A member read alive and reaped before its root was read would be counted twice.
  const after = new Set(allPids());
  if (members.some((pid) => !after.has(pid))) still = false;
  return { total, still };
}

/** CPU ms of this process's reaped children (e.g. a psql it spawned and waited for). */
export function reapedChildrenCpuMs(): number {
  return readStat("self")?.childrenMs ?? 0;
}

/** Socket inodes listening on `port` (IPv4 or IPv6, any address). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is f[1] ("0100007F:1F90"), st is f[3] (0A = LISTEN), inode is f[9].
      if (f[1]?.endsWith(`:${hexPort}`) && f[3] === "0A" && f[9]) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** The processes holding a socket that listens on `port`: the server, found without its pid file. */
export function listeningPids(port: number): number[] {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return [];
  const links = new Set([...inodes].map((i) => `socket:[${i}]`));
  const pids: number[] = [];
  for (const pid of allPids()) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (links.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) {
          pids.push(pid);
          break;
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return pids.sort((a, b) => a - b);
}

/**
 * radosgw stores its objects through the monitor and the OSD: the daemons started with the same
 * CEPH_CONF (a path in the bench's own temp dir) are all part of the S3 server.
 */
export function sameCephCluster(pids: readonly number[]): number[] {
  const confOf = (pid: number): string | null => {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      return env.find((e) => e.startsWith("CEPH_CONF="))?.slice("CEPH_CONF=".length) ?? null;
    } catch {
      return null;
    }
  };
  const confs = new Set(pids.map(confOf).filter((c): c is string => c !== null));
  if (confs.size === 0) return [...pids];
  const out = new Set(pids);
  for (const pid of allPids()) {
    const conf = confOf(pid);
    if (conf !== null && confs.has(conf)) out.add(pid);
  }
  return [...out].sort((a, b) => a - b);
}
