import { describe, expect, it } from "vitest";
import { parsePlanJson, PlanFileError, planToJson, renderPlanJson } from "../../src/render/plan-json.js";
import { fixturePlan, noChangePlan } from "./plans.js";

describe("renderPlanJson", () => {
  const plan = fixturePlan();
  const text = renderPlanJson(plan);

  it("matches the reviewed JSON of the driver-ranking plan", async () => {
    await expect(text).toMatchFileSnapshot("./__snapshots__/plan.json");
  });

  it("has exactly the documented keys, in the documented order", () => {
    const doc = JSON.parse(text);
    expect(Object.keys(doc)).toEqual([
      "formatVersion",
      "project",
      "registry",
      "summary",
      "changes",
      "infra",
      "fingerprint",
    ]);
    expect(Object.keys(doc.registry)).toEqual(["lineage", "serial"]);
    expect(Object.keys(doc.summary)).toEqual(["create", "update", "replace", "delete"]);
    for (const c of doc.changes) {
      expect(Object.keys(c)).toEqual([
        "kind",
        "name",
        "action",
        "impact",
        "fields",
        "dependents",
        "file",
        "line",
      ]);
      for (const f of c.fields) expect(Object.keys(f)).toEqual(["path", "before", "after"]);
    }
    expect(doc.formatVersion).toBe(1);
    expect(doc.registry).toEqual({ lineage: "3f0c6f5e-6d7a-4c43-9a57-1f3b0f3c2a11", serial: 7 });
    expect(doc.summary).toEqual({ create: 2, update: 4, replace: 1, delete: 2 });
    expect(doc.infra).toHaveLength(5);
  });

  it("is 2-space indented and byte-identical for the same plan", () => {
    expect(text.split("\n")[1]).toBe('  "formatVersion": 1,');
    expect(renderPlanJson(fixturePlan())).toBe(text);
  });

  it("sorts the keys of spec values so the bytes do not depend on how specs were built", () => {
    const created = JSON.parse(text).changes.find((c: { name: string }) => c.name === "driver_weekly_stats");
    const schema = created.fields.find((f: { path: string }) => f.path === "schema");
    expect(Object.keys(schema.after[0])).toEqual(["dtype", "name"]);
  });
});

describe("parsePlanJson", () => {
  const text = renderPlanJson(fixturePlan());

  it("reads back what renderPlanJson wrote", () => {
    expect(parsePlanJson(text)).toEqual(planToJson(fixturePlan()));
    expect(parsePlanJson(renderPlanJson(noChangePlan())).changes).toEqual([]);
  });

  const bad = (mutate: (doc: Record<string, unknown>) => void): string => {
    const doc = JSON.parse(text);
    mutate(doc);
    return JSON.stringify(doc);
  };

  it.each([
    ["not JSON", text.slice(0, 200), /plans\/p\.json is not valid JSON/],
    [
      "an unknown formatVersion",
      bad((d) => (d.formatVersion = 2)),
      /formatVersion: unsupported formatVersion/,
    ],
    ["a missing key", bad((d) => delete d.registry), /registry/],
    [
      "an unknown action",
      bad((d) => ((d.changes as { action: string }[])[0]!.action = "rename")),
      /changes\.0\.action/,
    ],
    [
      "a summary that does not count its changes",
      bad((d) => ((d.summary as { create: number }).create = 3)),
      /summary\.create is 3 but it lists 2/,
    ],
    [
      "an edited change",
      bad((d) => ((d.changes as { impact: string }[])[6]!.impact = "safe")),
      /modified after it was written/,
    ],
    ["a bad fingerprint", bad((d) => (d.fingerprint = "abc")), /fingerprint: expected 64 lowercase hex/],
  ])("refuses %s with a clear message", (_label, input, message) => {
    expect(() => parsePlanJson(input, "plans/p.json")).toThrow(PlanFileError);
    expect(() => parsePlanJson(input, "plans/p.json")).toThrow(message);
  });
});
