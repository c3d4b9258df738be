import { describe, expect, it } from "vitest";
import { nextRegistryObjects, PlanMismatchError } from "../../src/plan/apply-plan.js";
import { planChanges } from "../../src/plan/plan-changes.js";
import { kindOrder } from "../../src/model/index.js";
import type { Change, RegistryState } from "../../src/model/index.js";
import { desiredState, driverRankingV1, driverRankingV2, stateOf, without } from "./fixture.js";

const v1 = driverRankingV1();
const v2 = driverRankingV2();
const current = stateOf(v1, 3);

describe("nextRegistryObjects", () => {
  it("applies the plan: the desired objects, plus the protected object it refused to delete", () => {
    const plan = planChanges(v2, current);
    const next = nextRegistryObjects(v2, current, plan);
    const legacy = current.objects.find((o) => o.name === "legacy_driver_scores")!;
    const expected = [...stateOf(v2).objects, legacy];
    const key = (o: { kind: string; name: string }) => `${o.kind}:${o.name}`;
    expect(next.map(key).sort()).toEqual(expected.map(key).sort());
    for (const o of next) expect(o).toEqual(expected.find((e) => key(e) === key(o)));
    const again: RegistryState = { ...current, serial: 4, objects: next };
    expect(planChanges(v2, again).changes).toEqual([]);
  });

  it("keeps registry order: kind order, then name", () => {
    const next = nextRegistryObjects(v2, current, planChanges(v2, current));
    const sorted = [...next].sort(
      (a, b) => kindOrder(a.kind) - kindOrder(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    expect(next).toEqual(sorted);
  });

  it("refreshes the location of a moved definition that did not otherwise change", () => {
    const moved = desiredState(
      v1.project,
      v1.objects.map((o) =>
        o.name === "driver" ? { ...o, location: { file: "people.ts", line: 2, column: 1 } } : o,
      ),
    );
    const plan = planChanges(moved, current);
    expect(plan.changes).toEqual([]);
    const driver = nextRegistryObjects(moved, current, plan).find((o) => o.name === "driver")!;
    expect([driver.file, driver.line]).toEqual(["people.ts", 2]);
  });

  it("refuses a plan that deletes a protected object", () => {
    const legacy = current.objects.find((o) => o.name === "legacy_driver_scores")!;
    const forced: Change = {
      kind: "feature_view",
      name: "legacy_driver_scores",
      action: "delete",
      impact: "destructive",
      fields: [],
      dependents: [],
      file: legacy.file,
      line: legacy.line,
      before: legacy.spec,
      after: null,
    };
    const desired = without(v1, "feature_view:legacy_driver_scores");
    expect(() => nextRegistryObjects(desired, current, { changes: [forced] })).toThrow(PlanMismatchError);
    expect(() => nextRegistryObjects(desired, current, { changes: [forced] })).toThrow(/protected/);
  });

  it("refuses a plan that does not lead from this registry to this desired state", () => {
    const plan = planChanges(v2, current);
    // Stale: the registry already moved to v2.
    expect(() => nextRegistryObjects(v2, stateOf(v2), plan)).toThrow(/already holds|does not hold/);
    // Incomplete: a plan with nothing in it for a desired state that differs.
    expect(() => nextRegistryObjects(v2, current, { changes: [] })).toThrow(
      /neither in the registry nor created/,
    );
  });
});
