import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { PGlite } from "@electric-sql/pglite";
import {
  checkHolder,
  checkRecordedHolder,
  holderFields,
  takeOverLock,
  type HolderCheck,
} from "./lock-holder.js";
import { embeddedStoreExists } from "./embedded-store.js";
import { OnlineStoreError } from "./errors.js";
import { extractEmbeddedStoreTemplate, findEmbeddedStoreTemplate } from "./pglite-template.js";
import type { SqlExecutor, SqlResult, SqlSession } from "./sql-executor.js";
import { SqlError } from "./sql-executor.js";

interface PgliteLike {
  query<R>(
    text: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: R[]; fields: readonly { name: string; dataTypeID: number }[]; affectedRows?: number }>;
  exec(script: string): Promise<unknown>;
}

/**
 * PGlite is Postgres compiled to WebAssembly (9 MB). V8 compiles it first with its baseline
 * compiler (Liftoff), then again in the background with its optimizing one (TurboFan), keeping
 * both: the second compile is most of the CPU and memory of opening a store, and a plan or an
 * apply runs far too few statements to win it back. Measured on the staging example: apply of a
 * new store 3.2 s CPU / 440 MB → 2.2 s / 345 MB, plan of an existing one 2.0 s / 400 MB →
 * 1.2 s / 315 MB. The flag only matters for WebAssembly compiled after it is set, i.e. in the
 * processes that open an embedded store; nothing else fsops loads is WebAssembly.
 */
setFlagsFromString("--liftoff-only");

/**
 * Open (creating if needed) an embedded Postgres in `dir`. PGlite is single-process: two
 * processes on one data directory silently lose writes (measured), so a lock file beside the
 * directory (`<dir>.lock`, holding host, pid and process identity) keeps a second fsops out while
 * one is running.
 * A new store is loaded from the empty database shipped with fsops rather than made by initdb.
 */
export async function openPgliteExecutor(dir: string): Promise<SqlExecutor> {
  await mkdir(dir, { recursive: true });
  const lock = await takeLock(`${dir.replace(/[/\\]+$/, "")}.lock`);
  try {
    // Checked under the lock, so only one process ever fills a new directory.
    if (!(await embeddedStoreExists(dir))) await createFromTemplate(dir);
    const db = await PGlite.create(dir);
    return new PgliteExecutor(db, dir, lock);
  } catch (e) {
    await lock.release();
    if (e instanceof OnlineStoreError) throw e;
    throw new OnlineStoreError(`cannot open the embedded online store at ${dir}: ${messageOf(e)}`);
  }
}

/**
 * A new store starts as a copy of the empty database shipped with fsops. Without the template
 * (a source checkout not built yet), or if unpacking fails, the folder is left empty and
 * PGlite runs initdb as it always could: slower, same result.
 */
async function createFromTemplate(dir: string): Promise<void> {
  const template = await findEmbeddedStoreTemplate();
  if (template === null) return;
  try {
    await extractEmbeddedStoreTemplate(template, dir);
  } catch {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }
}

class PgliteExecutor implements SqlExecutor {
  constructor(
    private readonly db: PGlite,
    readonly location: string,
    private readonly lock: { release(): Promise<void> },
  ) {}

  query<R extends object>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
    return run<R>(this.db, text, params);
  }

  async exec(script: string): Promise<void> {
    await execScript(this.db, script);
  }

  copyFrom(text: string, data: string): Promise<number> {
    return copyBlob(this.db, text, data);
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) => {
      const session: SqlSession = {
        query: (text, params) => run(tx, text, params),
        exec: (script) => execScript(tx, script),
        copyFrom: (text, data) => copyBlob(tx, text, data),
      };
      return fn(session);
    });
  }

  async close(): Promise<void> {
    try {
      if (!this.db.closed) await this.db.close();
    } finally {
      await this.lock.release();
    }
  }
}

async function run<R extends object>(
  db: PgliteLike,
  text: string,
  params?: readonly unknown[],
): Promise<SqlResult<R>> {
  try {
    const res = await db.query<R>(text, params === undefined ? undefined : [...params]);
    return {
      rows: res.rows,
      fields: res.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
      ...(typeof res.affectedRows === "number" ? { rowCount: res.affectedRows } : {}),
    };
  } catch (e) {
    throw toSqlError(e);
  }
}

/**
 * PGlite has no client socket to stream CopyData over: its COPY reads a file, and
 * `/dev/blob` is the one it maps to a Blob passed with the query. Same statement and data
 * format as server Postgres, with `STDIN` swapped for the blob device.
 */
async function copyBlob(db: PgliteLike, text: string, data: string): Promise<number> {
  const sql = text.replace(/\bFROM STDIN\b/, "FROM '/dev/blob'");
  try {
    const res = await db.query(sql, [], { blob: new Blob([data]) });
    return res.affectedRows ?? 0;
  } catch (e) {
    throw toSqlError(e);
  }
}

async function execScript(db: PgliteLike, script: string): Promise<void> {
  try {
    await db.exec(script);
  } catch (e) {
    throw toSqlError(e);
  }
}

function toSqlError(e: unknown): SqlError {
  const err = e as { code?: unknown; position?: unknown };
  const position = typeof err.position === "string" ? Number(err.position) : undefined;
  return new SqlError(
    messageOf(e),
    typeof err.code === "string" ? err.code : undefined,
    Number.isFinite(position) ? position : undefined,
  );
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Takes the store's lock: created complete (written aside, hard-linked into place, which fails
 * if it exists), holding host, pid and, on Linux, the process identity. A lock whose holder is
 * provably gone (lock-holder.ts: same host, boot and pid namespace; pid absent or reused) is
 * taken over; any other may be alive (another container with this hostname sharing the folder)
 * and is reported with why it was not taken over. Locks of older fsops read `pid@host`.
 */
async function takeLock(path: string): Promise<{ release(): Promise<void> }> {
  const me = JSON.stringify({ ...holderFields(), time: new Date().toISOString() });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temp, `${me}\n`, { flag: "wx" });
  try {
    const busyUntil = Date.now() + 5000;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, path);
        let released = false;
        return {
          release: async () => {
            if (released) return;
            released = true;
            await unlink(path).catch(() => undefined);
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const text = await readFile(path, "utf8").catch(() => null);
      if (text === null) continue; // released meanwhile
      const { who, check } = judgeHolder(text);
      if (check.gone) {
        // Left by a process that died (kill -9, crash): safe to take over.
        if ((await takeOverLock(path, text)) === "busy") {
          // Another process is taking it over this moment: not one of our attempts.
          if (Date.now() < busyUntil) attempt--;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        continue;
      }
      throw new OnlineStoreError(
        `the embedded online store is in use by ${who} (lock ${path}); not taken over: ${check.why}`,
        `wait for that fsops to finish; if it is gone, delete ${path}`,
      );
    }
  } finally {
    await rm(temp, { force: true });
  }
  throw new OnlineStoreError(`cannot take the embedded online store lock ${path}`);
}

/** Who holds the lock whose file holds `text` (JSON, or `pid@host` from an older fsops) and whether they are gone. */
function judgeHolder(text: string): { who: string; check: HolderCheck } {
  const old = /^(\d+)@(.+)$/.exec(text.trim());
  if (old) {
    const pid = Number(old[1]);
    return { who: `pid ${pid} on ${old[2]}`, check: checkHolder(old[2]!, pid, null) };
  }
  let lock: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null) lock = value as Record<string, unknown>;
  } catch {
    // Not a lock fsops writes: named as unknown, never judged gone.
  }
  const { pid, host, time } = lock;
  const who =
    typeof pid === "number" && typeof host === "string"
      ? `pid ${pid} on ${host}${typeof time === "string" ? ` since ${time}` : ""}`
      : "another process";
  return { who, check: checkRecordedHolder(lock) };
}
