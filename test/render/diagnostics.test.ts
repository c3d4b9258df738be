import { describe, expect, it } from "vitest";
import { renderDiagnostics } from "../../src/render/diagnostics.js";
import type { Diagnostic } from "../../src/model/index.js";
import { stripAnsi } from "./plans.js";

const driverTs = [
  'import { Entity, FeatureView, Field } from "fsops";',
  'import { driver } from "./entities";',
  "",
  "export const driverStats = new FeatureView({",
  '  name: "driver_stats",',
  "  entities: [drivr],",
  '  ttl: "1 day",',
  '  schema: [new Field({ name: "conv_rate", dtype: "float23" })],',
  "});",
].join("\n");
const tabbed = "export const x = new Entity({\n\tname: process.env.NAME,\n});\n";
const longLine = `export const big = [${Array.from({ length: 60 }, (_, i) => `"v${i}"`).join(", ")}, Math.random()];`;

const sources = new Map([
  ["features/driver.ts", driverTs],
  ["entities.ts", tabbed],
  ["generated.ts", longLine],
]);

const diagnostics: Diagnostic[] = [
  {
    severity: "warning",
    code: "FS310",
    message: "feature view driver_stats has no owner",
    file: "features/driver.ts",
    line: 4,
    column: 14,
    length: 11,
    hint: 'add owner: "team@example.com"',
  },
  {
    severity: "error",
    code: "FS104",
    message: 'unknown identifier "drivr"',
    file: "features/driver.ts",
    line: 6,
    column: 14,
    length: 5,
    hint: 'did you mean "driver"?',
  },
  {
    severity: "error",
    code: "FS120",
    message: 'invalid duration "1 day"',
    file: "features/driver.ts",
    line: 7,
    column: 8,
    length: 7,
    hint: 'write durations like "1d", "12h" or "90s"',
  },
  {
    severity: "error",
    code: "FS201",
    message: "process.env is not allowed in definitions",
    file: "entities.ts",
    line: 2,
    column: 8,
    length: 16,
    hint: "definitions are read statically; put the value in the file",
  },
  {
    severity: "error",
    code: "FS202",
    message: "Math.random is not allowed in definitions",
    file: "generated.ts",
    line: 1,
    column: longLine.indexOf("Math.random") + 1,
    length: "Math.random".length,
  },
  {
    severity: "error",
    code: "FS001",
    message: "cannot read file",
    file: "missing.ts",
    line: 3,
    column: 1,
  },
];

describe("renderDiagnostics", () => {
  const text = renderDiagnostics(diagnostics, sources, { color: false });

  it("matches the reviewed rendering", async () => {
    await expect(text).toMatchFileSnapshot("./__snapshots__/diagnostics.txt");
  });

  it("prints file:line:col - severity code: message, the line before, the line, a caret underline and the hint", () => {
    expect(text).toContain(
      [
        'features/driver.ts:6:14 - error FS104: unknown identifier "drivr"',
        "",
        '  5 |   name: "driver_stats",',
        "> 6 |   entities: [drivr],",
        "    |              ^^^^^",
        '  hint: did you mean "driver"?',
      ].join("\n"),
    );
  });

  it("puts the carets under the reported span", () => {
    const lines = text.split("\n");
    const at = lines.indexOf('> 7 |   ttl: "1 day",');
    const carets = lines[at + 1]!;
    const codeStart = "> 7 | ".length;
    expect(carets.indexOf("^") - codeStart).toBe(7);
    expect(lines[at]!.slice(codeStart + 7, codeStart + 14)).toBe('"1 day"');
    expect(carets.trimEnd().length - carets.indexOf("^")).toBe(7);
  });

  it("copies tabs into the underline so the carets line up", () => {
    expect(text).toContain("> 2 | \tname: process.env.NAME,\n    | \t      ^^^^^^^^^^^^^^^^\n");
  });

  it("shows a window of a very long line, with the carets still under the span", () => {
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.startsWith("> 1 | …"));
    expect(at).toBeGreaterThan(0);
    const code = lines[at]!;
    expect(code.length).toBeLessThan(180);
    const caret = lines[at + 1]!.indexOf("^");
    expect(code.slice(caret, caret + "Math.random".length)).toBe("Math.random");
  });

  it("sorts by file and position, and prints no frame for a file it was not given", () => {
    const headers = text.split("\n").filter((l) => / - (error|warning) /.test(l));
    expect(headers.map((h) => h.split(" - ")[0])).toEqual([
      "entities.ts:2:8",
      "features/driver.ts:4:14",
      "features/driver.ts:6:14",
      "features/driver.ts:7:8",
      "generated.ts:1:" + (longLine.indexOf("Math.random") + 1),
      "missing.ts:3:1",
    ]);
    expect(text).toContain("missing.ts:3:1 - error FS001: cannot read file\n\n5 errors, 1 warning\n");
  });

  it("ends with the counts", () => {
    expect(text.trimEnd().split("\n").at(-1)).toBe("5 errors, 1 warning");
    expect(renderDiagnostics([], sources, { color: false })).toBe("0 errors, 0 warnings\n");
  });

  it("colors only when asked", () => {
    const colored = renderDiagnostics(diagnostics, sources, { color: true });
    expect(colored).toContain("\u001b[");
    expect(stripAnsi(colored)).toBe(text);
  });

  it("keeps control characters in source and messages from reaching the terminal", () => {
    const out = renderDiagnostics(
      [
        {
          severity: "error",
          code: "FS1",
          message: "bad \u001b[2J",
          file: "x.ts",
          line: 1,
          column: 3,
          length: 2,
        },
      ],
      new Map([["x.ts", "a\u001b[31mb"]]),
      { color: false },
    );
    expect(out).not.toContain("\u001b");
    expect(out).toContain("> 1 | a\ufffd[31mb\n  |   ^^".replace("  |", "    |"));
  });
});
