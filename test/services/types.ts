/** The servers the test run can start; `FSOPS_TEST_SERVICES` picks among them. */
export const SERVICE_NAMES = ["postgres", "redis", "redis-cluster", "s3"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface PostgresInfo {
  /** Superuser URL of the maintenance database (`postgres`); tests should use `freshDatabase()`. */
  url: string;
  host: string;
  port: number;
  user: string;
  /** Private Unix socket directory (`-k`), for `psql -h <socketDir>`. */
  socketDir: string;
  /** Server binaries (initdb, pg_ctl, psql, …) of the running version. */
  binDir: string;
}

export interface RedisInfo {
  url: string;
  host: string;
  port: number;
}

export interface RedisClusterInfo {
  /** The masters; any one of them is a valid seed for a cluster client. */
  nodes: { host: string; port: number }[];
}

export interface S3Info {
  /** radosgw (Ceph) S3 endpoint; needs `forcePathStyle: true`. */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/** What the global setup hands to the tests (via vitest `provide`/`inject`). */
export interface ServicesInfo {
  /** The `FSOPS_TEST_SERVICES` value as given, for error messages. */
  selection: string;
  postgres: PostgresInfo | null;
  redis: RedisInfo | null;
  redisCluster: RedisClusterInfo | null;
  s3: S3Info | null;
}

declare module "vitest" {
  export interface ProvidedContext {
    fsopsServices: ServicesInfo;
  }
}
