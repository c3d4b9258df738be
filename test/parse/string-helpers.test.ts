/**
 * Issue 12, part 2: the pure string and array helpers real repositories use to build names,
 * evaluated statically within the step and size budgets, and wrong values passed through a helper
 * reported where the caller wrote them.
 */
import { describe, expect, it } from "vitest";
import { buildDesiredState } from "../../src/validate/index.js";
import { optionsOf, parseBody, parseText, where } from "./helpers.js";

function description(expr: string, prelude = ""): unknown {
  const result = parseBody(`${prelude}export const e = new Entity({ name: "e", description: ${expr} });\n`);
  expect(result.diagnostics).toEqual([]);
  return (optionsOf(result, "Entity") as { description: unknown }).description;
}

describe("string helpers", () => {
  it.each([
    ['"Driver-Stats".toLowerCase()', "driver-stats"],
    ['"driver".toUpperCase()', "DRIVER"],
    ['"a-b-c".replace("-", "_")', "a_b-c"],
    ['"a-b-c".replaceAll("-", "_")', "a_b_c"],
    ['"  x ".trim()', "x"],
    ['"  x ".trimStart()', "x "],
    ['"  x ".trimEnd()', "  x"],
    ['`${"raw_x".startsWith("raw_")}`', "true"],
    ['`${"x_v1".endsWith("_v1")}`', "true"],
    ['"7".padStart(3, "0")', "007"],
    ['"7".padEnd(3, "_")', "7__"],
    ['"a,b,c".split(",").join("|")', "a|b|c"],
    ['"a,b,c".split(",", 2).join("|")', "a|b"],
    ['"abc".split("").join(" ")', "a b c"],
    ['"driver_stats".slice(0, 6)', "driver"],
    ['"Driver Hourly".trim().toLowerCase().replaceAll(" ", "_")', "driver_hourly"],
  ])("%s → %j", (expr, expected) => {
    expect(description(expr)).toBe(expected);
  });

  it("Array.from({ length: n }, fn) and Array.from(array | string)", () => {
    expect(description('Array.from({ length: 3 }, (_, i) => `f${i}`).join(",")')).toBe("f0,f1,f2");
    expect(description('Array.from(["a", "b"], (x) => x.toUpperCase()).join("")')).toBe("AB");
    expect(description('Array.from("ab").join("-")')).toBe("a-b");
    expect(description("`${Array.from({ length: 0 }).length}`")).toBe("0");
  });

  it("a regular expression or a function replacement is not evaluated, and says so", () => {
    const regex = parseBody(
      'export const e = new Entity({ name: "e", description: "a-b".replace(/-/g, "_") });\n',
    );
    expect(regex.diagnostics.map((d) => d.code)).not.toEqual([]);
    const fn = parseBody(
      'export const e = new Entity({ name: "e", description: "a-b".replace("-", () => "_") });\n',
    );
    expect(fn.diagnostics.map((d) => d.message)).toEqual([
      ".replace() with a function (write the text) cannot be called in a definition",
    ]);
  });

  it("stays within the size budget (checked before building the value)", () => {
    const blowup = parseBody(
      'const s = "x".padEnd(5000, "x");\nexport const e = new Entity({ name: "e", description: s.replaceAll("", s) });\n',
    );
    expect(blowup.diagnostics.map((d) => d.code)).toEqual(["FS151"]);
    const long = parseBody('export const e = new Entity({ name: "e", description: "x".padStart(1e9) });\n');
    expect(long.diagnostics.map((d) => d.code)).toEqual(["FS151"]);
    const many = parseBody(
      'export const e = new Entity({ name: "e", description: Array.from({ length: 1e9 }).join("") });\n',
    );
    expect(many.diagnostics.map((d) => d.code)).toEqual(["FS151"]);
    const bad = parseBody(
      'export const e = new Entity({ name: "e", description: Array.from({ length: -1 }).join("") });\n',
    );
    expect(bad.diagnostics.map((d) => d.code)).toEqual(["FS140"]);
  });

  it("and within the step budget", () => {
    const body =
      'export const e = new Entity({ name: "e", description: Array.from({ length: 50000 }, (_, i) => `${i}`.padStart(6, "0")).join("").slice(0, 1) });\n';
    expect(parseBody(body, { stepBudget: 1000 }).diagnostics.map((d) => d.code)).toEqual(["FS150"]);
  });
});

describe("a wrong value passed through a helper is reported where it was written", () => {
  it("at the call site's literal, not inside the helper, also through two helpers", () => {
    const text = `import { Entity, Field, FeatureView, FileSource } from "fsops";
const mkField = (name: string, dtype: string) => new Field({ name, dtype: dtype as never });
const twice = (n: string, t: string) => mkField(n, t);
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
export const fv = new FeatureView({
  name: "fv",
  entities: [driver],
  schema: [mkField("a", "flaot"), twice("b", "in64"), mkField("c", "int64")],
  source: new FileSource({ name: "s", path: "p", timestampField: "ts" }),
});
`;
    const parsed = parseText({ "defs.ts": text });
    expect(where(parsed)).toEqual([]);
    const { diagnostics } = buildDesiredState("p", parsed);
    const line = text.split("\n").findIndex((l) => l.includes('"flaot"')) + 1;
    const col = (needle: string) => text.split("\n")[line - 1]!.indexOf(needle) + 1;
    expect(diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual([
      `FS205 ${line}:${col('"flaot"')}`,
      `FS205 ${line}:${col('"in64"')}`,
    ]);
    // "did you mean" only when plausible: "in64" is one letter from "int64", "flaot" is not close.
    expect(diagnostics[1]!.hint).toBe('did you mean "int64"?');
    expect(diagnostics[0]!.hint).not.toMatch(/did you mean/);
  });
});
