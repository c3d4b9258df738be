import { describe, expect, it } from "vitest";
import {
  assessChange,
  explainChange,
  FIELD_RULES,
  fieldReason,
  OBJECT_RULES,
} from "../../src/plan/impact.js";
import type { ImpactContext } from "../../src/plan/impact.js";
import { planChanges } from "../../src/plan/plan-changes.js";
import { driverRankingV1, driverRankingV2, stateOf } from "./fixture.js";

const view = (online: boolean) => ({ name: "v", online, schema: [{ name: "a", dtype: "int64" }] });
const ctx = (over: Partial<ImpactContext>): ImpactContext => ({
  kind: "feature_view",
  action: "update",
  before: view(true),
  after: view(true),
  ...over,
});

describe("impact rules", () => {
  it("has unique rule ids", () => {
    const ids = [...OBJECT_RULES, ...FIELD_RULES].map((r) => r.rule);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ["online", true, false, "online-off", "destructive"],
    ["online", false, true, "online-off", "safe"],
    ["schema.a", { name: "a", dtype: "int64" }, null, "schema-field", "destructive"],
    ["schema.b", null, { name: "b", dtype: "int64" }, "schema-field", "safe"],
    ["schema.a.dtype", "int64", "string", "schema-dtype", "rebuild"],
    ["entities", ["d"], ["c"], "identity", "rebuild"],
    ["tags.team", "a", "b", "metadata", "safe"],
    ["description", "", "x", "metadata", "safe"],
    ["ttl", 1, 2, "config", "safe"],
    ["source", "s1", "s2", "config", "safe"],
  ] as const)("%s %j → %j: rule %s, %s", (path, before, after, rule, impact) => {
    const r = fieldReason({ path, before: before as never, after: after as never }, ctx({}));
    expect([r.rule, r.impact]).toEqual([rule, impact]);
    expect(r.message.length).toBeGreaterThan(0);
  });

  it("judges creates and deletes as a whole, ignoring their field list", () => {
    const fields = [{ path: "schema.a", before: { name: "a", dtype: "int64" }, after: null }];
    expect(assessChange(ctx({ action: "create", before: null }), fields).impact).toBe("safe");
    expect(assessChange(ctx({ action: "delete", after: null }), []).impact).toBe("destructive");
    expect(assessChange(ctx({ kind: "data_source", action: "delete", after: null }), fields).impact).toBe(
      "safe",
    );
  });

  it("explains every change of a plan with the impact the plan gave it", () => {
    const plan = planChanges(driverRankingV2(), stateOf(driverRankingV1()));
    // An empty plan would make the loop below assert nothing.
    expect(plan.changes.length).toBeGreaterThan(0);
    for (const c of plan.changes) {
      const reasons = explainChange(c);
      expect(reasons.length).toBeGreaterThan(0);
      expect(reasons.some((r) => r.impact === c.impact)).toBe(true);
    }
  });
});
