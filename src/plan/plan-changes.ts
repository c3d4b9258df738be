import { objectId } from "../model/index.js";
import type {
  AnySpec,
  Change,
  DesiredObject,
  DesiredState,
  GraphEdge,
  InfraAction,
  Json,
  JsonObject,
  ObjectKind,
  Plan,
  PlanSummary,
  RegistryObject,
  RegistryState,
} from "../model/index.js";
import { diffSpecs } from "./diff-fields.js";
import { assessChange } from "./impact.js";
import type { ImpactContext } from "./impact.js";
import { planFingerprint } from "./fingerprint.js";
import { compareEdges, compareObjects, dependentsIndex, downstreamOf, edgesFromSpecs } from "./references.js";

/** The tag that keeps an object from ever being deleted by apply. */
export const PROTECT_TAG = "fsops.protect";

/** An object the desired state no longer has, kept because its registry spec is protected. */
export interface ProtectedObject {
  kind: ObjectKind;
  name: string;
  file: string | null;
  line: number | null;
}

/**
 * A plan plus the deletes it refused. Protected objects are left out of `changes` (so they are
 * not counted, not fingerprinted and never applied) and listed here so every renderer can say
 * they were kept. `Plan` has no slot for this yet; it travels beside the plan.
 */
export interface ComputedPlan extends Plan {
  protected: ProtectedObject[];
  /**
   * The dependency edges (dependent → dependency) among changed objects and their dependents:
   * the desired graph, plus the registry's for deleted objects. Lets a renderer draw the
   * blast radius; like `protected`, not part of the JSON plan or the fingerprint.
   */
  edges: GraphEdge[];
}

/**
 * Pure and deterministic: the changes that turn the registry's `current` state into `desired`,
 * with the online-store actions `infra` computed by the infra stage (they are part of the
 * fingerprint). `current` null = the project has no registry state yet.
 */
export function planChanges(
  desired: DesiredState,
  current: RegistryState | null,
  infra: readonly InfraAction[] = [],
): ComputedPlan {
  const desiredById = new Map<string, DesiredObject>();
  for (const o of desired.objects) desiredById.set(objectId(o.kind, o.name), o);
  const currentById = new Map<string, RegistryObject>();
  for (const o of current?.objects ?? []) currentById.set(objectId(o.kind, o.name), o);

  const desiredDependents = dependentsIndex(desired.edges);
  let registryEdges: GraphEdge[] | null = null;
  let registryDependents: Map<string, string[]> | null = null;

  const changes: Change[] = [];
  const protectedObjects: ProtectedObject[] = [];
  let unchanged = 0;

  for (const id of sortedIds(desiredById, currentById)) {
    const want = desiredById.get(id);
    const have = currentById.get(id);
    if (want && have) {
      const fields = diffSpecs(toJson(have.spec), toJson(want.spec));
      if (fields.length === 0) {
        unchanged++;
        continue;
      }
      const action = fields.some((f) => isIdentityPath(want.kind, f.path)) ? "replace" : "update";
      changes.push(
        change(
          want.kind,
          want.name,
          action,
          fields,
          have.spec,
          want.spec,
          want,
          downstreamOf(id, desiredDependents),
        ),
      );
    } else if (want) {
      const fields = diffSpecs({}, toJson(want.spec)).filter((f) => f.path !== "name" && !isEmpty(f.after));
      changes.push(
        change(
          want.kind,
          want.name,
          "create",
          fields,
          null,
          want.spec,
          want,
          downstreamOf(id, desiredDependents),
        ),
      );
    } else if (have) {
      if (isProtected(have.spec)) {
        protectedObjects.push({ kind: have.kind, name: have.name, file: have.file, line: have.line });
        continue;
      }
      registryEdges ??= edgesFromSpecs(current?.objects ?? []);
      registryDependents ??= dependentsIndex(registryEdges);
      const fields = diffSpecs(toJson(have.spec), {}).filter((f) => f.path !== "name" && !isEmpty(f.before));
      changes.push(
        change(
          have.kind,
          have.name,
          "delete",
          fields,
          have.spec,
          null,
          have,
          downstreamOf(id, registryDependents),
        ),
      );
    }
  }

  const summary: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of changes) summary[c.action]++;
  const registry = { lineage: current?.lineage ?? null, serial: current?.serial ?? 0 };
  const infraCopy = infra.map((i) => ({ ...i, statements: [...i.statements] }));
  return {
    formatVersion: 1,
    project: desired.project,
    registry,
    summary,
    unchanged,
    changes,
    infra: infraCopy,
    fingerprint: planFingerprint({ project: desired.project, registry, changes, infra: infraCopy }),
    protected: protectedObjects,
    edges: blastRadiusEdges(changes, desired.edges, registryEdges ?? []),
  };
}

function blastRadiusEdges(
  changes: readonly Change[],
  desiredEdges: readonly GraphEdge[],
  registryEdges: readonly GraphEdge[],
): GraphEdge[] {
  const involved = new Set<string>();
  for (const c of changes) {
    involved.add(objectId(c.kind, c.name));
    for (const d of c.dependents) involved.add(d);
  }
  // The registry's edges only speak for objects that are gone; the desired graph for the rest.
  const deleted = new Set<string>(
    changes.filter((c) => c.action === "delete").map((c) => objectId(c.kind, c.name)),
  );
  const gone = registryEdges.filter((e) => deleted.has(e.from) || deleted.has(e.to));
  const seen = new Set<string>();
  const out: GraphEdge[] = [];
  for (const e of [...desiredEdges, ...gone]) {
    const key = `${e.from}\u0000${e.to}`;
    if (involved.has(e.from) && involved.has(e.to) && !seen.has(key)) {
      seen.add(key);
      out.push({ from: e.from, to: e.to });
    }
  }
  return out.sort(compareEdges);
}

/**
 * Fields whose change makes the object a different one (replace rather than update): an
 * entity's join keys and value type, a stored view's entities, a source's type.
 */
export const IDENTITY_FIELDS: Readonly<Partial<Record<ObjectKind, readonly string[]>>> = {
  entity: ["joinKeys", "valueType"],
  feature_view: ["entities"],
  stream_feature_view: ["entities"],
  data_source: ["type"],
};

function isIdentityPath(kind: ObjectKind, path: string): boolean {
  return IDENTITY_FIELDS[kind]?.includes(path) ?? false;
}

export function isProtected(spec: AnySpec): boolean {
  const tags = (spec as { tags?: unknown }).tags;
  return (
    typeof tags === "object" && tags !== null && (tags as Record<string, unknown>)[PROTECT_TAG] === "true"
  );
}

function change(
  kind: ObjectKind,
  name: string,
  action: Change["action"],
  fields: Change["fields"],
  before: AnySpec | null,
  after: AnySpec | null,
  where: DesiredObject | RegistryObject,
  dependents: string[],
): Change {
  const ctx: ImpactContext = {
    kind,
    action,
    before: before === null ? null : (toJson(before) as JsonObject),
    after: after === null ? null : (toJson(after) as JsonObject),
  };
  const location =
    "location" in where
      ? { file: where.location.file, line: where.location.line }
      : { file: where.file, line: where.line };
  return {
    kind,
    name,
    action,
    impact: assessChange(ctx, fields).impact,
    fields,
    dependents,
    file: location.file,
    line: location.line,
    before,
    after,
  };
}

function sortedIds(a: ReadonlyMap<string, { kind: ObjectKind; name: string }>, b: typeof a): string[] {
  const all = new Map(a);
  for (const [id, o] of b) if (!all.has(id)) all.set(id, o);
  return [...all].sort(([, x], [, y]) => compareObjects(x, y)).map(([id]) => id);
}

/** Specs are plain JSON by construction (canonical specs); this only changes the static type. */
function toJson(spec: AnySpec | JsonObject): Json {
  return spec as unknown as Json;
}

/**
 * Left out of a create's or delete's field list (besides `name`, which is the object's key):
 * defaults such as an empty description, no tags, a null created-timestamp column. They say
 * nothing a reviewer needs, and the fingerprint still binds the whole spec because in a
 * canonical spec an empty value and an absent one are the same.
 */
function isEmpty(v: Json): boolean {
  return (
    v === null ||
    v === "" ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0)
  );
}
