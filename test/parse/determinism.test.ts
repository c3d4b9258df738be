import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProject } from "../../src/parse/index.js";
import type { SourceFileInput } from "../../src/parse/index.js";

const files: SourceFileInput[] = [
  {
    path: "entities.ts",
    text: 'import { Entity } from "fsops";\nexport const driver = new Entity({ name: "driver", joinKeys: ["driver_id"] });\nexport const customer = new Entity({ name: "customer" });\n',
  },
  {
    path: "helpers/fields.ts",
    text: 'import { Field } from "fsops";\nexport const field = (name: string, dtype = "float32") => new Field({ name, dtype });\nexport const fields = (names: readonly string[]) => names.map((n) => field(n));\n',
  },
  {
    path: "helpers/index.ts",
    text: 'export * from "./fields";\nexport const team = { team: "ranking" } as const;\n',
  },
  {
    path: "views/driver.ts",
    text:
      'import { FeatureView, FileSource } from "fsops";\nimport { driver } from "../entities";\nimport { fields, team } from "../helpers";\n' +
      'export const stats = new FeatureView({\n  name: "driver_stats",\n  entities: [driver],\n  schema: fields(["a", "b", "c"]),\n' +
      '  source: new FileSource({ name: "src", path: "x", timestampField: "ts" }),\n  tags: { ...team },\n  ttl: process.env.TTL,\n});\n',
  },
  {
    path: "views/customer.ts",
    text:
      'import { FeatureView, FileSource } from "fsops";\nimport * as e from "../entities.js";\nimport { field } from "../helpers/index.js";\n' +
      'const names = ["x", "y"];\nexport const profile = new FeatureView({ name: "profile", entities: [e.customer], schema: names.map((n) => field(n, "int64")), source: new FileSource({ name: "src2", path: "y", timestampField: "ts" }) });\n' +
      'names.push("z");\n',
  },
  {
    path: "services.ts",
    text:
      'import { FeatureService } from "fsops";\nimport { stats } from "./views/driver";\nimport { profile } from "./views/customer";\n' +
      'export const svc = new FeatureService({ name: "svc", features: [stats.select(["a"]), profile] });\nexport const broken = ;\n',
  },
  { path: "z-syntax.ts", text: "const = 1;\n" },
];

const canonical = JSON.stringify(parseProject(files));

describe("determinism", () => {
  it("gives the same objects, ids and diagnostics whatever the order of the files", () => {
    const parsed = JSON.parse(canonical) as { objects: unknown[]; diagnostics: unknown[] };
    expect(parsed.objects.length).toBeGreaterThan(8);
    expect(parsed.diagnostics.length).toBeGreaterThan(2);
    fc.assert(
      fc.property(
        fc.shuffledSubarray(files, { minLength: files.length, maxLength: files.length }),
        (shuffled) => {
          expect(JSON.stringify(parseProject(shuffled))).toBe(canonical);
        },
      ),
      { numRuns: 25, seed: 20240601 },
    );
  });

  it("gives the same result for separators and ./ prefixes written differently", () => {
    const variant = files.map((f) => ({ path: `./${f.path.replace(/\//g, "\\")}`, text: f.text }));
    expect(JSON.stringify(parseProject(variant))).toBe(canonical);
  });

  it("refuses the same file given twice", () => {
    expect(() => parseProject([files[0] as SourceFileInput, { ...(files[0] as SourceFileInput) }])).toThrow(
      /given twice/,
    );
  });
});
