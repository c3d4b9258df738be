/**
 * The subset parser must build exactly the compiler's tree, or give up. Every accepted text here
 * is parsed by both and compared node by node (kinds, positions, flags, every data property).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseSubset } from "../../src/parse/subset-parser.js";
import { compareWithCompiler } from "./subset-compare.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Texts within the subset: the parser must accept each, and build the compiler's tree. */
const ACCEPTED: Record<string, string> = {
  empty: "",
  "only comments": "// a\n/* b\n c */ /** d */\n",
  "named imports": 'import { Entity, FeatureView as FV } from "fsops";\n',
  "trailing comma in imports": "import {\n  a,\n  b,\n} from './x.js';\n",
  "empty named imports": 'import {} from "./x.js";\n',
  "default and named": 'import D, { a } from "./y.js";',
  "default and namespace": 'import D, * as ns from "./y.js";',
  namespace: 'import * as fs from "fsops";',
  "side effect": 'import "./setup.js";',
  "const with a new":
    'import { Entity } from "fsops";\nexport const driver = new Entity({ name: "driver", joinKeys: ["driver_id"] });\n',
  "no semicolons":
    'import { Entity } from "fsops"\nexport const a = new Entity({ name: "a" })\nexport const b = a\n',
  "several declarators": "const a = 1, b = 'two', c = [a, b];\n",
  numbers: "const n = [0, 1, 10, 0.5, 1.50, 12345678901234567890, 3.14159, -1, -0.25];",
  "minus binds looser than a member or a call": "const a = -1 .x, b = -2(3).y, c = - /* c */ 4;",
  "literals and spread":
    "const base = { a: 1 };\nconst o = { ...base, b: true, c: false, d: null, e: undefined, f: [...[1], 2] };\n",
  shorthand: "const name = 'x';\nconst o = { name, other: name };",
  "keys of every kind":
    'const o = { "quoted key": 1, 42: "n", default: 2, new: 3, class: 4, get: 5, set: 6 };',
  "single quotes": "const s = 'it is';\nconst t = \"say 'hi'\";",
  "unicode in strings and comments": 'const s = "café ✓ 日本"; // ü\n/* ✓ */',
  "crlf line endings":
    'import { Entity } from "fsops";\r\nexport const e = new Entity({\r\n  name: "e",\r\n});\r\n',
  "tabs and form feeds": "const\ta\t=\t{\f b: 1 \v};",
  "comments everywhere":
    '/* 1 */ import /* 2 */ { /* 3 */ a /* 4 */ } /* 5 */ from /* 6 */ "x" /* 7 */ ; // 8\nconst /* 9 */ b /* 10 */ = /* 11 */ new /* 12 */ X /* 13 */ ( /* 14 */ { /* 15 */ c /* 16 */ : /* 17 */ a /* 18 */ } /* 19 */ ) /* 20 */ ;',
  "multiline flags":
    "const a = [\n1];\nconst b = [1\n];\nconst c = {\na: 1 };\nconst d = { a: 1\n};\nconst e = [/*\n*/1];",
  "member calls": 'const s = new FeatureService({ features: [fv.select(["a", "b"]), ns.fv, a.b.c(1)(2)] });',
  "new with a member callee": "const x = new ns.Entity({ name: 'x' }).select([]);\nconst y = new a.b.C();",
  "calls with trailing commas": "const x = f(\n  1,\n  2,\n);",
  "empty lists": "const x = f();\nconst y = new X();\nconst z = [];\nconst w = {};",
  "new line before a call": "const x = f\n(1);\nconst y = a\n.b;",
  "export default": 'import { Entity } from "fsops";\nexport default new Entity({ name: "d" });\n',
  "export default identifier": "const k = 1;\nexport default k",
  "re-exports":
    'export { a, b as c } from "./z.js";\nexport * from "./w.js";\nexport * as ns from "./v.js";\nexport {};\n',
  "local exports": "const a = 1;\nexport { a, a as b, };\n",
  "property names that are keywords": "const x = a.default.new.class.delete;",
  "dollar and underscore names": "const $a = 1, _b = $a, c_d$ = _b;",
  "no newline at the end": "const a = 1",
  "comment at the end without newline": "const a = 1 // end",
  "statement then eof without semicolon": "export const a = new X({})",
};

/** Texts outside the subset (or not TypeScript at all): the parser must leave them to the compiler. */
const REJECTED: Record<string, string> = {
  "type annotation": "const a: string = 'x';",
  "let and var": "let a = 1;\nvar b = 2;",
  "declaration without initializer": "const a;",
  destructuring: "const { a } = b;",
  "expression statement": "f();",
  assignment: "const a = {};\na.b = 1;",
  "mutation call statement": "keys.push('x');",
  function: "function f() { return 1; }",
  "arrow function": "const f = () => 1;",
  class: "class A {}",
  interface: "interface A { a: string }",
  "type alias": "type A = string;",
  enum: "enum E { A }",
  "const enum": "const enum E { A }",
  "template literal": "const a = `x${1}`;",
  "escape in a string": "const a = 'it\\'s';",
  "unterminated string": "const a = 'abc;\n",
  "unterminated comment": "const a = 1; /* no end",
  "binary operator": "const a = 1 + 2;",
  "operator on the next line": "const a = b\n+ 1;",
  conditional: "const a = b ? 1 : 2;",
  "optional chain": "const a = b?.c;",
  "non-null assertion": "const a = b!;",
  "as const": "const a = ['x'] as const;",
  satisfies: "const a = {} satisfies object;",
  "element access": "const a = b[0];",
  "element access on the next line": "const a = b\n[0];",
  "array hole": "const a = [1, , 2];",
  parenthesized: "const a = (1);",
  "unary plus": "const a = +1;",
  "negated identifier": "const a = -b;",
  "hex number": "const a = 0x10;",
  exponent: "const a = 1e3;",
  separator: "const a = 1_000;",
  bigint: "const a = 1n;",
  "legacy octal": "const a = 010;",
  "trailing dot number": "const a = 1.;",
  "leading dot number": "const a = .5;",
  "number member": "const a = 1.5.toFixed();",
  regex: "const a = /x/;",
  "type arguments": "const a = new Map<string, number>();",
  "new without arguments": "const a = new X;",
  "new of new": "const a = new new X()();",
  "method in an object": "const a = { f() { return 1; } };",
  "getter in an object": "const a = { get x() { return 1; } };",
  "computed key": "const a = { [k]: 1 };",
  "keyword shorthand": "const a = { default };",
  "semicolon in an object": "const a = { b: 1; c: 2 };",
  "two statements on one line": "const a = 1 const b = 2;",
  "missing closing brace": "const a = { b: 1;",
  "missing closing paren": "const a = f(1;",
  "import type": "import type { A } from './a.js';",
  "type-only specifier": "import { type A } from './a.js';",
  "import attributes": "import data from './d.json' with { type: 'json' };",
  "import equals": "import fs = require('fs');",
  "dangling comma in an import": "import D, from './d.js';",
  "dynamic import": "const m = import('./m.js');",
  "default export of a function": "export default function f() {}",
  "export of a keyword name": "export { a as default };",
  "export type": "export type { A } from './a.js';",
  "export let": "export let a = 1;",
  "names with two underscores": "const __a = 1;",
  "unicode identifier": "const café = 1;",
  "unicode escape in an identifier": "const \\u0061 = 1;",
  "non-breaking space": "const\u00a0a = 1;",
  "line separator in a comment": "// a\u2028const a = 1;",
  "line separator in a string": "const a = 'x\u2029y';",
  "byte order mark": "\ufeffconst a = 1;",
  "use strict": '"use strict";\nconst a = 1;',
  decorator: "@d class A {}",
  shebang: "#!/usr/bin/env node\nconst a = 1;",
  "private name": "const a = b.#c;",
  "keyword as a value": "const a = this;",
  await: "const a = await b;",
  "jsx-like": "const a = <div />;",
};

describe("the subset parser", () => {
  for (const [name, text] of Object.entries(ACCEPTED)) {
    it(`builds the compiler's tree: ${name}`, () => {
      const r = compareWithCompiler(text);
      expect(r.accepted).toBe(true);
      expect(r.difference).toBe("");
    });
  }

  for (const [name, text] of Object.entries(REJECTED)) {
    it(`leaves it to the compiler: ${name}`, () => {
      expect(parseSubset("a.ts", text)).toBeUndefined();
    });
  }

  it("accepts the examples' plain definition files and builds the compiler's tree for each", () => {
    const files: string[] = [];
    for (const project of ["examples/staging", "examples/production"]) {
      const dir = path.join(ROOT, project);
      for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (e.isFile() && e.name.endsWith(".ts")) files.push(path.join(e.parentPath, e.name));
      }
    }
    let accepted = 0;
    for (const file of files) {
      const r = compareWithCompiler(readFileSync(file, "utf8"));
      if (r.accepted) accepted++;
      expect(r.difference, file).toBe("");
    }
    // Helpers with functions go to the compiler; entities, sources, views and services do not.
    expect(accepted).toBeGreaterThanOrEqual(files.length - 4);
  });

  it("gives up on deeply nested input instead of overflowing the stack", () => {
    const text = `const a = ${"[".repeat(100_000)}${"]".repeat(100_000)};`;
    expect(parseSubset("a.ts", text)).toBeUndefined();
  });

  it("on thousands of generated programs, every tree it builds is the compiler's", () => {
    // Random programs from the subset's grammar (and a little beyond), with random trivia
    // between tokens: deep combinations the hand-written shapes do not reach.
    let seed = 0x5eed;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[random(xs.length)] as T;
    const trivia = ["", " ", " ", " ", "\n", "\r\n", "\t", "/* c */", "/*\n*/", "// c\n"];
    const names = ["a", "b1", "$x", "_y", "Entity", "fv", "ns", "undefined", "a", "fv", "type"];
    // After a dot and as keys, keywords are names too.
    const keys = [...names, "get", "default", "new", "of", "class"];
    const numbers = ["0", "7", "1.5", "100.250", "12345678901234567890", "0.0001"];
    const strings = ['"s"', "'q'", '""', '"with space"', "'é'"];
    const t = (): string => pick(trivia);
    const list = (item: () => string, open: string, close: string): string => {
      const items = Array.from({ length: random(4) }, item);
      const comma = items.length > 0 && random(3) === 0 ? `${t()},` : "";
      return `${open}${t()}${items.join(`${t()},${t()}`)}${comma}${t()}${close}`;
    };
    const expression = (depth: number): string => {
      const leaf = depth <= 0;
      switch (random(leaf ? 5 : 11)) {
        case 0:
          return pick(numbers);
        case 1:
          return `-${t()}${pick(numbers)}`;
        case 2:
          return pick(strings);
        case 3:
          return pick(names);
        case 4:
          return pick(["true", "false", "null"]);
        case 5:
          return list(() => property(depth - 1), "{", "}");
        case 6:
          return list(() => (random(5) === 0 ? `...${t()}` : "") + expression(depth - 1), "[", "]");
        case 7:
          return `new${t() || " "}${pick(names)}${random(3) === 0 ? `${t()}.${t()}${pick(names)}` : ""}${t()}${list(() => expression(depth - 1), "(", ")")}`;
        case 8:
          return `${expression(depth - 1)}${t()}.${t()}${pick(keys)}`;
        case 9:
          return `${expression(depth - 1)}${t()}${list(() => expression(depth - 1), "(", ")")}`;
        default:
          return `${pick(names)}${t()}.${t()}select${t()}(${t()}[${t()}${pick(strings)}${t()}]${t()})`;
      }
    };
    const property = (depth: number): string => {
      switch (random(5)) {
        case 0:
          return pick(names);
        case 1:
          return `...${t()}${expression(depth)}`;
        case 2:
          return `${pick(strings)}${t()}:${t()}${expression(depth)}`;
        case 3:
          return `${pick(numbers)}${t()}:${t()}${expression(depth)}`;
        default:
          return `${pick(keys)}${t()}:${t()}${expression(depth)}`;
      }
    };
    const end = (): string => pick([";", ";", "\n", `${t()};`, ""]);
    const specifiers = (): string =>
      list(() => (random(3) === 0 ? `${pick(names)} as ${pick(names)}` : pick(names)), "{", "}");
    const statement = (): string => {
      switch (random(8)) {
        case 0:
          return `import${t() || " "}${specifiers()}${t()}from${t()}${pick(strings)}${end()}`;
        case 1:
          return `import ${pick(names)}${random(2) ? `${t()},${t()}${specifiers()}` : ""} from ${pick(strings)}${end()}`;
        case 2:
          return `import${t() || " "}*${t()}as ${pick(names)} from ${pick(strings)}${end()}`;
        case 3:
          return `export${t() || " "}${specifiers()}${random(2) ? ` from ${pick(strings)}` : ""}${end()}`;
        case 4:
          return `export${t()}*${random(2) ? ` as ${pick(names)}` : ""} from ${pick(strings)}${end()}`;
        case 5:
          return `export default ${expression(3)}${end()}`;
        default: {
          const decls = Array.from(
            { length: 1 + random(2) },
            () => `${pick(names)}${t()}=${t()}${expression(3)}`,
          );
          return `${random(2) ? "export " : ""}const ${decls.join(`${t()},${t()}`)}${end()}`;
        }
      }
    };
    let accepted = 0;
    const failures: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const text = Array.from({ length: 1 + random(4) }, statement).join(pick(["\n", "\n\n", " ", ""]));
      const r = compareWithCompiler(text);
      if (r.accepted) accepted++;
      if (r.difference) failures.push(`${JSON.stringify(text)}: ${r.difference}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(accepted).toBeGreaterThan(2500);
  });

  it("on thousands of random edits of valid files, every tree it builds is the compiler's", () => {
    // A fixed-seed generator: the same edits on every run.
    let seed = 0x2f6b1d3;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const pieces = [
      "",
      " ",
      "\n",
      "\r\n",
      "\t",
      ",",
      ";",
      ":",
      ".",
      "...",
      "(",
      ")",
      "{",
      "}",
      "[",
      "]",
      "=",
      "==",
      "=>",
      "-",
      "+",
      "*",
      "/",
      "//",
      "/*",
      "*/",
      "'",
      '"',
      "`",
      "\\",
      "?",
      "!",
      "<",
      ">",
      "@",
      "#",
      "0",
      "1.5",
      "07",
      "x",
      "_",
      "$",
      "__",
      "as",
      "new",
      "const",
      "let",
      "export",
      "import",
      "from",
      "default",
      "type",
      "async",
      "function",
      "true",
      "null",
      "undefined",
      "é",
      "\u00a0",
      "\u2028",
      "\ufeff",
    ];
    const bases = Object.values(ACCEPTED).filter((t) => t.length > 0);
    // Character edits (insert, replace), and token edits (drop, repeat or swap a whole token).
    const characterEdit = (text: string): string => {
      const at = random(text.length + 1);
      const cut = random(3) === 0 ? random(4) : 0;
      return text.slice(0, at) + (pieces[random(pieces.length)] as string) + text.slice(at + cut);
    };
    const tokenEdit = (text: string): string => {
      const tokens = text.match(/[\w$]+|\s+|\.\.\.|"[^"\n]*"|'[^'\n]*'|[^]/g) ?? [];
      if (tokens.length < 2) return text;
      const i = random(tokens.length);
      const j = random(tokens.length);
      const op = random(3);
      if (op === 0) tokens.splice(i, 1);
      else if (op === 1) tokens.splice(i, 0, tokens[j] as string);
      else [tokens[i], tokens[j]] = [tokens[j] as string, tokens[i] as string];
      return tokens.join("");
    };
    let accepted = 0;
    const failures: string[] = [];
    for (let i = 0; i < 12_000; i++) {
      let text = bases[random(bases.length)] as string;
      for (let edits = 1 + random(3); edits > 0; edits--) {
        text = random(2) === 0 ? characterEdit(text) : tokenEdit(text);
      }
      const r = compareWithCompiler(text);
      if (r.accepted) accepted++;
      if (r.difference) failures.push(`${JSON.stringify(text)}: ${r.difference}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // Both outcomes occur: the edits exercise acceptance as well as giving up.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(11_000);
  });
});
