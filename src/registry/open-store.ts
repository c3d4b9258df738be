import type { RegistryConfig } from "../model/config.js";
import type {
  HistoryEntry,
  LockInfo,
  RegistryLock,
  RegistryState,
  RegistryStore,
} from "../model/registry.js";
import { FileRegistryStore } from "./file-store.js";
import { postgresRegistryLocation, s3RegistryLocation } from "./locations.js";

/**
 * The backend `fsops.yaml` names. Opening connects nothing: the first operation does, so a
 * command that never touches the registry pays nothing. The S3 and Postgres stores are also
 * imported at their first operation: the AWS SDK and pg cost ~100 ms each to load, and a
 * project on a file registry never needs them.
 */
export function openRegistryStore(config: RegistryConfig): RegistryStore {
  switch (config.type) {
    case "file":
      return new FileRegistryStore(config.path, config.display);
    case "s3":
      return new LazyRegistryStore(s3RegistryLocation(config), async () => {
        const { S3RegistryStore } = await import("./s3-store.js");
        return new S3RegistryStore(config);
      });
    case "postgres":
      return new LazyRegistryStore(postgresRegistryLocation(config), async () => {
        const { PostgresRegistryStore } = await import("./postgres-store.js");
        return new PostgresRegistryStore(config);
      });
  }
}

interface ConditionalRead {
  readIfChanged(
    project: string,
    etag: string | null,
  ): Promise<"unchanged" | { state: RegistryState | null; etag: string | null }>;
}

/** A store whose module is imported, and which is made, at its first operation. */
class LazyRegistryStore implements RegistryStore {
  private store: Promise<RegistryStore> | null = null;

  constructor(
    readonly location: string,
    private readonly make: () => Promise<RegistryStore>,
  ) {}

  private get(): Promise<RegistryStore> {
    // A failed load (a missing module, a bad option) is not cached: the next operation retries,
    // and close() of a store that never opened has nothing to close.
    this.store ??= this.make().catch((e: unknown) => {
      this.store = null;
      throw e;
    });
    return this.store;
  }

  async read(project: string) {
    return (await this.get()).read(project);
  }

  async lock(project: string, info: LockInfo): Promise<RegistryLock> {
    return (await this.get()).lock(project, info);
  }

  async commit(
    lock: RegistryLock,
    expected: { lineage: string; serial: number } | null,
    next: RegistryState,
    history: HistoryEntry,
  ): Promise<void> {
    return (await this.get()).commit(lock, expected, next, history);
  }

  async deleteState(
    lock: RegistryLock,
    expected: { lineage: string; serial: number },
    history: HistoryEntry,
  ): Promise<void> {
    return (await this.get()).deleteState(lock, expected, history);
  }

  async history(project: string): Promise<HistoryEntry[]> {
    return (await this.get()).history(project);
  }

  async forceUnlock(project: string, lockId: string): Promise<LockInfo> {
    return (await this.get()).forceUnlock(project, lockId);
  }

  // Optional capabilities of the backend behind: forwarded, so laziness never drops one (the
  // commit lock taken before any DDL; S3's conditional read for serving's refresh).
  async prepareCommit(lock: RegistryLock): Promise<void> {
    await (await this.get()).prepareCommit?.(lock);
  }

  async readIfChanged(
    project: string,
    etag: string | null,
  ): Promise<"unchanged" | { state: RegistryState | null; etag: string | null }> {
    const store = (await this.get()) as RegistryStore & Partial<ConditionalRead>;
    if (typeof store.readIfChanged === "function") return store.readIfChanged(project, etag);
    return { state: (await store.read(project)).state, etag: null };
  }

  async close(): Promise<void> {
    // Never opened: nothing to close (and nothing to load just to close it).
    if (this.store) await (await this.store).close();
  }
}
