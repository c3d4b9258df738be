import { describe, expect, it } from "vitest";
import { DSL_IMPORT, parseBody, parseText, pos, spanText, where } from "./helpers.js";

/**
 * Parses `body` (after the DSL import) and expects exactly one diagnostic: `code`, at the node
 * whose source text is `span` (its first occurrence, or the `nth`).
 */
function rejects(body: string, code: string, span: string, nth = 1): string {
  const text = DSL_IMPORT + body;
  const result = parseBody(body);
  expect(where(result)).toEqual([`${code} a.ts:${pos(text, span, nth)}`]);
  const d = result.diagnostics[0];
  expect(d && spanText(text, d)).toBe(span);
  expect(d?.severity).toBe("error");
  return d?.message ?? "";
}

const entityWith = (expr: string, prelude = ""): string =>
  `${prelude}\nexport const e = new Entity({ name: "e", description: ${expr} });\n`;

describe("what a definition cannot read", () => {
  it("process.env, with a hint to use fsops.yaml", () => {
    const result = parseBody(entityWith("process.env.TEAM"));
    expect(where(result)).toEqual([
      `FS111 a.ts:${pos(DSL_IMPORT + entityWith("process.env.TEAM"), "process.env")}`,
    ]);
    expect(result.diagnostics[0]?.message).toBe("definitions cannot read the environment (process.env)");
    expect(result.diagnostics[0]?.hint).toBe("put environment-dependent values in fsops.yaml with ${VAR}");
    rejects(entityWith("process.env"), "FS111", "process.env");
    rejects(entityWith('process.env["X"]'), "FS111", "process.env");
    rejects(entityWith("process"), "FS111", "process");
  });

  it("the clock and randomness", () => {
    rejects(entityWith("new Date().toISOString()"), "FS112", "new Date()");
    rejects(entityWith("Date.now()"), "FS112", "Date.now()");
    rejects(entityWith("`${Date}`"), "FS112", "Date");
    rejects(entityWith("Math.random()"), "FS113", "Math.random()");
    rejects(entityWith("crypto.randomUUID()"), "FS113", "crypto.randomUUID()");
  });

  it("module loading at run time", () => {
    rejects(entityWith('require("./x")'), "FS114", 'require("./x")');
    rejects(entityWith('import("./x")'), "FS114", 'import("./x")');
    rejects(entityWith("import.meta.url"), "FS114", "import.meta");
  });

  it("other globals, and unknown identifiers", () => {
    rejects(entityWith("JSON.stringify({ a: 1 })"), "FS115", "JSON.stringify({ a: 1 })");
    rejects(entityWith("Math.max(1, 2)"), "FS115", "Math.max(1, 2)");
    rejects(entityWith('console.log("x")'), "FS115", 'console.log("x")');
    rejects(entityWith("globalThis"), "FS115", "globalThis");
    rejects(entityWith("Object.freeze({})"), "FS115", "Object.freeze({})");
    expect(rejects(entityWith("teamName"), "FS110", "teamName")).toBe('unknown identifier "teamName"');
    rejects(entityWith("mystery(1)"), "FS110", "mystery");
  });

  it("let and var bindings", () => {
    expect(rejects(entityWith("team", 'let team = "a";'), "FS116", "team", 2)).toBe(
      '"team" is declared with let; definitions can only use const bindings',
    );
    rejects(entityWith("team", 'var team = "a";'), "FS116", "team", 2);
    rejects('export let driver = new Entity({ name: "driver" });\n', "FS116", "driver");
  });
});

describe("syntax outside the evaluated subset", () => {
  it("loops, at the top level and in helpers", () => {
    rejects('const names = ["a"];\nfor (const n of names) { new Entity({ name: n }); }\n', "FS121", "for");
    rejects('while (false) new Entity({ name: "w" });\n', "FS121", "while");
    const message = rejects(
      'function make() {\n  const out = [] as string[];\n  for (const x of ["a"]) out.push(x);\n  return out;\n}\n' +
        entityWith("make()[0]"),
      "FS121",
      "for",
    );
    expect(message).toBe("for loops are not evaluated");
  });

  it("helper bodies with statements other than const and a final return", () => {
    rejects(
      'function f(x: string) {\n  if (x) return "a";\n  return "b";\n}\n' + entityWith('f("x")'),
      "FS127",
      '  if (x) return "a";'.trim(),
    );
    rejects(
      'function g() {\n  console.log("side effect");\n  return "b";\n}\n' + entityWith("g()"),
      "FS127",
      'console.log("side effect");',
    );
    rejects(
      'const h = () => {\n  return "a";\n  const late = 1;\n};\n' + entityWith("h()"),
      "FS127",
      "const late = 1;",
    );
    rejects('function k() {\n  let local = "a";\n  return local;\n}\n' + entityWith("k()"), "FS116", "local");
  });

  it("classes", () => {
    rejects('class Team { name = "t"; }\n' + entityWith("new Team().name"), "FS122", "Team", 2);
    rejects(entityWith("new (class { x = 1 })().x"), "FS122", "class { x = 1 }");
  });

  it("await, async functions and generators", () => {
    rejects('const f = async () => "a";\n' + entityWith("f()"), "FS123", 'async () => "a"');
    rejects("function* gen() { yield 1; }\n" + entityWith("gen()"), "FS123", "function* gen() { yield 1; }");
    rejects(
      'const p = "x";\nexport const e = new Entity({ name: "e", description: await p });\n',
      "FS123",
      "await p",
    );
  });

  it("tagged templates", () => {
    rejects("const tag = (s: TemplateStringsArray) => s[0];\n" + entityWith("tag`x`"), "FS124", "tag`x`");
  });

  it("new of classes that are not fsops DSL classes", () => {
    rejects(entityWith('new Map([["a", 1]])'), "FS125", "Map");
    rejects("const notAClass = { a: 1 };\n" + entityWith("new notAClass()"), "FS125", "notAClass", 2);
  });

  it("calls of things that are not supported functions", () => {
    rejects(entityWith('["b", "a"].toSorted()'), "FS126", '["b", "a"].toSorted()');
    rejects(entityWith('["a"].reduce((a, b) => a + b, "")'), "FS126", '["a"].reduce((a, b) => a + b, "")');
    // toUpperCase and the other name-building string methods are evaluated (string-helpers.test.ts)
    rejects(entityWith('"a".localeCompare("b")'), "FS126", '"a".localeCompare("b")');
    rejects("const o = { n: 1 };\n" + entityWith("o.n()"), "FS126", "o.n()");
    rejects(entityWith("Entity({})"), "FS126", "Entity({})");
  });

  it("other syntax", () => {
    rejects(entityWith("typeof x"), "FS120", "typeof x");
    rejects(entityWith("/re/.source"), "FS120", "/re/");
    rejects(entityWith("(1, 2)"), "FS120", "1, 2");
    rejects(entityWith("1n"), "FS120", "1n");
    rejects(entityWith('"a" in {}'), "FS120", "in");
    rejects(entityWith("1 << 2"), "FS120", "<<");
    rejects(entityWith("{ m() { return 1; } }"), "FS120", "m() { return 1; }");
    rejects('enum Team { A = "a" }\n' + entityWith("Team.A"), "FS120", "Team", 2);
  });

  it("type errors that a run would throw on", () => {
    rejects("const o = undefined as unknown as { a: string };\n" + entityWith("o.a"), "FS140", "o.a");
    rejects(entityWith("[...5]"), "FS140", "...5");
    rejects(entityWith("{ ...new Entity({ name: 'x' }) }"), "FS140", "new Entity({ name: 'x' })");
    rejects(entityWith("`${[1]}`"), "FS140", "[1]");
    rejects(entityWith("[1] + 1"), "FS140", "[1] + 1");
  });

  it("properties static evaluation does not provide", () => {
    rejects('const d = new Entity({ name: "d" });\n' + entityWith("d.joinKeys"), "FS141", "d.joinKeys");
    rejects(entityWith("({ a: 1 }).toString"), "FS141", "({ a: 1 }).toString");
    rejects(entityWith('["a"].map'), "FS141", '["a"].map');
  });

  it("select on something that is not a feature view", () => {
    rejects(
      'const d = new Entity({ name: "d" });\n' + entityWith('d.select(["x"])'),
      "FS142",
      'd.select(["x"])',
    );
  });

  it("DSL constructors with the wrong arguments", () => {
    const result = parseBody(
      'export const e = new Entity({ name: "e" }, { extra: true });\nexport const f = new Entity("f");\n',
    );
    expect(where(result)).toEqual(["FS143 a.ts:2:44", "FS143 a.ts:3:29"]);
    expect(result.diagnostics[1]?.message).toBe("new Entity(...) expects an options object, not a string");
    expect(result.objects.map((o) => o.options)).toEqual([{ name: "e" }, {}]);
    expect(result.incomplete).toEqual([0, 1]);
  });

  it("keys that fsops reserves", () => {
    rejects(entityWith('{ $dsl: "Entity" }'), "FS144", "$dsl");
  });
});

describe("mutation", () => {
  it("assignments, ++ and delete inside a definition", () => {
    rejects("const o = { a: 1 };\n" + entityWith("(o.a = 2)"), "FS131", "o.a = 2");
    rejects("const n = 1;\n" + entityWith("n++"), "FS131", "n++");
    rejects("const o = { a: 1 };\n" + entityWith("delete o.a"), "FS131", "delete o.a");
    rejects('const keys = ["a"];\n' + entityWith('keys.push("b")'), "FS131", 'keys.push("b")');
    rejects(
      "const o = { a: 1 };\n" + entityWith("Object.assign(o, { b: 2 })"),
      "FS131",
      "Object.assign(o, { b: 2 })",
    );
  });

  const mutated = (statement: string, span: string): void => {
    const body = `const keys = ["a"];\nconst obj = { a: 1 };\n${statement}\nexport const e = new Entity({ name: "e", joinKeys: keys, tags: obj });\n`;
    const message = rejects(body, "FS130", span);
    expect(message).toMatch(/^"(keys|obj)" is used by a definition but (is modified|is reassigned)/);
  };

  it("a mutation anywhere in the project of a binding a definition uses", () => {
    mutated('keys.push("b");', 'keys.push("b")');
    mutated("keys.splice(0, 1);", "keys.splice(0, 1)");
    mutated("keys.sort();", "keys.sort()");
    mutated("keys.reverse();", "keys.reverse()");
    mutated('keys["push"]("c");', 'keys["push"]("c")');
    mutated("obj.a = 2;", "obj.a = 2");
    mutated('obj["a"] = 2;', 'obj["a"] = 2');
    mutated("delete obj.a;", "delete obj.a");
    mutated("obj.a++;", "obj.a++");
    mutated("--obj.a;", "--obj.a");
    mutated("obj.a += 1;", "obj.a += 1");
    mutated("Object.assign(obj, { b: 2 });", "Object.assign(obj, { b: 2 })");
    mutated('Reflect.set(obj, "a", 3);', 'Reflect.set(obj, "a", 3)');
    mutated('function later() { keys.push("x"); }', 'keys.push("x")');
    mutated('const alias = keys;\nalias.push("x");', 'alias.push("x")');
    mutated("[obj.a] = [5];", "[obj.a] = [5]");
  });

  it("names the binding and says what changes it", () => {
    const message = rejects(
      'const keys = ["a"];\nkeys.push("b");\nexport const e = new Entity({ name: "e", joinKeys: keys });\n',
      "FS130",
      'keys.push("b")',
    );
    expect(message).toBe(
      '"keys" is used by a definition but is modified by .push() here; fsops reads definitions without running them and would not see this change',
    );
  });

  it("a mutation in another file, through an import or a namespace", () => {
    const result = parseText({
      "keys.ts": 'export const keys = ["a"];\nexport const more = ["m"];\n',
      "mutate.ts":
        'import { keys } from "./keys";\nimport * as k from "./keys";\nkeys.push("b");\nk.more.push("n");\n',
      "defs.ts":
        'import { Entity } from "fsops";\nimport { keys, more } from "./keys";\nexport const e = new Entity({ name: "e", joinKeys: [...keys, ...more] });\n',
    });
    expect(where(result)).toEqual(["FS130 mutate.ts:3:1", "FS130 mutate.ts:4:1"]);
  });

  it("is not reported for bindings no definition uses, or for local names that shadow them", () => {
    const result = parseBody(
      'const keys = ["a"];\nconst scratch: string[] = [];\nscratch.push("x");\n' +
        'function f(keys: string[]) { keys.push("local"); }\nconst g = () => { const keys = [1]; keys.push(2); };\n' +
        'export const e = new Entity({ name: "e", joinKeys: keys });\n',
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("is reported when a helper function a definition calls is changed", () => {
    rejects(
      'function label() { return "l"; }\nlabel.extra = 1;\n' + entityWith("label()"),
      "FS130",
      "label.extra = 1",
    );
  });
});

describe("top-level statements", () => {
  it("are ignored when they construct nothing, and never evaluated", () => {
    const result = parseBody(
      'import { writeFileSync } from "node:fs";\nwriteFileSync("/tmp/x", "x");\nconsole.log(process.env.HOME);\nif (Math.random() > 0.5) { throw new Error("x"); }\nexport const e = new Entity({ name: "e" });\n',
    );
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(["warning FS104"]);
    expect(result.objects).toHaveLength(1);
  });

  it("are reported when they construct DSL objects fsops will not evaluate", () => {
    rejects('if (true) { new Entity({ name: "x" }); }\n', "FS128", 'new Entity({ name: "x" })');
    rejects('console.log(new Entity({ name: "x" }));\n', "FS128", 'new Entity({ name: "x" })');
    rejects('const mk = () => new Entity({ name: "m" });\n[1].forEach(() => mk());\n', "FS128", "mk", 2);
  });
});

describe("syntax errors", () => {
  it("reports every syntax error of every file and still evaluates the other files", () => {
    const result = parseText({
      "bad1.ts":
        'import { Entity } from "fsops";\nexport const a = new Entity({ name: "a", });\nexport const b = ;\nconst c = {a:1,,};\n',
      "bad2.ts": "export const x = (1 + ;\n",
      "good.ts": 'import { Entity } from "fsops";\nexport const g = new Entity({ name: "g" });\n',
    });
    expect(where(result)).toEqual(["FS100 bad1.ts:3:18", "FS100 bad1.ts:4:16", "FS100 bad2.ts:1:23"]);
    expect(result.diagnostics[0]?.message).toBe("Expression expected.");
    expect(result.diagnostics[0]?.length).toBe(1);
    // a file with syntax errors contributes no definitions
    expect(result.objects.map((o) => o.options["name"])).toEqual(["g"]);
  });
});

describe("built-in methods given the wrong arguments", () => {
  it("reports a callback that is not a function, a non-number index and bad Object arguments", () => {
    expect(rejects(entityWith('["a"].map("x").join()'), "FS126", '["a"].map("x")')).toBe(
      ".map() with a string instead of a function cannot be called in a definition",
    );
    expect(rejects(entityWith('["a"].slice("1").join()'), "FS140", '["a"].slice("1")')).toBe(
      ".slice() takes numbers, not a string",
    );
    expect(
      rejects(entityWith('Object.keys(Object.fromEntries("x")).join()'), "FS140", 'Object.fromEntries("x")'),
    ).toBe("Object.fromEntries() needs an array of [key, value] pairs, not a string");
    expect(
      rejects(
        entityWith('Object.keys(Object.fromEntries(["x"])).join()'),
        "FS140",
        'Object.fromEntries(["x"])',
      ),
    ).toBe("Object.fromEntries() needs [key, value] pairs, found a string");
    expect(
      rejects(
        entityWith("Object.keys(Object.fromEntries([[{}, 1]])).join()"),
        "FS140",
        "Object.fromEntries([[{}, 1]])",
      ),
    ).toBe("an object cannot be a property key");
    expect(rejects(entityWith("Object.keys(null).join()"), "FS140", "Object.keys(null)")).toBe(
      "Object.keys() of null",
    );
    expect(
      rejects(
        entityWith('Object.keys(new Entity({ name: "x" })).join()'),
        "FS140",
        'Object.keys(new Entity({ name: "x" }))',
      ),
    ).toBe('Object.keys() of a DSL object (Entity "x") is not supported');
  });
});
