import { loadProject } from "./load-project.js";
import { computePlan } from "./compute-plan.js";
import { describeError } from "./errors.js";
import { redactPlan } from "./redact-plan.js";
import type { CommandContext, ProjectPlanOutcome } from "./types.js";

/** `fsops plan` for one project folder: read-only against the registry and the online store. */
export async function planProject(
  dir: string,
  ctx: CommandContext,
  opts: { checkSources?: boolean } = {},
): Promise<ProjectPlanOutcome> {
  const loaded = await loadProject(dir, ctx);
  if (loaded.status === "invalid") return loaded;
  const { config, definitions } = loaded;
  try {
    const computed = await computePlan(config, definitions.desired, {
      checkSources: opts.checkSources ?? false,
    });
    const diagnostics = [...definitions.diagnostics, ...computed.sourceDiagnostics];
    if (computed.sourceDiagnostics.some((d) => d.severity === "error")) {
      return {
        status: "invalid",
        dir,
        project: config.project,
        diagnostics,
        sources: definitions.sources,
      };
    }
    return {
      status: "planned",
      dir,
      project: config.project,
      plan: redactPlan(computed.plan, config.secrets),
      desired: definitions.desired,
      diagnostics,
      sources: definitions.sources,
      registryLocation: computed.registryLocation,
      onlineStoreLocation: computed.onlineStoreLocation,
      onlineStoreNote: computed.onlineStoreNote,
    };
  } catch (err) {
    return { status: "error", dir, project: config.project, ...describeError(err, config.secrets) };
  }
}
