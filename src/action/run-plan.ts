import * as core from "@actions/core";
import { planProject } from "../commands/plan.js";
import type { CommandContext, ProjectPlanOutcome } from "../commands/types.js";
import { planHasChanges } from "../model/plan.js";
import type { Plan } from "../model/plan.js";
import { summaryCounts } from "../render/format.js";
import { approvalsOf, riskyCounts, riskyWords } from "./approvals.js";
import { buildComment, COMMENT_LIMIT, STATUS_RESERVE } from "./comment.js";
import type { CommentFrame } from "./comment.js";
import { GitHubApiError } from "./github-client.js";
import type { GitHubClient } from "./github-client.js";
import type { RunContext } from "./github-context.js";
import type { ActionSettings } from "./inputs.js";
import { annotate, savePlanJson, SUMMARY_LIMIT, writeJobSummary } from "./report.js";
import type { ActionResult } from "./report.js";
import { planSection } from "./sections.js";
import { upsertStickyComment } from "./sticky-comment.js";
import { linkBase, resolveTargets } from "./targets.js";
import type { ProjectTarget } from "./targets.js";

/**
 * `command: plan`: plan every project, save the JSON plans, annotate diagnostics, write the job
 * summary and (on pull requests) the sticky comment. Fails on invalid definitions.
 */
export async function runPlan(
  settings: ActionSettings,
  run: RunContext,
  ctx: CommandContext,
  client: GitHubClient | null,
): Promise<ActionResult> {
  const targets = resolveTargets(settings, run);
  const outcomes: { target: ProjectTarget; outcome: ProjectPlanOutcome }[] = [];
  for (const target of targets) {
    const outcome = await core.group(`fsops plan ${target.repoPath}`, async () => {
      const o = await planProject(target.abs, ctx, { checkSources: settings.checkSources });
      core.info(describeOutcome(o));
      return o;
    });
    if (outcome.status !== "error") annotate(target, outcome.diagnostics);
    outcomes.push({ target, outcome });
  }

  const plans = outcomes.flatMap(({ outcome }) => (outcome.status === "planned" ? [outcome.plan] : []));
  const planFiles = outcomes.flatMap(({ target, outcome }) =>
    outcome.status === "planned" ? [savePlanJson(run.tempDir, target, outcome.plan)] : [],
  );
  const approvals = approvalsOf(settings, run.labels);
  const sections = outcomes.map(({ target, outcome }) =>
    planSection(
      outcome,
      target,
      { linkBase: linkBase(run), projectPath: target.repoPath },
      run.headSha,
      approvals,
    ),
  );
  const heading = planHeading(plans);
  const hasJson = planFiles.length > 0;

  // The job summary first: the comment may point at it only if it holds the whole plan.
  const summary = buildComment(sections, SUMMARY_LIMIT, {
    heading,
    subtitle: planSubtitle(run),
    fullPlan: hasJson ? `Complete plan: ${PLAN_JSON}.` : "",
  });
  await writeJobSummary(summary.body);
  const frame = planFrame(run, heading, hasJson, summary.cut);

  const showsSomething =
    plans.some(planHasChanges) || outcomes.some(({ outcome }) => outcome.status !== "planned");
  if (client && run.pullRequest !== null && settings.comment !== "never") {
    const limit = COMMENT_LIMIT - Math.min(STATUS_RESERVE * sections.length, COMMENT_LIMIT / 4);
    const comment = buildComment(sections, limit, frame);
    const createIfMissing = settings.comment === "always" || showsSomething;
    await writeComment(() => upsertStickyComment(client, run.pullRequest!, comment.body, createIfMissing));
  } else if (run.pullRequest === null) {
    core.info("not a pull_request event: no PR comment (the plan is in the job summary)");
  }

  const invalid = outcomes.filter(({ outcome }) => outcome.status === "invalid");
  const errored = outcomes.filter(({ outcome }) => outcome.status === "error");
  let failure: ActionResult["failure"] = null;
  if (invalid.length > 0) {
    failure = {
      reason: "invalid-definitions",
      message: `invalid definitions in ${invalid.map(({ target }) => target.repoPath).join(", ")} (see the annotations)`,
    };
  } else if (errored.length > 0) {
    failure = {
      reason: null,
      message: errored
        .map(
          ({ target, outcome }) => `${target.repoPath}: ${outcome.status === "error" ? outcome.message : ""}`,
        )
        .join("; "),
    };
  }
  return { plans, planFiles, failure };
}

const PLAN_JSON = "the `plan-json` file of the step (upload it with actions/upload-artifact)";

/** "fsops plan", plus what needs approval so it shows in the PR's timeline: "· 2 destructive changes". */
function planHeading(plans: readonly Plan[]): string {
  const words = riskyWords(riskyCounts(plans));
  return words === "" ? "fsops plan" : `fsops plan · ⚠️ ${words}`;
}

function planSubtitle(run: RunContext): string {
  return `Planned at commit \`${run.headSha.slice(0, 12)}\`. Applied on merge only if this plan is still what the registry would get.`;
}

/**
 * The comment's frame. "Full plan" names the job summary only when the summary was not cut
 * itself; the complete plan is always the plan-json file.
 */
function planFrame(run: RunContext, heading: string, hasJson: boolean, summaryCut: boolean): CommentFrame {
  const where = run.runUrl ? `the [job summary](${run.runUrl})` : "the job summary";
  let fullPlan: string;
  if (!hasJson) fullPlan = `Full plan: ${where}.`;
  else if (summaryCut) fullPlan = `Complete plan: ${PLAN_JSON}; ${where} is cut to fit too.`;
  else fullPlan = `Full plan: ${where} and ${PLAN_JSON}.`;
  return { heading, subtitle: planSubtitle(run), fullPlan };
}

/**
 * Writing the comment never fails the step: the plan, the job summary and the outputs are
 * what count, and a read-only token (fork PRs), GitHub being down or a network error must not
 * lose them. Each failure is a warning that says which.
 */
export async function writeComment(write: () => Promise<{ action: string }>): Promise<void> {
  try {
    const result = await write();
    core.info(`PR comment: ${result.action}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof GitHubApiError && (err.status === 403 || err.status === 404)) {
      core.warning(
        `could not write the PR comment (${message}). Pull requests from forks get a read-only token; otherwise grant "permissions: pull-requests: write". The plan is in the job summary.`,
      );
      return;
    }
    core.warning(`could not write the PR comment (${message}). The plan is in the job summary.`);
  }
}

function describeOutcome(o: ProjectPlanOutcome): string {
  switch (o.status) {
    case "planned": {
      return `${o.project}: ${summaryCounts(o.plan)} (registry ${o.registryLocation}, serial ${o.plan.registry.serial})`;
    }
    case "invalid":
      return `${o.project ?? o.dir}: ${o.diagnostics.length} diagnostic(s)`;
    case "error":
      return `${o.project ?? o.dir}: ${o.message}`;
  }
}
