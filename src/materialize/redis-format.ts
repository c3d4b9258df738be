/**
 * How feature rows are laid out in Redis (written by materialize/push, read by serving):
 *
 *   key    fsops:<project>:<view>:<entity key>   entity key = JSON array of the join-key values
 *                                                as text, in key order: `["1001"]`, `["a","7"]`
 *   field  <feature name>  →  JSON of the canonical value (int64 as decimal text, bytes as
 *                             `\x…` hex, timestamps as ISO text); a null feature has no field
 *   field  __event_ts      →  event time, epoch microseconds (decimal)
 *   field  __created_ts    →  created time, epoch microseconds (absent when unknown)
 *
 * A write replaces the whole hash, atomically and only when its event time is not older than
 * the stored one (Lua), so an older event never overwrites a newer one.
 */
import type { LayoutColumn } from "../infra/infra-state.js";
import { redisViewPrefix } from "../infra/naming.js";
import type { JsonValue } from "../offline/canonical.js";

export const REDIS_EVENT_TS_FIELD = "__event_ts";
export const REDIS_CREATED_TS_FIELD = "__created_ts";

const CANONICAL_INTEGER = /^(?:0|-?[1-9]\d{0,17})$/;

/** Text of one join-key value: integers in decimal, booleans as true/false, strings as is. */
export function keyValueText(dtype: string, value: unknown): string {
  if (value === null || value === undefined) throw new Error("a join key value cannot be null");
  if (dtype === "int32" || dtype === "int64") {
    // Already canonical (what the offline readers give): no BigInt round trip per row.
    if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
    if (typeof value === "string" && CANONICAL_INTEGER.test(value)) return value;
    const text = typeof value === "bigint" ? value.toString() : String(value).trim();
    if (!/^-?\d+$/.test(text)) throw new Error(`${JSON.stringify(value)} is not an integer`);
    return BigInt(text).toString();
  }
  return String(value);
}

/** The Redis key of one entity of a view. */
export function redisEntityKey(
  project: string,
  view: string,
  keys: readonly LayoutColumn[],
  values: readonly unknown[],
): string {
  return redisEntityKeyWithPrefix(redisViewPrefix(project, view), keys, values);
}

/** `redisEntityKey` with the view's prefix (`redisViewPrefix`) computed once by the caller. */
export function redisEntityKeyWithPrefix(
  prefix: string,
  keys: readonly LayoutColumn[],
  values: readonly unknown[],
): string {
  return `${prefix}${JSON.stringify(keys.map((k, i) => keyValueText(k.dtype, values[i])))}`;
}

/** The hash field value of a canonical feature value (null: no field). */
export function encodeRedisValue(value: JsonValue): string | null {
  if (value === null) return null;
  // A finite number's JSON is its String (JSON.stringify's own path is slower per call).
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}

/** A stored field back to its canonical value (absent field: null). */
export function decodeRedisValue(text: string | null | undefined): JsonValue {
  return text === null || text === undefined ? null : (JSON.parse(text) as JsonValue);
}

/**
 * KEYS[1] the entity hash; ARGV[1] event µs; ARGV[2..] field/value pairs (event and created
 * times included). Writes only when no stored event is newer; returns 1 when written.
 */
export const REDIS_UPSERT_LUA = `
local cur = redis.call('HGET', KEYS[1], '${REDIS_EVENT_TS_FIELD}')
if cur and tonumber(cur) > tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
`;
