/**
 * Small administrative steps on the bench's servers (untimed set-up): empty databases, buckets.
 * Kept apart from services.ts so the workloads (run in children) do not bundle the launcher.
 */
import { createHash } from "node:crypto";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import pg from "pg";
import type { S3Info } from "../../test/services/types.js";

/** The server's maintenance URL with another database name. */
export function databaseUrl(adminUrl: string, database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Creates an empty database (names are generated: [a-z0-9_]) and returns its URL. */
export async function createDatabase(adminUrl: string, database: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  return databaseUrl(adminUrl, database);
}

export function s3Client(s3: S3Info): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

/** An empty, unversioned bucket (radosgw enforces If-Match / If-None-Match only there). */
export async function createBucket(s3: S3Info, bucket: string): Promise<void> {
  const client = s3Client(s3);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
}

/** Tables in the database's public schema (what the apply made). */
export async function countTables(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_catalog.pg_tables WHERE schemaname = 'public'",
    );
    return Number(r.rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

export const sha256 = (statements: readonly string[]): string =>
  createHash("sha256").update(statements.join("\n")).digest("hex");
