import { FEATURE_VIEW_KINDS, OBJECT_KINDS, worstImpact } from "../model/index.js";
import type { Action, Change, FieldChange, Impact, Json, JsonObject, ObjectKind } from "../model/index.js";
import { isObject, jsonEqual } from "./diff-fields.js";
import { splitId } from "./references.js";

/**
 * Every rule that decides how risky a change is, in one place so the plan, the renderers and
 * the online-store stage agree. Impacts (DESIGN.md "Plan"):
 * - safe: nothing stored is lost;
 * - rebuild: a view's online data is dropped and must be re-materialized;
 * - destructive: data, or something a consumer depends on, is lost.
 * A change's impact is the worst of its object rule and its field rules.
 */

export interface ImpactContext {
  kind: ObjectKind;
  action: Action;
  /** Canonical specs as JSON (null when absent on that side). */
  before: JsonObject | null;
  after: JsonObject | null;
}

export interface ImpactReason {
  impact: Impact;
  /** The id of the rule that decided, stable for tests and tooling. */
  rule: string;
  /** The field path the rule matched, or null for an object-level rule. */
  path: string | null;
  /** For people: what happens, in a few words. */
  message: string;
}

interface ObjectRule {
  rule: string;
  action: Action;
  kinds: readonly ObjectKind[];
  impact: (ctx: ImpactContext) => Impact;
  message: (ctx: ImpactContext) => string;
}

interface FieldRule {
  rule: string;
  kinds: readonly ObjectKind[];
  path: RegExp;
  impact: (fc: FieldChange, ctx: ImpactContext) => Impact;
  message: (fc: FieldChange, ctx: ImpactContext) => string;
}

/** Views that own an online table (on-demand views compute per request and store nothing). */
const STORED_VIEW_KINDS: readonly ObjectKind[] = ["feature_view", "stream_feature_view"];
const SCHEMA_KINDS: readonly ObjectKind[] = [
  "data_source",
  "feature_view",
  "on_demand_feature_view",
  "stream_feature_view",
];

const online = (spec: JsonObject | null): boolean => spec !== null && spec.online === true;
/** An online table exists before and after: changing its columns means re-materializing. */
const onlineBothSides = (ctx: ImpactContext): boolean =>
  STORED_VIEW_KINDS.includes(ctx.kind) && online(ctx.before) && online(ctx.after);
const last = (path: string): string => path.slice(path.lastIndexOf(".") + 1);
const fieldName = (path: string): string => path.split(".")[1] ?? path;

export const OBJECT_RULES: readonly ObjectRule[] = [
  {
    rule: "create",
    action: "create",
    kinds: OBJECT_KINDS,
    impact: () => "safe",
    message: () => "new object",
  },
  {
    // A source only points at data owned elsewhere (a table, a file, a topic): removing its
    // registry entry drops nothing, and validation guarantees no desired object still uses it.
    rule: "delete-data-source",
    action: "delete",
    kinds: ["data_source"],
    impact: () => "safe",
    message: () => "removes the source definition; the data it points at is untouched",
  },
  {
    rule: "delete",
    action: "delete",
    kinds: ["entity", ...FEATURE_VIEW_KINDS, "feature_service"],
    impact: () => "destructive",
    message: (ctx) =>
      STORED_VIEW_KINDS.includes(ctx.kind)
        ? "deletes the view and its online data"
        : ctx.kind === "feature_service"
          ? "deletes the service its consumers read from"
          : ctx.kind === "entity"
            ? "deletes the entity"
            : "deletes the view its consumers read from",
  },
  {
    rule: "replace-entity",
    action: "replace",
    kinds: ["entity"],
    impact: () => "rebuild",
    message: () => "join keys change: every dependent view's online table is rebuilt",
  },
  {
    rule: "replace-view",
    action: "replace",
    kinds: STORED_VIEW_KINDS,
    impact: (ctx) => (online(ctx.before) ? "rebuild" : "safe"),
    message: (ctx) =>
      online(ctx.before)
        ? "entities change: the online table is rebuilt with new key columns"
        : "entities change (offline view: nothing stored online)",
  },
  {
    rule: "replace-data-source",
    action: "replace",
    kinds: ["data_source"],
    impact: () => "safe",
    message: () => "source type changes; views keep their online data",
  },
];

export const FIELD_RULES: readonly FieldRule[] = [
  {
    rule: "online-off",
    kinds: STORED_VIEW_KINDS,
    path: /^online$/,
    impact: (fc) => (fc.before === true && fc.after !== true ? "destructive" : "safe"),
    message: (fc) =>
      fc.before === true && fc.after !== true
        ? "taken offline: its online table and data are dropped"
        : "served online from now on (an empty table to materialize)",
  },
  {
    rule: "schema-field",
    kinds: SCHEMA_KINDS,
    path: /^schema\.[^.]+$/,
    impact: (fc, ctx) =>
      fc.after === null
        ? "destructive"
        : fc.before === null
          ? "safe"
          : onlineBothSides(ctx)
            ? "rebuild"
            : "safe",
    message: (fc) =>
      fc.after === null
        ? `removes field ${fieldName(fc.path)}`
        : fc.before === null
          ? `adds field ${fieldName(fc.path)}`
          : `changes field ${fieldName(fc.path)}`,
  },
  {
    rule: "schema-dtype",
    kinds: SCHEMA_KINDS,
    path: /^schema\.[^.]+\.dtype$/,
    impact: (_fc, ctx) => (onlineBothSides(ctx) ? "rebuild" : "safe"),
    message: (fc) => `changes the type of ${fieldName(fc.path)}`,
  },
  {
    // The whole schema is one change when its order changed (see diffSpecs).
    rule: "schema-list",
    kinds: SCHEMA_KINDS,
    path: /^schema$/,
    impact: (fc, ctx) => {
      const b = namedItems(fc.before);
      const a = namedItems(fc.after);
      if ([...b.keys()].some((k) => !a.has(k))) return "destructive";
      // Only a dtype changes what a stored column means (a description or tags do not).
      const dtypeOf = (v: Json | undefined): Json =>
        isObject(v ?? null) ? ((v as JsonObject).dtype ?? null) : null;
      const retyped = [...b].some(([k, v]) => a.has(k) && !jsonEqual(dtypeOf(v), dtypeOf(a.get(k))));
      return retyped && onlineBothSides(ctx) ? "rebuild" : "safe";
    },
    message: (fc) => {
      const b = namedItems(fc.before);
      const a = namedItems(fc.after);
      const removed = [...b.keys()].filter((k) => !a.has(k));
      return removed.length > 0 ? `removes field ${removed.join(", ")}` : "reorders or retypes fields";
    },
  },
  {
    // A schema Field typing a join key (Feast's idiom): its dtype is the key column's type.
    rule: "key-column-dtype",
    kinds: STORED_VIEW_KINDS,
    path: /^entityColumns\.[^.]+\.dtype$/,
    impact: (_fc, ctx) => (onlineBothSides(ctx) ? "rebuild" : "safe"),
    message: (fc) => `changes the type of join key ${fieldName(fc.path)}`,
  },
  {
    rule: "identity",
    kinds: ["entity", ...STORED_VIEW_KINDS],
    path: /^(joinKeys|valueType|entities)$/,
    impact: (_fc, ctx) => (ctx.kind === "entity" || online(ctx.before) ? "rebuild" : "safe"),
    message: (fc) => `${last(fc.path)} change forces replacement`,
  },
  {
    rule: "aggregations",
    kinds: ["stream_feature_view"],
    path: /^aggregations(\.|$)/,
    impact: (_fc, ctx) => (onlineBothSides(ctx) ? "rebuild" : "safe"),
    message: () => "aggregations change: aggregated values are recomputed",
  },
  {
    rule: "service-features",
    kinds: ["feature_service"],
    path: /^features(\.|$)/,
    impact: (fc) => (servesLess(fc) ? "destructive" : "safe"),
    message: (fc) => (servesLess(fc) ? "serves fewer features to its consumers" : "serves more features"),
  },
  {
    rule: "metadata",
    kinds: OBJECT_KINDS,
    path: /^(tags|description|owner)(\.|$)/,
    impact: () => "safe",
    message: (fc) => `${fc.path.split(".")[0]} change`,
  },
  {
    // ttl, source, query/table/path, transform, on-demand sources, offline, batch sources,
    // timestamps and field mappings: read at materialization or request time, nothing stored
    // online is dropped.
    rule: "config",
    kinds: OBJECT_KINDS,
    path: /^/,
    impact: () => "safe",
    message: (fc) => `${fc.path.split(".")[0]} change`,
  },
];

/** The object rule for `ctx` (create, delete and replace have one; update has none). */
export function objectReason(ctx: ImpactContext): ImpactReason | null {
  const rule = OBJECT_RULES.find((r) => r.action === ctx.action && r.kinds.includes(ctx.kind));
  if (!rule) return null;
  return { impact: rule.impact(ctx), rule: rule.rule, path: null, message: rule.message(ctx) };
}

export function fieldReason(fc: FieldChange, ctx: ImpactContext): ImpactReason {
  const rule = FIELD_RULES.find((r) => r.kinds.includes(ctx.kind) && r.path.test(fc.path)) ?? configRule;
  return { impact: rule.impact(fc, ctx), rule: rule.rule, path: fc.path, message: rule.message(fc, ctx) };
}
const configRule = FIELD_RULES[FIELD_RULES.length - 1]!;

/**
 * The impact of one change and the reasons behind it. Creates and deletes are judged as a
 * whole (their fields list what is there, not what changes); updates and replaces by each
 * field, plus the replace rule.
 */
export function assessChange(
  ctx: ImpactContext,
  fields: readonly FieldChange[],
): { impact: Impact; reasons: ImpactReason[] } {
  const reasons: ImpactReason[] = [];
  const obj = objectReason(ctx);
  if (obj) reasons.push(obj);
  if (ctx.action === "update" || ctx.action === "replace") {
    for (const fc of fields) reasons.push(fieldReason(fc, ctx));
  }
  return { impact: worstImpact(reasons.map((r) => r.impact)), reasons };
}

/** The reasons of a planned change (recomputed from its specs and fields). */
export function explainChange(change: Change): ImpactReason[] {
  const ctx: ImpactContext = {
    kind: change.kind,
    action: change.action,
    before: (change.before as unknown as JsonObject | null) ?? null,
    after: (change.after as unknown as JsonObject | null) ?? null,
  };
  return assessChange(ctx, change.fields).reasons;
}

/**
 * The views whose online tables a change rebuilds besides its own object: replacing an entity
 * changes the key columns of every stored view downstream of it.
 */
export function rebuiltDependents(change: Pick<Change, "kind" | "action" | "dependents">): string[] {
  if (change.kind !== "entity" || change.action !== "replace") return [];
  return change.dependents.filter((id) => STORED_VIEW_KINDS.includes(splitId(id)[0]));
}

function namedItems(v: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  if (Array.isArray(v))
    for (const item of v) if (isObject(item) && typeof item.name === "string") out.set(item.name, item);
  return out;
}

/** Whether a feature-service change stops serving something it served before. */
function servesLess(fc: FieldChange): boolean {
  const parts = fc.path.split(".");
  if (parts.length === 1) {
    const b = servedByView(fc.before);
    const a = servedByView(fc.after);
    return [...b].some(([view, features]) => !a.has(view) || narrows(features, a.get(view) ?? null));
  }
  if (parts.length === 2) {
    if (fc.after === null) return fc.before !== null;
    const b = isObject(fc.before) ? (fc.before.features ?? null) : null;
    const a = isObject(fc.after) ? (fc.after.features ?? null) : null;
    return fc.before !== null && narrows(b, a);
  }
  return parts[2] === "features" && narrows(fc.before, fc.after);
}

function servedByView(v: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  if (Array.isArray(v)) {
    for (const item of v) {
      if (isObject(item) && typeof item.view === "string") out.set(item.view, item.features ?? null);
    }
  }
  return out;
}

/** null = every feature of the view. */
function narrows(before: Json, after: Json): boolean {
  if (after === null) return false;
  if (before === null) return true;
  if (!Array.isArray(before) || !Array.isArray(after)) return !jsonEqual(before, after);
  return before.some((f) => !after.includes(f));
}
