import { structuredPatch } from "diff";
import { objectId } from "../model/index.js";
import type { Action, Change, FieldChange, Impact, InfraAction, Json, Plan } from "../model/index.js";
// One spelling of durations for validation messages and plans alike.
import { formatDuration } from "../validate/duration.js";

export { formatDuration };

/** How each action is marked, Terraform-style. */
export const ACTION_SYMBOL: Readonly<Record<Action, string>> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
};

export const INFRA_SYMBOL: Readonly<Record<InfraAction["action"], string>> = {
  create_schema: "+",
  create_table: "+",
  add_column: "+",
  write_meta: "~",
  repair: "~",
  rebuild_table: "-/+",
  drop_column: "-",
  drop_table: "-",
  delete_keys: "-",
};

/** `feature_view.driver_stats`: how people read an object id. */
export function displayId(kind: string, name: string): string {
  return `${kind}.${name}`;
}
export function displayObjectId(id: string): string {
  const i = id.indexOf(":");
  return i < 0 ? id : `${id.slice(0, i)}.${id.slice(i + 1)}`;
}

const DURATION_KEYS = new Set(["ttl", "timeWindow", "slideInterval", "watermarkDelayThreshold"]);
const lastSegment = (path: string): string => path.slice(path.lastIndexOf(".") + 1);

const isRecord = (v: Json): v is { [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * One value on one line, readably: durations as `1d`, schema fields as `name: dtype` (just the
 * dtype when the path already names the field), aggregations as `sum(trips) over 1h`, feature
 * references as `view[a, b]`. Strings are JSON-quoted, which also escapes control characters.
 */
export function formatValue(value: Json, path = ""): string {
  const key = lastSegment(path);
  if (value === null) return "(none)";
  if (typeof value === "number") {
    if (DURATION_KEYS.has(key)) return value === 0 && key === "ttl" ? "0 (no expiry)" : formatDuration(value);
    return String(value);
  }
  if (typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string")) return JSON.stringify(value).replaceAll('","', '", "');
    return `[${value.map((v) => formatItem(v)).join(", ")}]`;
  }
  return formatItem(value, key);
}

/** An item of a spec array (field, aggregation, reference) or any other object. */
function formatItem(v: Json, key?: string): string {
  if (!isRecord(v)) return formatValue(v);
  if (typeof v.name === "string" && typeof v.dtype === "string") {
    const head = key === v.name ? v.dtype : `${v.name}: ${v.dtype}`;
    // A field's other keys (description, tags, vector options) follow its type.
    const rest = Object.keys(v)
      .filter((k) => k !== "name" && k !== "dtype")
      .sort()
      .map((k) => `${k} ${formatValue(v[k] ?? null, k)}`);
    return rest.length === 0 ? head : `${head} (${rest.join(", ")})`;
  }
  if (typeof v.column === "string" && typeof v.function === "string" && typeof v.timeWindow === "number") {
    const slide = typeof v.slideInterval === "number" ? ` every ${formatDuration(v.slideInterval)}` : "";
    const named = typeof v.name === "string" ? ` as ${v.name}` : "";
    return `${v.function}(${v.column}) over ${formatDuration(v.timeWindow)}${slide}${named}`;
  }
  if (typeof v.view === "string" && "features" in v) {
    const features = Array.isArray(v.features) ? `[${v.features.join(", ")}]` : "all features";
    return key === v.view ? features : `${v.view} ${features}`;
  }
  if (typeof v.type === "string" && typeof v.name === "string" && "features" in v) {
    const features = Array.isArray(v.features) ? ` [${v.features.join(", ")}]` : "";
    return key === v.name ? `${v.type}${features}` : `${v.type} ${v.name}${features}`;
  }
  const entries = Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}: ${formatValue(v[k] ?? null, k)}`);
  return `{${entries.join(", ")}}`;
}

/**
 * A value as several lines when one would be long: arrays of spec items (a schema, a list of
 * aggregations or references) get one line each. Null when one line is right.
 */
export function formatValueLines(value: Json): string[] | null {
  if (!Array.isArray(value) || value.length < 2 || value.every((v) => typeof v === "string")) return null;
  return value.map((v) => formatItem(v));
}

export function isMultiline(fc: FieldChange): boolean {
  return (
    (typeof fc.before === "string" && fc.before.includes("\n")) ||
    (typeof fc.after === "string" && fc.after.includes("\n"))
  );
}

/**
 * A unified line diff of two texts (either may be absent), as `[" "|"-"|"+", line]` and hunk
 * header lines (`@@ -1,4 +1,4 @@`), context of 3 lines.
 */
export function textDiffLines(before: Json, after: Json): { mark: " " | "-" | "+" | "@"; text: string }[] {
  const b = typeof before === "string" ? before : "";
  const a = typeof after === "string" ? after : "";
  const patch = structuredPatch("before", "after", withNewline(b), withNewline(a), undefined, undefined, {
    context: 3,
  });
  const out: { mark: " " | "-" | "+" | "@"; text: string }[] = [];
  for (const h of patch.hunks) {
    out.push({ mark: "@", text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    for (const line of h.lines) {
      if (line.startsWith("\\")) continue; // "\ No newline at end of file": withNewline avoids it
      const mark = line[0] === "-" || line[0] === "+" ? line[0] : " ";
      out.push({ mark, text: line.slice(1) });
    }
  }
  return out;
}

function withNewline(s: string): string {
  return s === "" || s.endsWith("\n") ? s : `${s}\n`;
}

export function summaryCounts(plan: Pick<Plan, "summary">): string {
  const s = plan.summary;
  return `${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function countImpacts(items: readonly { impact: Impact }[]): Record<Impact, number> {
  const out: Record<Impact, number> = { safe: 0, rebuild: 0, destructive: 0 };
  for (const i of items) out[i.impact]++;
  return out;
}

/** Infra actions grouped by the change they belong to; the rest (schema, drift) under null. */
export function infraByObject(plan: Pick<Plan, "changes" | "infra">): Map<string | null, InfraAction[]> {
  const changed = new Set<string>(plan.changes.map(changeId));
  const out = new Map<string | null, InfraAction[]>();
  for (const i of plan.infra) {
    const key = i.object !== null && changed.has(i.object) ? i.object : null;
    const list = out.get(key);
    if (list) list.push(i);
    else out.set(key, [i]);
  }
  return out;
}

export function changeId(c: Pick<Change, "kind" | "name">): string {
  return objectId(c.kind, c.name);
}

/** A statement as it would be typed into psql; Redis descriptions are left as they are. */
export function statementText(store: InfraAction["store"], statement: string): string {
  return store === "postgres" && !statement.trimEnd().endsWith(";") ? `${statement};` : statement;
}

/**
 * Replace control characters (other than tab and newline) with visible escapes, so text from a
 * definition cannot move the cursor, clear the screen or fake output in a terminal.
 */
export function visibleControls(s: string): string {
  return s.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
