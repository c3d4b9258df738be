import type { FieldChange } from "../model/index.js";
import { compareIds } from "../plan/references.js";
import { diffSpecs } from "../plan/diff-fields.js";
import type { CatalogObject, CatalogProject } from "./catalog.js";

/** How two projects (typically staging and production) differ, object by object. */
export interface EnvironmentComparison {
  left: string;
  right: string;
  onlyLeft: CatalogObject[];
  onlyRight: CatalogObject[];
  differing: { left: CatalogObject; right: CatalogObject; fields: FieldChange[] }[];
  same: number;
}

/** The promotion view: what `left` has that `right` does not yet, and what differs field by field. */
export function compareEnvironments(left: CatalogProject, right: CatalogProject): EnvironmentComparison {
  const byId = (p: CatalogProject) => new Map(p.objects.map((o) => [o.id, o]));
  const l = byId(left);
  const r = byId(right);
  const ids = [...new Set([...l.keys(), ...r.keys()])].sort(compareIds);
  const out: EnvironmentComparison = {
    left: left.snapshot.project,
    right: right.snapshot.project,
    onlyLeft: [],
    onlyRight: [],
    differing: [],
    same: 0,
  };
  for (const id of ids) {
    const a = l.get(id);
    const b = r.get(id);
    if (a && !b) out.onlyLeft.push(a);
    else if (b && !a) out.onlyRight.push(b);
    else if (a && b) {
      const fields = diffSpecs(a.spec, b.spec);
      if (fields.length > 0) out.differing.push({ left: a, right: b, fields });
      else out.same++;
    }
  }
  return out;
}

/** Every pair of projects, in the order given (staging, production → staging vs production). */
export function environmentPairs<T>(items: readonly T[]): [T, T][] {
  const pairs: [T, T][] = [];
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) pairs.push([items[i]!, items[j]!]);
  return pairs;
}
