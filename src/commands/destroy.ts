import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { RegistryLockedError } from "../model/registry.js";
import type { HistoryEntry } from "../model/registry.js";
import type { InfraAction } from "../model/plan.js";
import type { ProjectConfig } from "../model/config.js";
import { withLockedBackends } from "./backends.js";
import { describeError } from "./errors.js";
import type { CommandContext } from "./types.js";

export type DestroyOutcome =
  | { status: "destroyed"; project: string; actions: InfraAction[]; serial: number }
  | { status: "nothing"; project: string }
  | { status: "cancelled"; project: string }
  | { status: "refused" | "failed"; project: string; message: string; hint?: string };

/**
 * `fsops destroy`: drop this project's online tables/keys, then delete its registry state
 * (history kept). Refuses for a project with `protect: true`. Never touches another project.
 */
export async function destroyProject(
  config: ProjectConfig,
  ctx: CommandContext,
  opts: { confirm?: (actions: InfraAction[], objectCount: number) => Promise<boolean> },
): Promise<DestroyOutcome> {
  const project = config.project;
  if (config.protect) {
    return {
      status: "refused",
      project,
      message: `project ${project} is protected (protect: true in fsops.yaml)`,
      hint: "set protect: false in an applied change of its own first",
    };
  }
  const info = {
    id: randomUUID(),
    who: ctx.who,
    host: hostname(),
    pid: process.pid,
    time: new Date().toISOString(),
    operation: "destroy" as const,
  };
  try {
    return await withLockedBackends(
      config,
      info,
      async ({ registry, online, lock }): Promise<DestroyOutcome> => {
        const { state } = await registry.read(project);
        const actions = online ? await online.planDestroy(project, state?.infra ?? null) : [];
        if (!state && actions.length === 0) return { status: "nothing" as const, project };
        if (opts.confirm && !(await opts.confirm(actions, state?.objects.length ?? 0))) {
          return { status: "cancelled" as const, project };
        }
        // As in apply: the commit's lock before any DDL, so a refusal changes nothing.
        if (state) await registry.prepareCommit?.(lock);
        if (online && actions.length > 0) await online.apply(project, actions);
        if (state) {
          const history: HistoryEntry = {
            project,
            serial: state.serial + 1,
            time: new Date().toISOString(),
            who: ctx.who,
            commit: ctx.commit,
            fingerprint: "destroy",
            changes: state.objects.map((o) => ({ kind: o.kind, name: o.name, action: "delete" as const })),
            infra: actions.map((a) => `${a.action} ${a.target}`),
          };
          await registry.deleteState(lock, { lineage: state.lineage, serial: state.serial }, history);
        }
        return { status: "destroyed" as const, project, actions, serial: (state?.serial ?? 0) + 1 };
      },
    );
  } catch (err) {
    const status = err instanceof RegistryLockedError ? "refused" : "failed";
    return { status, project, ...describeError(err, config.secrets, config.dir) };
  }
}
