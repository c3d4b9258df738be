import type { Plan } from "../model/plan.js";

/** `kind.name` of every change or infra action whose impact is destructive. */
export function destructiveChanges(plan: Plan): string[] {
  const out = new Set<string>();
  for (const c of plan.changes) if (c.impact === "destructive") out.add(`${c.kind}.${c.name} (${c.action})`);
  for (const a of plan.infra) if (a.impact === "destructive") out.add(`${a.action} ${a.target}`);
  return [...out];
}

/**
 * `kind.name (action)` of every change, and `action target` of every online-store action, that
 * rebuilds online data: the table is dropped and recreated empty, so the view serves nothing
 * until it is materialized again. Needs the same explicit approval as a destructive change.
 */
export function rebuildChanges(plan: Plan): string[] {
  const out = new Set<string>();
  for (const c of plan.changes) if (c.impact === "rebuild") out.add(`${c.kind}.${c.name} (${c.action})`);
  for (const a of plan.infra) if (a.impact === "rebuild") out.add(`${a.action} ${a.target}`);
  return [...out];
}

/** Why a saved plan no longer matches: the registry moved, or the definitions differ. */
export function describeStalePlan(
  expected: { lineage: string | null; serial: number } | undefined,
  fresh: Plan,
): string {
  if (expected && expected.lineage === null && fresh.registry.lineage !== null) {
    return `the plan is stale: it was made before the registry existed, and another apply has since created it (now at serial ${fresh.registry.serial})`;
  }
  if (expected && expected.lineage !== fresh.registry.lineage) {
    return `the plan is stale: it was made for registry lineage ${expected.lineage ?? "(none)"}, the registry now has lineage ${fresh.registry.lineage ?? "(none)"}`;
  }
  if (expected && expected.serial !== fresh.registry.serial) {
    return `the plan is stale: the registry moved from serial ${expected.serial} to ${fresh.registry.serial} since it was made (another apply came first)`;
  }
  return "the plan is stale: the definitions or the online store differ from when the plan was made (fingerprint mismatch)";
}
