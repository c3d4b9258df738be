import type { ProjectConfig } from "../model/config.js";
import type { HistoryEntry, LockInfo, RegistryState } from "../model/registry.js";
import { openRegistryStore } from "../registry/open-store.js";
import { CommandError } from "./errors.js";

async function withRegistry<T>(
  config: ProjectConfig,
  fn: (store: ReturnType<typeof openRegistryStore>) => Promise<T>,
): Promise<T> {
  const store = openRegistryStore(config.registry);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `fsops show`: what the registry holds for the project (null when never applied). */
export function showRegistry(
  config: ProjectConfig,
): Promise<{ location: string; state: RegistryState | null }> {
  return withRegistry(config, async (store) => ({
    location: store.location,
    state: (await store.read(config.project)).state,
  }));
}

/** `fsops history`: every apply, oldest first. */
export function readHistory(config: ProjectConfig): Promise<HistoryEntry[]> {
  return withRegistry(config, (store) => store.history(config.project));
}

/** `fsops force-unlock LOCK_ID`: remove a lock left by a crashed apply; the id must match. */
export function forceUnlock(config: ProjectConfig, lockId: string): Promise<LockInfo> {
  if (!lockId.trim())
    throw new CommandError("force-unlock needs the lock id", "the id is printed by the failing apply");
  return withRegistry(config, (store) => store.forceUnlock(config.project, lockId));
}
