import * as core from "@actions/core";
import type { GitHubClient } from "./github-client.js";
import { readRunContext } from "./github-context.js";
import type { RunContext } from "./github-context.js";
import { getSettings } from "./inputs.js";
import type { ActionSettings } from "./inputs.js";
import { setOutputs } from "./report.js";
import type { ActionResult } from "./report.js";
import { commandContext } from "./targets.js";

/**
 * The Action's entry point: read the inputs and the run context, run the command, set the
 * outputs. Every failure ends here as one `setFailed` with a message (never a stack trace).
 * Each command's module (and the GitHub client) is imported when that command runs: the bundle
 * is split in chunks (scripts/build-action.mjs), so `validate` never loads Octokit, the
 * registry drivers or PGlite.
 */
export async function run(): Promise<void> {
  try {
    const settings = getSettings();
    if (settings.githubToken) core.setSecret(settings.githubToken);
    const runContext = readRunContext(process.env, process.cwd());
    const ctx = commandContext(runContext, process.env);
    // Every secret fsops.yaml yields (interpolated values, written passwords) is masked in the log too.
    ctx.onSecrets = (secrets) => secrets.forEach((s) => core.setSecret(s));
    let result: ActionResult;
    switch (settings.command) {
      case "plan": {
        const { runPlan } = await import("./run-plan.js");
        result = await runPlan(settings, runContext, ctx, await githubClient(settings, runContext));
        break;
      }
      case "apply": {
        const { runApply } = await import("./run-apply.js");
        result = await runApply(settings, runContext, ctx, await githubClient(settings, runContext));
        break;
      }
      case "validate": {
        const { runValidate } = await import("./run-validate.js");
        result = await runValidate(settings, runContext, ctx);
        break;
      }
      case "materialize":
        // Loaded only for this command: plan and apply never load the data plane.
        result = await (await import("./run-materialize.js")).runMaterialize(settings, runContext, ctx);
        break;
    }
    setOutputs(result);
    if (result.failure) core.setFailed(result.failure.message);
  } catch (err) {
    // Expected failures carry a readable message; the stack only helps with a step debug log.
    if (err instanceof Error && err.stack) core.debug(err.stack);
    core.setFailed(err instanceof Error ? err.message : String(err));
  }
}

/** The GitHub API client for the token given, or null without one (no comment, no PR lookup). */
async function githubClient(settings: ActionSettings, runContext: RunContext): Promise<GitHubClient | null> {
  if (!settings.githubToken) return null;
  const { OctokitGitHubClient } = await import("./github-client.js");
  return new OctokitGitHubClient(settings.githubToken, runContext.apiUrl, runContext.owner, runContext.repo);
}
