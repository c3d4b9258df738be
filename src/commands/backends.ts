import { openRegistryStore } from "../registry/open-store.js";
import { openOnlineStore } from "../infra/open-online-store.js";
import type { OpenOnlineStoreOptions } from "../infra/open-online-store.js";
import type { OnlineStoreProvisioner } from "../infra/provisioner.js";
import type { ProjectConfig } from "../model/config.js";
import type { LockInfo, RegistryLock, RegistryStore } from "../model/registry.js";

export interface Backends {
  registry: RegistryStore;
  online: OnlineStoreProvisioner | null;
}

/**
 * Open the project's registry and online store for the duration of `fn`, and always close them.
 * For planning: nothing is created (a missing embedded store is planned as an empty one).
 */
export async function withBackends<T>(config: ProjectConfig, fn: (b: Backends) => Promise<T>): Promise<T> {
  const registry = openRegistryStore(config.registry);
  try {
    return await withOnlineStore(config, (online) => fn({ registry, online }), { readOnly: true });
  } finally {
    await registry.close();
  }
}

/**
 * Like `withBackends`, under the project's registry lock. The lock is taken before the online
 * store is opened, so concurrent appliers wait on (and report) the registry lock, and an
 * embedded store is only ever opened by the lock holder. Throws `RegistryLockedError`.
 */
export async function withLockedBackends<T>(
  config: ProjectConfig,
  info: LockInfo,
  fn: (b: Backends & { lock: RegistryLock }) => Promise<T>,
): Promise<T> {
  const registry = openRegistryStore(config.registry);
  try {
    const lock = await registry.lock(config.project, info);
    try {
      return await withOnlineStore(config, (online) => fn({ registry, online, lock }));
    } finally {
      await lock.release();
    }
  } finally {
    await registry.close();
  }
}

async function withOnlineStore<T>(
  config: ProjectConfig,
  fn: (online: OnlineStoreProvisioner | null) => Promise<T>,
  options: OpenOnlineStoreOptions = {},
): Promise<T> {
  const online = config.onlineStore ? await openOnlineStore(config.onlineStore, options) : null;
  try {
    return await fn(online);
  } finally {
    await online?.close();
  }
}
