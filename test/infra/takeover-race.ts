import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { processStartTime, setTakeoverHookForTests } from "../../src/infra/lock-holder.js";

/** Where locks record a pid namespace, so a dead holder can be proved gone (lock-holder.ts). */
export const linux = existsSync("/proc/self/ns/pid");

/** A pid that just exited in this pid namespace. */
export const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid!;

/** Runs `fn` with a live process (its pid and /proc start time), killed afterwards. */
export async function withLiveProcess(fn: (pid: number, startTime: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  try {
    const pid = child.pid!;
    const startTime = processStartTime(pid);
    if (startTime === null || !/^\d+$/.test(startTime)) throw new Error(`no start time for pid ${pid}`);
    await fn(pid, startTime);
  } finally {
    child.kill("SIGKILL");
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The race a lock takeover must survive: A has judged a dead holder's lock gone and re-read it;
 * before A removes it, B comes for the same lock (and, without serialized takeovers, removes it
 * and takes its own). Each acquirer holds the lock for `holdMs` once it has it; returns the most
 * holders seen at once, and each acquisition's error (null when it got the lock).
 */
export async function raceTakeover(
  acquireA: () => Promise<() => Promise<void>>,
  acquireB: () => Promise<() => Promise<void>>,
  { windowMs = 300, holdMs = 600 } = {},
): Promise<{ most: number; errors: unknown[] }> {
  let inside = 0;
  let most = 0;
  const hold = async (acquire: () => Promise<() => Promise<void>>): Promise<unknown> => {
    let release: () => Promise<void>;
    try {
      release = await acquire();
    } catch (error) {
      return error;
    }
    inside++;
    most = Math.max(most, inside);
    await sleep(holdMs);
    inside--;
    await release();
    return null;
  };
  let second: Promise<unknown> | undefined;
  setTakeoverHookForTests(async () => {
    setTakeoverHookForTests(undefined); // A only
    second = hold(acquireB);
    await sleep(windowMs);
  });
  try {
    const first = await hold(acquireA);
    // Both must be done before `most` is read: when B wins the lock (it links its lock between
    // A's removal of the dead one and A's own link), A is refused at once while B still opens.
    const errors = [first, await second];
    return { most, errors };
  } finally {
    setTakeoverHookForTests(undefined);
  }
}
