import { Cluster, Redis } from "ioredis";
import type { RedisOptions } from "ioredis";
import { OnlineStoreError } from "./errors.js";
import { connectionSecrets, maskConnectionString, redactSecrets } from "../config/redact.js";

/**
 * Connection strings:
 *   redis://[[user]:password@]host[:port][/db]        one server (`rediss://` for TLS)
 *   redis+cluster://[[user]:password@]host:port,host:port,…   a Redis Cluster, any masters as
 *                                                      seeds (`rediss+cluster://` for TLS)
 * The cluster form follows the `scheme+variant://` convention (as in `redis+sentinel://`) and
 * lists seed nodes comma-separated in the authority, since a URL cannot hold several hosts.
 */
export type RedisTarget =
  | { kind: "standalone"; url: string; db: number }
  | {
      kind: "cluster";
      nodes: { host: string; port: number }[];
      username: string | undefined;
      password: string | undefined;
      tls: boolean;
    };

export function parseRedisConnectionString(connectionString: string): RedisTarget {
  const masked = maskConnectionString(connectionString);
  const cluster = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]*)\/?(?:[?#].*)?$/i.exec(connectionString);
  if (cluster !== null) {
    const [, scheme = "redis", auth, hostList = ""] = cluster;
    const nodes = hostList
      .split(",")
      .filter((h) => h.length > 0)
      .map((h) => parseHostPort(h, masked));
    if (nodes.length === 0) throw badString(masked, "no cluster node given");
    let username: string | undefined;
    let password: string | undefined;
    if (auth !== undefined && auth.length > 0) {
      const colon = auth.indexOf(":");
      username = decode(colon === -1 ? auth : auth.slice(0, colon)) || undefined;
      password = colon === -1 ? undefined : decode(auth.slice(colon + 1));
      if (colon === -1) {
        // `redis://secret@host` is the classic password-only form.
        password = username;
        username = undefined;
      }
    }
    return { kind: "cluster", nodes, username, password, tls: scheme.toLowerCase() === "rediss" };
  }
  if (/^rediss?:\/\//i.test(connectionString)) {
    return { kind: "standalone", url: connectionString, db: databaseOf(connectionString, masked) };
  }
  throw badString(masked, "expected redis://host:port[/db] or redis+cluster://host:port,host:port");
}

/**
 * The database a standalone URL names (`/3`), 0 when it names none. Checked here because ioredis
 * reads `/abc` as a database name and, when SELECT fails, quietly stays on database 0.
 */
function databaseOf(connectionString: string, masked: string): number {
  const rest = connectionString.replace(/^rediss?:\/\//i, "");
  // The path starts after the authority; a password may itself hold "/" (base64), so skip the
  // userinfo (up to the last "@" before the query) first.
  const at = rest.split(/[?#]/, 1)[0]!.lastIndexOf("@");
  const path = /^[^/?#]*(\/[^?#]*)?/.exec(at >= 0 ? rest.slice(at + 1) : rest)?.[1] ?? "";
  if (path === "" || path === "/") return 0;
  if (!/^\/\d{1,9}$/.test(path)) {
    // Only the masked string is quoted: the path text could still hold a fragment of a secret.
    throw badString(masked, "the database must be a number (redis://host:port/0)");
  }
  return Number(path.slice(1));
}

function parseHostPort(text: string, masked: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text.trim());
  if (m === null || m[1] === undefined) throw badString(masked, `bad node ${JSON.stringify(text)}`);
  const port = m[2] === undefined ? 6379 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw badString(masked, `bad port in ${text}`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function badString(masked: string, why: string): OnlineStoreError {
  return new OnlineStoreError(`invalid Redis connection string ${masked}: ${why}`);
}

/** An open connection: one server, or a cluster client plus its masters. */
export interface RedisConnection {
  readonly location: string;
  readonly secrets: readonly string[];
  /** Routes single-key commands (the cluster client routes by slot). */
  readonly client: Redis | Cluster;
  /** Every master to SCAN: the one server, or each cluster master. */
  masters(): Redis[];
  readonly isCluster: boolean;
  close(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Connect, failing with a redacted error (never retrying forever) when the store is unreachable. */
export async function openRedisConnection(connectionString: string): Promise<RedisConnection> {
  const target = parseRedisConnectionString(connectionString);
  const location = maskConnectionString(connectionString);
  const secrets = connectionSecrets(connectionString);
  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: false,
  };
  if (target.kind === "standalone") {
    const client = new Redis(target.url, { ...common, retryStrategy: () => null });
    client.on("error", () => undefined);
    await connectOrThrow(
      () => client.connect(),
      () => client.disconnect(),
      location,
      secrets,
    );
    if (target.db !== 0) await selectOrThrow(client, target.db, location, secrets);
    return {
      location,
      secrets,
      client,
      isCluster: false,
      masters: () => [client],
      close: async () => {
        await client.quit().catch(() => client.disconnect());
      },
    };
  }
  const cluster = new Cluster(target.nodes, {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    slotsRefreshTimeout: CONNECT_TIMEOUT_MS,
    redisOptions: {
      ...common,
      username: target.username,
      password: target.password,
      tls: target.tls ? {} : undefined,
    },
  });
  cluster.on("error", () => undefined);
  await connectOrThrow(
    () => cluster.connect(),
    () => cluster.disconnect(),
    location,
    secrets,
  );
  return {
    location,
    secrets,
    client: cluster,
    isCluster: true,
    masters: () => cluster.nodes("master"),
    close: async () => {
      await cluster.quit().catch(() => cluster.disconnect());
    },
  };
}

async function connectOrThrow(
  connect: () => Promise<void>,
  disconnect: () => void,
  location: string,
  secrets: readonly string[],
): Promise<void> {
  try {
    await connect();
  } catch (e) {
    disconnect();
    throw new OnlineStoreError(
      redactSecrets(`cannot connect to Redis at ${location}: ${messageOf(e)}`, secrets),
    );
  }
}

/**
 * Select the URL's database ourselves: ioredis only logs a failed SELECT and goes on using
 * database 0, which would put (or drop) keys in a database the user never named.
 */
async function selectOrThrow(
  client: Redis,
  db: number,
  location: string,
  secrets: readonly string[],
): Promise<void> {
  try {
    await client.select(db);
  } catch (e) {
    client.disconnect();
    throw new OnlineStoreError(
      redactSecrets(`cannot use database ${db} of Redis at ${location}: ${messageOf(e)}`, secrets),
      "name a database the server has (redis://host:port/N with N below its `databases` setting)",
    );
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
