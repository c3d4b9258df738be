import * as core from "@actions/core";
import { applyProject } from "../commands/apply.js";
import type { ApplyOptions, ApplyOutcome, CommandContext } from "../commands/types.js";
import { planHasChanges } from "../model/plan.js";
import type { Plan } from "../model/plan.js";
import { buildComment, parseFingerprints, setSectionStatus } from "./comment.js";
import type { CommentFrame, CommentSection, FingerprintRecord } from "./comment.js";
import type { GitHubClient, IssueComment, PullRequestRef } from "./github-client.js";
import type { RunContext } from "./github-context.js";
import type { ActionSettings } from "./inputs.js";
import { renderApplyStatus } from "./markdown.js";
import type { ApplyStatus, SourceLinks } from "./markdown.js";
import { ALLOW_DESTROY_LABEL, ALLOW_REBUILD_LABEL, approvalsOf } from "./approvals.js";
import { annotate, savePlanJson, SUMMARY_LIMIT, writeJobSummary } from "./report.js";
import type { ActionResult } from "./report.js";
import { writeComment } from "./run-plan.js";
import { invalidBody, plannedBody, sectionTitle } from "./sections.js";
import { readStickyComment } from "./sticky-comment.js";
import { linkBase, resolveTargets } from "./targets.js";
import type { ProjectTarget } from "./targets.js";

/** The pull request a pushed commit came from: the one it merged, else one whose head it is. */
export function pickPullRequest(prs: readonly PullRequestRef[], sha: string): PullRequestRef | null {
  return (
    prs.find((p) => p.mergeCommitSha === sha && p.mergedAt !== null) ??
    prs.find((p) => p.mergedAt !== null && p.headSha === sha) ??
    prs.find((p) => p.headSha === sha) ??
    null
  );
}

interface ProjectResult {
  target: ProjectTarget;
  outcome: ApplyOutcome | null;
  status: ApplyStatus;
}

/**
 * `command: apply` (push to the default branch): apply each project only if its fresh plan is
 * the one reviewed on the pull request (same fingerprint), stop at the first failure, and
 * record each result in the PR comment's project section.
 */
export async function runApply(
  settings: ActionSettings,
  run: RunContext,
  ctx: CommandContext,
  client: GitHubClient | null,
): Promise<ActionResult> {
  if (run.eventName === "pull_request" || run.eventName === "pull_request_target") {
    // Applying from a PR run would apply code nobody has merged (and, for forks, nobody reviewed).
    throw new Error(
      `command "apply" does not run on ${run.eventName} events; apply on push to the default branch, after the pull request merged`,
    );
  }
  const targets = resolveTargets(settings, run);
  const reviewed = await findReviewedPlans(client, run, settings.requireReviewedPlan);
  const approvals = approvalsOf(settings, reviewed.pr?.labels ?? []);
  const approvingLabels = (reviewed.pr?.labels ?? []).filter(
    (l) => l === ALLOW_DESTROY_LABEL || l === ALLOW_REBUILD_LABEL,
  );
  if (reviewed.pr && approvingLabels.length > 0) {
    core.info(`pull request #${reviewed.pr.number} approves by its labels: ${approvingLabels.join(", ")}`);
  }
  const results: ProjectResult[] = [];
  let failure: ActionResult["failure"] = null;

  for (const target of targets) {
    const common = { commit: run.sha, runUrl: run.runUrl };
    if (failure) {
      const because = `an earlier project failed (${failure.reason ?? "error"})`;
      results.push({ target, outcome: null, status: { kind: "skipped", because, ...common } });
      continue;
    }
    const record = reviewed.records.find((r) => r.dir === target.repoPath);
    const opts: ApplyOptions = { allowDestroy: approvals.allowDestroy, allowRebuild: approvals.allowRebuild };
    let unreviewed: string | null = null;
    if (record) {
      opts.expectedProject = record.project;
      opts.expectedFingerprint = record.value;
      opts.expectedRegistry = { lineage: record.lineage, serial: record.serial };
    } else if (reviewed.comment || settings.requireReviewedPlan) {
      // No reviewed plan for this project: only "nothing to do" may pass.
      unreviewed = reviewed.comment
        ? `pull request #${reviewed.pr?.number} recorded no fsops plan for ${target.repoPath}, so these changes were never reviewed`
        : reviewed.missing;
      opts.confirm = () => Promise.resolve(false);
      // Nothing unreviewed is applied whatever it is: say so (no-reviewed-plan) rather than
      // ask for a destroy or rebuild approval that would not be enough.
      opts.allowDestroy = true;
    }
    const outcome = await core.group(`fsops apply ${target.repoPath}`, () =>
      applyProject(target.abs, ctx, opts),
    );
    const status = statusOf(outcome, record, reviewed.pr?.number ?? null, unreviewed, common);
    if (status.kind === "failed") {
      // The hint says how to proceed; the step's error line is often all a user reads.
      const hint = status.hint ? ` (${status.hint})` : "";
      failure = { reason: status.reason, message: `${target.repoPath}: ${status.message}${hint}` };
      if (outcome.status === "refused" || outcome.status === "failed") {
        if (outcome.invalid) annotate(target, outcome.invalid.diagnostics);
      }
    }
    core.info(`${target.repoPath}: ${status.kind}${status.kind === "failed" ? ` (${status.message})` : ""}`);
    results.push({ target, outcome, status });
  }

  const plans = results.flatMap((r) => planOf(r.outcome) ?? []);
  const applied = results.flatMap((r) =>
    r.outcome?.status === "applied" ? [{ target: r.target, plan: r.outcome.plan }] : [],
  );
  const planFiles = applied.map(({ target, plan }) => savePlanJson(run.tempDir, target, plan));

  await writeJobSummary(
    buildComment(
      results.map((r) => summarySection(r, run)),
      SUMMARY_LIMIT,
      applyFrame(run),
    ).body,
  );
  if (client && reviewed.comment) {
    await recordResults(client, reviewed.comment, results);
  }
  return { plans, planFiles, failure };
}

interface ReviewedPlans {
  pr: PullRequestRef | null;
  comment: IssueComment | undefined;
  records: FingerprintRecord[];
  /** Why there is no reviewed plan (when `records` is empty), for the failure message. */
  missing: string;
}

/**
 * The plans reviewed on the pull request the pushed commit came from. Anything that keeps
 * them from being found (no token, no pull request, no fsops comment, a GitHub API failure)
 * leaves none, and `missing` says why; with require-reviewed-plan that refuses every change.
 */
async function findReviewedPlans(
  client: GitHubClient | null,
  run: RunContext,
  required: boolean,
): Promise<ReviewedPlans> {
  const none = (missing: string, pr: PullRequestRef | null = null): ReviewedPlans => {
    if (required) core.info(`${missing}: no reviewed plan, so only projects without changes can pass`);
    else
      core.warning(
        `${missing}: planning and applying without a reviewed plan (require-reviewed-plan: false)`,
      );
    return { pr, comment: undefined, records: [], missing };
  };
  if (!client) return none("no github-token, so the pull request's reviewed plan cannot be read");
  let pr: PullRequestRef | null;
  try {
    pr = pickPullRequest(await client.listPullRequestsForCommit(run.sha), run.sha);
  } catch (err) {
    return none(`could not find the pull request of commit ${run.sha}: ${messageOf(err)}`);
  }
  if (!pr) return none(`no pull request is associated with commit ${run.sha} (a direct push?)`);
  let comment: IssueComment | undefined;
  try {
    comment = await readStickyComment(client, pr.number);
  } catch (err) {
    return none(`could not read the comments of pull request #${pr.number}: ${messageOf(err)}`, pr);
  }
  // Nothing was recorded (comment: false, or the comment was deleted): as with no PR.
  if (!comment) return none(`pull request #${pr.number} has no fsops plan comment`, pr);
  const records = parseFingerprints(comment.body);
  core.info(`pull request #${pr.number}: ${records.length} reviewed plan(s)`);
  return { pr, comment, records, missing: `the fsops comment of pull request #${pr.number} has no plan` };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const NO_REVIEWED_PLAN_HINT =
  "open a pull request with these changes, let the plan workflow comment its plan, review it and merge; or set require-reviewed-plan: false on the apply step to apply unreviewed pushes";

function statusOf(
  outcome: ApplyOutcome,
  record: FingerprintRecord | undefined,
  pr: number | null,
  unreviewed: string | null,
  common: { commit: string; runUrl: string | null },
): ApplyStatus {
  switch (outcome.status) {
    case "applied":
      return { kind: "applied", serial: outcome.serial, time: outcome.time, ...common };
    case "no-changes":
      return { kind: "no-changes", serial: outcome.serial, ...common };
    case "cancelled":
      return {
        kind: "failed",
        reason: "no-reviewed-plan",
        message: `${unreviewed ?? "no reviewed plan"}; refusing to apply changes nobody reviewed`,
        hint: NO_REVIEWED_PLAN_HINT,
        ...common,
      };
    case "refused":
    case "failed": {
      // The reviewed plan is stale but nothing is left to do (a re-run after success, or the
      // same change applied another way): applying nothing cannot apply anything unreviewed.
      if (outcome.reason === "plan-changed" && outcome.plan && !planHasChanges(outcome.plan)) {
        return { kind: "no-changes", serial: outcome.plan.registry.serial, ...common };
      }
      let message = outcome.message;
      if (outcome.reason === "plan-changed" && record && pr !== null) {
        message = `the plan reviewed on pull request #${pr} (commit ${record.commit.slice(0, 12)}) is not what would be applied now: ${outcome.message}`;
        const fresh = outcome.plan?.registry;
        if (fresh && fresh.serial === record.serial && fresh.lineage === record.lineage) {
          message += `; the registry is still at serial ${fresh.serial}, so the definitions at ${common.commit.slice(0, 12)} differ from the ones planned (another merge came first, or the PR changed after its last plan)`;
        }
      }
      return {
        kind: "failed",
        reason: outcome.reason,
        message,
        ...(outcome.hint ? { hint: outcome.hint } : {}),
        ...common,
      };
    }
  }
}

async function recordResults(
  client: GitHubClient,
  comment: IssueComment,
  results: ProjectResult[],
): Promise<void> {
  let body = comment.body;
  for (const r of results) {
    const next = setSectionStatus(body, r.target.repoPath, renderApplyStatus(r.status));
    if (next === null) core.info(`the PR comment has no section for ${r.target.repoPath}; not updated`);
    else body = next;
  }
  if (body === comment.body) return;
  await writeComment(async () => {
    await client.updateIssueComment(comment.id, body);
    return { action: "updated" };
  });
}

/** The plan an apply computed, if it got that far. */
function planOf(outcome: ApplyOutcome | null): Plan | undefined {
  return outcome && "plan" in outcome ? outcome.plan : undefined;
}

function summarySection(r: ProjectResult, run: RunContext): CommentSection {
  const links: SourceLinks = { linkBase: linkBase(run), projectPath: r.target.repoPath };
  const o = r.outcome;
  const plan = planOf(o);
  const invalid = o && (o.status === "refused" || o.status === "failed") ? o.invalid : undefined;
  return {
    dir: r.target.repoPath,
    title: sectionTitle(r.target, o?.project ?? null),
    fingerprint: null,
    status: renderApplyStatus(r.status),
    body: (detail) => {
      if (plan) return plannedBody(plan, [], links, detail);
      if (invalid) return invalidBody(o?.project ?? r.target.repoPath, invalid.diagnostics, links, detail);
      return "";
    },
  };
}

function applyFrame(run: RunContext): CommentFrame {
  return {
    heading: "fsops apply",
    subtitle: `Commit \`${run.sha.slice(0, 12)}\`.`,
    fullPlan: run.runUrl ? `Run: ${run.runUrl}` : "",
  };
}
