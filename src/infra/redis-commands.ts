/**
 * The Redis side of a plan is shown to reviewers as command lines and run from exactly those
 * lines: apply parses them back (a fixed grammar, a whitelist of commands), so what was
 * approved is what runs.
 */

/** Keys per SCAN page and per UNLINK: small enough that no single command blocks Redis for long. */
export const REDIS_BATCH = 1000;

/** `SCAN MATCH "<pattern>" COUNT <n>, UNLINK each batch (every master)`. */
export function scanUnlinkStatement(pattern: string, batch: number = REDIS_BATCH): string {
  return `SCAN MATCH ${JSON.stringify(pattern)} COUNT ${batch}, UNLINK each batch (every master)`;
}

export function hsetStatement(key: string, field: string, value: string): string {
  return `HSET ${JSON.stringify(key)} ${JSON.stringify(field)} ${JSON.stringify(value)}`;
}

export function hdelStatement(key: string, field: string): string {
  return `HDEL ${JSON.stringify(key)} ${JSON.stringify(field)}`;
}

export type RedisStep =
  | { type: "scan_unlink"; pattern: string; batch: number }
  | { type: "hset"; key: string; field: string; value: string }
  | { type: "hdel"; key: string; field: string };

export class RedisStatementError extends Error {
  constructor(statement: string) {
    super(`not an fsops Redis statement: ${statement.slice(0, 120)}`);
    this.name = "RedisStatementError";
  }
}

const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const SCAN_RE = new RegExp(
  String.raw`^SCAN MATCH (${STRING}) COUNT (\d+), UNLINK each batch \(every master\)$`,
);
const HSET_RE = new RegExp(`^HSET (${STRING}) (${STRING}) (${STRING})$`);
const HDEL_RE = new RegExp(`^HDEL (${STRING}) (${STRING})$`);

function str(literal: string | undefined, statement: string): string {
  if (literal === undefined) throw new RedisStatementError(statement);
  const value: unknown = JSON.parse(literal);
  if (typeof value !== "string") throw new RedisStatementError(statement);
  return value;
}

export function parseRedisStatement(statement: string): RedisStep {
  let m = SCAN_RE.exec(statement);
  if (m !== null) {
    const batch = Number(m[2]);
    if (!Number.isSafeInteger(batch) || batch < 1) throw new RedisStatementError(statement);
    return { type: "scan_unlink", pattern: str(m[1], statement), batch };
  }
  m = HSET_RE.exec(statement);
  if (m !== null) {
    return {
      type: "hset",
      key: str(m[1], statement),
      field: str(m[2], statement),
      value: str(m[3], statement),
    };
  }
  m = HDEL_RE.exec(statement);
  if (m !== null) return { type: "hdel", key: str(m[1], statement), field: str(m[2], statement) };
  throw new RedisStatementError(statement);
}
