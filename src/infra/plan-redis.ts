import type { Json } from "../model/json.js";
import { stableStringify } from "../model/json.js";
import type { Impact, InfraAction } from "../model/plan.js";
import type { RedisInfraRecord, RedisInfraState, ViewLayout } from "./infra-state.js";
import { INFRA_RECORD_VERSION } from "./infra-state.js";
import { compareStrings, layoutJson, parseLayoutJson, rebuildReasons } from "./layout.js";
import { redisMetaKey, redisViewPattern } from "./naming.js";
import { hdelStatement, hsetStatement, scanUnlinkStatement } from "./redis-commands.js";

export interface RedisPlanInput {
  project: string;
  layouts: ReadonlyMap<string, ViewLayout>;
  viewNames: ReadonlySet<string>;
  recorded: RedisInfraRecord | null;
  actual: RedisInfraState;
}

/** The value fsops writes into the meta hash for a view (byte-stable). */
export function metaValue(layout: ViewLayout): string {
  return stableStringify(layoutJson(layout));
}

interface Sim {
  meta: Map<string, string>;
  /** null: keys were not scanned, so any view may have some. */
  keys: Set<string> | null;
}

/**
 * Plan the key clean-ups and meta writes for a Redis online store, in the same two layers as
 * Postgres (see `planPostgres`): intent (recorded → desired) first, then drift repairs found by
 * simulating the intent on what the store holds.
 */
export function planRedis(input: RedisPlanInput): { actions: InfraAction[]; record: Json } {
  const { project, layouts, viewNames, actual } = input;
  const recordedViews = input.recorded?.views ?? {};
  const metaKey = redisMetaKey(project);
  const sim: Sim = {
    meta: new Map(Object.entries(actual.meta)),
    keys: actual.viewsWithKeys === null ? null : new Set(actual.viewsWithKeys),
  };
  const byView = new Map<string, InfraAction[]>();
  const push = (view: string, a: InfraAction): void => {
    byView.set(view, [...(byView.get(view) ?? []), a]);
    if (a.action === "write_meta") {
      const layout = layouts.get(view);
      if (layout !== undefined) sim.meta.set(view, metaValue(layout));
    } else {
      sim.keys?.delete(view);
      if (a.statements.some((s) => s.startsWith("HDEL "))) sim.meta.delete(view);
    }
  };
  const objectOf = (view: string): string | null =>
    layouts.get(view)?.object ??
    recordedViews[view]?.object ??
    parseLayoutJson(actual.meta[view] ?? "")?.object ??
    null;

  const deleteKeys = (view: string, impact: Impact, reasons: string[], dropMeta: boolean): InfraAction => ({
    store: "redis",
    action: "delete_keys",
    target: redisViewPattern(project, view),
    object: objectOf(view),
    impact,
    reason: reasons.join("; "),
    statements: [
      scanUnlinkStatement(redisViewPattern(project, view)),
      ...(dropMeta ? [hdelStatement(metaKey, view)] : []),
    ],
  });
  const writeMeta = (view: string, layout: ViewLayout, impact: Impact, reasons: string[]): InfraAction => ({
    store: "redis",
    action: "write_meta",
    target: `${metaKey}[${view}]`,
    object: layout.object,
    impact,
    reason: reasons.join("; "),
    statements: [hsetStatement(metaKey, view, metaValue(layout))],
  });

  // Layer 1: intent (recorded → desired).
  const views = new Set([...layouts.keys(), ...Object.keys(recordedViews)]);
  for (const view of [...views].sort(compareStrings)) {
    const want = layouts.get(view);
    const had = recordedViews[view];
    if (want === undefined) {
      if (had !== undefined) {
        push(
          view,
          deleteKeys(view, "destructive", [viewNames.has(view) ? "online: false" : "view deleted"], true),
        );
      }
      continue;
    }
    if (had === undefined) {
      push(view, writeMeta(view, want, "safe", ["new view"]));
      continue;
    }
    const rebuild = rebuildReasons(had, want);
    if (rebuild.length > 0) {
      push(view, deleteKeys(view, "rebuild", rebuild, false));
      push(view, writeMeta(view, want, "safe", rebuild));
      continue;
    }
    const removed = had.features.filter((f) => !want.features.some((w) => w.name === f.name));
    const added = want.features.filter((f) => !had.features.some((h) => h.name === f.name));
    const reasons = [
      ...removed.map((f) => `feature ${f.name} removed`),
      ...added.map((f) => `feature ${f.name} added`),
    ];
    if (had.object !== want.object) reasons.push(`view kind ${had.object} → ${want.object}`);
    // A removed feature stays in existing hashes until they are rewritten, but readers follow the
    // meta hash, so its values are gone as far as serving is concerned.
    if (reasons.length > 0)
      push(view, writeMeta(view, want, removed.length > 0 ? "destructive" : "safe", reasons));
  }

  // Layer 2: drift.
  for (const [view, want] of [...layouts].sort(([a], [b]) => compareStrings(a, b))) {
    const stored = sim.meta.get(view);
    if (stored === metaValue(want)) continue;
    if (stored === undefined) {
      push(view, writeMeta(view, want, "safe", ["drift: meta missing"]));
      continue;
    }
    const storedLayout = parseLayoutJson(stored);
    const incompatible = storedLayout === null ? ["meta unreadable"] : rebuildReasons(storedLayout, want);
    const mayHaveKeys = sim.keys === null || sim.keys.has(view);
    if (incompatible.length > 0 && mayHaveKeys) {
      const reasons = incompatible.map((r) => `drift: keys written with ${r}`);
      push(view, deleteKeys(view, "rebuild", reasons, false));
      push(view, writeMeta(view, want, "safe", reasons));
    } else {
      push(view, writeMeta(view, want, "safe", ["drift: meta differs"]));
    }
  }
  const strays = new Set([...sim.meta.keys(), ...(sim.keys ?? [])]);
  for (const view of [...strays].sort(compareStrings)) {
    if (layouts.has(view)) continue;
    push(view, deleteKeys(view, "destructive", ["drift: view not in registry"], true));
  }

  const actions: InfraAction[] = [];
  for (const view of [...byView.keys()].sort(compareStrings)) {
    // Keys go before the meta that describes their new schema.
    const list = [...(byView.get(view) ?? [])].sort(
      (a, b) => Number(a.action === "write_meta") - Number(b.action === "write_meta"),
    );
    actions.push(...list);
  }
  return { actions, record: redisRecord(layouts) };
}

export function redisRecord(layouts: ReadonlyMap<string, ViewLayout>): Json {
  const views: { [view: string]: Json } = {};
  for (const view of [...layouts.keys()].sort(compareStrings)) {
    const layout = layouts.get(view);
    if (layout !== undefined) views[view] = layoutJson(layout);
  }
  return { formatVersion: INFRA_RECORD_VERSION, store: "redis", views };
}
