import { redactSecrets } from "../config/redact.js";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { nextRegistryObjects } from "../plan/apply-plan.js";
import { planHasChanges } from "../model/plan.js";
import { REGISTRY_FORMAT_VERSION, RegistryBusyError, RegistryLockedError } from "../model/registry.js";
import type { HistoryEntry, LockInfo, RegistryState } from "../model/registry.js";
import type { Plan } from "../model/plan.js";
import { OnlineStoreConflictError } from "../infra/errors.js";
import { shellWord } from "./errors.js";
import { redactPlan } from "./redact-plan.js";
import { loadProject } from "./load-project.js";
import { planAgainst } from "./compute-plan.js";
import { withLockedBackends } from "./backends.js";
import { describeError } from "./errors.js";
import { destructiveChanges, describeStalePlan, rebuildChanges } from "./apply-guards.js";
import type { ApplyOptions, ApplyOutcome, CommandContext } from "./types.js";

/**
 * `fsops apply` for one project: lock → read → re-plan → verify the expected fingerprint →
 * refuse destructive changes and rebuilds unless allowed → provision the online store (idempotent DDL) →
 * commit the registry with serial+1 (compare-and-swap) and a history entry → unlock.
 * A failure before the commit leaves the registry as it was; the DDL converges on re-run.
 */
export async function applyProject(
  dir: string,
  ctx: CommandContext,
  opts: ApplyOptions,
): Promise<ApplyOutcome> {
  let secrets: readonly string[] = [];
  const onSecrets = (found: readonly string[]): void => {
    secrets = found;
    ctx.onSecrets?.(found);
  };
  const outcome = await applyLoaded(dir, { ...ctx, onSecrets }, opts);
  // Everything in the outcome is for showing (CLI, PR comment, outputs): secrets masked — the plan,
  // and the messages that quote its targets (an interpolated schema name is a secret).
  return redactOutcome(outcome, secrets);
}

function redactOutcome(outcome: ApplyOutcome, secrets: readonly string[]): ApplyOutcome {
  if (secrets.length === 0) return outcome;
  const clean = (text: string) => redactSecrets(text, secrets);
  const out: Record<string, unknown> = { ...outcome };
  if ("plan" in outcome && outcome.plan) out.plan = redactPlan(outcome.plan, secrets);
  for (const key of ["message", "hint"] as const) {
    const v = out[key];
    if (typeof v === "string") out[key] = clean(v);
  }
  const changed = out.onlineStoreChanged as { actions: string[]; partly: boolean } | undefined;
  if (changed) out.onlineStoreChanged = { ...changed, actions: changed.actions.map(clean) };
  return out as unknown as ApplyOutcome;
}

async function applyLoaded(dir: string, ctx: CommandContext, opts: ApplyOptions): Promise<ApplyOutcome> {
  const loaded = await loadProject(dir, ctx);
  if (loaded.status === "invalid") {
    return {
      status: "refused",
      dir,
      project: loaded.project,
      reason: "invalid-definitions",
      message: "the definitions or fsops.yaml have errors",
      invalid: { diagnostics: loaded.diagnostics, sources: loaded.sources },
    };
  }
  const { config, definitions } = loaded;
  const project = config.project;
  if (opts.expectedProject !== undefined && opts.expectedProject !== project) {
    return {
      status: "refused",
      dir,
      project,
      reason: "plan-changed",
      message: `the plan was made for project ${opts.expectedProject}, but ${dir} is project ${project}`,
    };
  }
  const failed = (err: unknown, plan?: Plan): ApplyOutcome => ({
    status: "failed",
    dir,
    project,
    reason: "apply-failed",
    ...describeError(err, config.secrets, dir),
    ...(plan ? { plan } : {}),
  });

  const info: LockInfo = {
    id: randomUUID(),
    who: ctx.who,
    host: hostname(),
    pid: process.pid,
    time: new Date().toISOString(),
    operation: "apply",
  };
  try {
    return await withLockedBackends(
      config,
      info,
      async ({ registry, online, lock }): Promise<ApplyOutcome> => {
        const { state } = await registry.read(project);
        const { plan, infraRecord } = await planAgainst(config, definitions.desired, state, online);

        if (opts.expectedFingerprint !== undefined && opts.expectedFingerprint !== plan.fingerprint) {
          return {
            status: "refused",
            dir,
            project,
            reason: "plan-changed",
            message: describeStalePlan(opts.expectedRegistry, plan),
            hint: "run fsops plan again, review it, and apply the new plan",
            plan,
          };
        }
        if (!planHasChanges(plan)) {
          return { status: "no-changes", dir, project, plan, serial: state?.serial ?? 0 };
        }
        const destructive = destructiveChanges(plan);
        if (destructive.length > 0 && !opts.allowDestroy) {
          return {
            status: "refused",
            dir,
            project,
            reason: "destructive-not-allowed",
            message: `the plan has destructive changes: ${destructive.join(", ")}`,
            hint: "review them, then re-run with --allow-destroy (Action: input allow-destroy: true, or the pull request label fsops:allow-destroy)",
            plan,
          };
        }
        // A rebuild empties a table that serves production until it is materialized again.
        const rebuilds = rebuildChanges(plan);
        if (rebuilds.length > 0 && !opts.allowRebuild && !opts.allowDestroy) {
          return {
            status: "refused",
            dir,
            project,
            reason: "rebuild-not-allowed",
            message: `the plan rebuilds online data (tables dropped and recreated empty until materialized again): ${rebuilds.join(", ")}`,
            hint: "review them, then re-run with --allow-rebuild (Action: input allow-rebuild: true, or the pull request label fsops:allow-rebuild)",
            plan,
          };
        }
        if (opts.confirm && !(await opts.confirm(plan))) {
          return { status: "cancelled", dir, project, plan };
        }

        // What the commit needs exclusively is taken now: once DDL ran, the commit cannot then
        // wait for or be refused a lock (a refusal here has changed nothing).
        await registry.prepareCommit?.(lock);

        if (online && plan.infra.length > 0) {
          try {
            await online.apply(project, plan.infra);
          } catch (err) {
            // Postgres DDL runs in one transaction (rolled back); Redis commands may have partly run.
            const partly = online.store === "redis" ? plan.infra.map((a) => `${a.action} ${a.target}`) : [];
            return failedAfter(failed(err, plan), partly, true);
          }
        }
        const time = new Date().toISOString();
        const next: RegistryState = {
          formatVersion: REGISTRY_FORMAT_VERSION,
          project,
          lineage: state?.lineage ?? randomUUID(),
          serial: (state?.serial ?? 0) + 1,
          updatedAt: time,
          appliedBy: ctx.who,
          objects: nextRegistryObjects(definitions.desired, state, plan),
          infra: infraRecord,
        };
        const history: HistoryEntry = {
          project,
          serial: next.serial,
          time,
          who: ctx.who,
          commit: ctx.commit,
          fingerprint: plan.fingerprint,
          changes: plan.changes.map((c) => ({ kind: c.kind, name: c.name, action: c.action })),
          infra: plan.infra.map((a) => `${a.action} ${a.target}`),
        };
        try {
          await registry.commit(
            lock,
            state ? { lineage: state.lineage, serial: state.serial } : null,
            next,
            history,
          );
        } catch (err) {
          // The online store already has the plan's changes: say so, never "nothing was changed".
          const ran = online ? plan.infra.map((a) => `${a.action} ${a.target}`) : [];
          return failedAfter(failed(err, plan), ran, false);
        }
        return { status: "applied", dir, project, plan, serial: next.serial, time };
      },
    );
  } catch (err) {
    // Found while planning, before any DDL: a refusal, nothing was changed.
    if (err instanceof OnlineStoreConflictError) {
      return {
        status: "refused",
        dir,
        project,
        reason: "apply-failed",
        ...describeError(err, config.secrets),
      };
    }
    if (err instanceof RegistryLockedError || err instanceof RegistryBusyError) {
      return {
        status: "refused",
        dir,
        project,
        reason: "locked",
        ...describeError(err, config.secrets, dir),
      };
    }
    return failed(err);
  }
}

/**
 * A failure after online-store actions ran (or may have partly run): the outcome lists them, and
 * the hint says a re-run finishes the job (the DDL and key clean-ups are idempotent, and the
 * re-run's plan starts from the registry, which is unchanged).
 */
function failedAfter(outcome: ApplyOutcome, ran: string[], partly: boolean): ApplyOutcome {
  if (ran.length === 0 || (outcome.status !== "failed" && outcome.status !== "refused")) return outcome;
  return {
    ...outcome,
    status: "failed",
    reason: "apply-failed",
    onlineStoreChanged: { actions: ran, partly },
    hint: `re-run fsops apply ${shellWord(outcome.dir)} to finish: the online store is changed${partly ? " (perhaps partly)" : ""} but the registry is not, and the re-run repairs that`,
  };
}
