/**
 * A separate OS process acting as one `fsops apply` against a registry, for the concurrency and
 * crash tests: `node --import tsx test/registry/worker.ts '<json WorkerArgs>'`.
 *
 * - mode "apply": lock → read → commit serial+1 adding object `w<id>` → unlock, once; prints one
 *   JSON line { id, status: ok | locked | concurrent | error, serial?, message? }. With
 *   `staleRead` it reads before locking, like a plan made before someone else's apply.
 * - mode "loop": prints "ready", then commits serial+1 (objects = objectsFor(serial, size)) over
 *   and over, printing "committed <serial>" after each, until killed.
 */
import {
  ConcurrentChangeError,
  RegistryLockedError,
  type RegistrySnapshot,
} from "../../src/model/registry.js";
import type { RegistryConfig } from "../../src/model/config.js";
import { openRegistryStore } from "../../src/registry/open-store.js";
import { entity, lockInfo, makeHistory, makeState, objectsFor } from "./fixtures.js";

export interface WorkerArgs {
  config: RegistryConfig;
  project: string;
  mode: "apply" | "loop";
  id: number;
  staleRead?: boolean;
  /** apply: lock attempts before giving up as "locked". */
  attempts?: number;
  /** loop: objects per state. */
  size?: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as WorkerArgs;
const store = openRegistryStore(args.config);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function applyOnce(): Promise<Record<string, unknown>> {
  const { project, id } = args;
  let snapshot: RegistrySnapshot | null = args.staleRead ? await store.read(project) : null;
  let lock;
  for (let attempt = 1; ; attempt++) {
    try {
      lock = await store.lock(project, lockInfo(`worker${id}`));
      break;
    } catch (error) {
      if (!(error instanceof RegistryLockedError)) throw error;
      if (attempt >= (args.attempts ?? 1)) return { id, status: "locked", message: error.message };
      await sleep(20 + Math.random() * 150);
    }
  }
  try {
    snapshot ??= await store.read(project);
    const prev = snapshot.state;
    const serial = (prev?.serial ?? 0) + 1;
    const lineage = prev?.lineage ?? `lineage-${id}`;
    const objects = [...(prev?.objects ?? []), entity(`w${id}`)].sort((a, b) => a.name.localeCompare(b.name));
    await store.commit(
      lock,
      prev ? { lineage: prev.lineage, serial: prev.serial } : null,
      makeState(project, serial, lineage, objects),
      makeHistory(project, serial, `worker${id}`),
    );
    return { id, status: "ok", serial };
  } catch (error) {
    if (error instanceof ConcurrentChangeError) return { id, status: "concurrent", message: error.message };
    throw error;
  } finally {
    await lock.release();
  }
}

async function loop(): Promise<never> {
  const { project } = args;
  process.stdout.write("ready\n");
  for (;;) {
    const lock = await store.lock(project, lockInfo(`looper${args.id}`));
    const { state } = await store.read(project);
    const serial = (state?.serial ?? 0) + 1;
    await store.commit(
      lock,
      state ? { lineage: state.lineage, serial: state.serial } : null,
      makeState(project, serial, state?.lineage ?? "loop-lineage", objectsFor(serial, args.size)),
      makeHistory(project, serial),
    );
    await lock.release();
    process.stdout.write(`committed ${serial}\n`);
  }
}

try {
  if (args.mode === "loop") await loop();
  process.stdout.write(`${JSON.stringify(await applyOnce())}\n`);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ id: args.id, status: "error", message: String(error) })}\n`);
} finally {
  await store.close();
}
