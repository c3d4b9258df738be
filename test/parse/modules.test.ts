import { describe, expect, it } from "vitest";
import type { DslObject } from "../../src/model/evaluated.js";
import { objectOf, parseText, pos, where } from "./helpers.js";

const ENTITY = 'import { Entity } from "fsops";\n';

function names(result: ReturnType<typeof parseText>): string[] {
  return result.objects.map((o) => `${o.$dsl}:${String(o.options["name"])}`);
}

describe("imports between project files", () => {
  it("follows named, default, renamed and namespace imports", () => {
    const result = parseText({
      "consts.ts":
        'export const team = "ranking";\nconst owner = "ml@x";\nexport default owner;\nexport const nested = { tier: "gold" };\n',
      "defs.ts":
        ENTITY +
        'import owner, { team as squad } from "./consts";\nimport * as c from "./consts.js";\n' +
        'export const e = new Entity({ name: "e", owner, tags: { team: squad, tier: c.nested.tier, again: c.team } });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(objectOf(result, "Entity").options).toEqual({
      name: "e",
      owner: "ml@x",
      tags: { team: "ranking", tier: "gold", again: "ranking" },
    });
  });

  it("resolves ./x, ./x.js, ./x.ts, ./dir, ./dir/ and ./dir/index", () => {
    const result = parseText({
      "a.ts": 'export const a = "A";\n',
      "b.ts": 'export const b = "B";\n',
      "t.ts": 'export const t = "T";\n',
      "lib/index.ts": 'export const l = "L";\n',
      "lib2/index.ts": 'export const m = "M";\n',
      "lib3/index.ts": 'export const n = "N";\n',
      "defs/main.ts":
        ENTITY +
        'import { a } from "../a";\nimport { b } from "../b.js";\nimport { t } from "../t.ts";\nimport { l } from "../lib";\nimport { m } from "../lib2/";\nimport { n } from "../lib3/index.js";\n' +
        'export const e = new Entity({ name: [a, b, t, l, m, n].join("") });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(objectOf(result, "Entity").options["name"]).toBe("ABTLMN");
  });

  it("follows re-exports: export *, export { a as b } from, export * as ns from, export { x }", () => {
    const result = parseText({
      "base/values.ts":
        "export const one = 1;\nexport const two = 2;\nconst hidden = 3;\nexport { hidden as three };\n",
      "base/index.ts":
        'export * from "./values";\nexport { two as deux } from "./values";\nexport * as all from "./values";\n',
      "defs.ts":
        ENTITY +
        'import { one, deux, three, all } from "./base";\n' +
        'export const e = new Entity({ name: "e", description: `${one}${deux}${three}${all.two}` });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(objectOf(result, "Entity").options["description"]).toBe("1232");
  });

  it('recognizes DSL classes re-exported through a local file from "fsops"', () => {
    const result = parseText({
      "dsl.ts": 'export { Entity } from "fsops";\nexport * from "fsops";\nexport * as F from "fsops";\n',
      "named.ts":
        'import { Entity, Field } from "./dsl";\nexport const a = new Entity({ name: "a" });\nexport const f = new Field({ name: "f", dtype: "int64" });\n',
      "ns.ts":
        'import { F } from "./dsl.js";\nimport * as D from "./dsl";\nexport const b = new F.Entity({ name: "b" });\nexport const c = new D.Entity({ name: "c" });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(names(result)).toEqual(["Entity:a", "Field:f", "Entity:b", "Entity:c"]);
  });

  it("shares one object between a declaration and every reference to it, across files", () => {
    const result = parseText({
      "entities.ts": ENTITY + 'export const driver = new Entity({ name: "driver" });\n',
      "views.ts":
        'import { FeatureView } from "fsops";\nimport { driver } from "./entities";\nimport * as ents from "./entities";\n' +
        'export const v = new FeatureView({ name: "v", entities: [driver, ents.driver], schema: [], source: undefined });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(names(result)).toEqual(["Entity:driver", "FeatureView:v"]);
    const [first, second] = objectOf(result, "FeatureView").options["entities"] as DslObject[];
    expect(first).toBe(objectOf(result, "Entity"));
    expect(second).toBe(first);
  });

  it("handles circular imports when the values themselves do not depend on each other", () => {
    const result = parseText({
      "a.ts":
        ENTITY +
        'import { bName } from "./b";\nexport const aName = "a";\nexport const a = new Entity({ name: aName, description: bName });\n',
      "b.ts":
        ENTITY +
        'import { aName } from "./a";\nexport const bName = "b";\nexport const b = new Entity({ name: bName, description: aName });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(names(result)).toEqual(["Entity:a", "Entity:b"]);
    expect(objectOf(result, "Entity", "b").options["description"]).toBe("a");
  });

  it("handles circular re-exports without looping", () => {
    const defs =
      ENTITY +
      'import { x, y } from "./x";\nimport { nope } from "./y";\nexport const e = new Entity({ name: "e", description: `${x}${y}`, owner: nope });\n';
    const result = parseText({
      "x.ts": 'export * from "./y";\nexport const x = 1;\n',
      "y.ts": 'export * from "./x";\nexport const y = 2;\n',
      "defs.ts": defs,
    });
    expect(where(result)).toEqual([`FS105 defs.ts:${pos(defs, "nope", 2)}`]);
    expect(objectOf(result, "Entity").options["description"]).toBe("12");
  });

  it("reports a cyclic constant, across files, instead of overflowing", () => {
    const result = parseText({
      "a.ts":
        ENTITY +
        'import { b } from "./b";\nexport const a: string = b + "!";\nexport const e = new Entity({ name: a });\n',
      "b.ts": 'import { a } from "./a";\nexport const b: string = a + "?";\n',
    });
    expect(where(result)).toEqual(["FS118 b.ts:2:26"]);
    expect(result.diagnostics[0]?.message).toBe("cyclic definition: a → b → a");
  });

  it("reports a constant that refers to itself", () => {
    const result = parseText({
      "a.ts":
        ENTITY + "const names: string[] = [...names];\nexport const e = new Entity({ name: names[0] });\n",
    });
    expect(where(result)).toEqual(["FS118 a.ts:2:29"]);
  });

  it("reports imports that do not resolve, with the importing location", () => {
    const defs =
      ENTITY +
      'import { x } from "./missing";\nimport { y } from "../outside";\nimport { z } from "./data.json";\n' +
      'export const a = new Entity({ name: "a", description: x });\nexport const b = new Entity({ name: "b", description: y });\nexport const c = new Entity({ name: "c", description: z });\n';
    const result = parseText({ "defs.ts": defs });
    expect(where(result)).toEqual([
      `FS102 defs.ts:${pos(defs, "description: x")}`.replace(
        /:(\d+)$/,
        (_, c: string) => `:${Number(c) + 13}`,
      ),
      `FS102 defs.ts:${pos(defs, "description: y")}`.replace(
        /:(\d+)$/,
        (_, c: string) => `:${Number(c) + 13}`,
      ),
      `FS102 defs.ts:${pos(defs, "description: z")}`.replace(
        /:(\d+)$/,
        (_, c: string) => `:${Number(c) + 13}`,
      ),
    ]);
    expect(result.diagnostics[1]?.message).toBe(
      'cannot resolve "../outside": it is outside the project folder',
    );
  });

  it("reports a missing export and a missing fsops export", () => {
    const defs =
      'import { Entity, Entty } from "fsops";\nimport { w } from "./v";\nexport const a = new Entity({ name: "a", description: w });\nexport const b = new Entty({ name: "b" });\n';
    const result = parseText({ "v.ts": "export const v = 1;\n", "defs.ts": defs });
    // `Entty` is reported at the import (the root cause) and again where it is constructed: a
    // construction of a name fsops does not have never vanishes silently.
    expect(where(result)).toEqual([
      `FS132 defs.ts:${pos(defs, "Entty")}`,
      `FS105 defs.ts:${pos(defs, "w })")}`,
      `FS132 defs.ts:${pos(defs, "Entty(")}`,
    ]);
    expect(result.diagnostics[0]?.message).toBe("Entty is not part of fsops: did you mean Entity?");
    expect(result.diagnostics[1]?.message).toBe('"./v" has no export named "w"');
    expect(names(result)).toEqual(["Entity:a"]);
  });

  it("reports an ambiguous name from two star re-exports", () => {
    const result = parseText({
      "p.ts": "export const v = 1;\n",
      "q.ts": "export const v = 2;\n",
      "both.ts": 'export * from "./p";\nexport * from "./q";\n',
      "defs.ts":
        ENTITY + 'import { v } from "./both";\nexport const a = new Entity({ name: "a", description: v });\n',
    });
    expect(where(result)).toEqual(["FS106 defs.ts:3:55"]);
    expect(result.diagnostics[0]?.message).toBe(
      '"v" is ambiguous in "both.ts": both "./p" and "./q" export it',
    );
  });

  it("reports use of a value from a file with syntax errors", () => {
    const result = parseText({
      "broken.ts": "export const v = ;\n",
      "defs.ts":
        ENTITY +
        'import { v } from "./broken";\nexport const a = new Entity({ name: "a", description: v });\n',
    });
    expect(where(result)).toEqual(["FS100 broken.ts:1:18", "FS107 defs.ts:3:55"]);
  });
});

describe("imports from other packages", () => {
  it("is an error where a definition uses the imported value", () => {
    const result = parseText({
      "defs.ts":
        ENTITY +
        'import { upperCase } from "lodash";\nimport * as path from "node:path";\nexport const a = new Entity({ name: upperCase("a") });\nexport const b = new Entity({ name: path.join("b") });\n',
    });
    // at the imported name as used: `upperCase` and the namespace `path`
    expect(where(result)).toEqual(["FS103 defs.ts:4:37", "FS103 defs.ts:5:37"]);
    expect(result.diagnostics[0]?.message).toBe(
      '"upperCase" is imported from "lodash"; definitions can only use values from "fsops" and project files',
    );
  });

  it("is a warning at the import when nothing uses it; type-only imports are fine", () => {
    const result = parseText({
      "defs.ts":
        ENTITY +
        'import { readFileSync } from "node:fs";\nimport "reflect-metadata";\nimport type { Config } from "some-lib";\nimport { type Other } from "other-lib";\n' +
        'export { helper } from "helpers-lib";\nexport const a = new Entity({ name: "a" });\n',
    });
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column}`)).toEqual([
      "warning FS104 2:1",
      "warning FS104 3:1",
      "warning FS104 6:1",
    ]);
    expect(names(result)).toEqual(["Entity:a"]);
  });

  it("is an error when a definition reaches a foreign value through a local re-export", () => {
    const result = parseText({
      "reexport.ts": 'export { kebab } from "case-lib";\nexport * from "other-lib";\n',
      "defs.ts":
        ENTITY +
        'import { kebab, snake } from "./reexport";\nexport const a = new Entity({ name: kebab("a"), description: snake("b") });\n',
    });
    expect(where(result)).toEqual(["FS103 defs.ts:3:37", "FS103 defs.ts:3:62"]);
  });
});

describe("evaluation order across modules", () => {
  it("evaluates what a later module needs from a module already evaluated (helpers, consts left unevaluated)", () => {
    const result = parseText({
      "a.ts":
        ENTITY +
        'export const names = ["x", "y"];\nexport function mk(n: string) { return new Entity({ name: n }); }\nexport const tools = { mk };\n',
      "b.ts": 'import { names, tools } from "./a";\nexport const all = names.map(tools.mk);\n',
      "c.ts": 'import { mk } from "./a";\nexport const z = mk("z");\n',
    });
    expect(result.diagnostics).toEqual([]);
    // created inside mk (a.ts), in evaluation order
    expect(names(result)).toEqual(["Entity:x", "Entity:y", "Entity:z"]);
  });

  it("evaluates a module's dependencies first whatever their names", () => {
    const result = parseText({
      "aa.ts": ENTITY + 'import { base } from "./zz";\nexport const a = new Entity({ name: `${base}_a` });\n',
      "zz.ts":
        'import { Entity } from "fsops";\nexport const base = "zz";\nexport const z = new Entity({ name: base });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(names(result)).toEqual(["Entity:zz_a", "Entity:zz"]);
  });

  it("handles a chain of thousands of modules without a deep stack", () => {
    const files: Record<string, string> = { "m0000.ts": "export const v0 = 0;\n" };
    for (let i = 1; i < 3000; i++) {
      const id = String(i).padStart(4, "0");
      const prev = String(i - 1).padStart(4, "0");
      files[`m${id}.ts`] = `import { v${i - 1} } from "./m${prev}";\nexport const v${i} = v${i - 1} + 1;\n`;
    }
    files["z.ts"] =
      ENTITY +
      'import { v2999 } from "./m2999";\nexport const e = new Entity({ name: "e", description: v2999 });\n';
    const result = parseText(files);
    // evaluating v2999 needs 3,000 nested const evaluations: deeper than the limit, reported
    expect(result.diagnostics.map((d) => d.code)).toEqual(["FS152"]);
  });
});

describe("aliases of DSL classes", () => {
  it("recognizes constructions through a const alias defined in another, already evaluated module", () => {
    const result = parseText({
      "a.ts":
        'import * as fs from "fsops";\nexport const E = fs.Entity;\nexport const a = new E({ name: "a" });\n',
      "b.ts": 'import { E } from "./a";\nexport const b = new E({ name: "b" });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(names(result)).toEqual(["Entity:a", "Entity:b"]);
  });
});

describe("long chains of references", () => {
  it("decide what is a definition without a deep stack, whatever the length", () => {
    const lines = [ENTITY.trim()];
    for (let i = 0; i < 20000; i++) lines.push(`const a${i} = { next: a${i + 1} };`);
    lines.push("const a20000 = (n: string) => new Entity({ name: n });");
    lines.push('export const e = a0.next.next.next("e");');
    const result = parseText({ "a.ts": lines.join("\n") + "\n" });
    // a0 … a20000 all hold the constructing helper; evaluating them needs 20,000 nested
    // evaluations, which the evaluator reports (for each chain it starts) instead of overflowing
    const codes = new Set(result.diagnostics.map((d) => d.code));
    expect([...codes]).toEqual(["FS152"]);
  });
});

describe("long re-export chains", () => {
  it("are followed up to a limit, then reported, never overflowing", () => {
    const files: Record<string, string> = { "r0000.ts": "export const deep = 1;\n" };
    for (let i = 1; i < 20000; i++) {
      files[`r${String(i).padStart(4, "0")}.ts`] = `export * from "./r${String(i - 1).padStart(4, "0")}";\n`;
    }
    files["short.ts"] =
      ENTITY +
      'import { deep } from "./r0100";\nexport const a = new Entity({ name: "a", description: deep });\n';
    files["z.ts"] =
      ENTITY +
      'import { deep } from "./r19999";\nexport const z = new Entity({ name: "z", description: deep });\n';
    const result = parseText(files);
    expect(objectOf(result, "Entity", "a").options["description"]).toBe(1);
    expect(where(result)).toEqual(["FS102 z.ts:3:55"]);
    expect(result.diagnostics[0]?.message).toMatch(/"deep" is re-exported through too many modules$/);
  });
});
