/**
 * `fsops validate [dir] [--json]` skips commander (src/cli/quick-args.ts): the quick path must
 * read exactly what commander reads, and leave everything else to commander.
 */
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { quickValidate } from "../../src/cli/quick-args.js";
import { BROKEN_PROJECT, runCli, tempProject } from "./helpers.js";

vi.setConfig({ testTimeout: 180_000 });

describe("quickValidate", () => {
  it("reads validate with an optional folder and an optional --json, in any order", () => {
    expect(quickValidate(["validate"])).toEqual({ dir: ".", json: false });
    expect(quickValidate(["validate", "examples/staging"])).toEqual({ dir: "examples/staging", json: false });
    expect(quickValidate(["validate", "--json"])).toEqual({ dir: ".", json: true });
    expect(quickValidate(["validate", "a b", "--json"])).toEqual({ dir: "a b", json: true });
    expect(quickValidate(["validate", "--json", "x"])).toEqual({ dir: "x", json: true });
  });

  it("leaves every other command line to commander", () => {
    for (const argv of [
      [],
      ["plan"],
      ["graph", "x"],
      ["validate", "--help"],
      ["validate", "-h"],
      ["validate", "--jsn"],
      ["validate", "--json=true"],
      ["validate", "--json", "--json"],
      ["validate", "a", "b"],
      ["validate", "--", "a"],
      ["validate", ""],
      ["validate", "-x"],
      ["validate", "a", "--json", "b"],
      ["--no-color", "validate"],
    ])
      expect(quickValidate(argv), argv.join(" ")).toBeNull();
  });
});

describe("the quick path prints what commander's path prints", () => {
  // `validate -- DIR` is the same command read by commander (`--` ends the options).
  it("on a valid project, on one with mistakes, and on a missing folder, text and --json", async () => {
    const broken = await tempProject(BROKEN_PROJECT);
    const cases: [string[], string[]][] = [];
    for (const dir of ["examples/staging", broken, join(broken, "missing")]) {
      cases.push([
        ["validate", dir],
        ["validate", "--", dir],
      ]);
      cases.push([
        ["validate", dir, "--json"],
        ["validate", "--json", "--", dir],
      ]);
    }
    cases.push([["validate"], ["validate", "--"]]);
    const codes = new Set<number | null>();
    for (const [quick, full] of cases) {
      expect(quickValidate(quick)).not.toBeNull();
      expect(quickValidate(full)).toBeNull();
      const [a, b] = await Promise.all([runCli(quick), runCli(full)]);
      expect(a, quick.join(" ")).toEqual(b);
      codes.add(a.code);
    }
    // The cases are not all alike: they cover success and failure.
    expect(codes).toEqual(new Set([0, 1]));
  });
});
