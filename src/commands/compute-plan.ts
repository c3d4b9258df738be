import { CONFIG_CODES } from "../config/codes.js";
import { planChanges } from "../plan/plan-changes.js";
import { checkSources } from "../infra/check-sources.js";
import { withBackends } from "./backends.js";
import type { Backends } from "./backends.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { Json } from "../model/json.js";
import type { Plan } from "../model/plan.js";
import type { ProjectConfig } from "../model/config.js";
import type { RegistryState } from "../model/registry.js";
import type { DesiredState } from "../model/spec.js";

export interface PlanWithRecord {
  plan: Plan;
  /** What RegistryState.infra becomes when this plan is applied. */
  infraRecord: Json;
}

/**
 * The plan of one project against a registry state already read: registry changes plus the
 * online-store actions (including drift repairs) found by introspecting the store.
 */
export async function planAgainst(
  config: ProjectConfig,
  desired: DesiredState,
  state: RegistryState | null,
  online: Backends["online"],
): Promise<PlanWithRecord> {
  let infraRecord: Json = null;
  let infraActions: Plan["infra"] = [];
  if (online) {
    const planned = await online.plan(config.project, desired, state?.infra ?? null);
    infraActions = planned.actions;
    infraRecord = planned.record;
  }
  return { plan: planChanges(desired, state, infraActions), infraRecord };
}

export interface ComputedPlan extends PlanWithRecord {
  sourceDiagnostics: Diagnostic[];
  registryLocation: string;
  onlineStoreLocation: string | null;
  /** What the online store says beside the plan (e.g. apply will create it), or null. */
  onlineStoreNote: string | null;
}

/** Read-only: open the backends, read, plan, close. */
export async function computePlan(
  config: ProjectConfig,
  desired: DesiredState,
  opts: { checkSources: boolean },
): Promise<ComputedPlan> {
  const sourceDiagnostics = opts.checkSources ? await runSourceChecks(config, desired) : [];
  return withBackends(config, async ({ registry, online }) => {
    const { state } = await registry.read(config.project);
    const planned = await planAgainst(config, desired, state, online);
    return {
      ...planned,
      sourceDiagnostics,
      registryLocation: registry.location,
      onlineStoreLocation: online?.location ?? null,
      onlineStoreNote: online?.note ?? null,
    };
  });
}

async function runSourceChecks(config: ProjectConfig, desired: DesiredState): Promise<Diagnostic[]> {
  if (!config.offlineStore) {
    return [
      {
        severity: "warning",
        code: CONFIG_CODES.noOfflineStore,
        message: "--check-sources needs an offline_store in fsops.yaml; sources were not checked",
        file: "fsops.yaml",
        line: 1,
        column: 1,
        hint: "add offline_store: { type: postgres, connection_string: ${FSOPS_OFFLINE_PG} }",
      },
    ];
  }
  // A file offline store has no PostgresSource to check.
  if (config.offlineStore.type !== "postgres") return [];
  const { openOfflineStore } = await import("../infra/open-offline-store.js");
  const offline = await openOfflineStore(config.offlineStore);
  try {
    return await checkSources(desired, offline);
  } finally {
    await offline.close();
  }
}
