/**
 * How one entity's features sit in Redis, as the materialize stage writes them
 * (src/materialize/redis-format.ts owns the layout; this is the read side of it):
 *
 *   key    fsops:<project>:<view>:<entity key>   entity key = JSON array of the join-key values
 *                                                as text, in key order: `["1001"]`, `["a","7"]`
 *   field  <feature name>  →  JSON of the value (int64 as decimal text, bytes as `\x…` hex,
 *                             timestamps as ISO text); a null feature has no field
 *   field  __event_ts      →  event time, epoch microseconds (decimal)
 */
import { redisViewPrefix } from "../infra/naming.js";
import { REDIS_EVENT_TS_FIELD } from "../materialize/redis-format.js";
import type { Dtype } from "../model/kinds.js";
import { normalizeValue } from "./values.js";

export const REDIS_EVENT_TS = REDIS_EVENT_TS_FIELD;

export function redisEntityKey(
  project: string,
  view: string,
  keys: readonly (string | number | bigint)[],
): string {
  return `${redisViewPrefix(project, view)}${JSON.stringify(keys.map(String))}`;
}

/** `__event_ts` (epoch µs) as a Date. */
export function decodeTimestamp(text: string): Date | null {
  if (!/^-?\d+$/.test(text)) return null;
  return new Date(Number(BigInt(text) / 1000n));
}

/** A hash field back to the SDK's value of `dtype` (int64 → bigint, see values.ts). */
export function decodeField(text: string | null, dtype: Dtype): unknown {
  if (text === null) return null;
  const value = JSON.parse(text) as unknown;
  if (dtype === "bytes") return bytes(value);
  if (dtype === "bytes[]") return Array.isArray(value) ? value.map(bytes) : value;
  return normalizeValue(value, dtype);
}

function bytes(value: unknown): unknown {
  if (typeof value !== "string") return value;
  return value.startsWith("\\x") ? Buffer.from(value.slice(2), "hex") : Buffer.from(value, "base64");
}

/** The field text a writer stores for a value (tests lay rows out with it). */
export function encodeField(value: unknown, dtype: Dtype): string {
  const canonical = (v: unknown, scalar: string): unknown => {
    if (v === null || v === undefined) return null;
    if (scalar === "int64") return BigInt(v as bigint).toString();
    if (scalar === "bytes") return `\\x${Buffer.from(v as Uint8Array).toString("hex")}`;
    if (scalar === "unix_timestamp") return new Date(v as string).toISOString();
    return v;
  };
  const list = dtype.endsWith("[]");
  const scalar = list ? dtype.slice(0, -2) : dtype;
  return JSON.stringify(
    list ? (value as unknown[]).map((v) => canonical(v, scalar)) : canonical(value, scalar),
  );
}
