/**
 * How one entity's features sit in Redis (the layout the writer and the reader share):
 *
 *   key    fsops:<project>:<view>:<entity key>     entity key: the join-key value as text when
 *                                                  the view has one key, else a JSON array of
 *                                                  the values as text (`["1001","c42"]`)
 *   hash   <feature> → JSON text of the value       int64 as digits (exact), bytes as base64,
 *                                                  unix_timestamp as ISO text; field absent = null
 *          event_ts  → ISO text                     created_ts → ISO text (when known)
 */
import { redisViewPrefix } from "../infra/naming.js";
import type { Dtype } from "../model/kinds.js";
import { entityKeyString } from "./values.js";

export function redisEntityKey(project: string, view: string, keys: readonly (string | number | bigint)[]): string {
  return `${redisViewPrefix(project, view)}${entityKeyString(keys)}`;
}

export function decodeTimestamp(text: string): Date | null {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** A hash field back to the SDK's value of `dtype` (see values.ts for int64). */
export function decodeField(text: string | null, dtype: Dtype): unknown {
  if (text === null || text === "null") return null;
  if (dtype === "int64") return /^-?\d+$/.test(text) ? BigInt(text) : null;
  if (dtype === "int64[]") {
    const inner = text.trim().slice(1, -1).trim();
    if (inner === "") return [];
    return inner.split(",").map((t) => (t.trim() === "null" ? null : BigInt(t.trim())));
  }
  if (dtype === "bytes") return Buffer.from(JSON.parse(text) as string, "base64");
  if (dtype === "bytes[]") return (JSON.parse(text) as (string | null)[]).map((s) => (s === null ? null : Buffer.from(s, "base64")));
  if (dtype === "unix_timestamp") return new Date(JSON.parse(text) as string);
  if (dtype === "unix_timestamp[]")
    return (JSON.parse(text) as (string | null)[]).map((s) => (s === null ? null : new Date(s)));
  return JSON.parse(text) as unknown;
}

/** The hash field text of a value (what a writer stores; tests use it to lay rows out). */
export function encodeField(value: unknown, dtype: Dtype): string {
  if (value === null || value === undefined) return "null";
  if (dtype === "int64") return BigInt(value as bigint | number | string).toString();
  if (dtype === "int64[]")
    return `[${(value as unknown[]).map((v) => (v === null ? "null" : BigInt(v as bigint).toString())).join(",")}]`;
  if (dtype === "bytes") return JSON.stringify(Buffer.from(value as Uint8Array).toString("base64"));
  if (dtype === "unix_timestamp") return JSON.stringify(new Date(value as string).toISOString());
  return JSON.stringify(value);
}
