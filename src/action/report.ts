import * as core from "@actions/core";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Plan } from "../model/plan.js";
import { planHasChanges } from "../model/plan.js";
import type { FailureReason } from "../commands/types.js";
import { renderPlanJson } from "../render/plan-json.js";
import { repoFile } from "./targets.js";
import type { ProjectTarget } from "./targets.js";

/** What a command run produced, turned into step outputs by `setOutputs`. */
export interface ActionResult {
  /** The plans computed (plan, validate: none) or applied, in project order. */
  plans: Plan[];
  /** Saved JSON plans, one per planned project. */
  planFiles: string[];
  failure: { reason: FailureReason | null; message: string } | null;
}

const OUTPUT_NAMES = [
  "changes",
  "create",
  "update",
  "replace",
  "delete",
  "destructive",
  "plan-json",
  "failure-reason",
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/** Pure: the step outputs of a result (sums over projects). */
export function outputsOf(result: ActionResult): Record<OutputName, string> {
  const sum = (k: "create" | "update" | "replace" | "delete"): string =>
    String(result.plans.reduce((n, p) => n + p.summary[k], 0));
  const destructive = result.plans.some(
    (p) =>
      p.changes.some((c) => c.impact === "destructive") || p.infra.some((a) => a.impact === "destructive"),
  );
  return {
    changes: String(result.plans.some(planHasChanges)),
    create: sum("create"),
    update: sum("update"),
    replace: sum("replace"),
    delete: sum("delete"),
    destructive: String(destructive),
    // Newline-separated: actions/upload-artifact takes the list as its `path` as is.
    "plan-json": result.planFiles.join("\n"),
    "failure-reason": result.failure?.reason ?? "",
  };
}

export function setOutputs(result: ActionResult): void {
  const outputs = outputsOf(result);
  for (const name of OUTPUT_NAMES) core.setOutput(name, outputs[name]);
}

/** Every diagnostic as a file annotation, located relative to the repository root. */
export function annotate(target: ProjectTarget, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const message = `${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ""}`;
    const props = { file: repoFile(target, d.file), startLine: d.line, startColumn: d.column };
    if (d.severity === "error") core.error(message, props);
    else core.warning(message, props);
  }
}

/** Save a project's plan as versioned JSON under RUNNER_TEMP; returns the path. */
export function savePlanJson(tempDir: string, target: ProjectTarget, plan: Plan): string {
  const dir = join(tempDir, "fsops");
  mkdirSync(dir, { recursive: true });
  const slug = target.repoPath === "." ? "root" : target.repoPath.replace(/[^A-Za-z0-9._-]+/g, "_");
  const path = join(dir, `${slug}.plan.json`);
  writeFileSync(path, renderPlanJson(plan));
  return path;
}

/** GitHub keeps at most 1 MiB of summary per step. */
export const SUMMARY_LIMIT = 1_000_000;

export async function writeJobSummary(markdown: string): Promise<void> {
  // Outside a runner (or on old runners) there is no summary file; the log still has everything.
  if (!process.env["GITHUB_STEP_SUMMARY"]) return;
  await core.summary.addRaw(markdown, true).write();
}
