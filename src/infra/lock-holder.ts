/**
 * Whether the process named in a file lock is provably gone, so the lock may be taken over.
 *
 * A hostname and a pid do not name a process: two containers with the same hostname (CI jobs on
 * a shared volume) each have their own pid namespace, so a pid absent here may be alive there.
 * A lock therefore records, on Linux, the boot id (one per kernel boot, shared by the containers
 * of a host), the pid namespace and the holder's start time. A lock is only declared dead when
 * all of host, boot and pid namespace are ours and the pid is gone, or now belongs to a process
 * that started at another time (the pid was reused). Anything else might be alive: it is left
 * for `fsops force-unlock` (or, for the other lock files, for removing the file by hand).
 *
 * Every fsops lock file judges its holder here: the registry file's write lock (file-store.ts),
 * the materialization records' lock (materializations.ts) and the embedded online store's lock
 * (pglite-executor.ts). Each writes `holderFields()` into its lock and judges a lock it finds
 * with `checkRecordedHolder` (or `checkHolder` when it parsed host and pid itself), and takes a
 * dead holder's lock over with `takeOverLock`.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs, readFileSync, readlinkSync } from "node:fs";
import { hostname } from "node:os";

/** Who holds a lock, beyond host and pid: recorded in the lock file on Linux. */
export interface ProcessIdentity {
  /** /proc/sys/kernel/random/boot_id: changes on every boot, the same in every container of a host. */
  bootId: string;
  /** readlink /proc/self/ns/pid, e.g. `pid:[4026531836]`: differs between containers. */
  pidNamespace: string;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot): a reused pid has another one. */
  startTime: string;
}

export type HolderCheck = { gone: true; why: string } | { gone: false; why: string };

let cached: ProcessIdentity | null | undefined;

/** This process's identity, or null where /proc does not tell it (macOS, Windows, no procfs). */
export function ownIdentity(): ProcessIdentity | null {
  if (cached !== undefined) return cached;
  const bootId = readText("/proc/sys/kernel/random/boot_id");
  let pidNamespace: string | null = null;
  try {
    pidNamespace = readlinkSync("/proc/self/ns/pid");
  } catch {
    pidNamespace = null;
  }
  const startTime = processStartTime(process.pid);
  cached = bootId && pidNamespace && startTime ? { bootId, pidNamespace, startTime } : null;
  return cached;
}

/** Field 22 (starttime) of /proc/<pid>/stat, or null when the process or procfs is not there. */
export function processStartTime(pid: number): string | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // Field 2 (the command) is in parentheses and may hold spaces or `)`: count after the last `)`.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const value = fields[19];
  return value && /^\d+$/.test(value) ? value : null;
}

/** What a lock file records about its holder: host, pid and, on Linux, the process identity. */
export function holderFields(): { host: string; pid: number; process?: ProcessIdentity } {
  const identity = ownIdentity();
  return { host: hostname(), pid: process.pid, ...(identity ? { process: identity } : {}) };
}

/**
 * The identity recorded in a parsed lock file (its `process` field); null when it has none
 * (written by an older fsops) or an incomplete one, which is never taken as "gone".
 */
export function recordedIdentity(lock: unknown): ProcessIdentity | null {
  const p = (lock as { process?: unknown } | null)?.process as Record<string, unknown> | null | undefined;
  if (!p || typeof p !== "object") return null;
  const { bootId, pidNamespace, startTime } = p;
  return typeof bootId === "string" && typeof pidNamespace === "string" && typeof startTime === "string"
    ? { bootId, pidNamespace, startTime }
    : null;
}

/** `checkHolder` on a parsed lock file's `host`, `pid` and `process` fields. */
export function checkRecordedHolder(lock: unknown): HolderCheck {
  const { host, pid } = (lock ?? {}) as { host?: unknown; pid?: unknown };
  if (typeof host !== "string" || typeof pid !== "number") {
    return { gone: false, why: "it does not name its host and pid" };
  }
  return checkHolder(host, pid, recordedIdentity(lock));
}

export type TakeoverResult = "removed" | "changed" | "busy";

let beforeRemoveHook: ((path: string) => Promise<void>) | undefined;

/**
 * Tests only: runs between `takeOverLock`'s re-read of a lock and its removal, the window in
 * which another taker must be kept out. Pass undefined to clear it.
 */
export function setTakeoverHookForTests(hook: ((path: string) => Promise<void>) | undefined): void {
  beforeRemoveHook = hook;
}

/**
 * Removes the lock file at `path` if it still holds exactly `judged` (the text whose holder was
 * judged gone), so that a lock taken meanwhile by a live process is never removed. Every fsops
 * lock file takes a dead holder's lock over through here.
 *
 * Reading the lock and removing it are two steps, so takers are serialized by "breaker" files
 * beside the lock, one series per judged text: `<lock>.break.<hash of judged>.<n>`. A taker
 * creates breaker 0 atomically (link of a complete file recording `holderFields()`); whoever
 * created it re-reads the lock and removes it only if it still holds `judged`. A breaker whose
 * creator is provably gone (it died inside this function) is never removed while the lock may
 * still hold `judged`: the next taker creates breaker n+1 instead, and may do so only after
 * seeing breakers 0..n all present with gone creators. So at any time at most one live process
 * has passed the breakers for a given text. Breakers are removed only once the lock provably no
 * longer holds `judged` (removed, or read with other text), and every lock text is unique (it
 * carries a fresh id), so no one can act on that text again: a late taker re-reads other text.
 *
 * "busy": a live process is taking this lock over; the caller waits and tries again.
 * "removed": this call removed it. "changed": it no longer held `judged`.
 */
export async function takeOverLock(path: string, judged: string): Promise<TakeoverResult> {
  const series = `${path}.break.${createHash("sha256").update(judged).digest("hex").slice(0, 16)}`;
  const mine = JSON.stringify({ ...holderFields(), token: randomBytes(8).toString("hex") });
  const passed: string[] = [];
  for (let n = 0; ; n++) {
    const breaker = `${series}.${n}`;
    if (await createExclusive(breaker, mine)) {
      let gone = false;
      try {
        let current: string | null;
        try {
          current = await fs.readFile(path, "utf8");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
          current = null;
        }
        if (current !== judged) {
          gone = true;
          return "changed";
        }
        await beforeRemoveHook?.(path);
        await fs.rm(path, { force: true });
        gone = true;
        return "removed";
      } finally {
        // Once `judged` is gone for good, its whole series may go. Otherwise (a read failed)
        // only our own breaker, the last of the series: the next taker re-creates it.
        for (const file of gone ? [...passed, breaker] : [breaker]) {
          await fs.rm(file, { force: true }).catch(() => undefined);
        }
      }
    }
    const text = await fs.readFile(breaker, "utf8").catch(() => null);
    // Removed meanwhile: the lock no longer holds `judged`, or that taker's read failed and it
    // gave up. Either way the caller reads the lock again before anything is removed.
    if (text === null) return "changed";
    let holder: unknown = null;
    try {
      holder = JSON.parse(text);
    } catch {
      holder = null;
    }
    if (!checkRecordedHolder(holder).gone) return "busy";
    passed.push(breaker);
  }
}

/** Creates `path` holding `text`, complete, unless it exists (false then). */
async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await fs.writeFile(temp, text, { flag: "wx" });
  try {
    await fs.link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/**
 * Decides whether the holder `host`/`pid` (with `identity` as recorded in its lock, null for a
 * lock written without one) is gone. `why` says what was found, for the error when it is not.
 */
export function checkHolder(host: string, pid: number, identity: ProcessIdentity | null): HolderCheck {
  if (host !== hostname()) return { gone: false, why: `it was taken on host ${host}` };
  if (!Number.isSafeInteger(pid) || pid <= 0) return { gone: false, why: "it names no process" };
  const here = ownIdentity();
  if (here === null) {
    // No procfs here, so no pid namespaces either (macOS, Windows): host and pid name a process.
    if (identity !== null) {
      return {
        gone: false,
        why: "it was taken on a Linux system with this hostname; it cannot be checked here",
      };
    }
    if (pid === process.pid) return { gone: false, why: "it is held by this process" };
    return isRunning(pid)
      ? { gone: false, why: `process ${pid} is running` }
      : { gone: true, why: `process ${pid} is gone` };
  }
  if (identity === null) {
    // Written by an fsops that recorded no pid namespace: the pid may live in another container
    // with this hostname. Taking it over could break a commit in progress; force-unlock is safe.
    return {
      gone: false,
      why: "the lock does not record its pid namespace (written by an older fsops), so fsops cannot tell whether its process is alive",
    };
  }
  if (identity.bootId !== here.bootId) {
    return { gone: false, why: "it was taken on another machine or boot with this hostname" };
  }
  if (identity.pidNamespace !== here.pidNamespace) {
    return {
      gone: false,
      why: `it was taken in another pid namespace (${identity.pidNamespace}: another container with this hostname?), where process ${pid} may be alive`,
    };
  }
  if (!isRunning(pid)) return { gone: true, why: `process ${pid} is gone` };
  const startTime = processStartTime(pid);
  if (startTime !== null && startTime !== identity.startTime) {
    return { gone: true, why: `process ${pid} is gone (the pid now belongs to another process)` };
  }
  return { gone: false, why: `process ${pid} is running` };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return null;
  }
}
