import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseProject } from "../../src/parse/index.js";

/** Token soup from the constructs definitions use: mostly nonsense, sometimes valid. */
const TOKENS = [
  'import { Entity, Field, FeatureView } from "fsops";\n',
  'import * as ns from "./b";\n',
  'import { x } from "./b.js";\n',
  'export * from "./a";\n',
  "export const ",
  "const ",
  "let ",
  "function f(p = 1, ...rest) { ",
  "return ",
  "} ",
  "new Entity(",
  "new Field(",
  "new FeatureView(",
  "{ name: ",
  "{ ...",
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  ", ",
  "; ",
  "\n",
  "a",
  "b",
  "x",
  "ns.",
  "f(",
  "=> ",
  "= ",
  '"s"',
  "`t${",
  "1",
  "+",
  "?",
  ":",
  "...",
  ".map(",
  ".select(",
  "Object.entries(",
  "process.env.X",
  "a.push(1)",
  "delete a.b",
  "x++",
  "for (const i of a) ",
  "as const",
];

const file = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(""));

describe("robustness", () => {
  it("never throws, never reports an internal error, and sorts its diagnostics, whatever the input", () => {
    fc.assert(
      fc.property(file, file, (a, b) => {
        const result = parseProject([
          { path: "a.ts", text: a },
          { path: "b.ts", text: b },
        ]);
        expect(result.diagnostics.filter((d) => d.code === "FS199")).toEqual([]);
        result.objects.forEach((o, i) => expect(o.id).toBe(i));
        const keys = result.diagnostics.map(
          (d) => `${d.file}:${String(d.line).padStart(6)}:${String(d.column).padStart(6)}`,
        );
        expect([...keys].sort()).toEqual(keys);
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});

/** Syntactically valid expressions over the supported subset (and a little beyond it). */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom('"s"', "1", "2.5", "true", "null", "undefined", "xs", "obj", "n", "`t`", "[]", "{}"),
    fc
      .tuple(
        tie("e"),
        fc.constantFrom("+", "-", "*", "/", "%", "**", "<", "===", "!==", "==", "&&", "||", "??"),
        tie("e"),
      )
      .map(([a, op, b]) => `((${a}) ${op} (${b}))`),
    fc.tuple(tie("e"), tie("e"), tie("e")).map(([a, b, c]) => `(${a} ? ${b} : ${c})`),
    fc.array(tie("e"), { maxLength: 3 }).map((els) => `[${els.join(", ")}]`),
    fc.array(tie("e"), { maxLength: 3 }).map((els) => `[...xs, ${els.join(", ")}]`),
    fc.tuple(fc.constantFrom("a", "b", "c"), tie("e")).map(([k, v]) => `({ ${k}: ${v}, ...obj })`),
    tie("e").map((a) => `\`x\${${a}}\``),
    tie("e").map((a) => `id(${a})`),
    tie("e").map((a) => `pair(${a})[1]`),
    tie("e").map((a) => `xs.map((v) => ${a})`),
    tie("e").map((a) => `(${a}).length`),
    tie("e").map((a) => `Object.keys(${a})`),
    tie("e").map((a) => `(${a})?.a`),
    tie("e").map((a) => `(-(${a}))`),
    tie("e").map((a) => `(!(${a}))`),
  ),
})).e;

const PRELUDE =
  'import { Entity } from "fsops";\nconst xs = ["p", "q"];\nconst obj = { a: 1, b: "two" };\nconst n = 3;\n' +
  "const id = (v: unknown) => v;\nfunction pair(v: unknown) { const out = [v, v]; return out; }\n";

describe("robustness of evaluation", () => {
  it("evaluates or reports any expression of the subset, never failing internally", () => {
    fc.assert(
      fc.property(expr, (e) => {
        const result = parseProject([
          {
            path: "a.ts",
            text: `${PRELUDE}export const e = new Entity({ name: "e", description: ${e} });\n`,
          },
        ]);
        expect(result.diagnostics.filter((d) => d.code === "FS199" || d.code === "FS100")).toEqual([]);
        expect(result.objects).toHaveLength(1);
      }),
      { numRuns: 500, seed: 777 },
    );
  });
});
