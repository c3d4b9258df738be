import { setTakeoverHookForTests } from "../../src/infra/lock-holder.js";

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
