/**
 * Approvals for changes that lose data: destructive changes and rebuilds are applied only when
 * the workflow allows them (inputs `allow-destroy` / `allow-rebuild`) or the pull request carries
 * the label `fsops:allow-destroy` / `fsops:allow-rebuild`. Labels approve one pull request without
 * a workflow edit; GitHub lets people with triage or write access set them. Pure.
 */
import type { Plan } from "../model/plan.js";
import { changeId, plural } from "../render/format.js";
import { codeSpan } from "../render/markdown.js";

export const ALLOW_DESTROY_LABEL = "fsops:allow-destroy";
export const ALLOW_REBUILD_LABEL = "fsops:allow-rebuild";

export interface Approvals {
  allowDestroy: boolean;
  /** True when destroy is allowed too: a destroy approval covers dropping online data. */
  allowRebuild: boolean;
  /** What approved destroy (Markdown), or null. */
  destroyBy: string | null;
  /** What approved rebuilds (Markdown), or null. */
  rebuildBy: string | null;
}

/** The approvals of a run: step inputs first, then the pull request's labels. */
export function approvalsOf(
  inputs: { allowDestroy: boolean; allowRebuild: boolean },
  labels: readonly string[],
): Approvals {
  const destroyBy = inputs.allowDestroy
    ? `the input ${codeSpan("allow-destroy")}`
    : labels.includes(ALLOW_DESTROY_LABEL)
      ? `the label ${codeSpan(ALLOW_DESTROY_LABEL)}`
      : null;
  const rebuildBy =
    destroyBy ??
    (inputs.allowRebuild
      ? `the input ${codeSpan("allow-rebuild")}`
      : labels.includes(ALLOW_REBUILD_LABEL)
        ? `the label ${codeSpan(ALLOW_REBUILD_LABEL)}`
        : null);
  return { allowDestroy: destroyBy !== null, allowRebuild: rebuildBy !== null, destroyBy, rebuildBy };
}

/**
 * What needs approval, counted per object: a deleted view and the drop of its table are one
 * destructive change; an online-store action counts on its own only when no change of its
 * view has that impact (drift). Apply's guards (destructiveChanges, rebuildChanges) list both.
 */
export function riskyCounts(plans: readonly Plan[]): { destructive: number; rebuild: number } {
  const counts = { destructive: 0, rebuild: 0 };
  for (const p of plans) {
    for (const impact of ["destructive", "rebuild"] as const) {
      const changed = new Set(p.changes.filter((c) => c.impact === impact).map((c) => changeId(c)));
      const loose = p.infra.filter(
        (a) => a.impact === impact && (a.object === null || !changed.has(a.object)),
      );
      counts[impact] += changed.size + loose.length;
    }
  }
  return counts;
}

export function riskyWords(counts: { destructive: number; rebuild: number }): string {
  const parts = [];
  if (counts.destructive > 0) parts.push(plural(counts.destructive, "destructive change"));
  if (counts.rebuild > 0) parts.push(plural(counts.rebuild, "rebuild"));
  return parts.join(" and ");
}

/**
 * The block a plan's comment section starts with when merging it would drop data: says plainly
 * whether merging applies it, and how to approve it for this pull request. Null when the plan
 * has nothing that needs approval.
 */
export function approvalNotice(plan: Plan, approvals: Approvals): string | null {
  const counts = riskyCounts([plan]);
  if (counts.destructive === 0 && counts.rebuild === 0) return null;
  const what = riskyWords(counts);
  const missingDestroy = counts.destructive > 0 && !approvals.allowDestroy;
  const missingRebuild = counts.rebuild > 0 && !approvals.allowRebuild;
  if (!missingDestroy && !missingRebuild) {
    const by = counts.destructive > 0 ? approvals.destroyBy : approvals.rebuildBy;
    return [
      "> [!CAUTION]",
      `> **Merging applies ${what}**, approved by ${by ?? "the workflow"}. Data they drop is gone; rebuilt views serve nothing until materialized again.`,
    ].join("\n");
  }
  const label = missingDestroy ? ALLOW_DESTROY_LABEL : ALLOW_REBUILD_LABEL;
  const input = missingDestroy ? "allow-destroy: true" : "allow-rebuild: true";
  return [
    "> [!CAUTION]",
    `> **Merging will not apply this plan**: it has ${what}, and apply refuses ${missingDestroy ? "destructive changes" : "rebuilds"} unless they are approved.`,
    `> To approve them for this pull request, add the label ${codeSpan(label)} (people with triage or write access can), then merge; or set ${codeSpan(input)} on the apply step.`,
  ].join("\n");
}
