/** The Field fast path must accept exactly what the zod schema accepts, with the same output. */
import { describe, expect, it } from "vitest";
import type { EvalRecord } from "../../src/model/evaluated.js";
import { fastField } from "../../src/validate/analyze.js";
import { SCHEMAS } from "../../src/validate/schemas.js";

const cases: EvalRecord[] = [
  { name: "conv_rate", dtype: "float32" },
  { name: "x", dtype: "unix_timestamp[]" },
  { name: "_a1", dtype: "bool" },
  { name: "a".repeat(63), dtype: "int64" },
  { name: "a".repeat(64), dtype: "int64" },
  { name: "Conv", dtype: "float32" },
  { name: "x", dtype: "float" },
  { name: "x", dtype: "float32[][]" },
  { name: "x" },
  { dtype: "int32" },
  { name: "x", dtype: "int32", description: "d" },
  { name: "x", dtype: "int32", tags: { a: "b" } },
  { name: "x", dtype: "int32", extra: 1 },
  { name: "x", dtype: "int32", description: undefined },
  { name: 1, dtype: "int32" },
  { name: "x", dtype: null },
  {},
];

describe("fastField", () => {
  it.each(cases.map((c) => [JSON.stringify(c), c] as const))(
    "agrees with the schema on %s",
    (_label, options) => {
      const fast = fastField(options);
      const slow = SCHEMAS.Field.safeParse(options);
      if (fast !== null) {
        expect(slow.success).toBe(true);
        expect(fast).toEqual(slow.data);
      } else if (slow.success) {
        // Declined but valid: only allowed for the rarer shapes the fast path does not handle.
        expect(Object.keys(options).some((k) => k !== "name" && k !== "dtype")).toBe(true);
      }
    },
  );

  it("takes the common case", () => {
    expect(fastField({ name: "conv_rate", dtype: "float32" })).toEqual({
      name: "conv_rate",
      dtype: "float32",
    });
    expect(fastField({ name: "conv_rate", dtype: "double" })).toBeNull();
  });
});
