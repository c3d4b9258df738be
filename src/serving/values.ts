/**
 * Values on the way in and out of serving.
 *
 * int64 precision: the SDK returns `int64` values (features and join keys) as `bigint`, so ids
 * past 2^53 keep every digit; `int32` and floats are `number`. JSON has no bigint, so the HTTP
 * server writes an int64 as a plain JSON number with all its digits (what Feast's Python server
 * sends, and what Python, Go and Java clients parse exactly). Join keys in a request may be
 * JSON integers, bigints, or strings of digits (for ids a JavaScript client cannot hold as a number).
 */
import type { Dtype } from "../model/kinds.js";
import { ServingRequestError } from "./catalog.js";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** A join-key value of `dtype`, normalized (int64 → bigint), or an error naming `field`. */
export function keyValue(value: unknown, dtype: Dtype, field: string): string | number | bigint {
  switch (dtype) {
    case "int64": {
      const v = toBigInt(value);
      if (v === null) throw wrongKey(value, "an int64 (an integer, or a string of digits)", field);
      return v;
    }
    case "int32":
      if (typeof value === "number" && Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31)
        return value;
      if (typeof value === "bigint" && value >= -(2n ** 31n) && value < 2n ** 31n) return Number(value);
      throw wrongKey(value, "an int32 (an integer)", field);
    case "string":
      if (typeof value === "string") return value;
      throw wrongKey(value, "a string", field);
    default:
      if (typeof value === "string" || typeof value === "number") return String(value);
      throw wrongKey(value, `a ${dtype}`, field);
  }
}

function toBigInt(value: unknown): bigint | null {
  let v: bigint;
  if (typeof value === "bigint") v = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) v = BigInt(value);
  else if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) v = BigInt(value);
  else return null;
  return v >= INT64_MIN && v <= INT64_MAX ? v : null;
}

function wrongKey(value: unknown, expected: string, field: string): ServingRequestError {
  return new ServingRequestError(`${field}: expected ${expected}, got ${describe(value)}`, field);
}

export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (typeof value === "string")
    return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return `${typeof value} ${String(value)}`;
  return Array.isArray(value) ? "an array" : "an object";
}

/** The lookup key of one entity: the key values in the view's key order. */
export function entityKeyString(values: readonly (string | number | bigint)[]): string {
  return values.length === 1 ? String(values[0]) : JSON.stringify(values.map(String));
}

/**
 * A stored value as the SDK returns it, from whatever the driver gave (pg gives int8 as text,
 * PGlite as bigint or number, Redis as text).
 */
export function normalizeValue(value: unknown, dtype: Dtype): unknown {
  if (value === null || value === undefined) return null;
  if (dtype.endsWith("[]")) {
    if (!Array.isArray(value)) return value;
    const element = dtype.slice(0, -2) as Dtype;
    return value.map((v) => normalizeValue(v, element));
  }
  switch (dtype) {
    case "int64":
      return toBigInt(typeof value === "number" ? Math.trunc(value) : value) ?? value;
    case "int32":
    case "float32":
    case "float64":
      return typeof value === "string" || typeof value === "bigint" ? Number(value) : value;
    case "unix_timestamp":
      return value instanceof Date ? value : new Date(value as string);
    case "bytes":
      return value instanceof Uint8Array ? value : value;
    default:
      return value;
  }
}

/** `2021-12-31T23:00:00Z`: the timestamp spelling of Feast's server (seconds, UTC). */
export function feastTimestamp(date: Date | null): string {
  if (date === null || Number.isNaN(date.getTime())) return "1970-01-01T00:00:00Z";
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * JSON text of a response value: bigint as a number with every digit, bytes as base64, dates as
 * ISO text, non-finite floats as null (JSON has no NaN).
 */
export function toJsonText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    default:
      break;
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString("base64"));
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toJsonText(v)}`);
  }
  return `{${parts.join(",")}}`;
}
