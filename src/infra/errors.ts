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

/**
 * Planning found online tables fsops must not touch: a table it does not own (no ownership
 * comment, or another project's or view's) where the plan would create, alter, rebuild or drop
 * one, or two views whose table names collide. Plan reports it; apply refuses before any DDL.
 */
export class OnlineStoreConflictError extends OnlineStoreError {
  constructor(readonly conflicts: readonly string[]) {
    super(
      `online store conflict: ${conflicts.join("; ")}`,
      "fsops never alters, drops or takes over a table it does not own: rename or move that table (or the view), then plan again",
    );
  }
}
