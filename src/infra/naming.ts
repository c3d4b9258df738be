import { createHash } from "node:crypto";
import { PG_IDENTIFIER_MAX_BYTES, utf8Length } from "./sql.js";

/** Length of the hash suffix appended to shortened table names. */
const HASH_HEX = 8;

/**
 * `<project>__<view>`; when longer than Postgres's 63-byte identifier limit, the first 54
 * characters, `_`, and the first 8 hex digits of sha256 of the full name. The hash keeps two
 * long names that share a prefix apart, and is stable across runs and machines.
 */
export function onlineTableName(project: string, view: string): string {
  const full = `${project}__${view}`;
  // A full name shaped like a shortened one (`…_` + 8 hex digits, 63 bytes) is shortened too, so a
  // crafted view name can never equal another view's shortened name. Two shortened names can only
  // meet through a hash collision, which planning detects (plan-postgres.ts, conflicts).
  if (utf8Length(full) <= PG_IDENTIFIER_MAX_BYTES && !looksShortened(full)) return full;
  const hash = createHash("sha256").update(full, "utf8").digest("hex").slice(0, HASH_HEX);
  // Names are ASCII after validation; cut by code point anyway so a multi-byte name stays valid.
  let prefix = "";
  for (const ch of full) {
    if (utf8Length(prefix + ch) > PG_IDENTIFIER_MAX_BYTES - HASH_HEX - 1) break;
    prefix += ch;
  }
  return `${prefix}_${hash}`;
}

function looksShortened(name: string): boolean {
  return utf8Length(name) === PG_IDENTIFIER_MAX_BYTES && /_[0-9a-f]{8}$/.test(name);
}

/** The table comment that marks a table as owned by fsops for one project and view. */
export function tableMarker(project: string, view: string): string {
  return `fsops:${project}:${view}`;
}

/** The view a marker names for `project`, or null when the marker is absent or another project's. */
export function parseTableMarker(project: string, comment: string | null): string | null {
  if (comment === null) return null;
  const prefix = `fsops:${project}:`;
  if (!comment.startsWith(prefix)) return null;
  const view = comment.slice(prefix.length);
  return view.length > 0 && !view.includes(":") ? view : null;
}

/** `{ project, view }` of any fsops marker (whichever project), or null for anything else. */
export function parseAnyTableMarker(comment: string | null): { project: string; view: string } | null {
  if (comment === null) return null;
  const m = /^fsops:([^:]+):([^:]+)$/.exec(comment);
  return m ? { project: m[1] ?? "", view: m[2] ?? "" } : null;
}

/** Every key fsops owns for a project starts with this. Names never contain `:`. */
export function redisProjectPrefix(project: string): string {
  return `fsops:${project}:`;
}

/** Keys of one view: `fsops:<project>:<view>:<entity key>`. */
export function redisViewPrefix(project: string, view: string): string {
  return `fsops:${project}:${view}:`;
}

/** The hash recording the schema each view was applied with. */
export function redisMetaKey(project: string): string {
  return `fsops:${project}:__meta`;
}

/** Escape Redis glob metacharacters (`* ? [ ] \`) so a name matches only itself in SCAN MATCH. */
export function escapeGlob(value: string): string {
  return value.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/** `fsops:<project>:<view>:*` with both names escaped. */
export function redisViewPattern(project: string, view: string): string {
  return `${escapeGlob(redisViewPrefix(project, view))}*`;
}

/** `fsops:<project>:*` (every key of the project, its meta hash included). */
export function redisProjectPattern(project: string): string {
  return `${escapeGlob(redisProjectPrefix(project))}*`;
}

/**
 * The view segment of a key of `project`, or null for the meta hash and keys not shaped like
 * `fsops:<project>:<view>:…`.
 */
export function viewOfRedisKey(project: string, key: string): string | null {
  const prefix = redisProjectPrefix(project);
  if (!key.startsWith(prefix)) return null;
  const rest = key.slice(prefix.length);
  const colon = rest.indexOf(":");
  if (colon <= 0) return null;
  return rest.slice(0, colon);
}
