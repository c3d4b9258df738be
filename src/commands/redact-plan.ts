import { redactSecrets } from "../config/redact.js";
import type { Json } from "../model/json.js";
import type { Plan } from "../model/plan.js";

/**
 * A plan as it may be shown: every secret of the project's config (values interpolated from the
 * environment, such as a schema name in the DDL) masked in every string, the fingerprint kept.
 * Commands hand this to their callers (CLI, Action: comment, summary, outputs); apply itself runs
 * the statements of the unredacted plan.
 */
export function redactPlan(plan: Plan, secrets: readonly string[]): Plan {
  if (secrets.length === 0) return plan;
  const fingerprint = plan.fingerprint;
  const redacted = redactJson(plan as unknown as Json, secrets) as unknown as Plan;
  return { ...redacted, fingerprint };
}

function redactJson(value: Json, secrets: readonly string[]): Json {
  if (typeof value === "string") return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactJson(v, secrets));
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: redactJson(v, secrets),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
