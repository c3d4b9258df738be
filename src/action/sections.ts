/** One comment / job-summary section per project, from a command's outcome. Pure. */
import type { ProjectPlanOutcome } from "../commands/types.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Plan } from "../model/plan.js";
import { countImpacts } from "../render/format.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { approvalNotice } from "./approvals.js";
import type { Approvals } from "./approvals.js";
import { firstLine } from "./comment.js";
import type { CommentSection, Detail } from "./comment.js";
import { codeSpan, escapeInline } from "../render/markdown.js";
import { countDiagnostics, renderDiagnosticsTable, renderErrorBlock } from "./markdown.js";
import type { SourceLinks } from "./markdown.js";
import type { ProjectTarget } from "./targets.js";

/** Rows of diagnostics kept once the comment has to shrink. */
const SHORT_DIAGNOSTIC_ROWS = 20;

export function sectionTitle(target: ProjectTarget, project: string | null): string {
  const dir = codeSpan(target.repoPath);
  return project === null ? dir : `${dir} · project ${codeSpan(project)}`;
}

/**
 * The section of a planned, invalid or failed project; `commit` is the commit the plan is for.
 * With `approvals`, a plan with destructive changes or rebuilds starts with what merging does.
 */
export function planSection(
  outcome: ProjectPlanOutcome,
  target: ProjectTarget,
  links: SourceLinks,
  commit: string,
  approvals: Approvals | null = null,
): CommentSection {
  const base = { dir: target.repoPath, title: sectionTitle(target, outcome.project), status: "" };
  const label = outcome.project ?? target.repoPath;
  switch (outcome.status) {
    case "planned": {
      const { plan } = outcome;
      return {
        ...base,
        fingerprint: {
          project: plan.project,
          dir: target.repoPath,
          value: plan.fingerprint,
          lineage: plan.registry.lineage,
          serial: plan.registry.serial,
          commit,
        },
        rows: plan.changes.length,
        body: (detail, rows) =>
          plannedBody(plan, outcome.diagnostics, links, detail, {
            rows,
            notice: approvals ? approvalNotice(plan, approvals) : null,
          }),
      };
    }
    case "invalid":
      return {
        ...base,
        fingerprint: null,
        body: (detail) => invalidBody(label, outcome.diagnostics, links, detail),
      };
    case "error":
      return {
        ...base,
        fingerprint: null,
        body: () =>
          `**${escapeInline(label)}**: could not plan.\n\n${renderErrorBlock(outcome.message, outcome.hint)}`,
      };
  }
}

/** A plan rendered by the shared renderer, plus the warnings found while planning. */
export function plannedBody(
  plan: Plan,
  warnings: readonly Diagnostic[],
  links: SourceLinks,
  detail: Detail | "minimal",
  extra: { rows?: number | undefined; notice?: string | null } = {},
): string {
  const renderOpts = {
    projectDir: links.projectPath,
    ...(links.linkBase ? { linkBase: `${links.linkBase}/` } : {}),
    ...(extra.rows !== undefined ? { maxRows: extra.rows } : {}),
  };
  // The approval notice survives every stage: whether merging applies is never cut.
  const body = plannedBodyAt(plan, warnings, links, detail, renderOpts);
  if (!extra.notice) return body;
  const [head, ...rest] = body.split("\n");
  return [head, "", extra.notice, ...rest].join("\n");
}

function plannedBodyAt(
  plan: Plan,
  warnings: readonly Diagnostic[],
  links: SourceLinks,
  detail: Detail | "minimal",
  renderOpts: { projectDir: string; linkBase?: string; maxRows?: number },
): string {
  if (detail === "minimal") {
    // The summary stage may still list every destructive change; here only the counts survive.
    const summary = renderPlanMarkdown(plan, { ...renderOpts, detail: "summary" });
    const { destructive, rebuild } = countImpacts(plan.changes);
    const lines = [firstLine(summary)];
    if (destructive > 0 || rebuild > 0) {
      lines.push(
        "",
        `> [!CAUTION]\n> ${destructive} destructive and ${rebuild} rebuild change(s): see the job summary for which.`,
      );
    }
    return lines.join("\n");
  }
  const parts = [renderPlanMarkdown(plan, { ...renderOpts, detail })];
  if (warnings.length > 0) {
    parts.push(
      `**Warnings** (${countDiagnostics(warnings)})`,
      renderDiagnosticsTable(warnings, links, detail === "summary" ? SHORT_DIAGNOSTIC_ROWS : undefined),
    );
  }
  return parts.join("\n\n");
}

export function invalidBody(
  label: string,
  diagnostics: readonly Diagnostic[],
  links: SourceLinks,
  detail: Detail | "minimal",
): string {
  const head = `**${escapeInline(label)}**: definitions are invalid (${countDiagnostics(diagnostics)}); nothing was planned.`;
  if (detail === "minimal") return head;
  const rows = detail === "full" || detail === "no-diagrams" ? undefined : SHORT_DIAGNOSTIC_ROWS;
  return `${head}\n\n${renderDiagnosticsTable(diagnostics, links, rows)}`;
}
