import { describe, expect, it } from "vitest";
import { isTransformSource } from "../../src/model/evaluated.js";
import type { DslObject } from "../../src/model/evaluated.js";
import { evalExpr, objectOf, optionsOf, parseBody, parseText, plain, where } from "./helpers.js";

/** Evaluates `expr` and expects no diagnostics. */
function value(expr: string, prelude = ""): unknown {
  const { value: v, result } = evalExpr(expr, prelude);
  expect(result.diagnostics).toEqual([]);
  return v;
}

describe("literals and operators", () => {
  it("evaluates literals", () => {
    expect(value('"s"')).toBe("s");
    expect(value("'q'")).toBe("q");
    expect(value("`plain`")).toBe("plain");
    expect(value("42")).toBe(42);
    expect(value("0x10 + 1_000 + 1e3 + .5")).toBe(2016.5);
    expect(value("true")).toBe(true);
    expect(value("false")).toBe(false);
    expect(value("null")).toBe(null);
    expect(value("undefined")).toBe(undefined);
  });

  it("evaluates template literals with substitutions", () => {
    expect(
      value("`a_${n}_${b}_${u}_${z}`", "const n = 3; const b = true; const u = undefined; const z = null;"),
    ).toBe("a_3_true_undefined_null");
    expect(value("`${prefix}_stats`", 'const prefix = "driver";')).toBe("driver_stats");
  });

  it("evaluates arithmetic, string concatenation and unary operators", () => {
    expect(value("1 + 2 * 3 - 4 / 2")).toBe(5);
    expect(value("7 % 3 + 2 ** 10")).toBe(1025);
    expect(value("-x + +y", "const x = 2; const y = 5;")).toBe(3);
    expect(value('"a" + 1 + "b"')).toBe("a1b");
    expect(value("60 * 60 * 24")).toBe(86400);
    expect(value("!true")).toBe(false);
    expect(value("!!0")).toBe(false);
  });

  it("evaluates comparisons, logical operators, ?? and ?:", () => {
    expect(value("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3")).toBe(true);
    expect(value('"a" === "a" && 1 !== 2 && 1 == 1 && 1 != 2')).toBe(true);
    expect(value('0 || "fallback"')).toBe("fallback");
    expect(value('"" && "no"')).toBe("");
    expect(value('null ?? "d"')).toBe("d");
    expect(value('0 ?? "d"')).toBe(0);
    expect(value('env === "prod" ? "big" : "small"', 'const env = "prod";')).toBe("big");
    expect(value("a === a", "const a = { x: 1 };")).toBe(true);
    expect(value("[1] === [1]")).toBe(false);
  });

  it("short-circuits: the branch not taken is never evaluated", () => {
    // process.env is an error only if evaluated
    expect(value("false && process.env.X")).toBe(false);
    expect(value('"x" || process.env.X')).toBe("x");
    expect(value("1 ?? process.env.X")).toBe(1);
    expect(value("true ? 1 : process.env.X")).toBe(1);
  });

  it("looks through as const, satisfies, as T, <T>x, non-null and parentheses", () => {
    expect(value('(["a", "b"] as const)')).toEqual(["a", "b"]);
    expect(value("({ a: 1 } satisfies Record<string, number>)")).toEqual({ a: 1 });
    expect(value('("x" as unknown as string)')).toBe("x");
    expect(value("(<number>n)!", "const n = 4;")).toBe(4);
    expect(value("((((1))))")).toBe(1);
  });
});

describe("objects and arrays", () => {
  it("builds object literals with shorthand, computed keys, numeric and string keys, and spreads", () => {
    expect(
      value(
        '{ ...base, team, ["k_" + n]: 1, 2: "two", "x-y": true, team2: base.team }',
        'const base = { team: "a", owner: "o" }; const team = "b"; const n = 1;',
      ),
    ).toEqual({ team: "b", owner: "o", k_1: 1, 2: "two", "x-y": true, team2: "a" });
    expect(value("{ ...null, ...undefined, ...1, a: 1 }")).toEqual({ a: 1 });
  });

  it("builds arrays with spreads of arrays and strings", () => {
    expect(value('[...a, "c", ...b]', 'const a = ["a", "b"]; const b = [] as string[];')).toEqual([
      "a",
      "b",
      "c",
    ]);
    expect(value('[..."xy"]')).toEqual(["x", "y"]);
  });

  it("reads properties, elements and lengths", () => {
    const prelude = 'const o = { a: { b: ["x", "y", "z"] }, "k-1": 5 }; const s = "hello";';
    expect(value("o.a.b[1]", prelude)).toBe("y");
    expect(value('o["k-1"] + o.a.b.length', prelude)).toBe(8);
    expect(value("s.length + s[1]", prelude)).toBe("5e");
    expect(value("o.missing", prelude)).toBe(undefined);
    expect(value("o.a.b[9]", prelude)).toBe(undefined);
    expect(value("o.a?.b?.[0]", prelude)).toBe("x");
    expect(value("o.missing?.deep.deeper", prelude)).toBe(undefined);
  });

  it("destructures top-level consts", () => {
    expect(
      value(
        "`${a}-${c}-${rest.length}-${x}`",
        'const { a, b: { c } } = { a: 1, b: { c: 2 } }; const [x, ...rest] = ["p", "q", "r"];',
      ),
    ).toBe("1-2-2-p");
  });
});

describe("built-in functions", () => {
  it("supports .map / .filter / .flatMap / .concat / .join / .includes / .slice", () => {
    const prelude = 'const xs = ["a", "b", "c"];';
    expect(value("xs.map((x, i) => `${x}${i}`)", prelude)).toEqual(["a0", "b1", "c2"]);
    expect(value('xs.filter((x) => x !== "b")', prelude)).toEqual(["a", "c"]);
    expect(value("xs.flatMap((x) => [x, x])", prelude)).toEqual(["a", "a", "b", "b", "c", "c"]);
    expect(value('xs.concat(["d"], "e")', prelude)).toEqual(["a", "b", "c", "d", "e"]);
    expect(value('xs.join("+") + xs.join()', prelude)).toBe("a+b+ca,b,c");
    expect(value('xs.includes("b") && !xs.includes("z")', prelude)).toBe(true);
    expect(value("xs.slice(1)", prelude)).toEqual(["b", "c"]);
    expect(value('"abcdef".slice(1, 3) + "abc".includes("b")')).toBe("bctrue");
  });

  it("supports Object.entries / fromEntries / keys / values", () => {
    const prelude = 'const tags = { team: "t", tier: "1" };';
    expect(value("Object.entries(tags)", prelude)).toEqual([
      ["team", "t"],
      ["tier", "1"],
    ]);
    expect(value("Object.keys(tags)", prelude)).toEqual(["team", "tier"]);
    expect(value("Object.values(tags)", prelude)).toEqual(["t", "1"]);
    expect(
      value("Object.fromEntries(Object.entries(tags).map(([k, v]) => [`x_${k}`, v + v]))", prelude),
    ).toEqual({
      x_team: "tt",
      x_tier: "11",
    });
  });
});

describe("helper functions", () => {
  it("calls arrow functions with expression bodies, defaults and destructured parameters", () => {
    const prelude = `
const tagged = (team: string, { tier = "gold", extra }: { tier?: string; extra?: string } = {}) => ({ team, tier, extra });
const twice = (x: number) => x * 2;`;
    expect(value('tagged("a")', prelude)).toEqual({ team: "a", tier: "gold", extra: undefined });
    expect(value('tagged("a", { tier: "s", extra: "e" })', prelude)).toEqual({
      team: "a",
      tier: "s",
      extra: "e",
    });
    expect(value("twice(twice(3))", prelude)).toBe(12);
  });

  it("calls function declarations whose bodies are const declarations and a return", () => {
    const prelude = `
function label(name: string, ...parts: string[]): string {
  const joined = parts.join("_");
  const [first] = parts;
  return name + ":" + joined + ":" + first;
}`;
    expect(value('label("n", "a", "b")', prelude)).toBe("n:a_b:a");
  });

  it("supports recursion that ends, closures and functions passed as callbacks", () => {
    const prelude = `
const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
const adder = (k: number) => (x: number) => x + k;
const inc = adder(1);`;
    expect(value("fact(5)", prelude)).toBe(120);
    expect(value("[1, 2].map(inc)", prelude)).toEqual([2, 3]);
  });

  it("creates one DSL object per call of a constructing helper", () => {
    const result = parseBody(`
const field = (name: string) => new Field({ name, dtype: "float32" });
const fieldsFor = (names: string[]) => names.map(field);
export const v = new FeatureView({ name: "v", entities: [], source: undefined, schema: fieldsFor(["a", "b", "c"]) });
`);
    expect(result.diagnostics).toEqual([]);
    expect(result.objects.map((o) => `${o.$dsl}:${String(o.options["name"])}`)).toEqual([
      "Field:a",
      "Field:b",
      "Field:c",
      "FeatureView:v",
    ]);
  });

  it("does not create objects for constructions in functions that are never called", () => {
    const result = parseBody(`
function unused() { return new Entity({ name: "never" }); }
const alsoUnused = () => new Entity({ name: "never2" });
export const e = new Entity({ name: "real" });
`);
    expect(result.diagnostics).toEqual([]);
    expect(result.objects.map((o) => o.options["name"])).toEqual(["real"]);
  });

  it("evaluates a const that only calls a constructing helper (no `new` in the const itself)", () => {
    const result = parseText({
      "helpers.ts":
        'import { Entity } from "fsops";\nexport const entity = (name: string) => new Entity({ name });\n',
      "defs.ts":
        'import { entity } from "./helpers";\nexport const all = ["a", "b"].map(entity);\nconst tools = { entity };\nexport const c = tools.entity("c");\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.objects.map((o) => o.options["name"])).toEqual(["a", "b", "c"]);
  });
});

describe("DSL constructions", () => {
  const defs = `
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
export const stats = new FeatureView({
  name: "driver_stats",
  entities: [driver],
  ttl: "1d",
  schema: [
    new Field({ name: "conv_rate", dtype: "float32" }),
    new Field({ name: "acc_rate", dtype: "float32" }),
  ],
  source: new PostgresSource({ name: "driver_stats_source", table: "driver_stats", timestampField: "event_timestamp" }),
  online: true,
  tags: { team: "driver_performance" },
});
export const svc = new FeatureService({ name: "model_v1", features: [stats.select(["conv_rate"])] });
`;

  it("returns every construction, nested ones included, ordered by position with id = index", () => {
    const result = parseBody(defs);
    expect(result.diagnostics).toEqual([]);
    expect(
      result.objects.map((o) => [o.id, o.$dsl, o.options["name"], o.location.line, o.location.column]),
    ).toEqual([
      [0, "Entity", "driver", 3, 23],
      [1, "FeatureView", "driver_stats", 4, 22],
      [2, "Field", "conv_rate", 9, 5],
      [3, "Field", "acc_rate", 10, 5],
      [4, "PostgresSource", "driver_stats_source", 12, 11],
      [5, "FeatureService", "model_v1", 16, 20],
    ]);
    expect(result.incomplete).toEqual([]);
  });

  it("evaluates options, with references to the same object instances", () => {
    const result = parseBody(defs);
    const view = objectOf(result, "FeatureView");
    expect(plain(view.options)).toEqual({
      name: "driver_stats",
      entities: ["<Entity driver>"],
      ttl: "1d",
      schema: ["<Field conv_rate>", "<Field acc_rate>"],
      source: "<PostgresSource driver_stats_source>",
      online: true,
      tags: { team: "driver_performance" },
    });
    expect((view.options["entities"] as DslObject[])[0]).toBe(objectOf(result, "Entity"));
    const svc = objectOf(result, "FeatureService");
    expect(optionsOf(result, "FeatureService")).toEqual({
      name: "model_v1",
      features: [{ select: "<FeatureView driver_stats>", features: ["conv_rate"] }],
    });
    const projection = (svc.options["features"] as { view: unknown; location: unknown }[])[0];
    expect(projection?.view).toBe(view);
    expect(projection?.location).toEqual({ file: "a.ts", line: 16, column: 70 });
  });

  it("records where each literal option value was written", () => {
    const view = objectOf(parseBody(defs), "FeatureView");
    const at = (path: string): string => {
      const l = view.optionLocations[path];
      return l === undefined ? "none" : `${l.line}:${l.column}`;
    };
    expect(at("name")).toBe("5:9");
    expect(at("entities")).toBe("6:13");
    expect(at("entities.0")).toBe("6:14");
    expect(at("ttl")).toBe("7:8");
    expect(at("schema")).toBe("8:11");
    expect(at("schema.1")).toBe("10:5");
    expect(at("tags.team")).toBe("14:17");
    expect(at("schema.1.name")).toBe("none"); // belongs to the Field's own locations
    const field = objectOf(parseBody(defs), "Field", "acc_rate");
    expect(field.optionLocations["dtype"]).toEqual({ file: "a.ts", line: 10, column: 42 });
  });

  it("drops the literal location of a key a later spread overrides", () => {
    const e = objectOf(
      parseBody(
        'const base = { description: "d" };\nexport const e = new Entity({ description: "x", ...base, name: "e" });\n',
      ),
      "Entity",
    );
    expect(e.options).toEqual({ description: "d", name: "e" });
    expect(Object.keys(e.optionLocations)).toEqual(["name"]);
  });

  it("records an on-demand view's transform as source text and never evaluates it", () => {
    const result = parseBody(`
const req = new RequestSource({ name: "req", schema: [new Field({ name: "x", dtype: "int64" })] });
function double(inputs: Record<string, number[]>) {
  for (const k of Object.keys(inputs)) process.env[k] = "mutated";
  return { y: inputs.x.map((v) => v * 2) };
}
const viaConst = (inputs: Record<string, unknown[]>) => { while (true) {} };
export const a = new OnDemandFeatureView({ name: "a", sources: [req], schema: [], transform: (inputs) => ({ y: inputs.x }) });
export const b = new OnDemandFeatureView({ name: "b", sources: [req], schema: [], transform: function t(i) { return Date.now() + i; } });
export const c = new OnDemandFeatureView({ name: "c", sources: [req], schema: [], transform: double });
export const d = new OnDemandFeatureView({ name: "d", sources: [req], schema: [], transform: viaConst });
`);
    expect(result.diagnostics).toEqual([]);
    const t = (name: string): unknown => objectOf(result, "OnDemandFeatureView", name).options["transform"];
    expect(isTransformSource(t("a"))).toBe(true);
    expect(plain(t("a") as never)).toEqual({ transform: "(inputs) => ({ y: inputs.x })" });
    expect(plain(t("b") as never)).toEqual({ transform: "function t(i) { return Date.now() + i; }" });
    expect(plain(t("c") as never)).toEqual({
      transform:
        'function double(inputs: Record<string, number[]>) {\n  for (const k of Object.keys(inputs)) process.env[k] = "mutated";\n  return { y: inputs.x.map((v) => v * 2) };\n}',
    });
    expect(plain(t("d") as never)).toEqual({
      transform: "(inputs: Record<string, unknown[]>) => { while (true) {} }",
    });
    expect((t("a") as { location: unknown }).location).toEqual({ file: "a.ts", line: 9, column: 94 });
  });

  it("records an exported transform without its export keywords", () => {
    const result = parseBody(
      'export function tf(i: unknown) { return i; }\nexport const a = new OnDemandFeatureView({ name: "a", sources: [], schema: [], transform: tf });\n',
    );
    expect(plain(objectOf(result, "OnDemandFeatureView").options["transform"] as never)).toEqual({
      transform: "function tf(i: unknown) { return i; }",
    });
  });

  it("exposes .name, .options and .kind of DSL objects", () => {
    expect(
      value(
        "`${d.name}/${d.kind}/${d.options.joinKeys[0]}`",
        'const d = new Entity({ name: "drv", joinKeys: ["id"] });',
      ),
    ).toBe("drv/entity/id");
  });

  it("registers a top-level expression statement that is a construction", () => {
    const result = parseBody('new Entity({ name: "bare" });\n');
    expect(result.objects.map((o) => o.options["name"])).toEqual(["bare"]);
  });

  it("takes the options from a const object", () => {
    const result = parseBody(
      'const opts = { name: "o", joinKeys: ["k"] };\nexport const e = new Entity(opts);\n',
    );
    expect(optionsOf(result, "Entity")).toEqual({ name: "o", joinKeys: ["k"] });
    expect(objectOf(result, "Entity").optionLocations).toEqual({});
  });

  it("keeps the options that evaluate when one fails, and marks the object incomplete", () => {
    const result = parseBody(
      'export const e = new Entity({ name: "e", description: process.env.D, owner: "me" });\n',
    );
    expect(where(result)).toEqual(["FS111 a.ts:2:55"]);
    expect(optionsOf(result, "Entity")).toEqual({ name: "e", owner: "me" });
    expect(result.incomplete).toEqual([objectOf(result, "Entity").id]);
  });

  it("accepts aliased and namespace imports of the DSL", () => {
    const result = parseText({
      "a.ts":
        'import { Entity as E } from "fsops";\nimport * as fs from "fsops";\nexport const a = new E({ name: "a" });\nexport const b = new fs.Entity({ name: "b" });\nconst Alias = fs.Entity;\nexport const c = new Alias({ name: "c" });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.objects.map((o) => `${o.$dsl}:${String(o.options["name"])}`)).toEqual([
      "Entity:a",
      "Entity:b",
      "Entity:c",
    ]);
  });

  it("does not treat a same-named class from elsewhere as a DSL class", () => {
    const result = parseText({
      "a.ts":
        'class Entity { constructor(readonly o: unknown) {} }\nexport const a = new Entity({ name: "a" });\n',
    });
    expect(result.objects).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });
});

describe("more definition forms", () => {
  it("evaluates export default constructions and destructuring declarations", () => {
    const result = parseText({
      "svc.ts":
        'import { FeatureService } from "fsops";\nexport default new FeatureService({ name: "svc", features: [] });\n',
      "pair.ts":
        'import { Entity } from "fsops";\nexport const [left, right] = ["l", "r"].map((name) => new Entity({ name }));\n',
      "use.ts":
        'import { Entity } from "fsops";\nimport svc from "./svc";\nimport { right } from "./pair";\nexport const e = new Entity({ name: "e", description: `${svc.name}/${right.name}` });\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.objects.map((o) => o.options["name"])).toEqual(["l", "r", "svc", "e"]);
    expect(objectOf(result, "Entity", "e").options["description"]).toBe("svc/r");
  });

  it("calls helpers through a namespace import and through an object of helpers", () => {
    const result = parseText({
      "h.ts":
        'import { Entity } from "fsops";\nexport const entity = (name: string) => new Entity({ name });\nexport const tools = { entity };\n',
      "defs.ts":
        'import * as h from "./h";\nexport const a = h.entity("a");\nexport const b = h.tools.entity("b");\n',
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.objects.map((o) => o.options["name"])).toEqual(["a", "b"]);
  });

  it("reports a helper's local const used before its declaration", () => {
    const result = parseBody(
      'const f = () => {\n  const a = b;\n  const b = 1;\n  return a;\n};\nexport const e = new Entity({ name: "e", description: f() });\n',
    );
    expect(where(result)).toEqual(["FS117 a.ts:3:13"]);
  });

  it("keeps __proto__ an ordinary key", () => {
    const { value: v, result } = evalExpr('Object.fromEntries([["__proto__", "p"]])');
    expect(result.diagnostics).toEqual([]);
    expect(Object.keys(v as object)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
  });

  it("supports optional calls and optional chains that short-circuit", () => {
    expect(value("o.f?.()", "const o = { f: undefined as undefined | (() => string) };")).toBe(undefined);
    expect(value("o.g?.()", 'const o = { g: () => "g" };')).toBe("g");
  });
});
