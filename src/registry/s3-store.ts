/**
 * S3 registry. The configured key names a folder of per-project objects (a trailing `.json` is
 * dropped: `s3://b/fsops/registry.json` → `fsops/registry/`), so projects sharing a registry
 * never write the same object:
 *
 *   <prefix>/<project>/state.json                 { formatVersion, project, state, historyCount, lastHistory }
 *   <prefix>/<project>/lock.json                  LockInfo, created with If-None-Match: *
 *   <prefix>/<project>/history/<000000000001>.json  one object per apply, numbered 1, 2, …
 *
 * A commit is one conditional PutObject of state.json (If-Match on the ETag read, or
 * If-None-Match: * when there is none): S3 has no multi-object transaction, so the state object
 * itself carries the apply's history entry (`lastHistory`) and the count; the numbered history
 * object is written after it. A crash in between loses nothing: `history()` adds `lastHistory`
 * when its object is missing, and the next commit writes it. `deleteState` leaves a tombstone
 * (`state: null`) so the count, and the CAS, continue.
 *
 * Credentials, region and `AWS_ENDPOINT_URL_S3` come from the AWS SDK's own chain.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import {
  ConcurrentChangeError,
  REGISTRY_FORMAT_VERSION,
  RegistryCorruptError,
  RegistryError,
  type HistoryEntry,
  type LockInfo,
  type RegistryLock,
  type RegistrySnapshot,
  type RegistryState,
  type RegistryStore,
} from "../model/registry.js";
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
import { s3RegistryLocation } from "./locations.js";

export interface S3RegistryConfig {
  bucket: string;
  key: string;
  endpoint: string | null;
  region: string | null;
  forcePathStyle: boolean;
}

/** What state.json holds. */
interface StateDocument {
  formatVersion: typeof REGISTRY_FORMAT_VERSION;
  project: string;
  /** null after `deleteState` (a tombstone). */
  state: RegistryState | null;
  /** Number of history entries written so far, this one's included. */
  historyCount: number;
  lastHistory: HistoryEntry | null;
}

type Condition = { ifNoneMatch: true } | { ifMatch: string };

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === "NoSuchKey" || name === "NotFound" || httpStatus(error) === 404;
}

/** 412, or AWS's 409 when another conditional write to the key is in flight. */
function isConditionFailure(error: unknown): boolean {
  const status = httpStatus(error);
  return status === 412 || status === 409;
}

const HISTORY_DIGITS = 12;

class S3Lock implements RegistryLock {
  constructor(
    readonly store: S3RegistryStore,
    readonly project: string,
    readonly info: LockInfo,
  ) {}

  release(): Promise<void> {
    return this.store.releaseLock(this);
  }
}

export class S3RegistryStore implements RegistryStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  /**
   * radosgw compares If-Match with the ETag stripped of its quotes and rejects the quoted form the
   * API returns (AWS accepts it, as documented). Learned once per store, see `putIfMatch`.
   */
  private unquotedIfMatch = false;
  private readonly held = new Set<S3Lock>();

  constructor(config: S3RegistryConfig, client?: S3Client) {
    this.bucket = config.bucket;
    this.prefix = config.key.replace(/\.json$/, "").replace(/\/+$/, "");
    this.location = s3RegistryLocation(config);
    this.client =
      client ??
      new S3Client({
        ...(config.region ? { region: config.region } : {}),
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
        forcePathStyle: config.forcePathStyle,
      });
  }

  private keyOf(project: string, name: string): string {
    return `${this.prefix ? `${this.prefix}/` : ""}${project}/${name}`;
  }

  private historyKey(project: string, n: number): string {
    return this.keyOf(project, `history/${String(n).padStart(HISTORY_DIGITS, "0")}.json`);
  }

  async read(project: string): Promise<RegistrySnapshot> {
    assertProjectName(project);
    return { state: (await this.readDocument(project)).document?.state ?? null };
  }

  async history(project: string): Promise<HistoryEntry[]> {
    assertProjectName(project);
    const { document } = await this.readDocument(project);
    if (!document) return [];
    const dir = this.keyOf(project, "history/");
    const numbers: number[] = [];
    let token: string | undefined;
    do {
      const page = await this.send(() =>
        this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: dir, ContinuationToken: token }),
        ),
      );
      for (const item of page.Contents ?? []) {
        const match = /^(\d+)\.json$/.exec((item.Key ?? "").slice(dir.length));
        // Only entries the state object vouches for: nothing is counted before its commit.
        if (match && Number(match[1]) <= document.historyCount) numbers.push(Number(match[1]));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    numbers.sort((a, b) => a - b);
    const entries = await mapLimited(numbers, 8, async (n) => {
      const key = this.historyKey(project, n);
      const text = await this.getText(key);
      if (text === null) throw new RegistryCorruptError(`${this.where(key)}: listed but missing`);
      return validateHistory(parseJson(text.body, this.where(key)), project, this.where(key));
    });
    if (document.lastHistory && !numbers.includes(document.historyCount)) entries.push(document.lastHistory);
    return entries;
  }

  async lock(project: string, info: LockInfo): Promise<RegistryLock> {
    assertProjectName(project);
    const key = this.keyOf(project, "lock.json");
    for (let attempt = 0; ; attempt++) {
      if (await this.put(key, serialize(info), { ifNoneMatch: true })) {
        const lock = new S3Lock(this, project, info);
        this.held.add(lock);
        return lock;
      }
      const holder = await this.readLock(project);
      // Released between our put and read: try again.
      if (holder === null && attempt < 5) continue;
      throw lockedBy(holder);
    }
  }

  async releaseLock(lock: S3Lock): Promise<void> {
    this.held.delete(lock);
    const holder = await this.readLock(lock.project).catch(() => null);
    if (holder?.id === lock.info.id) await this.deleteKey(this.keyOf(lock.project, "lock.json"));
  }

  async forceUnlock(project: string, lockId: string): Promise<LockInfo> {
    assertProjectName(project);
    const holder = await this.readLock(project);
    if (holder?.id !== lockId) throw lockMismatch(project, lockId, holder);
    await this.deleteKey(this.keyOf(project, "lock.json"));
    return holder;
  }

  async commit(
    lock: RegistryLock,
    expected: Expected,
    next: RegistryState,
    history: HistoryEntry,
  ): Promise<void> {
    checkCommitArgs(lock.project, expected, next, history);
    await this.write(lock, expected, next, history);
  }

  async deleteState(
    lock: RegistryLock,
    expected: { lineage: string; serial: number },
    history: HistoryEntry,
  ): Promise<void> {
    checkDeleteArgs(lock.project, expected, history);
    await this.write(lock, expected, null, history);
  }

  /** Releases any lock still held, then the client. */
  async close(): Promise<void> {
    await Promise.all([...this.held].map((lock) => this.releaseLock(lock).catch(() => {})));
    this.client.destroy();
  }

  private async write(
    lock: RegistryLock,
    expected: Expected,
    next: RegistryState | null,
    history: HistoryEntry,
  ): Promise<void> {
    const project = lock.project;
    if (!(lock instanceof S3Lock) || lock.store !== this) {
      throw new RegistryError(`commit needs a lock taken on ${this.location}`);
    }
    if ((await this.readLock(project))?.id !== lock.info.id) throw lockLost(project);
    const { document, etag } = await this.readDocument(project);
    checkExpected(document?.state ?? null, expected, project);
    if (document?.lastHistory) await this.writeHistory(project, document.historyCount, document.lastHistory);

    const count = (document?.historyCount ?? 0) + 1;
    const updated: StateDocument = {
      formatVersion: REGISTRY_FORMAT_VERSION,
      project,
      state: next,
      historyCount: count,
      lastHistory: history,
    };
    const key = this.keyOf(project, "state.json");
    const body = serialize(updated, { compact: true });
    const written = etag
      ? await this.putIfMatch(key, body, etag)
      : await this.put(key, body, { ifNoneMatch: true });
    if (!written) throw new ConcurrentChangeError(`${this.where(key)} was rewritten by another apply`);
    // Best effort: until this object exists, state.json's lastHistory stands in for it.
    await this.writeHistory(project, count, history).catch(() => {});
  }

  private async writeHistory(project: string, n: number, entry: HistoryEntry): Promise<void> {
    // Already there (an earlier commit wrote it) is fine: history objects never change.
    await this.put(this.historyKey(project, n), serialize(entry), { ifNoneMatch: true });
  }

  /**
   * For serving's refresh: a conditional GET of the state (`If-None-Match: etag`). "unchanged"
   * when the object still has that ETag (a 304, no body), else the state and its new ETag.
   */
  async readIfChanged(
    project: string,
    etag: string | null,
  ): Promise<"unchanged" | { state: RegistryState | null; etag: string | null }> {
    assertProjectName(project);
    const key = this.keyOf(project, "state.json");
    let got: { body: string; etag: string | undefined } | null;
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(etag ? { IfNoneMatch: etag } : {}) }),
      );
      got = { body: (await response.Body?.transformToString("utf8")) ?? "", etag: response.ETag };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 304) return "unchanged";
      if (isNotFound(error)) got = null;
      else throw this.translate(error, key);
    }
    const { document, etag: next } = this.parseDocument(project, key, got);
    return { state: document?.state ?? null, etag: next };
  }

  private async readDocument(
    project: string,
  ): Promise<{ document: StateDocument | null; etag: string | null }> {
    const key = this.keyOf(project, "state.json");
    return this.parseDocument(project, key, await this.getText(key));
  }

  private parseDocument(
    project: string,
    key: string,
    got: { body: string; etag: string | undefined } | null,
  ): { document: StateDocument | null; etag: string | null } {
    if (got === null) return { document: null, etag: null };
    const where = this.where(key);
    const value = parseJson(got.body, where);
    checkFormatVersion(value, where);
    const doc = value as Partial<StateDocument>;
    if (doc.project !== project) {
      throw new RegistryCorruptError(
        `${where}: holds project ${JSON.stringify(doc.project ?? null)} where project ${JSON.stringify(project)} was expected`,
      );
    }
    if (typeof doc.historyCount !== "number" || !Number.isInteger(doc.historyCount) || doc.historyCount < 0) {
      throw new RegistryCorruptError(`${where}: invalid historyCount`);
    }
    const document: StateDocument = {
      formatVersion: REGISTRY_FORMAT_VERSION,
      project,
      state: doc.state === null || doc.state === undefined ? null : validateState(doc.state, project, where),
      historyCount: doc.historyCount,
      lastHistory:
        doc.lastHistory === null || doc.lastHistory === undefined
          ? null
          : validateHistory(doc.lastHistory, project, `${where} lastHistory`),
    };
    if (!got.etag)
      throw new RegistryError(`${where}: the server returned no ETag; conditional writes need one`);
    return { document, etag: got.etag };
  }

  private async readLock(project: string): Promise<LockInfo | null> {
    const key = this.keyOf(project, "lock.json");
    const got = await this.getText(key);
    return got === null ? null : validateLockInfo(parseJson(got.body, this.where(key)), this.where(key));
  }

  private async getText(key: string): Promise<{ body: string; etag: string | undefined } | null> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { body: (await response.Body?.transformToString("utf8")) ?? "", etag: response.ETag };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw this.translate(error, key);
    }
  }

  /** Conditional PutObject: true when written, false when the condition failed. */
  private async put(key: string, body: string, condition: Condition): Promise<boolean> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: "application/json",
          ...("ifNoneMatch" in condition ? { IfNoneMatch: "*" } : { IfMatch: condition.ifMatch }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw this.translate(error, key);
    }
  }

  /**
   * PutObject with If-Match on `etag` as the API returned it (quoted), the documented form. When
   * that fails while a HEAD shows the object still has exactly that ETag, the server is one that
   * wants it unquoted (radosgw): retry once that way and keep doing so. A real change shows a
   * different ETag and stays a failed condition; so does one made between our HEAD and retry.
   */
  private async putIfMatch(key: string, body: string, etag: string): Promise<boolean> {
    const unquoted = etag.replace(/^"(.*)"$/, "$1");
    if (this.unquotedIfMatch) return this.put(key, body, { ifMatch: unquoted });
    if (await this.put(key, body, { ifMatch: etag })) return true;
    if (unquoted === etag) return false;
    let current: string | undefined;
    try {
      current = (await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }))).ETag;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw this.translate(error, key);
    }
    if (current !== etag) return false;
    if (!(await this.put(key, body, { ifMatch: unquoted }))) return false;
    this.unquotedIfMatch = true;
    return true;
  }

  private async deleteKey(key: string): Promise<void> {
    await this.send(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  private where(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  private async send<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown, key?: string): Error {
    if (error instanceof RegistryError) return error;
    const name = (error as { name?: string } | null)?.name ?? "Error";
    const message = error instanceof Error ? error.message : String(error);
    const where = key ? this.where(key) : this.location;
    if (/region is missing/i.test(message)) {
      return new RegistryError(
        `${where}: no AWS region configured`,
        "set region in fsops.yaml (registry: { type: s3, region: ... }) or AWS_REGION",
      );
    }
    return new RegistryError(`${where}: ${name}: ${message}`);
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
