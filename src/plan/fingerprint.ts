import { createHash } from "node:crypto";
import { stableStringify } from "../model/index.js";
import type { Action, FieldChange, Impact, InfraAction, ObjectKind } from "../model/index.js";

/** What a fingerprint binds: everything a reviewer approves, nothing cosmetic. */
export interface FingerprintInput {
  project: string;
  registry: { lineage: string | null; serial: number };
  changes: readonly {
    kind: ObjectKind;
    name: string;
    action: Action;
    impact: Impact;
    fields: readonly FieldChange[];
  }[];
  infra: readonly Pick<InfraAction, "store" | "action" | "target" | "statements">[];
}

/**
 * sha256 (hex) of the normalized plan. Definition locations and dependents are left out on
 * purpose: moving a definition to another file, or a new view downstream, must not turn an
 * approved plan "stale"; the registry's lineage and serial are in, so a plan computed against
 * another registry state never matches.
 */
export function planFingerprint(input: FingerprintInput): string {
  const normalized = {
    project: input.project,
    lineage: input.registry.lineage,
    serial: input.registry.serial,
    changes: input.changes.map((c) => ({
      kind: c.kind,
      name: c.name,
      action: c.action,
      impact: c.impact,
      fields: c.fields.map((f) => ({ path: f.path, before: f.before, after: f.after })),
    })),
    infra: input.infra.map((i) => ({
      store: i.store,
      action: i.action,
      target: i.target,
      statements: i.statements,
    })),
  };
  return createHash("sha256").update(stableStringify(normalized)).digest("hex");
}
