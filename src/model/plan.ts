import type { ObjectKind } from "./kinds.js";
import type { Json } from "./json.js";
import type { AnySpec } from "./spec.js";

export type Action = "create" | "update" | "replace" | "delete";
/** safe < rebuild (online data dropped, must be re-materialized) < destructive (data or a dependency lost). */
export type Impact = "safe" | "rebuild" | "destructive";
export const IMPACT_ORDER: readonly Impact[] = ["safe", "rebuild", "destructive"];

export function worstImpact(impacts: Iterable<Impact>): Impact {
  let worst: Impact = "safe";
  for (const i of impacts) if (IMPACT_ORDER.indexOf(i) > IMPACT_ORDER.indexOf(worst)) worst = i;
  return worst;
}

/** One changed leaf of a spec; `path` is dotted (`schema.conv_rate.dtype`, `tags.team`). null = absent. */
export interface FieldChange {
  path: string;
  before: Json;
  after: Json;
}

export interface Change {
  kind: ObjectKind;
  name: string;
  action: Action;
  impact: Impact;
  fields: FieldChange[];
  /** `kind:name` of every object downstream of this one (transitively), sorted. */
  dependents: string[];
  /** Definition location for create/update/replace; the last applied location for delete. */
  file: string | null;
  line: number | null;
  before: AnySpec | null;
  after: AnySpec | null;
}

/**
 * One online-store action with exactly what will run. `statements` are the exact SQL for
 * Postgres, or a description of the key clean-up for Redis.
 */
export interface InfraAction {
  store: "postgres" | "redis";
  action:
    | "create_table"
    | "add_column"
    | "drop_column"
    | "rebuild_table"
    | "drop_table"
    | "repair"
    | "delete_keys"
    | "write_meta"
    | "create_schema";
  /** The table or key prefix the action is on (safe to print). */
  target: string;
  /** The feature view it belongs to (`kind:name`), when any. */
  object: string | null;
  impact: Impact;
  /** Why: "new view", "drift: table missing", … */
  reason: string;
  statements: string[];
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

export interface Plan {
  formatVersion: 1;
  project: string;
  /** The registry state the plan was computed against (lineage null = no state yet, serial 0). */
  registry: { lineage: string | null; serial: number };
  summary: PlanSummary;
  /** Objects that did not change (counted, not listed). */
  unchanged: number;
  /** Sorted by kind order, then name. */
  changes: Change[];
  infra: InfraAction[];
  /** sha256 of the normalized changes + infra, bound to lineage and serial. */
  fingerprint: string;
}

export function planHasChanges(plan: Plan): boolean {
  return plan.changes.length > 0 || plan.infra.length > 0;
}
