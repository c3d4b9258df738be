import { describe, expect, it } from "vitest";
import { diffSpecs, jsonEqual } from "../../src/plan/diff-fields.js";

describe("diffSpecs", () => {
  it("visits keys in sorted order whatever the input key order", () => {
    const a = diffSpecs({ z: 1, a: 1, m: { y: 1, b: 1 } }, { m: { b: 2, y: 2 }, a: 2, z: 2 });
    expect(a.map((f) => f.path)).toEqual(["a", "m.b", "m.y", "z"]);
  });

  it("reports nothing for equal specs with different key order", () => {
    expect(diffSpecs({ a: 1, b: [1, { x: 1, y: 2 }] }, { b: [1, { y: 2, x: 1 }], a: 1 })).toEqual([]);
  });

  it("treats absent and null alike, reporting additions and removals with null on the missing side", () => {
    expect(diffSpecs({ a: null }, {})).toEqual([]);
    expect(diffSpecs({ a: 1 }, { b: 2 })).toEqual([
      { path: "a", before: 1, after: null },
      { path: "b", before: null, after: 2 },
    ]);
  });

  it("diffs schema fields by name, so an insertion in the middle is one addition", () => {
    const before = {
      schema: [
        { name: "a", dtype: "int64" },
        { name: "b", dtype: "float32" },
      ],
    };
    const after = {
      schema: [
        { name: "a", dtype: "int64" },
        { name: "new_field", dtype: "string" },
        { name: "b", dtype: "float64" },
      ],
    };
    expect(diffSpecs(before, after)).toEqual([
      { path: "schema.b.dtype", before: "float32", after: "float64" },
      { path: "schema.new_field", before: null, after: { name: "new_field", dtype: "string" } },
    ]);
  });

  it("reports a removed named item with its whole value", () => {
    expect(diffSpecs({ schema: [{ name: "a", dtype: "int64" }] }, { schema: [] })).toEqual([
      { path: "schema.a", before: { name: "a", dtype: "int64" }, after: null },
    ]);
  });

  it("reports an order-only change of named items as one change of the whole array", () => {
    const a = [
      { name: "a", dtype: "int64" },
      { name: "b", dtype: "int64" },
    ];
    const b = [a[1]!, a[0]!];
    expect(diffSpecs({ schema: a }, { schema: b })).toEqual([{ path: "schema", before: a, after: b }]);
  });

  it("keeps item-wise paths when items are added around an unchanged order", () => {
    const before = {
      schema: [
        { name: "b", dtype: "int64" },
        { name: "d", dtype: "int64" },
      ],
    };
    const after = {
      schema: [
        { name: "a", dtype: "int64" },
        { name: "b", dtype: "int64" },
        { name: "c", dtype: "int64" },
        { name: "d", dtype: "int64" },
      ],
    };
    expect(diffSpecs(before, after).map((f) => f.path)).toEqual(["schema.a", "schema.c"]);
  });

  it("diffs feature-service references by view and on-demand sources by name", () => {
    const fs = diffSpecs(
      {
        features: [
          { view: "v1", features: ["a"] },
          { view: "v2", features: null },
        ],
      },
      {
        features: [
          { view: "v1", features: ["a", "b"] },
          { view: "v2", features: null },
        ],
      },
    );
    expect(fs).toEqual([{ path: "features.v1.features", before: ["a"], after: ["a", "b"] }]);
    const od = diffSpecs(
      { sources: [{ type: "feature_view", name: "v", features: null }] },
      { sources: [{ type: "feature_view", name: "v", features: ["x"] }] },
    );
    expect(od).toEqual([{ path: "sources.v.features", before: null, after: ["x"] }]);
  });

  it("identifies aggregations by all their members", () => {
    const f = diffSpecs(
      { aggregations: [{ column: "t", function: "sum", timeWindow: 3600 }] },
      { aggregations: [{ column: "t", function: "sum", timeWindow: 7200 }] },
    );
    expect(f.map((x) => x.path)).toEqual(["aggregations.sum_t_3600s", "aggregations.sum_t_7200s"]);
  });

  it("compares plain string arrays and long text as whole values", () => {
    expect(diffSpecs({ joinKeys: ["a", "b"] }, { joinKeys: ["a", "c"] })).toEqual([
      { path: "joinKeys", before: ["a", "b"], after: ["a", "c"] },
    ]);
    expect(diffSpecs({ transform: "x\ny\n" }, { transform: "x\nz\n" })).toEqual([
      { path: "transform", before: "x\ny\n", after: "x\nz\n" },
    ]);
  });

  it("falls back to the whole array when identities repeat", () => {
    const b = [
      { name: "a", dtype: "int64" },
      { name: "a", dtype: "string" },
    ];
    expect(diffSpecs({ schema: b }, { schema: [] })).toEqual([{ path: "schema", before: b, after: [] }]);
  });
});

describe("jsonEqual", () => {
  it("ignores key order and treats undefined as null", () => {
    expect(jsonEqual({ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 })).toBe(true);
    expect(jsonEqual({ a: null }, {})).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: [] }, { a: {} })).toBe(false);
  });
});
