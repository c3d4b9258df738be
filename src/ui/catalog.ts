import type {
  GraphEdge,
  HistoryEntry,
  Json,
  ObjectKind,
  RegistryObject,
  RegistryState,
} from "../model/index.js";
import { objectId } from "../model/index.js";
import { compareObjects } from "../model/kinds.js";
import { parseInfraRecord } from "../infra/layout.js";
import { redisViewPrefix } from "../infra/naming.js";
import { dependentsIndex, edgesFromSpecs } from "../plan/references.js";

/**
 * What the registry browser shows, built purely from what each project's registry holds. The
 * browser never reads definitions: like serving, it shows what was reviewed and applied.
 */

/** One project as read from its registry (the I/O edge builds it; see read-projects.ts). */
export interface ProjectSnapshot {
  /** The project folder as given on the command line (a label, never a secret). */
  dir: string;
  project: string;
  /** Registry location with passwords masked (RegistryStore.location). */
  location: string;
  /** Online store kind from fsops.yaml, for the "online table or key prefix" line. */
  onlineStore: "postgres" | "embedded" | "redis" | null;
  state: RegistryState | null;
  history: HistoryEntry[];
  /** view name → the end of its last materialized interval (ISO), when fill records exist. */
  materializedUntil: Record<string, string>;
}

export interface CatalogObject {
  project: string;
  kind: ObjectKind;
  name: string;
  /** `kind:name`, the id edges use. */
  id: string;
  spec: Json;
  description: string;
  tags: Record<string, string>;
  owner: string;
  file: string | null;
  line: number | null;
  /** Direct dependencies and dependents (`kind:name`), sorted. */
  dependsOn: string[];
  dependents: string[];
  /** Postgres table (`schema.table`) or Redis key prefix, when the view is online. */
  onlineLocation: string | null;
  materializedUntil: string | null;
  /** Applies that changed this object, newest first. */
  history: { serial: number; time: string; who: string; commit: string | null; action: string }[];
}

export interface CatalogFeature {
  project: string;
  view: string;
  viewKind: ObjectKind;
  name: string;
  dtype: string;
  description: string;
  tags: Record<string, string>;
  owner: string;
}

export interface CatalogProject {
  snapshot: ProjectSnapshot;
  objects: CatalogObject[];
  features: CatalogFeature[];
  edges: GraphEdge[];
  countsByKind: Partial<Record<ObjectKind, number>>;
}

export interface Catalog {
  projects: CatalogProject[];
}

export function buildCatalog(snapshots: readonly ProjectSnapshot[]): Catalog {
  return { projects: snapshots.map(buildProject) };
}

function buildProject(snapshot: ProjectSnapshot): CatalogProject {
  const registered = [...(snapshot.state?.objects ?? [])].sort(compareObjects);
  const edges = edgesFromSpecs(registered);
  const dependents = dependentsIndex(edges);
  const dependencies = new Map<string, string[]>();
  for (const e of edges) {
    const list = dependencies.get(e.from);
    if (list) list.push(e.to);
    else dependencies.set(e.from, [e.to]);
  }
  const online = onlineLocations(snapshot);
  const historyById = objectHistory(snapshot.history);

  const objects: CatalogObject[] = registered.map((o) => {
    const id = objectId(o.kind, o.name);
    const common = commonOf(o);
    return {
      project: snapshot.project,
      kind: o.kind,
      name: o.name,
      id,
      spec: o.spec as unknown as Json,
      ...common,
      file: o.file,
      line: o.line,
      dependsOn: [...(dependencies.get(id) ?? [])].sort(),
      dependents: [...(dependents.get(id) ?? [])].sort(),
      onlineLocation: online.get(o.name) ?? null,
      materializedUntil: snapshot.materializedUntil[o.name] ?? null,
      history: historyById.get(id) ?? [],
    };
  });

  const features: CatalogFeature[] = [];
  for (const o of objects) {
    const spec = o.spec as Record<string, unknown>;
    if (!Array.isArray(spec.schema) || o.kind === "data_source") continue;
    for (const f of spec.schema as unknown[]) {
      if (typeof f !== "object" || f === null) continue;
      const field = f as Record<string, unknown>;
      if (typeof field.name !== "string") continue;
      features.push({
        project: o.project,
        view: o.name,
        viewKind: o.kind,
        name: field.name,
        dtype: typeof field.dtype === "string" ? field.dtype : JSON.stringify(field.dtype ?? null),
        description: typeof field.description === "string" ? field.description : "",
        tags: stringRecord(field.tags),
        owner: o.owner,
      });
    }
  }

  const countsByKind: Partial<Record<ObjectKind, number>> = {};
  for (const o of objects) countsByKind[o.kind] = (countsByKind[o.kind] ?? 0) + 1;
  return { snapshot, objects, features, edges, countsByKind };
}

function commonOf(o: RegistryObject): { description: string; tags: Record<string, string>; owner: string } {
  const s = o.spec as unknown as Record<string, unknown>;
  return {
    description: typeof s.description === "string" ? s.description : "",
    tags: stringRecord(s.tags),
    owner: typeof s.owner === "string" ? s.owner : "",
  };
}

function stringRecord(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === "string") out[k] = val;
  return out;
}

/** view name → where its online rows live, from what apply recorded in the registry. */
function onlineLocations(snapshot: ProjectSnapshot): Map<string, string> {
  const out = new Map<string, string>();
  const record = snapshot.state ? parseInfraRecord(snapshot.state.infra) : null;
  if (!record) return out;
  if (record.store === "postgres") {
    for (const [view, table] of Object.entries(record.tables)) {
      out.set(view, `${record.schema}.${table.table}`);
    }
  } else {
    for (const view of Object.keys(record.views)) {
      out.set(view, `${redisViewPrefix(snapshot.project, view)}*`);
    }
  }
  return out;
}

function objectHistory(history: readonly HistoryEntry[]): Map<string, CatalogObject["history"]> {
  const out = new Map<string, CatalogObject["history"]>();
  for (const h of [...history].sort((a, b) => b.serial - a.serial)) {
    for (const c of h.changes) {
      const id = objectId(c.kind, c.name);
      const entry = { serial: h.serial, time: h.time, who: h.who, commit: h.commit, action: c.action };
      const list = out.get(id);
      if (list) list.push(entry);
      else out.set(id, [entry]);
    }
  }
  return out;
}
