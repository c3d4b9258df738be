import { existsSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { discoverSourceFiles } from "../../src/parse/discover.js";
import { parseProject } from "../../src/parse/index.js";

const fixture = fileURLToPath(new URL("../fixtures/parse/canary", import.meta.url));
const canary = `${fixture}/CANARY-EXECUTED`;

describe("the canary: definitions are read, never executed", () => {
  it("discover + parse find the definitions and write nothing", async () => {
    rmSync(canary, { force: true });
    const result = parseProject(await discoverSourceFiles(fixture));
    expect(existsSync(canary)).toBe(false);
    expect(result.objects.map((o) => `${o.$dsl}:${String(o.options["name"])}`)).toEqual([
      "Entity:driver",
      "FileSource:driver_stats_source",
      "FeatureView:driver_stats",
      "Field:conv_rate",
    ]);
    expect(result.objects[2]?.options["tags"]).toEqual({ stamp: "static" });
    // the node:fs imports are reported as ignored, nothing else
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.file}:${d.line}`)).toEqual([
      "warning FS104 features.ts:3",
      "warning FS104 side-effects.ts:2",
    ]);
  });
});
