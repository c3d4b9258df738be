/**
 * Materialization records: per view, the intervals written to the online store (start, end,
 * rows, duration, when, by whom). Kept beside each registry backend's state with the same
 * discipline (a write lock or a conditional write; never a blind overwrite), but OUTSIDE the
 * state: they change no serial and no plan fingerprint, so filling data never makes a reviewed
 * plan stale. A record is appended only after its data is written.
 *
 *   file      <registry>.materializations.json  { formatVersion, projects: { p: MaterializationRecord[] } }
 *             rewritten by rename under <that>.lock (held for milliseconds; a lock whose holder
 *             is provably gone, see lock-holder.ts, is taken over; no other, whatever its age)
 *   s3        <prefix>/<project>/materializations.json, conditional PutObject (If-Match on the
 *             ETag read, If-None-Match: * when absent), re-read and retried on 412
 *   postgres  table fsops_materializations (id bigserial, project, view, record jsonb) in the
 *             registry schema: an append is one INSERT transaction
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { dirname } from "node:path";
import type { RegistryConfig } from "../model/config.js";
import { RegistryCorruptError, RegistryError } from "../model/registry.js";
import { connectionSecrets, redactSecrets } from "../config/redact.js";
import { writeFileAtomically } from "../infra/atomic-file.js";
import { quoteIdent } from "../infra/sql.js";
import { checkRecordedHolder, holderFields, takeOverLock } from "../infra/lock-holder.js";
import { assertProjectName, maskUrl } from "./state.js";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Pool } from "pg";

export const MATERIALIZATIONS_FORMAT_VERSION = 1;
/** Records kept per view (older ones are dropped on the next append). */
export const RECORDS_KEPT_PER_VIEW = 100;

export interface MaterializationRecord {
  view: string;
  /** Exclusive start, ISO; null = from the beginning of the data. */
  start: string | null;
  /** Inclusive end, ISO. */
  end: string;
  rows: number;
  durationMs: number;
  /** When it was recorded (after the data was written), ISO. */
  at: string;
  by: string;
  /** `materialize` (a window), `push` is never recorded: it has no interval. */
  mode: "pushdown" | "stream";
  /** Registry lineage and online layout it was written under: a rebuild or re-creation resets it. */
  lineage: string;
  layout: string;
}

export interface MaterializationStore {
  readonly location: string;
  read(project: string): Promise<MaterializationRecord[]>;
  append(project: string, records: readonly MaterializationRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** @param options.lockWaitMs how long a file store's append waits for its lock (tests shorten it) */
export function openMaterializationStore(
  config: RegistryConfig,
  options: { lockWaitMs?: number } = {},
): MaterializationStore {
  switch (config.type) {
    case "file":
      return new FileMaterializationStore(
        `${config.path}.materializations.json`,
        config.display,
        options.lockWaitMs ?? LOCK_WAIT_MS,
      );
    case "s3":
      return new S3MaterializationStore(config);
    case "postgres":
      return new PostgresMaterializationStore(config.connectionString, config.schema || "public");
  }
}

function isRecord(v: unknown): v is MaterializationRecord {
  if (typeof v !== "object" || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.view === "string" &&
    (r.start === null || typeof r.start === "string") &&
    typeof r.end === "string" &&
    typeof r.rows === "number" &&
    typeof r.lineage === "string" &&
    typeof r.layout === "string"
  );
}

function validRecords(v: unknown, where: string): MaterializationRecord[] {
  if (!Array.isArray(v))
    throw new RegistryCorruptError(`${where}: expected a list of materialization records`);
  return v.filter(isRecord);
}

/** `records` + `added`, keeping the newest RECORDS_KEPT_PER_VIEW per view (in append order). */
export function mergeRecords(
  records: readonly MaterializationRecord[],
  added: readonly MaterializationRecord[],
): MaterializationRecord[] {
  const all = [...records, ...added];
  const count = new Map<string, number>();
  const kept: MaterializationRecord[] = [];
  for (let i = all.length - 1; i >= 0; i--) {
    const r = all[i]!;
    const n = count.get(r.view) ?? 0;
    if (n >= RECORDS_KEPT_PER_VIEW) continue;
    count.set(r.view, n + 1);
    kept.push(r);
  }
  return kept.reverse();
}

// ---------------------------------------------------------------- file

/** A project's entry, never one inherited from Object.prototype (a project may be named `constructor`). */
function ownEntry(projects: Record<string, unknown>, project: string): unknown {
  return Object.hasOwn(projects, project) ? projects[project] : undefined;
}

const LOCK_WAIT_MS = 15_000;

class FileMaterializationStore implements MaterializationStore {
  readonly location: string;

  constructor(
    private readonly path: string,
    display: string,
    private readonly lockWaitMs: number,
  ) {
    this.location = `${display}.materializations.json`;
  }

  async read(project: string): Promise<MaterializationRecord[]> {
    assertProjectName(project);
    const contents = await this.readAll();
    const list = ownEntry(contents.projects, project);
    return list === undefined ? [] : validRecords(list, `${this.location} (project ${project})`);
  }

  async append(project: string, records: readonly MaterializationRecord[]): Promise<void> {
    assertProjectName(project);
    if (records.length === 0) return;
    const release = await this.lock();
    try {
      const contents = await this.readAll();
      const current = ownEntry(contents.projects, project);
      const merged = mergeRecords(
        current === undefined ? [] : validRecords(current, `${this.location} (project ${project})`),
        records,
      );
      const text = `${JSON.stringify(
        {
          formatVersion: MATERIALIZATIONS_FORMAT_VERSION,
          projects: { ...contents.projects, [project]: merged },
        },
        null,
        1,
      )}\n`;
      try {
        await writeFileAtomically(this.path, text);
      } catch (e) {
        throw new RegistryError(`${this.location}: cannot write: ${(e as Error).message}`);
      }
    } finally {
      await release();
    }
  }

  async close(): Promise<void> {}

  private async readAll(): Promise<{ projects: Record<string, unknown> }> {
    let text: string;
    try {
      text = await fs.readFile(this.path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { projects: {} };
      throw new RegistryError(`${this.location}: cannot read: ${(e as Error).message}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new RegistryCorruptError(
        `${this.location}: not valid JSON`,
        "restore or delete the file; it only records materialized intervals",
      );
    }
    const projects = (value as { projects?: unknown } | null)?.projects;
    if (typeof projects !== "object" || projects === null || Array.isArray(projects)) {
      throw new RegistryCorruptError(`${this.location}: "projects" is not an object`);
    }
    return { projects: projects as Record<string, unknown> };
  }

  /**
   * Create the lock file complete (write aside, hard-link into place). A lock whose holder is
   * provably gone (lock-holder.ts: same host, boot and pid namespace; pid absent or reused) is
   * taken over at once. Any other is waited for, never broken by age: the holder may be alive
   * (another container with this hostname, a slow disk, a stopped process), and two writers
   * would lose records. There is no heartbeat, and the holder's clock is not ours.
   */
  private async lock(): Promise<() => Promise<void>> {
    const lockPath = `${this.path}.lock`;
    await fs.mkdir(dirname(lockPath), { recursive: true });
    const id = randomBytes(8).toString("hex");
    const temp = `${lockPath}.${id}.tmp`;
    await fs.writeFile(temp, JSON.stringify({ id, ...holderFields(), time: Date.now() }));
    const deadline = Date.now() + this.lockWaitMs;
    try {
      for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
        try {
          await fs.link(temp, lockPath);
          return async () => {
            const holder = await fs.readFile(lockPath, "utf8").catch(() => "");
            if (holder.includes(id)) await fs.rm(lockPath, { force: true });
          };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
        }
        let text: string;
        try {
          text = await fs.readFile(lockPath, "utf8");
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOENT") continue; // released meanwhile
          throw new RegistryError(`${this.location}: cannot read lock ${lockPath}: ${(e as Error).message}`);
        }
        const holder = parseLock(text);
        const check = checkRecordedHolder(holder);
        // Busy: another process is taking this dead lock over; wait for it like for any holder.
        if (check.gone && (await takeOverLock(lockPath, text)) !== "busy") continue;
        if (Date.now() > deadline) {
          throw new RegistryError(
            `${this.location}: locked by ${describeHolder(holder)} for more than ${this.lockWaitMs / 1000}s; not taken over: ${check.why}`,
            `if that process is gone, remove ${lockPath}`,
          );
        }
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      }
    } finally {
      await fs.rm(temp, { force: true });
    }
  }
}

/** A materialization lock file's fields; null when it is not a JSON object (never judged gone). */
function parseLock(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function describeHolder(lock: Record<string, unknown> | null): string {
  if (lock === null) return "another materialize (unreadable lock file)";
  const pid = typeof lock.pid === "number" ? `pid ${lock.pid}` : "an unknown pid";
  const host = typeof lock.host === "string" ? ` on ${lock.host}` : "";
  const since = typeof lock.time === "number" ? ` since ${new Date(lock.time).toISOString()}` : "";
  return `another materialize (${pid}${host}${since})`;
}

// ---------------------------------------------------------------- s3

class S3MaterializationStore implements MaterializationStore {
  readonly location: string;
  private client: S3Client | null = null;
  private readonly prefix: string;
  private unquotedIfMatch = false;

  constructor(private readonly config: Extract<RegistryConfig, { type: "s3" }>) {
    this.prefix = config.key.replace(/\.json$/, "").replace(/\/+$/, "");
    this.location = `s3://${config.bucket}/${this.prefix}/<project>/materializations.json`;
  }

  private key(project: string): string {
    return `${this.prefix ? `${this.prefix}/` : ""}${project}/materializations.json`;
  }

  private async sdk() {
    const sdk = await import("@aws-sdk/client-s3");
    this.client ??= new sdk.S3Client({
      ...(this.config.region ? { region: this.config.region } : {}),
      ...(this.config.endpoint ? { endpoint: this.config.endpoint } : {}),
      forcePathStyle: this.config.forcePathStyle,
    });
    return { sdk, client: this.client };
  }

  private async get(project: string): Promise<{ records: MaterializationRecord[]; etag: string | null }> {
    const { sdk, client } = await this.sdk();
    const key = this.key(project);
    try {
      const res = await client.send(new sdk.GetObjectCommand({ Bucket: this.config.bucket, Key: key }));
      const text = (await res.Body?.transformToString("utf8")) ?? "";
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new RegistryCorruptError(`s3://${this.config.bucket}/${key}: not valid JSON`);
      }
      return {
        records: validRecords((value as { records?: unknown }).records, `s3://${this.config.bucket}/${key}`),
        etag: res.ETag ?? null,
      };
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if ((e as { name?: string }).name === "NoSuchKey" || status === 404) return { records: [], etag: null };
      if (e instanceof RegistryError) throw e;
      throw new RegistryError(`s3://${this.config.bucket}/${key}: ${(e as Error).message}`);
    }
  }

  async read(project: string): Promise<MaterializationRecord[]> {
    assertProjectName(project);
    return (await this.get(project)).records;
  }

  async append(project: string, records: readonly MaterializationRecord[]): Promise<void> {
    assertProjectName(project);
    if (records.length === 0) return;
    for (let attempt = 0; attempt < 20; attempt++) {
      const { records: current, etag } = await this.get(project);
      const body = JSON.stringify({
        formatVersion: MATERIALIZATIONS_FORMAT_VERSION,
        project,
        records: mergeRecords(current, records),
      });
      if (await this.put(project, body, etag)) return;
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 40 * (attempt + 1)));
    }
    throw new RegistryError(`${this.key(project)}: too many concurrent materialization records; retry`);
  }

  /** Conditional put; radosgw wants If-Match unquoted (see S3RegistryStore.putIfMatch). */
  private async put(project: string, body: string, etag: string | null): Promise<boolean> {
    const { sdk, client } = await this.sdk();
    const send = async (condition: { IfNoneMatch: string } | { IfMatch: string }) => {
      try {
        await client.send(
          new sdk.PutObjectCommand({
            Bucket: this.config.bucket,
            Key: this.key(project),
            Body: body,
            ContentType: "application/json",
            ...condition,
          }),
        );
        return true;
      } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 412 || status === 409) return false;
        throw new RegistryError(`s3://${this.config.bucket}/${this.key(project)}: ${(e as Error).message}`);
      }
    };
    if (etag === null) return send({ IfNoneMatch: "*" });
    const unquoted = etag.replace(/^"(.*)"$/, "$1");
    if (this.unquotedIfMatch) return send({ IfMatch: unquoted });
    if (await send({ IfMatch: etag })) return true;
    if (unquoted === etag) return false;
    const head = await client
      .send(new sdk.HeadObjectCommand({ Bucket: this.config.bucket, Key: this.key(project) }))
      .catch(() => null);
    if (head?.ETag !== etag) return false;
    if (!(await send({ IfMatch: unquoted }))) return false;
    this.unquotedIfMatch = true;
    return true;
  }

  async close(): Promise<void> {
    this.client?.destroy();
  }
}

// ---------------------------------------------------------------- postgres

class PostgresMaterializationStore implements MaterializationStore {
  readonly location: string;
  private readonly table: string;
  private pool: Pool | null = null;
  private readonly secrets: string[];

  constructor(
    private readonly connectionString: string,
    private readonly schema: string,
  ) {
    this.table = `${quoteIdent(schema)}."fsops_materializations"`;
    this.location = maskUrl(connectionString);
    this.secrets = connectionSecrets(connectionString);
  }

  private async db(): Promise<Pool> {
    if (this.pool === null) {
      const { default: pg } = await import("pg");
      this.pool = new pg.Pool({ connectionString: this.connectionString, max: 2 });
      this.pool.on("error", () => undefined);
    }
    return this.pool;
  }

  private fail(e: unknown): never {
    throw new RegistryError(redactSecrets(`${this.location}: ${(e as Error).message}`, this.secrets));
  }

  async read(project: string): Promise<MaterializationRecord[]> {
    assertProjectName(project);
    const pool = await this.db();
    try {
      const res = await pool.query<{ record: unknown }>(
        `SELECT record FROM ${this.table} WHERE project = $1 ORDER BY id`,
        [project],
      );
      return res.rows.map((r) => r.record).filter(isRecord);
    } catch (e) {
      if ((e as { code?: string }).code === "42P01" || (e as { code?: string }).code === "3F000") return [];
      this.fail(e);
    }
  }

  async append(project: string, records: readonly MaterializationRecord[]): Promise<void> {
    assertProjectName(project);
    if (records.length === 0) return;
    const pool = await this.db();
    const client = await pool.connect().catch((e: unknown) => this.fail(e));
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext('fsops registry ddl'))");
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        id bigserial PRIMARY KEY, project text NOT NULL, view text NOT NULL,
        record jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`);
      await client.query(
        `CREATE INDEX IF NOT EXISTS "fsops_materializations_project_idx" ON ${this.table} (project, view, id)`,
      );
      for (const r of records) {
        await client.query(`INSERT INTO ${this.table} (project, view, record) VALUES ($1, $2, $3::jsonb)`, [
          project,
          r.view,
          JSON.stringify(r),
        ]);
      }
      // Keep the newest records per view, as the other backends do.
      await client.query(
        `DELETE FROM ${this.table} m USING (
           SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY view ORDER BY id DESC) AS n
                             FROM ${this.table} WHERE project = $1) x WHERE n > $2) old
         WHERE m.id = old.id`,
        [project, RECORDS_KEPT_PER_VIEW],
      );
      await client.query("COMMIT");
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      this.fail(e);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool?.end().catch(() => undefined);
  }
}
