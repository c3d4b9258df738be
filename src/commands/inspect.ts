import { loadProjectConfig } from "../config/index.js";
import { hasErrors } from "../model/diagnostic.js";
import type { ProjectConfig } from "../model/config.js";
import type { HistoryEntry, LockInfo, RegistryState } from "../model/registry.js";
import { openRegistryStore } from "../registry/open-store.js";
import { CommandError } from "./errors.js";
import type { CommandContext, InvalidDefinitions } from "./types.js";

export type ConfigOutcome =
  { status: "ok"; config: ProjectConfig } | ({ status: "invalid" } & InvalidDefinitions);

/** fsops.yaml only: for commands that read or unlock the registry without the definitions. */
export async function loadConfigOnly(dir: string, ctx: CommandContext): Promise<ConfigOutcome> {
  const result = await loadProjectConfig(dir, ctx.env);
  if (!result.config || hasErrors(result.diagnostics)) {
    const sources = new Map<string, string>();
    if (result.text !== null) sources.set(result.file, result.text);
    return { status: "invalid", diagnostics: result.diagnostics, sources };
  }
  return { status: "ok", config: result.config };
}

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
