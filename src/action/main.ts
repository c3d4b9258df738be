import * as core from "@actions/core";
import { OctokitGitHubClient } from "./github-client.js";
import type { GitHubClient } from "./github-client.js";
import { readRunContext } from "./github-context.js";
import { getSettings } from "./inputs.js";
import { setOutputs } from "./report.js";
import type { ActionResult } from "./report.js";
import { runApply } from "./run-apply.js";
import { runPlan } from "./run-plan.js";
import { runValidate } from "./run-validate.js";
import { commandContext } from "./targets.js";

/**
 * The Action's entry point: read the inputs and the run context, run the command, set the
 * outputs. Every failure ends here as one `setFailed` with a message (never a stack trace).
 */
export async function run(): Promise<void> {
  try {
    const settings = getSettings();
    if (settings.githubToken) core.setSecret(settings.githubToken);
    const runContext = readRunContext(process.env, process.cwd());
    const ctx = commandContext(runContext, process.env);
    const client: GitHubClient | null = settings.githubToken
      ? new OctokitGitHubClient(settings.githubToken, runContext.apiUrl, runContext.owner, runContext.repo)
      : null;

    let result: ActionResult;
    switch (settings.command) {
      case "plan":
        result = await runPlan(settings, runContext, ctx, client);
        break;
      case "apply":
        result = await runApply(settings, runContext, ctx, client);
        break;
      case "validate":
        result = await runValidate(settings, runContext, ctx);
        break;
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
