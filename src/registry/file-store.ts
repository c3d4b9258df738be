/**
 * File registry: one JSON file per registry path, shared by every project that names it.
 *
 *   data/registry.json             { formatVersion, projects: { <project>: { state, history } } }
 *   data/registry.json.<p>.lock    project p's apply lock (LockInfo + project), held for the apply
 *   data/registry.json.lock        write lock, held only while one commit rewrites the file
 *
 * State and history live in the same file so one rename makes both visible together: after a
 * crash the file is the old or the new version, never a state without its history entry.
 * Projects lock independently (an apply of one never waits for another); only the few
 * milliseconds of a commit's read-modify-rename are serialized across projects. Locks are created
 * complete (written aside, then hard-linked into place, which fails if the name exists), so a crash
 * can never leave an empty lock whose holder cannot be named. A project lock is never broken
 * automatically: the holder might be alive on another machine sharing the file; `forceUnlock`
 * removes it. A lock file records, besides host and pid, the holder's boot id, pid namespace and
 * start time (lock-holder.ts), so that only a write lock whose process is provably gone is taken
 * over.
 */
import { promises as fs } from "node:fs";
import { dirname } from "node:path";
import {
  RegistryCorruptError,
  RegistryError,
  RegistryLockedError,
  REGISTRY_FORMAT_VERSION,
  type HistoryEntry,
  type LockInfo,
  type RegistryLock,
  type RegistrySnapshot,
  type RegistryState,
  type RegistryStore,
} from "../model/registry.js";
import { syncDirectory, tempPathFor, writeFileAtomically } from "../infra/atomic-file.js";
import {
  checkHolder,
  ownIdentity,
  recordedIdentity,
  takeOverLock,
  type ProcessIdentity,
} from "../infra/lock-holder.js";
import {
  assertProjectName,
  checkCommitArgs,
  checkDeleteArgs,
  checkExpected,
  checkFormatVersion,
  lockedBy,
  lockLost,
  lockMismatch,
  parseJson,
  serialize,
  validateHistory,
  validateLockInfo,
  validateState,
  type Expected,
} from "./state.js";

interface ProjectEntry {
  state: RegistryState | null;
  history: HistoryEntry[];
}

interface FileContents {
  /** Other projects' entries are carried over as read, untouched. */
  projects: Record<string, unknown>;
}

/** How long a commit waits for another project's commit to finish rewriting the file. */
const WRITE_LOCK_WAIT_MS = 10_000;

function isErrno(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes((error as NodeJS.ErrnoException).code ?? "");
}

class FileLock implements RegistryLock {
  /** The registry file's write lock is held for this lock's commit (prepareCommit). */
  holdsWriteLock = false;

  constructor(
    readonly store: FileRegistryStore,
    readonly project: string,
    readonly info: LockInfo,
  ) {}

  release(): Promise<void> {
    return this.store.releaseLock(this);
  }
}

/** A lock file as read: its holder, the identity it records, and its exact text. */
interface LockRecord {
  info: LockInfo;
  identity: ProcessIdentity | null;
  text: string;
}

export class FileRegistryStore implements RegistryStore {
  readonly location: string;
  private readonly held = new Set<FileLock>();

  private readonly writeLockWaitMs: number;

  /**
   * @param path absolute path of the registry file
   * @param display how to show it (the path as written in fsops.yaml)
   * @param options.writeLockWaitMs how long a commit waits for the write lock (tests shorten it)
   */
  constructor(
    private readonly path: string,
    display?: string,
    options: { writeLockWaitMs?: number } = {},
  ) {
    this.location = display ?? path;
    this.writeLockWaitMs = options.writeLockWaitMs ?? WRITE_LOCK_WAIT_MS;
  }

  private projectLockPath(project: string): string {
    return `${this.path}.${project}.lock`;
  }

  private get writeLockPath(): string {
    return `${this.path}.lock`;
  }

  async read(project: string): Promise<RegistrySnapshot> {
    assertProjectName(project);
    return { state: (await this.readEntry(project)).entry.state };
  }

  async history(project: string): Promise<HistoryEntry[]> {
    assertProjectName(project);
    return (await this.readEntry(project)).entry.history;
  }

  async lock(project: string, info: LockInfo): Promise<RegistryLock> {
    assertProjectName(project);
    const held = await this.tryCreateLock(this.projectLockPath(project), project, info);
    if (held !== null) throw lockedBy(held.info);
    const lock = new FileLock(this, project, info);
    this.held.add(lock);
    return lock;
  }

  async releaseLock(lock: FileLock): Promise<void> {
    this.held.delete(lock);
    if (lock.holdsWriteLock) {
      lock.holdsWriteLock = false;
      await this.removeLockIf(this.writeLockPath, lock.info.id);
    }
    await this.removeLockIf(this.projectLockPath(lock.project), lock.info.id);
  }

  async prepareCommit(lock: RegistryLock): Promise<void> {
    const held = this.ownLock(lock);
    if (held.holdsWriteLock) return;
    if ((await this.readLock(this.projectLockPath(held.project)))?.id !== held.info.id) {
      throw lockLost(held.project);
    }
    await this.acquireWriteLock(held.project, held.info);
    held.holdsWriteLock = true;
  }

  private ownLock(lock: RegistryLock): FileLock {
    if (!(lock instanceof FileLock) || lock.store !== this) {
      throw new RegistryError(`commit needs a lock taken on ${this.location}`);
    }
    return lock;
  }

  async forceUnlock(project: string, lockId: string): Promise<LockInfo> {
    assertProjectName(project);
    const projectHolder = await this.readLock(this.projectLockPath(project));
    const writeHolder = await this.readLock(this.writeLockPath);
    let removed: LockInfo | null = null;
    // A process killed mid-commit leaves the write lock too, under the same id as its project lock.
    for (const [path, holder] of [
      [this.projectLockPath(project), projectHolder],
      [this.writeLockPath, writeHolder],
    ] as const) {
      if (holder?.id === lockId && (await this.removeLockIf(path, lockId))) removed = holder;
    }
    if (!removed) throw lockMismatch(project, lockId, projectHolder ?? writeHolder);
    return removed;
  }

  async commit(
    lock: RegistryLock,
    expected: Expected,
    next: RegistryState,
    history: HistoryEntry,
  ): Promise<void> {
    checkCommitArgs(lock.project, expected, next, history);
    return this.update(lock, expected, next, history);
  }

  async deleteState(
    lock: RegistryLock,
    expected: { lineage: string; serial: number },
    history: HistoryEntry,
  ): Promise<void> {
    checkDeleteArgs(lock.project, expected, history);
    return this.update(lock, expected, null, history);
  }

  /** Releases any lock still held: a closed store leaves nothing behind. */
  async close(): Promise<void> {
    await Promise.all([...this.held].map((lock) => this.releaseLock(lock)));
  }

  private async update(
    lock: RegistryLock,
    expected: Expected,
    next: RegistryState | null,
    history: HistoryEntry,
  ): Promise<void> {
    const project = lock.project;
    const held = this.ownLock(lock);
    if ((await this.readLock(this.projectLockPath(project)))?.id !== lock.info.id) throw lockLost(project);
    if (!held.holdsWriteLock) await this.acquireWriteLock(project, lock.info);
    held.holdsWriteLock = false;
    try {
      const { contents, entry } = await this.readEntry(project);
      checkExpected(entry.state, expected, project);
      const updated: ProjectEntry = { state: next, history: [...entry.history, history] };
      await this.writeAtomically(
        serialize({
          formatVersion: REGISTRY_FORMAT_VERSION,
          projects: { ...contents.projects, [project]: updated },
        }),
      );
    } finally {
      await this.removeLockIf(this.writeLockPath, lock.info.id);
    }
  }

  private async readEntry(project: string): Promise<{ contents: FileContents; entry: ProjectEntry }> {
    let text: string;
    try {
      text = await fs.readFile(this.path, "utf8");
    } catch (error) {
      if (isErrno(error, "ENOENT"))
        return { contents: { projects: {} }, entry: { state: null, history: [] } };
      throw new RegistryError(`${this.location}: cannot read the registry file: ${(error as Error).message}`);
    }
    const where = this.location;
    const value = parseJson(text, where);
    checkFormatVersion(value, where);
    const projects = (value as { projects?: unknown }).projects;
    if (projects === null || typeof projects !== "object" || Array.isArray(projects)) {
      throw new RegistryCorruptError(`${where}: "projects" is not an object`);
    }
    const contents: FileContents = { projects: projects as Record<string, unknown> };
    // Own keys only: a project named `constructor` must not find Object.prototype's.
    const raw = Object.hasOwn(contents.projects, project) ? contents.projects[project] : undefined;
    if (raw === undefined) return { contents, entry: { state: null, history: [] } };
    const at = `${where} (project ${project})`;
    if (raw === null || typeof raw !== "object" || !Array.isArray((raw as { history?: unknown }).history)) {
      throw new RegistryCorruptError(`${at}: expected { state, history }`);
    }
    const { state, history } = raw as { state?: unknown; history: unknown[] };
    return {
      contents,
      entry: {
        state: state === null || state === undefined ? null : validateState(state, project, at),
        history: history.map((h, i) => validateHistory(h, project, `${at} history[${i}]`)),
      },
    };
  }

  /** Temp file in the same directory, fsync, rename over the target, fsync the directory. */
  private async writeAtomically(text: string): Promise<void> {
    await fs.mkdir(dirname(this.path), { recursive: true });
    try {
      await writeFileAtomically(this.path, text);
    } catch (error) {
      throw new RegistryError(
        `${this.location}: cannot write the registry file: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Creates `path` holding the lock, complete (null), or returns the lock that holds it, read
   * once; `RegistryLockedError` when it is held but keeps vanishing before it can be read.
   */
  private async tryCreateLock(path: string, project: string, info: LockInfo): Promise<LockRecord | null> {
    const dir = dirname(path);
    await fs.mkdir(dir, { recursive: true });
    const temp = tempPathFor(path);
    // Who we are beyond host and pid, so another process can tell whether we are gone.
    const identity = info.pid === process.pid ? ownIdentity() : null;
    await fs.writeFile(temp, serialize({ ...info, project, ...(identity ? { process: identity } : {}) }), {
      flag: "wx",
    });
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          // link() fails with EEXIST when the lock exists: an atomic create of a complete file.
          await fs.link(temp, path);
          await syncDirectory(dir);
          return null;
        } catch (error) {
          if (!isErrno(error, "EEXIST")) {
            throw new RegistryError(
              `${this.location}: cannot create lock ${path}: ${(error as Error).message}`,
            );
          }
        }
        const holder = await this.readLockRecord(path);
        if (holder !== null) return holder;
        // Released between our link() and read: try again.
        if (attempt >= 5) throw lockedBy(null);
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  /**
   * The write lock serializes commits of every project sharing the file. One left by a process
   * that is provably gone (killed mid-commit; same host, boot and pid namespace, see
   * lock-holder.ts) is taken over at once, so a crash of one project's apply never blocks the
   * others; any other holder may be alive, so that lock stays (force-unlock with its id, from
   * any project of the file), and the error says why.
   */
  private async acquireWriteLock(project: string, info: LockInfo): Promise<void> {
    const deadline = Date.now() + this.writeLockWaitMs;
    for (let delay = 5; ; delay = Math.min(delay * 2, 200)) {
      // Holder and identity from one read: a lock replaced meanwhile is judged as a whole.
      let record: LockRecord | null;
      try {
        record = await this.tryCreateLock(this.writeLockPath, project, info);
      } catch (error) {
        // Held, but released each time before it could be read: try again.
        if (error instanceof RegistryLockedError) continue;
        throw error;
      }
      if (record === null) return;
      const { info: holder, identity, text } = record;
      const check = checkHolder(holder.host, holder.pid, identity);
      // Removed only if it still holds the text judged gone, one taker at a time (a lock
      // taken meanwhile by a live process stays); busy: another process is taking it over.
      if (check.gone && (await takeOverLock(this.writeLockPath, text)) !== "busy") continue;
      if (Date.now() > deadline) {
        throw new RegistryLockedError(holder, `not taken over: ${check.why}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }

  private async readLock(path: string): Promise<LockInfo | null> {
    return (await this.readLockRecord(path))?.info ?? null;
  }

  /**
   * A lock file: its holder, and the identity it records beside host and pid (null when it has
   * none: written by an older fsops, or malformed, which is never taken as "gone").
   */
  private async readLockRecord(path: string): Promise<LockRecord | null> {
    let text: string;
    try {
      text = await fs.readFile(path, "utf8");
    } catch (error) {
      if (isErrno(error, "ENOENT")) return null;
      throw new RegistryError(`cannot read lock ${path}: ${(error as Error).message}`);
    }
    const value = parseJson(text, path);
    return { info: validateLockInfo(value, path), identity: recordedIdentity(value), text };
  }

  /** Removes the lock at `path` if it still holds `id`; true when removed. */
  private async removeLockIf(path: string, id: string): Promise<boolean> {
    let holder: LockInfo | null;
    try {
      holder = await this.readLock(path);
    } catch (error) {
      if (error instanceof RegistryCorruptError) return false;
      throw error;
    }
    if (holder?.id !== id) return false;
    await fs.rm(path, { force: true });
    return true;
  }
}
