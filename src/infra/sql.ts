/**
 * The one place SQL text is built from names. Every identifier fsops puts into SQL goes through
 * `quoteIdent`, even names validation already restricts to `[a-z0-9_]`: a schema name comes from
 * config and may hold anything, and a second line of defence costs nothing.
 */

/** Postgres truncates identifiers longer than this many bytes (NAMEDATALEN - 1). */
export const PG_IDENTIFIER_MAX_BYTES = 63;

export class InvalidIdentifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidIdentifierError";
  }
}

/** `"name"` with embedded double quotes doubled. */
export function quoteIdent(name: string): string {
  if (name.length === 0) throw new InvalidIdentifierError("an SQL identifier cannot be empty");
  // A NUL byte cannot be sent to Postgres at all; refuse instead of letting the driver truncate.
  if (name.includes("\0"))
    throw new InvalidIdentifierError("an SQL identifier cannot contain a NUL character");
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`. */
export function qualifiedName(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/**
 * A string literal, `'…'` with quotes doubled. Valid under `standard_conforming_strings = on`
 * (the default since Postgres 9.1, and the only setting PGlite ships).
 */
export function quoteLiteral(value: string): string {
  if (value.includes("\0")) throw new InvalidIdentifierError("an SQL string cannot contain a NUL character");
  return `'${value.replaceAll("'", "''")}'`;
}

/** Escape `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function utf8Length(value: string): number {
  return Buffer.byteLength(value, "utf8");
}
