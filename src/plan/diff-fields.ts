import type { FieldChange, Json, JsonObject } from "../model/index.js";

/**
 * Field-level differences between two canonical specs, visiting object keys in sorted order
 * (like @aws-cdk/cloudformation-diff), so the result is deterministic whatever the key order
 * of the inputs. `null` on either side means "absent".
 *
 * Arrays whose items carry an identity (schema fields and request-source fields by `name`,
 * on-demand sources by `name`, feature-service references by `view`, aggregations by all of
 * their members) are compared item by item under that identity, so inserting a field in the
 * middle shows one addition instead of every later field changed: `schema.conv_rate.dtype`,
 * `schema.new_field`. When the relative order of the items both sides share differs, order is
 * meaningful (it is the column order) and the whole array is reported as one change instead.
 * Every other array (join keys, entity lists, feature name lists) is one value.
 */
export function diffSpecs(before: Json | undefined, after: Json | undefined): FieldChange[] {
  const out: FieldChange[] = [];
  walk(before ?? null, after ?? null, "", out);
  return out;
}

function walk(before: Json, after: Json, path: string, out: FieldChange[]): void {
  if (jsonEqual(before, after)) return;
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) {
      walk(before[key] ?? null, after[key] ?? null, join(path, key), out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && path !== "") {
    const b = keyedItems(before);
    const a = keyedItems(after);
    if (b && a && (b.tag === a.tag || b.items.size === 0 || a.items.size === 0)) {
      walkKeyed(before, after, b.items, a.items, path, out);
      return;
    }
  }
  out.push({ path: path === "" ? "(spec)" : path, before, after });
}

function walkKeyed(
  before: Json[],
  after: Json[],
  b: Map<string, Json>,
  a: Map<string, Json>,
  path: string,
  out: FieldChange[],
): void {
  const sharedBefore = [...b.keys()].filter((k) => a.has(k));
  const sharedAfter = [...a.keys()].filter((k) => b.has(k));
  if (sharedBefore.some((k, i) => sharedAfter[i] !== k)) {
    out.push({ path, before, after });
    return;
  }
  const keys = new Set([...b.keys(), ...a.keys()]);
  for (const key of [...keys].sort()) walk(b.get(key) ?? null, a.get(key) ?? null, join(path, key), out);
}

/**
 * The identity of each item, or null when the array is not a list of identifiable items
 * (or identities repeat, in which case item-wise paths would be ambiguous).
 */
function keyedItems(items: Json[]): { tag: string; items: Map<string, Json> } | null {
  let tag: string | null = null;
  const map = new Map<string, Json>();
  for (const item of items) {
    const id = itemIdentity(item);
    if (id === null || (tag !== null && id.tag !== tag) || map.has(id.key)) return null;
    tag = id.tag;
    map.set(id.key, item);
  }
  return { tag: tag ?? "", items: map };
}

function itemIdentity(item: Json): { tag: string; key: string } | null {
  if (!isObject(item)) return null;
  // An aggregation: function, column and window (and its output name, when it has one) are its
  // identity, so changing a window reads as one aggregate removed and another added, which is
  // what happens to the data. Checked before `name`, which an aggregation may also have.
  if (
    typeof item.column === "string" &&
    typeof item.function === "string" &&
    typeof item.timeWindow === "number"
  ) {
    const named = typeof item.name === "string" ? `:${item.name}` : "";
    return { tag: "aggregation", key: `${item.function}_${item.column}_${item.timeWindow}s${named}` };
  }
  if (typeof item.name === "string") return { tag: "name", key: item.name };
  if (typeof item.view === "string") return { tag: "view", key: item.view };
  return null;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

export function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Structural equality of JSON values; object key order is irrelevant, undefined = null. */
export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  for (const k of Object.keys(a)) if (!jsonEqual(a[k], b[k])) return false;
  for (const k of Object.keys(b)) if (!(k in a) && b[k] !== null && b[k] !== undefined) return false;
  return true;
}
