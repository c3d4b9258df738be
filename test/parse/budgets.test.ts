import { describe, expect, it } from "vitest";
import { defaultStepBudget } from "../../src/parse/index.js";
import { DSL_IMPORT, parseBody, parseText, pos, where } from "./helpers.js";

/** Budgets turn runaway evaluation into a diagnostic; these inputs would otherwise hang or crash. */
describe("evaluation budgets", () => {
  it("stops a helper that recurses forever at the depth limit", () => {
    const body =
      "const forever = (n: number): number => forever(n + 1);\n" +
      'export const e = new Entity({ name: "e", description: forever(0) });\n';
    const result = parseBody(body);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FS152"]);
    expect(result.diagnostics[0]?.message).toBe("helper calls nested deeper than 200 levels");
    expect(result.diagnostics[0]?.line).toBe(2);
  });

  it("stops mutual recursion through function declarations and callbacks", () => {
    const body =
      "function ping(n: number): number[] { return [n].map((x) => pong(x)); }\nfunction pong(n: number): number[] { return ping(n + 1); }\n" +
      'export const e = new Entity({ name: "e", description: ping(0) });\n';
    expect(parseBody(body).diagnostics.map((d) => d.code)).toEqual(["FS152"]);
  });

  it("stops exponential recursion with the step budget", () => {
    const body =
      "const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));\n" +
      'export const e = new Entity({ name: "e", description: fib(60) });\nexport const other = new Entity({ name: "other" });\n';
    const result = parseBody(body);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FS150"]);
    const budget = defaultStepBudget();
    expect(result.diagnostics[0]?.message).toBe(
      `evaluation stopped after ${budget} steps; definitions must be cheap to evaluate`,
    );
    // once the budget is spent nothing more is evaluated
    expect(result.objects.map((o) => o.options["name"])).toEqual([]);
  });

  it("honours a smaller step budget", () => {
    const body =
      'const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));\nexport const e = new Entity({ name: "e", description: fib(15) });\n';
    expect(parseBody(body).diagnostics).toEqual([]);
    expect(parseBody(body, { stepBudget: 1000 }).diagnostics.map((d) => d.code)).toEqual(["FS150"]);
  });

  it("refuses a budget that is not a positive number", () => {
    const body = 'export const e = new Entity({ name: "e" });\n';
    expect(() => parseBody(body, { stepBudget: 0 })).toThrow(
      new RangeError("stepBudget must be a positive number"),
    );
    expect(() => parseBody(body, { stepBudget: Number.NaN })).toThrow(RangeError);
    expect(() => parseBody(body, { sizeBudget: -1 })).toThrow(
      new RangeError("sizeBudget must be a positive number"),
    );
    expect(() => parseBody(body, { sizeBudget: Infinity })).toThrow(RangeError);
  });

  it("stops exponential growth of arrays by spreading with the size budget", () => {
    const lines = ['const a0 = ["x", "y"];'];
    for (let i = 1; i <= 40; i++) lines.push(`const a${i} = [...a${i - 1}, ...a${i - 1}];`);
    const body = lines.join("\n") + '\nexport const e = new Entity({ name: "e", joinKeys: a40 });\n';
    const result = parseBody(body);
    // 2 · 2^16 = 131,072 elements is the first array over 100,000
    expect(where(result)).toEqual([`FS151 a.ts:${pos(DSL_IMPORT + body, "...a15", 2)}`]);
    expect(result.diagnostics[0]?.message).toBe(
      "an array of 131072 elements exceeds the size limit of 100000",
    );
    expect(result.objects[0]?.options).toEqual({ name: "e" });
  });

  it("stops exponential growth of strings with the size budget", () => {
    const lines = ['const s0 = "0123456789";'];
    for (let i = 1; i <= 60; i++) lines.push(`const s${i} = s${i - 1} + s${i - 1};`);
    const body = lines.join("\n") + '\nexport const e = new Entity({ name: "e", description: `${s60}` });\n';
    const result = parseBody(body);
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "FS151 a string of 1310720 characters exceeds the size limit of 1000000",
    ]);
    expect(result.diagnostics[0]?.line).toBe(2 + 17);
  });

  it("stops a flatMap blow-up and a huge Object.fromEntries", () => {
    const body =
      "const big = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0].flatMap(() => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).flatMap(() => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);\n" +
      "const huge = big.flatMap(() => big);\n" +
      'export const e = new Entity({ name: "e", description: huge.length });\n';
    expect(parseBody(body).diagnostics.map((d) => d.code)).toEqual(["FS151"]);
    expect(parseBody(body, { sizeBudget: 50 }).diagnostics.map((d) => `${d.code} ${d.line}`)).toEqual([
      "FS151 2",
    ]);
  });

  it("reports expressions nested too deeply instead of overflowing the stack", () => {
    const body = `export const e = new Entity({ name: "e", description: ${"!".repeat(1500)}true });\n`;
    const result = parseBody(body);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FS152"]);
    expect(result.diagnostics[0]?.message).toBe("expressions nested deeper than 1000 levels");
  });

  it("reports a file too deeply nested to parse, and still reads the others", () => {
    const result = parseText({
      "a.ts": DSL_IMPORT + 'export const e = new Entity({ name: "e" });\n',
      "deep.ts": `export const x = ${"[".repeat(50_000)}${"]".repeat(50_000)};\n`,
    });
    expect(where(result)).toEqual(["FS101 deep.ts:1:1"]);
    expect(result.objects.map((o) => o.options["name"])).toEqual(["e"]);
  });
});
