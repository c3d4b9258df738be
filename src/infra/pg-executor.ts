import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import copyStreams from "pg-copy-streams";
import { connectionSecrets, maskConnectionString, redactSecrets } from "../config/redact.js";
import type { SqlExecutor, SqlResult, SqlSession } from "./sql-executor.js";
import { SqlError } from "./sql-executor.js";

export interface PgExecutorOptions {
  /** Shown in `pg_stat_activity`, so a DBA can tell what holds a lock. */
  applicationName?: string;
  connectTimeoutMs?: number;
}

/** Open one connection to a Postgres server. Fails with a redacted `SqlError` when unreachable. */
export async function openPgExecutor(
  connectionString: string,
  options: PgExecutorOptions = {},
): Promise<SqlExecutor> {
  const secrets = connectionSecrets(connectionString);
  const client = new pg.Client({
    connectionString,
    application_name: options.applicationName ?? "fsops",
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  // An idle client whose server goes away emits 'error'; without a listener Node would crash.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (e) {
    await client.end().catch(() => undefined);
    throw toSqlError(e, secrets, `cannot connect to ${maskConnectionString(connectionString)}`);
  }
  return new PgExecutor(client, maskConnectionString(connectionString), secrets);
}

class PgExecutor implements SqlExecutor {
  /** pg queues queries on one client; this keeps other work out of an open transaction. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: pg.Client,
    readonly location: string,
    private readonly secrets: string[],
  ) {}

  query<R extends object>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
    return this.serial(() => this.run<R>(text, params));
  }

  exec(script: string): Promise<void> {
    return this.serial(async () => {
      await this.run(script);
    });
  }

  copyFrom(text: string, data: string): Promise<number> {
    return this.serial(() => this.copy(text, data));
  }

  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.run("BEGIN");
      const tx: SqlSession = {
        query: (text, params) => this.run(text, params),
        exec: async (script) => {
          await this.run(script);
        },
        copyFrom: (text, data) => this.copy(text, data),
      };
      try {
        const result = await fn(tx);
        await this.run("COMMIT");
        return result;
      } catch (e) {
        await this.run("ROLLBACK").catch(() => undefined);
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    await this.client.end().catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** One COPY FROM STDIN: the data goes out as CopyData messages, no per-row round trip. */
  private async copy(text: string, data: string): Promise<number> {
    try {
      const stream = this.client.query(copyStreams.from(text));
      await pipeline(Readable.from([Buffer.from(data, "utf8")]), stream);
      return stream.rowCount;
    } catch (e) {
      throw toSqlError(e, this.secrets);
    }
  }

  private async run<R extends object>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>> {
    try {
      const res = await this.client.query<R>(text, params === undefined ? undefined : [...params]);
      // A multi-statement text returns one result per statement; callers of exec ignore them.
      const last = Array.isArray(res) ? (res[res.length - 1] as pg.QueryResult<R> | undefined) : res;
      return {
        rows: last?.rows ?? [],
        fields: (last?.fields ?? []).map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
        ...(typeof last?.rowCount === "number" ? { rowCount: last.rowCount } : {}),
      };
    } catch (e) {
      throw toSqlError(e, this.secrets);
    }
  }
}

function toSqlError(e: unknown, secrets: readonly string[], context?: string): SqlError {
  const err = e as { message?: unknown; code?: unknown; position?: unknown };
  const message = typeof err.message === "string" && err.message.length > 0 ? err.message : String(e);
  const text = redactSecrets(context === undefined ? message : `${context}: ${message}`, secrets);
  const code = typeof err.code === "string" ? err.code : undefined;
  const position = typeof err.position === "string" ? Number(err.position) : undefined;
  return new SqlError(text, code, Number.isFinite(position) ? position : undefined);
}
