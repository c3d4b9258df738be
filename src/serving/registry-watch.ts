/**
 * Live registry refresh: tell serving when an apply may have committed a new serial, so it
 * switches without a restart. Each backend in its own way:
 *
 * - Postgres: `LISTEN fsops_registry`; apply sends `pg_notify` inside its commit transaction, so
 *   the notification arrives exactly when the new state is visible. A lost connection is
 *   re-established (and a re-read done, in case a notification was missed), and a slow poll
 *   (every 30 s) covers anything else.
 * - File: a watch on the registry file's folder (apply renames a new file into place, which a
 *   watch on the file itself would lose), plus a poll of the file's mtime every second where
 *   watches are unreliable (network file systems, some containers).
 * - S3: a conditional GET (`If-None-Match` with the last ETag) every `S3_POLL_MS` (5 s): an
 *   unchanged registry costs one 304 with no body.
 *
 * The watcher only signals; the caller re-reads and swaps the whole registry version.
 */
import { watch, type FSWatcher } from "node:fs";
import { stat } from "node:fs/promises";
import { basename, dirname } from "node:path";
import type { Client as PgClient } from "pg";
import type { RegistryConfig } from "../model/config.js";
import { REGISTRY_CHANNEL } from "../registry/postgres-store.js";

/** The channel apply notifies on (src/registry/postgres-store.ts). */
export const PG_CHANNEL = REGISTRY_CHANNEL;
export const PG_POLL_MS = 30_000;
export const FILE_POLL_MS = 1_000;
export const S3_POLL_MS = 5_000;

export interface RegistryWatcher {
  close(): Promise<void>;
}

export interface WatchOptions {
  /** Called when the registry may have changed (the caller re-reads). */
  onChange: () => void;
  /** Called with a (redacted by the caller) problem, e.g. a lost LISTEN connection. */
  onError?: (error: unknown) => void;
  /** S3: the poll itself (a conditional GET), when the registry is in S3. */
  s3Poll?: () => Promise<void>;
  s3PollMs?: number;
}

export function watchRegistry(
  config: RegistryConfig,
  project: string,
  options: WatchOptions,
): RegistryWatcher {
  switch (config.type) {
    case "file":
      return watchFile(config.path, options);
    case "postgres":
      return listenPostgres(config.connectionString, config.schema || "public", project, options);
    case "s3":
      return pollS3(options);
  }
}

function watchFile(path: string, options: WatchOptions): RegistryWatcher {
  const name = basename(path);
  let watcher: FSWatcher | null = null;
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    // Coalesce the burst of events one rename produces.
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      options.onChange();
    }, 20);
  };
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === name) fire();
    });
    watcher.on("error", () => {
      watcher?.close();
      watcher = null;
    });
  } catch {
    watcher = null; // the folder may not exist yet: the poll covers it
  }
  let last = "";
  const poll = setInterval(() => {
    stat(path).then(
      (s) => {
        const now = `${s.mtimeMs}:${s.size}:${s.ino}`;
        if (last !== "" && now !== last) fire();
        last = now;
      },
      () => {
        if (last !== "") fire();
        last = "";
      },
    );
  }, FILE_POLL_MS);
  poll.unref();
  return {
    close: async () => {
      watcher?.close();
      clearInterval(poll);
      if (timer !== null) clearTimeout(timer);
    },
  };
}

function listenPostgres(
  connectionString: string,
  schema: string,
  project: string,
  options: WatchOptions,
): RegistryWatcher {
  let closed = false;
  let client: PgClient | null = null;
  let retry: NodeJS.Timeout | null = null;
  const connect = async (): Promise<void> => {
    const { default: pg } = await import("pg");
    if (closed) return;
    const c = new pg.Client({ connectionString, application_name: "fsops serve (registry listen)" });
    client = c;
    const reconnect = (error?: unknown) => {
      if (closed || client !== c) return;
      client = null;
      if (error !== undefined) options.onError?.(error);
      c.end().catch(() => undefined);
      retry = setTimeout(() => void connect().catch(reconnect), 1_000);
      retry.unref();
    };
    c.on("error", reconnect);
    c.on("end", () => reconnect());
    c.on("notification", (msg) => {
      if (msg.channel !== PG_CHANNEL) return;
      try {
        const payload = JSON.parse(msg.payload ?? "{}") as { schema?: string; project?: string };
        if (payload.project === project && (payload.schema ?? "public") === schema) options.onChange();
      } catch {
        options.onChange();
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${PG_CHANNEL}`);
      // Anything committed while we were not listening.
      options.onChange();
    } catch (e) {
      reconnect(e);
    }
  };
  void connect().catch((e: unknown) => options.onError?.(e));
  const poll = setInterval(() => options.onChange(), PG_POLL_MS);
  poll.unref();
  return {
    close: async () => {
      closed = true;
      clearInterval(poll);
      if (retry !== null) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}

function pollS3(options: WatchOptions): RegistryWatcher {
  let running = false;
  const timer = setInterval(() => {
    if (running || options.s3Poll === undefined) return;
    running = true;
    options
      .s3Poll()
      .catch((e: unknown) => options.onError?.(e))
      .finally(() => {
        running = false;
      });
  }, options.s3PollMs ?? S3_POLL_MS);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
    },
  };
}
