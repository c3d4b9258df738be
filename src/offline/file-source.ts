/**
 * Reading a FileSource: resolve its path (a file, a folder of part files, or `s3://bucket/prefix`)
 * to local Parquet/CSV files, and read them with DuckDB. DuckDB's httpfs extension would be
 * downloaded at run time (a network and supply-chain risk), so S3 objects are fetched with the
 * AWS SDK (same client settings and credential chain as the S3 registry) into a temporary folder.
 * DuckDB and the AWS SDK are imported lazily: plan and apply never load them.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import type { OfflineS3Config } from "../model/config.js";
import { quoteLiteral } from "../infra/sql.js";
import { OfflineSourceError } from "./errors.js";

type DuckModule = typeof import("@duckdb/node-api"); // eslint-disable-line @typescript-eslint/consistent-type-imports

export type FileFormat = "parquet" | "csv";

export interface ResolvedFiles {
  files: string[];
  format: FileFormat;
  /** Removes what was downloaded (nothing for local files). */
  cleanup(): Promise<void>;
}

export const S3_PATH = /^s3:\/\/([^/]+)\/?(.*)$/i;

export function formatOf(path: string): FileFormat | null {
  const p = path.toLowerCase();
  if (p.endsWith(".parquet") || p.endsWith(".pq")) return "parquet";
  if (p.endsWith(".csv") || p.endsWith(".csv.gz")) return "csv";
  return null;
}

function pickFormat(paths: string[], where: string): FileFormat {
  const formats = new Set(paths.map(formatOf).filter((f) => f !== null));
  if (formats.size === 0) {
    throw new OfflineSourceError(
      `${where}: no Parquet or CSV files found`,
      "a FileSource path is a .parquet/.csv file, or a folder or S3 prefix holding such files",
    );
  }
  if (formats.size > 1)
    throw new OfflineSourceError(`${where}: mixes Parquet and CSV files; keep one format`);
  return [...formats][0]!;
}

async function listLocal(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".") || e.name.startsWith("_")) continue; // _SUCCESS, .crc, temp parts
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listLocal(p)));
    else if (formatOf(e.name) !== null) out.push(p);
  }
  return out.sort();
}

/** The formats of the part files in local folder `dir` (none when it does not exist yet). */
export async function localFolderFormats(dir: string): Promise<Set<FileFormat>> {
  let files: string[];
  try {
    files = await listLocal(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw e;
  }
  return new Set(files.map(formatOf).filter((f) => f !== null));
}

/** Local path of a FileSource path (relative to the project folder). */
export function localSourcePath(path: string, projectDir: string): string {
  return isAbsolute(path) ? path : resolve(projectDir, path);
}

/** Resolve a FileSource path to its files; S3 objects are downloaded to a temporary folder. */
export async function resolveFileSource(
  path: string,
  projectDir: string,
  s3: OfflineS3Config | null,
): Promise<ResolvedFiles> {
  const m = S3_PATH.exec(path);
  if (m !== null) return fetchS3(m[1]!, m[2] ?? "", s3);
  const local = localSourcePath(path, projectDir);
  let info;
  try {
    info = await stat(local);
  } catch {
    throw new OfflineSourceError(
      `FileSource path ${path} does not exist (${local})`,
      "paths are relative to the project folder",
      "FS401",
    );
  }
  const files = info.isDirectory() ? await listLocal(local) : [local];
  return { files, format: pickFormat(files, path), cleanup: async () => undefined };
}

type S3Module = typeof import("@aws-sdk/client-s3"); // eslint-disable-line @typescript-eslint/consistent-type-imports

/** A client of the offline store's S3 (offline_store.s3), from the caller's loaded SDK. */
export function s3Client(S3Client: S3Module["S3Client"], s3: OfflineS3Config | null) {
  return new S3Client({
    ...(s3?.region ? { region: s3.region } : {}),
    ...(s3?.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3?.forcePathStyle ?? false,
  });
}

/** The keys of the Parquet/CSV objects under `prefix` (or the one object `prefix` names), sorted. */
async function listS3Keys(
  client: InstanceType<S3Module["S3Client"]>,
  List: S3Module["ListObjectsV2Command"],
  bucket: string,
  prefix: string,
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new List({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const key = o.Key ?? "";
      const name = key.slice(key.lastIndexOf("/") + 1);
      if (name.startsWith(".") || name.startsWith("_") || formatOf(key) === null) continue;
      // A prefix without a trailing slash matches `prefix…`; keep only the object itself or children.
      if (key !== prefix && !prefix.endsWith("/") && prefix !== "" && !key.startsWith(`${prefix}/`)) continue;
      keys.push(key);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** The formats of the part files under an S3 FileSource path `s3://bucket/prefix`. */
export async function s3PrefixFormats(path: string, s3: OfflineS3Config | null): Promise<Set<FileFormat>> {
  const m = S3_PATH.exec(path);
  if (m === null) throw new Error(`not an S3 path: ${path}`);
  const { S3Client, ListObjectsV2Command } = await import("@aws-sdk/client-s3");
  const client = s3Client(S3Client, s3);
  try {
    const keys = await listS3Keys(client, ListObjectsV2Command, m[1]!, m[2] ?? "");
    return new Set(keys.map(formatOf).filter((f) => f !== null));
  } finally {
    client.destroy();
  }
}

/** Fetch every Parquet/CSV object under `prefix` (or the one object `prefix` names). */
async function fetchS3(bucket: string, prefix: string, s3: OfflineS3Config | null): Promise<ResolvedFiles> {
  const { S3Client, ListObjectsV2Command, GetObjectCommand } = await import("@aws-sdk/client-s3");
  const client = s3Client(S3Client, s3);
  const where = `s3://${bucket}/${prefix}`;
  const dir = await mkdtemp(join(tmpdir(), "fsops-offline-"));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  try {
    const keys = await listS3Keys(client, ListObjectsV2Command, bucket, prefix);
    const format = pickFormat(keys, where);
    const files: string[] = [];
    for (const [i, key] of keys.entries()) {
      const file = join(dir, `part-${String(i).padStart(6, "0")}.${format}`);
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(got.Body as Readable, createWriteStream(file));
      files.push(file);
    }
    return { files, format, cleanup };
  } catch (e) {
    await cleanup();
    if (e instanceof OfflineSourceError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new OfflineSourceError(
      `cannot read ${where}: ${(e as { name?: string }).name ?? "Error"}: ${message}`,
      /region is missing/i.test(message)
        ? "set offline_store.s3.region in fsops.yaml (or AWS_REGION)"
        : "check offline_store.s3 (endpoint, region, force_path_style) and the AWS credentials",
    );
  } finally {
    client.destroy();
  }
}

/** DuckDB table function reading `files` (all parts, columns matched by name). */
export function duckRelation(files: readonly string[], format: FileFormat): string {
  const list = `[${files.map(quoteLiteral).join(", ")}]`;
  return format === "parquet"
    ? `read_parquet(${list}, union_by_name = true)`
    : `read_csv(${list}, header = true, union_by_name = true)`;
}

/** A minimal DuckDB connection: run statements and stream rows in chunks. */
export interface DuckConnection {
  run(sql: string): Promise<void>;
  /** Rows as JSON-compatible objects, one DuckDB chunk (≤ 2048 rows) at a time. */
  stream(sql: string): AsyncGenerator<Record<string, unknown>[]>;
  /** The first column (VARCHAR) of each chunk as strings: no object per row. */
  strings(sql: string): AsyncGenerator<(string | null)[]>;
  close(): void;
}

/** Open an in-memory DuckDB (lazily imported), time zone UTC. */
export async function openDuckDb(): Promise<DuckConnection> {
  let duckdb: DuckModule;
  try {
    duckdb = await import("@duckdb/node-api");
  } catch (e) {
    throw new OfflineSourceError(
      `FileSources are read with DuckDB, which cannot be loaded here: ${(e as Error).message}`,
      "install it beside fsops: npm install @duckdb/node-api",
    );
  }
  const { DuckDBInstance } = duckdb;
  // Spill past a bounded memory to the system's temp folder (DuckDB's default is 80 % of RAM and a
  // `.tmp` folder in the user's working directory, which fsops does not own).
  const instance = await DuckDBInstance.create(":memory:", {
    memory_limit: "1GB",
    temp_directory: tmpdir(),
  });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    async run(sql) {
      await connection.run(sql);
    },
    async *stream(sql) {
      const result = await connection.stream(sql);
      for await (const rows of result.yieldRowObjectJson()) yield rows as Record<string, unknown>[];
    },
    async *strings(sql) {
      const result = await connection.stream(sql);
      for (;;) {
        const chunk = await result.fetchChunk();
        if (chunk === null || chunk.rowCount === 0) return;
        yield chunk.getColumnValues(0) as (string | null)[];
      }
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Column names and DuckDB types of a relation. */
export async function duckDescribe(
  db: DuckConnection,
  relation: string,
): Promise<{ name: string; type: string }[]> {
  const out: { name: string; type: string }[] = [];
  for await (const rows of db.stream(`DESCRIBE SELECT * FROM ${relation}`)) {
    for (const r of rows) out.push({ name: String(r.column_name), type: String(r.column_type) });
  }
  return out;
}
