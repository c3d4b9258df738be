import type { Json } from "../model/json.js";
import type { InfraAction } from "../model/plan.js";
import type { DesiredState } from "../model/spec.js";
import type { InfraState } from "./infra-state.js";
import { compareStrings, desiredLayouts, desiredViewNames, parseInfraRecord } from "./layout.js";
import { redisProjectPattern } from "./naming.js";
import { planPostgres } from "./plan-postgres.js";
import { planRedis } from "./plan-redis.js";
import { dropTableStatement } from "./postgres-ddl.js";
import { scanUnlinkStatement } from "./redis-commands.js";

export type OnlineStoreKind = "postgres" | "redis";

export interface InfraPlanOptions {
  /** Postgres schema of the online tables (default `public`). */
  schema?: string;
}

export interface InfraPlan {
  actions: InfraAction[];
  /** The new `RegistryState.infra`, to commit with the registry after the actions ran. */
  record: Json;
}

export const DEFAULT_SCHEMA = "public";

export class InfraStateMismatchError extends Error {
  constructor(expected: OnlineStoreKind, got: string) {
    super(`internal: planning for a ${expected} store with a ${got} introspection`);
    this.name = "InfraStateMismatchError";
  }
}

/**
 * Pure: the online-store actions that take the store from what it holds (`actual`) and what the
 * registry recorded (`recorded`, `RegistryState.infra` of the last apply or null) to `desired`,
 * and the record to store after applying them. Deterministic: same inputs, same actions in the
 * same order (by view name, then table-level actions, column drops, column adds).
 */
export function planInfra(
  project: string,
  desired: DesiredState,
  recorded: Json,
  actual: InfraState,
  store: OnlineStoreKind,
  options: InfraPlanOptions = {},
): InfraPlan {
  if (actual.store !== store) throw new InfraStateMismatchError(store, actual.store);
  const layouts = desiredLayouts(desired);
  const viewNames = desiredViewNames(desired);
  const record = parseInfraRecord(recorded);
  if (actual.store === "postgres") {
    return planPostgres({
      project,
      schema: options.schema ?? actual.schema,
      layouts,
      viewNames,
      recorded: record?.store === "postgres" ? record : null,
      actual,
    });
  }
  return planRedis({
    project,
    layouts,
    viewNames,
    recorded: record?.store === "redis" ? record : null,
    actual,
  });
}

/**
 * Pure: the actions that remove everything this project owns in the store: every table the
 * registry recorded or that carries this project's ownership comment (Postgres), every key
 * under `fsops:<project>:` including the meta hash (Redis). Nothing else is named.
 */
export function planDestroy(project: string, recorded: Json, actual: InfraState): InfraAction[] {
  const record = parseInfraRecord(recorded);
  if (actual.store === "redis") {
    return [
      {
        store: "redis",
        action: "delete_keys",
        target: redisProjectPattern(project),
        object: null,
        impact: "destructive",
        reason: "destroy project",
        statements: [scanUnlinkStatement(redisProjectPattern(project))],
      },
    ];
  }
  const schema = actual.schema;
  const tables = new Map<string, { view: string; object: string | null }>();
  const found = new Map(actual.tables.map((t) => [t.name, t]));
  if (record?.store === "postgres" && record.schema === schema) {
    for (const [view, t] of Object.entries(record.tables)) {
      // A recorded table that is now someone else's (no longer marked as this view) is not ours to drop.
      const there = found.get(t.table);
      if (there !== undefined && there.markedView !== view) continue;
      tables.set(t.table, { view, object: t.object });
    }
  }
  for (const t of actual.tables) {
    if (t.markedView !== null && !tables.has(t.name))
      tables.set(t.name, { view: t.markedView, object: null });
  }
  return [...tables]
    .sort(([a, x], [b, y]) => compareStrings(x.view, y.view) || compareStrings(a, b))
    .map(([table, { object }]) => ({
      store: "postgres" as const,
      action: "drop_table" as const,
      target: `${schema}.${table}`,
      object,
      impact: "destructive" as const,
      reason: "destroy project",
      statements: [dropTableStatement(schema, table)],
    }));
}
