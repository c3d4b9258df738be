import { FEATURE_VIEW_KINDS, objectId } from "../model/index.js";
import type { AnySpec, GraphEdge, ObjectKind } from "../model/index.js";
import { compareObjects } from "../model/kinds.js";

interface NamedSpec {
  kind: ObjectKind;
  name: string;
  spec: AnySpec;
}

/**
 * The dependency edges implied by a set of canonical specs, in the same shape as
 * `DesiredState.edges` (dependent → dependency). Used for objects that are no longer desired:
 * their blast radius has to come from what the registry holds. References that do not
 * resolve are skipped: a registry written by an older fsops may hold anything.
 */
export function edgesFromSpecs(objects: readonly NamedSpec[]): GraphEdge[] {
  const viewKindByName = new Map<string, ObjectKind>();
  for (const o of objects) if (FEATURE_VIEW_KINDS.includes(o.kind)) viewKindByName.set(o.name, o.kind);
  const present = new Set<string>(objects.map((o) => objectId(o.kind, o.name)));

  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string | null): void => {
    if (to === null || !present.has(to)) return;
    const key = `${from}\u0000${to}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to });
  };
  const viewRef = (name: string): string | null => {
    const kind = viewKindByName.get(name);
    return kind === undefined ? null : objectId(kind, name);
  };

  for (const o of objects) {
    const from = objectId(o.kind, o.name);
    for (const to of specReferences(o.kind, o.spec, viewRef)) add(from, to);
  }
  return edges.sort(compareEdges);
}

/** What one spec points at, as `kind:name` (null where a view name does not resolve). */
function specReferences(
  kind: ObjectKind,
  spec: AnySpec,
  viewRef: (name: string) => string | null,
): (string | null)[] {
  // Specs read back from a registry are untyped JSON at runtime: guard every access.
  const s = spec as unknown as Record<string, unknown>;
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  const records = (v: unknown): Record<string, unknown>[] =>
    Array.isArray(v)
      ? v.filter((x): x is Record<string, unknown> => typeof x === "object" && x !== null)
      : [];
  switch (kind) {
    case "project":
    case "entity":
      return [];
    case "data_source":
      return typeof s.batchSource === "string" ? [objectId("data_source", s.batchSource)] : [];
    case "feature_view":
    case "stream_feature_view":
      return [
        ...strings(s.entities).map((e) => objectId("entity", e)),
        typeof s.source === "string" ? objectId("data_source", s.source) : null,
      ];
    case "on_demand_feature_view":
      return [
        ...records(s.sources).map((r) =>
          typeof r.name !== "string"
            ? null
            : r.type === "request_source"
              ? objectId("data_source", r.name)
              : viewRef(r.name),
        ),
        ...strings(s.entities).map((e) => objectId("entity", e)),
      ];
    case "feature_service":
      return records(s.features).map((r) => (typeof r.view === "string" ? viewRef(r.view) : null));
  }
}

export function compareEdges(a: GraphEdge, b: GraphEdge): number {
  return a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0;
}

/** Order of objects: kind order (OBJECT_KINDS), then name. */
export { compareObjects };

/** Order of `kind:name` ids, as compareObjects. */
export function compareIds(a: string, b: string): number {
  const [ka, na] = splitId(a);
  const [kb, nb] = splitId(b);
  return compareObjects({ kind: ka, name: na }, { kind: kb, name: nb });
}

export function splitId(id: string): [ObjectKind, string] {
  const i = id.indexOf(":");
  return [id.slice(0, i) as ObjectKind, id.slice(i + 1)];
}

/**
 * Every object downstream of `id` (transitively) over `edges`, excluding `id` itself,
 * sorted by kind order then name. Cycles (impossible in a validated state, possible in a
 * hand-edited registry) terminate because each node is visited once.
 */
export function downstreamOf(id: string, dependentsIndex: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>([id]);
  const queue = [id];
  for (let i = 0; i < queue.length; i++) {
    for (const dep of dependentsIndex.get(queue[i]!) ?? []) {
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  seen.delete(id);
  return [...seen].sort(compareIds);
}

/** dependency → the objects that point at it directly. */
export function dependentsIndex(edges: readonly GraphEdge[]): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const e of edges) {
    const list = index.get(e.to);
    if (list) list.push(e.from);
    else index.set(e.to, [e.from]);
  }
  return index;
}
