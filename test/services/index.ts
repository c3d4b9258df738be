/**
 * What tests use to reach the real servers the global setup started (see global-setup.ts):
 *
 *   const url = await freshDatabase();      // an empty database of its own on the test Postgres
 *   const bucket = await freshBucket();     // an empty, unversioned bucket on radosgw
 *   const { s3 } = services();              // endpoint + credentials
 *
 * Everything here isolates by unique names, so test files can run in parallel.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { inject } from "vitest";
import type {
  PostgresInfo,
  RedisClusterInfo,
  RedisInfo,
  S3Info,
  ServiceName,
  ServicesInfo,
} from "./types.js";
import "./types.js";
import { REDIS_DATABASES } from "./redis-databases.js";

export type {
  PostgresInfo,
  RedisClusterInfo,
  RedisInfo,
  S3Info,
  ServiceName,
  ServicesInfo,
} from "./types.js";

export interface Services {
  readonly postgres: PostgresInfo;
  readonly redis: RedisInfo;
  readonly redisCluster: RedisClusterInfo;
  readonly s3: S3Info;
}

function provided(): ServicesInfo {
  const info = inject("fsopsServices") as ServicesInfo | undefined;
  if (!info) {
    throw new Error(
      "test services: no connection info provided; run the tests with vitest and its global setup " +
        "(vitest.config.ts loads test/services/global-setup.ts)",
    );
  }
  return info;
}

function notStarted(name: ServiceName, selection: string): Error {
  return new Error(
    `test service ${name} not started (FSOPS_TEST_SERVICES=${selection}); ` +
      `run with FSOPS_TEST_SERVICES=all or include "${name}"`,
  );
}

/** Connection info of every started server; reading one that was not started throws, naming it. */
export function services(): Services {
  const info = provided();
  const need = <T>(name: ServiceName, value: T | null): T => {
    if (value === null) throw notStarted(name, info.selection);
    return value;
  };
  return {
    get postgres() {
      return need("postgres", info.postgres);
    },
    get redis() {
      return need("redis", info.redis);
    },
    get redisCluster() {
      return need("redis-cluster", info.redisCluster);
    },
    get s3() {
      return need("s3", info.s3);
    },
  };
}

/** For `describe.runIf(hasService("s3"))` in suites that can also run without a server. */
export function hasService(name: ServiceName): boolean {
  const info = provided();
  switch (name) {
    case "postgres":
      return info.postgres !== null;
    case "redis":
      return info.redis !== null;
    case "redis-cluster":
      return info.redisCluster !== null;
    case "s3":
      return info.s3 !== null;
  }
}

/** A name no other test (in any worker or run) uses: `<prefix>_<pid>_<random>`, [a-z0-9_]. */
/** A loopback port nothing listens on (bound once, then released): a server that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function uniqueName(prefix = "t"): string {
  return `${prefix}_${process.pid}_${randomBytes(5).toString("hex")}`;
}

/** Creates an empty database with a unique name on the test Postgres and returns its URL. */
export async function freshDatabase(): Promise<string> {
  const { url } = services().postgres;
  const name = uniqueName("db");
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** `@aws-sdk/client-s3` options for the test radosgw (path-style, explicit endpoint and keys). */
export function s3ClientConfig(): {
  endpoint: string;
  region: string;
  forcePathStyle: true;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  const { endpoint, region, accessKeyId, secretAccessKey } = services().s3;
  return { endpoint, region, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } };
}

/**
 * Creates an empty bucket with a unique name and returns the name. Unversioned on purpose:
 * radosgw enforces If-Match / If-None-Match only on unversioned buckets.
 */
export async function freshBucket(): Promise<string> {
  const { S3Client, CreateBucketCommand } = await import("@aws-sdk/client-s3");
  const client = new S3Client(s3ClientConfig());
  const name = uniqueName("bkt").replace(/_/g, "-");
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
  return name;
}

/**
 * A Redis URL with a database number no other test uses (the server is started with thousands
 * of databases; numbers come from an INCR in database 0, so they are unique across workers).
 */
export async function freshRedisDb(): Promise<string> {
  const { url } = services().redis;
  const { Redis } = await import("ioredis");
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const n = await client.incr("fsops-test:next-db");
    if (n >= REDIS_DATABASES) throw new Error(`freshRedisDb: all ${REDIS_DATABASES - 1} test databases used`);
    return `${url}/${n}`;
  } finally {
    client.disconnect();
  }
}

/** A key prefix no other test uses, for Redis Cluster (which has only database 0): `t_<pid>_<hex>:`. */
export function freshRedisPrefix(): string {
  return `${uniqueName("t")}:`;
}
