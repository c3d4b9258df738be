/**
 * The little SQL surface fsops needs from Postgres, so server Postgres (`pg`) and embedded
 * Postgres (PGlite) run the very same DDL and introspection code.
 */

export interface SqlField {
  name: string;
  /** Postgres type OID. */
  dataTypeID: number;
}

export interface SqlResult<R> {
  rows: R[];
  fields: SqlField[];
  /** Rows the statement inserted / updated / deleted / returned, when the server said. */
  rowCount?: number;
}

export interface SqlSession {
  query<R extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<SqlResult<R>>;
  /** Several `;`-separated statements in one round trip; no parameters. */
  exec(script: string): Promise<void>;
  /**
   * `COPY … FROM STDIN` (server Postgres) / `COPY … FROM '/dev/blob'` (PGlite) of `data`, already
   * in the statement's format. `text` is the COPY statement with `STDIN` as its source; returns
   * the rows copied.
   */
  copyFrom(text: string, data: string): Promise<number>;
}

export interface SqlExecutor extends SqlSession {
  /** Safe to print (password masked). */
  readonly location: string;
  /** BEGIN … COMMIT around `fn`; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A statement failed on the server; the message is redacted. */
export class SqlError extends Error {
  constructor(
    message: string,
    /** SQLSTATE, when the server gave one. */
    readonly code: string | undefined,
    /** 1-based character position in the failing text, when the server gave one. */
    readonly position: number | undefined,
  ) {
    super(message);
    this.name = "SqlError";
  }
}
