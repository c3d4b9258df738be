/**
 * Issue 12: a Field's description and tags, and a named aggregation, are part of the plan in
 * every rendering (terminal, PR comment, JSON), each change at its own path with before/after.
 */
import { describe, expect, it } from "vitest";
import { planChanges } from "../../src/plan/plan-changes.js";
import { renderPlanJson } from "../../src/render/plan-json.js";
import { renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import { renderPlanTerminal } from "../../src/render/plan-terminal.js";
import type { AggregationSpec, FieldSpec } from "../../src/model/spec.js";
import { desiredState, entity, featureView, source, stateOf, streamView } from "../plan/fixture.js";

function project(conv: FieldSpec, aggregations: AggregationSpec[]) {
  return desiredState("p", [
    entity("driver", { joinKeys: ["driver_id"], valueType: "int64" }),
    source("src", { type: "push", batchSource: "batch" }),
    source("batch", { type: "file", path: "p" }),
    featureView("fv", { entities: ["driver"], schema: [conv], source: "batch" }),
    streamView("sv", {
      entities: ["driver"],
      schema: [{ name: "miles_1h", dtype: "float64" }],
      source: "src",
      aggregations,
    }),
  ]);
}

describe("Field extras and named aggregations in plans", () => {
  const before = project(
    { name: "conv_rate", dtype: "float32", description: "rate", tags: { pii: "false" } },
    [{ column: "miles", function: "sum", timeWindow: 3_600, name: "miles_1h" }],
  );
  const after = project(
    { name: "conv_rate", dtype: "float32", description: "rate over 7 days", tags: { pii: "true" } },
    [{ column: "miles", function: "sum", timeWindow: 3_600, name: "miles_1h", slideInterval: 300 }],
  );
  const plan = planChanges(after, stateOf(before, 3));

  it("diffs each at its own path, safe", () => {
    const fv = plan.changes.find((c) => c.name === "fv")!;
    expect(fv).toMatchObject({ action: "update", impact: "safe" });
    expect(fv.fields).toEqual([
      { path: "schema.conv_rate.description", before: "rate", after: "rate over 7 days" },
      { path: "schema.conv_rate.tags.pii", before: "false", after: "true" },
    ]);
    const sv = plan.changes.find((c) => c.name === "sv")!;
    expect(sv.fields).toEqual([
      { path: "aggregations.sum_miles_3600s:miles_1h.slideInterval", before: null, after: 300 },
    ]);
  });

  it("renders them in the terminal, the PR comment and the JSON plan", () => {
    const terminal = renderPlanTerminal(plan, { color: false });
    expect(terminal).toContain("schema.conv_rate.description");
    expect(terminal).toContain('"rate over 7 days"');
    expect(terminal).toContain("schema.conv_rate.tags.pii");
    const markdown = renderPlanMarkdown(plan);
    expect(markdown).toContain("schema.conv_rate.description");
    expect(markdown).toContain("rate over 7 days");
    const json = JSON.parse(renderPlanJson(plan)) as {
      changes: { name: string; fields: { path: string }[] }[];
    };
    expect(json.changes.find((c) => c.name === "fv")!.fields.map((f) => f.path)).toEqual([
      "schema.conv_rate.description",
      "schema.conv_rate.tags.pii",
    ]);
  });

  it("a new view lists its fields with their extras and its aggregations with their names", () => {
    const created = planChanges(after, null);
    const terminal = renderPlanTerminal(created, { color: false });
    expect(terminal).toContain('conv_rate: float32 (description "rate over 7 days", tags {"pii": "true"})');
    expect(terminal).toContain("sum(miles) over 1h every 5m as miles_1h");
  });
});
