import type * as Zod from "zod";
import { sortKeys } from "../model/index.js";
import { zod } from "../model/zod.js";
import type {
  Action,
  FieldChange,
  Impact,
  InfraAction,
  Json,
  ObjectKind,
  Plan,
  PlanSummary,
} from "../model/index.js";
import { OBJECT_KINDS } from "../model/index.js";
import { planFingerprint } from "../plan/fingerprint.js";

/** The versioned JSON plan (`--json`, `--out FILE`), key order exactly as documented. */
export interface PlanJson {
  formatVersion: 1;
  project: string;
  registry: { lineage: string | null; serial: number };
  summary: PlanSummary;
  changes: {
    kind: ObjectKind;
    name: string;
    action: Action;
    impact: Impact;
    fields: FieldChange[];
    dependents: string[];
    file: string | null;
    line: number | null;
  }[];
  infra: InfraAction[];
  fingerprint: string;
}

/** Builds the documented shape key by key, so object key order (and thus the bytes) is fixed. */
export function planToJson(plan: Plan): PlanJson {
  return {
    formatVersion: 1,
    project: plan.project,
    registry: { lineage: plan.registry.lineage, serial: plan.registry.serial },
    summary: {
      create: plan.summary.create,
      update: plan.summary.update,
      replace: plan.summary.replace,
      delete: plan.summary.delete,
    },
    changes: plan.changes.map((c) => ({
      kind: c.kind,
      name: c.name,
      action: c.action,
      impact: c.impact,
      // Values are spec fragments: sorted keys make them byte-stable whatever built the spec.
      fields: c.fields.map((f) => ({
        path: f.path,
        before: sortKeys(f.before) as Json,
        after: sortKeys(f.after) as Json,
      })),
      dependents: [...c.dependents],
      file: c.file,
      line: c.line,
    })),
    infra: plan.infra.map((i) => ({
      store: i.store,
      action: i.action,
      target: i.target,
      object: i.object,
      impact: i.impact,
      reason: i.reason,
      statements: [...i.statements],
    })),
    fingerprint: plan.fingerprint,
  };
}

export function renderPlanJson(plan: Plan): string {
  return JSON.stringify(planToJson(plan), null, 2) + "\n";
}

/** A saved plan file that cannot be used: the message says what and where. */
export class PlanFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanFileError";
  }
}

/** Built on first use, by `apply --plan` only (model/zod.ts). */
function buildPlanSchema() {
  const z = zod();
  const json: Zod.ZodType<Json> = z.lazy(() =>
    z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json)]),
  );
  const impact = z.enum(["safe", "rebuild", "destructive"]);
  const count = z.number().int().nonnegative();

  return z.object({
    formatVersion: z.literal(1, { error: "unsupported formatVersion (this fsops reads version 1)" }),
    project: z.string().min(1),
    registry: z.object({ lineage: z.string().nullable(), serial: count }),
    summary: z.object({ create: count, update: count, replace: count, delete: count }),
    changes: z.array(
      z.object({
        kind: z.enum(OBJECT_KINDS),
        name: z.string().min(1),
        action: z.enum(["create", "update", "replace", "delete"]),
        impact,
        fields: z.array(z.object({ path: z.string(), before: json, after: json })),
        dependents: z.array(z.string()),
        file: z.string().nullable(),
        line: z.number().int().positive().nullable(),
      }),
    ),
    infra: z.array(
      z.object({
        store: z.enum(["postgres", "redis"]),
        action: z.enum([
          "create_table",
          "add_column",
          "drop_column",
          "rebuild_table",
          "drop_table",
          "repair",
          "delete_keys",
          "write_meta",
          "create_schema",
        ]),
        target: z.string(),
        object: z.string().nullable(),
        impact,
        reason: z.string(),
        statements: z.array(z.string()),
      }),
    ),
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits (sha256)"),
  });
}

let planSchema: ReturnType<typeof buildPlanSchema> | undefined;

/**
 * Reads a saved plan (`apply --plan FILE`). Checks the shape, that the summary counts its
 * changes, and that the fingerprint is the hash of the content: a plan edited by hand (or
 * truncated, or from another tool) is refused here, before apply compares it with a fresh plan.
 * `source` names the file in messages.
 */
export function parsePlanJson(text: string, source = "plan file"): PlanJson {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PlanFileError(`${source} is not valid JSON: ${(e as Error).message}`);
  }
  const parsed = (planSchema ??= buildPlanSchema()).safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.map(String).join(".") : "(top level)";
    const more =
      parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problems)` : "";
    throw new PlanFileError(`${source} is not an fsops plan: ${where}: ${issue.message}${more}`);
  }
  const plan = parsed.data as PlanJson;
  const counted: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of plan.changes) counted[c.action]++;
  for (const key of ["create", "update", "replace", "delete"] as const) {
    if (counted[key] !== plan.summary[key]) {
      throw new PlanFileError(
        `${source} is inconsistent: summary.${key} is ${plan.summary[key]} but it lists ${counted[key]} changes to ${key}`,
      );
    }
  }
  if (planFingerprint(plan) !== plan.fingerprint) {
    throw new PlanFileError(
      `${source} was modified after it was written: its fingerprint does not match its content`,
    );
  }
  return plan;
}
