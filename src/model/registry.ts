import type { ObjectKind } from "./kinds.js";
import type { AnySpec } from "./spec.js";
import type { Json } from "./json.js";
import type { Action } from "./plan.js";

export const REGISTRY_FORMAT_VERSION = 1;

export interface RegistryObject {
  kind: ObjectKind;
  name: string;
  spec: AnySpec;
  /** Where it was defined when applied (for history and links); not compared by the diff. */
  file: string | null;
  line: number | null;
}

/** What one project's registry holds. */
export interface RegistryState {
  formatVersion: typeof REGISTRY_FORMAT_VERSION;
  project: string;
  /** Fixed at creation (uuid); a plan is bound to it. */
  lineage: string;
  /** +1 on every apply. */
  serial: number;
  updatedAt: string; // ISO time
  appliedBy: string;
  /** Sorted by kind order, then name. */
  objects: RegistryObject[];
  /**
   * What the online store was provisioned with at this serial (owned by the infra stage; opaque
   * to the registry). Drift detection compares it with what the store really holds.
   */
  infra: Json;
}

export interface HistoryEntry {
  project: string;
  serial: number;
  time: string;
  who: string;
  commit: string | null;
  fingerprint: string;
  changes: { kind: ObjectKind; name: string; action: Action }[];
  /** Optional: infrastructure actions run (summary lines). */
  infra: string[];
}

export interface LockInfo {
  id: string; // random, shown to the user for force-unlock
  who: string;
  host: string;
  pid: number;
  time: string; // ISO
  operation: "apply" | "destroy";
}

/** What `read` returned: the state (null = project not in this registry yet) and an opaque version for CAS. */
export interface RegistrySnapshot {
  state: RegistryState | null;
}

/**
 * One registry backend (file, S3, Postgres). Every write is compare-and-swap on the serial
 * under a lock; a backend never overwrites what it could not read.
 */
export interface RegistryStore {
  /** Where it lives, safe to print (passwords masked). */
  readonly location: string;
  read(project: string): Promise<RegistrySnapshot>;
  /** Take the project's apply lock or throw `RegistryLockedError` naming the holder. */
  lock(project: string, info: LockInfo): Promise<RegistryLock>;
  /**
   * Write `next` iff the stored serial/lineage still equal `expected` (null = no state yet),
   * and append `history`. Throws `ConcurrentChangeError` otherwise. Atomic: after a crash the
   * stored state is either the old or the new one.
   */
  commit(
    lock: RegistryLock,
    expected: { lineage: string; serial: number } | null,
    next: RegistryState,
    history: HistoryEntry,
  ): Promise<void>;
  /**
   * Take, before any online-store DDL, what `commit` needs exclusively (file: the registry file's
   * write lock; Postgres: the project's state row, waiting at most `lock_timeout`), so that once
   * the DDL ran, the commit cannot wait for or fail on a lock. Held until the commit or the
   * lock's release. Absent where a commit takes no such lock (S3: one conditional PutObject).
   */
  prepareCommit?(lock: RegistryLock): Promise<void>;
  /** Delete the project's state (not its history), CAS like commit. Used by `destroy`. */
  deleteState(
    lock: RegistryLock,
    expected: { lineage: string; serial: number },
    history: HistoryEntry,
  ): Promise<void>;
  history(project: string): Promise<HistoryEntry[]>;
  /** Remove a lock left behind by a crashed apply; throws when `lockId` does not match the holder. */
  forceUnlock(project: string, lockId: string): Promise<LockInfo>;
  close(): Promise<void>;
}

export interface RegistryLock {
  readonly project: string;
  readonly info: LockInfo;
  release(): Promise<void>;
}

/** Base of every expected registry failure: the CLI prints `message` (no stack) and exits 1. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
export class RegistryLockedError extends RegistryError {
  /** @param detail why the lock was not taken over, when that was considered */
  constructor(
    readonly holder: LockInfo,
    detail?: string,
  ) {
    super(
      `registry is locked by ${holder.who}@${holder.host} (pid ${holder.pid}, ${holder.operation} since ${holder.time}, lock id ${holder.id})${detail ? `; ${detail}` : ""}`,
      `if that process is gone, run: fsops force-unlock ${holder.id}`,
    );
  }
}
/** Something the registry needs is held by another session (not an fsops lock); retry later. */
export class RegistryBusyError extends RegistryError {}
export class ConcurrentChangeError extends RegistryError {
  constructor(detail: string) {
    super(`registry changed concurrently: ${detail}`, "re-run plan and apply against the new state");
  }
}
export class RegistryCorruptError extends RegistryError {}
