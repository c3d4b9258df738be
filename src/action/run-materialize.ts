import * as core from "@actions/core";
import { loadConfig } from "../commands/load-project.js";
import type { CommandContext } from "../commands/types.js";
import { describeFailure } from "../materialize/failure.js";
import { materializeIncremental } from "../materialize/index.js";
import type { ViewResult } from "../materialize/index.js";
import type { RunContext } from "./github-context.js";
import type { ActionSettings } from "./inputs.js";
import type { ActionResult } from "./report.js";
import { writeJobSummary } from "./report.js";
import { resolveTargets } from "./targets.js";

/** A table cell: pipes and newlines would break the row. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * `command: materialize` (a scheduled workflow): `fsops materialize-incremental` for every
 * project up to now, optionally only the views that are `due`. Every project and view is tried;
 * the step fails (`materialize-failed`) when any view failed. One table in the job summary.
 */
export async function runMaterialize(
  settings: ActionSettings,
  run: RunContext,
  ctx: CommandContext,
): Promise<ActionResult> {
  const end = new Date();
  const rows: string[] = [];
  const failed: string[] = [];
  for (const target of resolveTargets(settings, run)) {
    const loaded = await loadConfig(target.abs, ctx);
    if (loaded.status === "invalid") {
      failed.push(`${target.repoPath} (invalid fsops.yaml)`);
      rows.push(`| ${cell(target.repoPath)} | | failed | | invalid fsops.yaml |`);
      continue;
    }
    for (const s of loaded.config.secrets) core.setSecret(s);
    let results: ViewResult[];
    try {
      results = await materializeIncremental(
        { config: loaded.config, who: ctx.who, dirLabel: target.repoPath },
        { end, views: settings.views.length > 0 ? settings.views : undefined, due: settings.due },
      );
    } catch (e) {
      const { message } = describeFailure(e, loaded.config.secrets);
      core.error(`${target.repoPath}: ${message}`);
      failed.push(target.repoPath);
      rows.push(`| ${cell(target.repoPath)} | | failed | | ${cell(message)} |`);
      continue;
    }
    for (const r of results) {
      const line = `${target.repoPath}: ${r.view} ${r.status}${r.status === "ok" ? ` ${r.rows} rows (${r.start ?? "beginning"}, ${r.end}]` : ""}${r.reason ? ` (${r.reason})` : ""}${r.error ? `: ${r.error.message}` : ""}`;
      if (r.status === "failed") {
        core.error(line);
        failed.push(`${target.repoPath}:${r.view}`);
      } else core.info(line);
      rows.push(
        `| ${cell(target.repoPath)} | ${cell(r.view)} | ${r.status} | ${r.status === "ok" ? r.rows : ""} | ${cell(r.error?.message ?? r.reason ?? `(${r.start ?? "beginning"}, ${r.end}]`)} |`,
      );
    }
  }
  await writeJobSummary(
    [
      "## fsops materialize",
      "",
      `Up to \`${end.toISOString()}\`.`,
      "",
      "| Project | View | Status | Rows | |",
      "|---|---|---|---|---|",
      ...rows,
    ].join("\n"),
  );
  return {
    plans: [],
    planFiles: [],
    failure:
      failed.length > 0
        ? { reason: "materialize-failed", message: `materialize failed for ${failed.join(", ")}` }
        : null,
  };
}
