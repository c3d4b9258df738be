/**
 * Which Postgres errors are about the store (reaching it, logging in, its health) rather than
 * about the statement a source gave it. Shared by source reading, push and `--check-sources`,
 * so that all of them tell a user the same thing for the same failure.
 */

/**
 * SQLSTATE classes about the server or the session, not about the statement's relation:
 * connection exception (08), invalid authorization (28: bad password, unknown or NOLOGIN role),
 * invalid catalog name (3D: unknown database), insufficient resources (53), operator
 * intervention (57: shutdown, statement timeout), system and internal errors (58, XX).
 */
const STORE_CLASSES = new Set(["08", "28", "3D", "53", "57", "58", "XX"]);

/**
 * True when `e` is about reaching or using the store rather than about a source's relation:
 * any error without a SQLSTATE (refused or reset connections, DNS, timeouts, a lost connection)
 * or with a SQLSTATE of `STORE_CLASSES`. Everything else (undefined table or column, syntax,
 * permission on a table, bad data) is the relation's.
 */
export function isConnectionError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return STORE_CLASSES.has(code.slice(0, 2));
}
