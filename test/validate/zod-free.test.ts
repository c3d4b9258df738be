/**
 * A valid project never builds a zod schema (the start-up cost issue 11 removes): the zod-free
 * checks (src/validate/fast.ts, src/config/fast.ts) take every construction of both examples and
 * their fsops.yaml. A file of its own, so no other test built the schemas before in this module
 * graph.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadDefinitions } from "../../src/commands/load-definitions.js";
import { loadProjectConfig } from "../../src/config/load.js";
import { configSchemasBuilt } from "../../src/config/parse.js";
import { schemasBuilt } from "../../src/validate/schemas.js";

describe("validating the examples", () => {
  it("builds no zod schema", async () => {
    for (const example of ["staging", "production"]) {
      const dir = path.resolve("examples", example);
      const config = await loadProjectConfig(dir, {});
      expect(config.config?.project, example).toBeTruthy();
      const loaded = await loadDefinitions(dir, config.config!.project);
      expect(loaded.ok, example).toBe(true);
    }
    expect(schemasBuilt()).toBe(false);
    expect(configSchemasBuilt()).toBe(false);
  });
});
