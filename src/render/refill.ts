import type { Plan } from "../model/plan.js";

/**
 * Views whose online data a plan drops (rebuilt tables / deleted keys of a view that stays), and
 * the command that refills them: `fsops materialize-incremental <dir> --views a,b`. Null when none.
 */
export function refillCommand(plan: Plan, dir: string): string | null {
  const views = new Set<string>();
  for (const a of plan.infra) {
    if (a.impact !== "rebuild" || a.object === null) continue;
    const colon = a.object.indexOf(":");
    views.add(colon < 0 ? a.object : a.object.slice(colon + 1));
  }
  if (views.size === 0) return null;
  const list = [...views].sort().join(",");
  const where = /^[\w./-]+$/.test(dir) ? dir : JSON.stringify(dir);
  return `fsops materialize-incremental ${where} --views ${list}`;
}
