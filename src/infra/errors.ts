/**
 * An expected online-store failure (unreachable, refused, a statement failed). The message is
 * already redacted: no password or full connection string in it. The CLI prints message + hint.
 */
export class OnlineStoreError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** SQLSTATE or Redis error prefix, when the server gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The offline store (source checks) could not be reached or read; message redacted. */
export class OfflineStoreError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
