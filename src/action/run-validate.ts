import * as core from "@actions/core";
import { loadProject } from "../commands/load-project.js";
import type { CommandContext } from "../commands/types.js";
import { buildComment } from "./comment.js";
import type { CommentSection } from "./comment.js";
import type { RunContext } from "./github-context.js";
import type { ActionSettings } from "./inputs.js";
import { countDiagnostics, renderDiagnosticsTable } from "./markdown.js";
import { plural } from "../render/format.js";
import { escapeInline } from "../render/markdown.js";
import { annotate, SUMMARY_LIMIT, writeJobSummary } from "./report.js";
import type { ActionResult } from "./report.js";
import { invalidBody, sectionTitle } from "./sections.js";
import { linkBase, resolveTargets } from "./targets.js";

/**
 * `command: validate`: read and validate the definitions of every project (no registry, no
 * store, no comment), annotate every diagnostic, fail when any is an error.
 */
export async function runValidate(
  settings: ActionSettings,
  run: RunContext,
  ctx: CommandContext,
): Promise<ActionResult> {
  const sections: CommentSection[] = [];
  const invalid: string[] = [];
  for (const target of resolveTargets(settings, run)) {
    const loaded = await loadProject(target.abs, ctx);
    const links = { linkBase: linkBase(run), projectPath: target.repoPath };
    const diagnostics = loaded.status === "invalid" ? loaded.diagnostics : loaded.definitions.diagnostics;
    annotate(target, diagnostics);
    const project = loaded.status === "invalid" ? loaded.project : loaded.config.project;
    let body: CommentSection["body"];
    if (loaded.status === "invalid") {
      invalid.push(target.repoPath);
      body = (detail) => invalidBody(project ?? target.repoPath, diagnostics, links, detail);
    } else {
      const n = loaded.definitions.desired.objects.length;
      const head = `**${escapeInline(project ?? target.repoPath)}**: ${plural(n, "object")}, valid${diagnostics.length > 0 ? ` (${countDiagnostics(diagnostics)})` : ""}.`;
      body = (detail) =>
        detail === "minimal" ? head : `${head}\n\n${renderDiagnosticsTable(diagnostics, links)}`;
    }
    core.info(
      `${target.repoPath}: ${loaded.status === "invalid" ? "invalid" : "valid"} (${countDiagnostics(diagnostics)})`,
    );
    sections.push({
      dir: target.repoPath,
      title: sectionTitle(target, project),
      fingerprint: null,
      status: "",
      body,
    });
  }
  const frame = {
    heading: "fsops validate",
    subtitle: `Commit \`${run.headSha.slice(0, 12)}\`.`,
    fullPlan: "",
  };
  await writeJobSummary(buildComment(sections, SUMMARY_LIMIT, frame).body);
  return {
    plans: [],
    planFiles: [],
    failure:
      invalid.length > 0
        ? {
            reason: "invalid-definitions",
            message: `invalid definitions in ${invalid.join(", ")} (see the annotations)`,
          }
        : null,
  };
}
