/**
 * Issue 12, part 1: no DSL-looking construction in a definition file vanishes. Generated files
 * construct DSL classes, Feast classes and made-up names (imported from "fsops", from another
 * package, through a namespace, or not at all) in every position a definition file has (exported
 * or not, nested, in a helper, a callback, an expression statement, a let); each construction
 * must give an object at its `new`, or a diagnostic on its line. Registered classes with valid
 * options must also reach the validated state.
 */
import { describe, expect, it } from "vitest";
import { parseProject } from "../../src/parse/index.js";
import { buildDesiredState } from "../../src/validate/index.js";

/** mulberry32: a small seeded generator, so a failure names its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Origin = "fsops" | "namespace" | "foreign" | "none";

interface ClassPick {
  name: string;
  /** Options text that validates when the class is a registered DSL class. */
  options: (i: number) => string;
  /** Registered kind:name when valid, for the state check. */
  registers?: (i: number) => string;
}

const DSL: ClassPick[] = [
  {
    name: "Entity",
    options: (i) => `{ name: "e${i}", valueType: "int64" }`,
    registers: (i) => `entity:e${i}`,
  },
  { name: "Project", options: () => `{ name: "proj", description: "d" }`, registers: () => "project:proj" },
  {
    name: "FileSource",
    options: (i) => `{ name: "f${i}", path: "p${i}.parquet", timestampField: "ts" }`,
    registers: (i) => `data_source:f${i}`,
  },
  { name: "BigQuerySource", options: (i) => `{ table: "d.t${i}" }`, registers: (i) => `data_source:d.t${i}` },
  { name: "Field", options: (i) => `{ name: "x${i}", dtype: "int64" }` },
];
const FEAST_ONLY = ["Permission", "ValueType", "FeatureStore", "Feature", "PostgreSQLSource", "SavedDataset"];
const MADE_UP = ["Zorblax", "FeatureTable", "EntityKey", "KinesisSrc", "Thing"];

interface Site {
  line: number;
  column: number;
  cls: string;
  registers: string | null;
}

function generate(seed: number): { text: string; sites: Site[] } {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const imports = { fsops: new Set<string>(), foreign: new Set<string>() };
  const lines: string[] = [];
  const sites: Site[] = [];
  const header = 3; // three import lines are written first
  const count = 1 + Math.floor(r() * 8);
  for (let i = 0; i < count; i++) {
    const kind = r();
    const dsl = kind < 0.5 ? pick(DSL) : null;
    const name = dsl?.name ?? (kind < 0.75 ? pick(FEAST_ONLY) : pick(MADE_UP));
    const origin: Origin = pick(["fsops", "fsops", "namespace", "foreign", "none"] as const);
    if (origin === "fsops") imports.fsops.add(name);
    if (origin === "foreign") imports.foreign.add(name);
    const callee = origin === "namespace" ? `fs.${name}` : name;
    const options = dsl?.options(i) ?? `{ name: "z${i}" }`;
    const construction = `new ${callee}(${options})`;
    // Only constructions evaluated at the top level register (helpers are called once here).
    const registers =
      dsl?.registers && (origin === "fsops" || origin === "namespace") ? dsl.registers(i) : null;
    const at = (prefix: string): void => {
      sites.push({ line: header + lines.length + 1, column: prefix.length + 1, cls: name, registers });
      lines.push(`${prefix}${construction}${""}`);
    };
    switch (Math.floor(r() * 7)) {
      case 0:
        at(`export const v${i} = `);
        lines[lines.length - 1] += ";";
        break;
      case 1:
        at(`const v${i} = `);
        lines[lines.length - 1] += ";";
        break;
      case 2:
        lines.push(`export const l${i} = [`);
        at("  ");
        lines[lines.length - 1] += ",";
        lines.push("];");
        break;
      case 3:
        lines.push(`const mk${i} = () =>`);
        at("  ");
        lines[lines.length - 1] += ";";
        lines.push(`export const h${i} = mk${i}();`);
        break;
      case 4:
        lines.push(`export const m${i} = [1].map(() =>`);
        at("  ");
        lines.push(");");
        break;
      case 5:
        at("");
        lines[lines.length - 1] += ";";
        break;
      default:
        // A `let` is reported at its name, on the same line.
        at(`export let v${i} = `);
        lines[lines.length - 1] += ";";
        break;
    }
  }
  const head = [
    imports.fsops.size > 0 ? `import { ${[...imports.fsops].join(", ")} } from "fsops";` : "",
    'import * as fs from "fsops";',
    imports.foreign.size > 0 ? `import { ${[...imports.foreign].join(", ")} } from "feast-sdk";` : "",
  ];
  return { text: `${head.join("\n")}\n${lines.join("\n")}\n`, sites };
}

describe("no DSL-looking construction vanishes (generated files)", () => {
  it("each construction gives an object at its `new` or a diagnostic on its line, 400 files", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { text, sites } = generate(seed);
      const parsed = parseProject([{ path: "defs.ts", text }]);
      for (const s of sites) {
        const object = parsed.objects.some(
          (o) =>
            o.location.file === "defs.ts" && o.location.line === s.line && o.location.column === s.column,
        );
        const diagnostic = parsed.diagnostics.some((d) => d.file === "defs.ts" && d.line === s.line);
        expect(object || diagnostic, `seed ${seed}: ${s.cls} at ${s.line}:${s.column}\n${text}`).toBe(true);
      }
      // Registered classes with valid options reach the validated state (unless the file has an error).
      const { state, diagnostics } = buildDesiredState("proj", parsed);
      const errors = [...parsed.diagnostics, ...diagnostics].filter((d) => d.severity === "error");
      const registered = new Set(state.objects.map((o) => `${o.kind}:${o.name}`));
      for (const s of sites) {
        if (s.registers === null) continue;
        const reported = errors.some((d) => d.line === s.line);
        expect(registered.has(s.registers) || reported, `seed ${seed}: ${s.registers}\n${text}`).toBe(true);
      }
    }
  });

  it("the constructions the issue found dropped silently are now an object or an error", () => {
    const text = [
      'import { Entity, Permission, Project, KinesisSource, FileSource } from "fsops";',
      'export const p = new Project({ name: "proj" });',
      'const perm = new Permission({ name: "readers" });',
      'const batch = new FileSource({ name: "b", path: "b.parquet", timestampField: "ts" });',
      'const k = new KinesisSource({ name: "k", region: "r", streamName: "s", recordFormat: "json", timestampField: "ts", batchSource: batch });',
      "",
    ].join("\n");
    const parsed = parseProject([{ path: "defs.ts", text }]);
    expect(parsed.diagnostics.map((d) => `${d.code} ${d.line}:${d.column}`)).toEqual([
      "FS132 1:18",
      "FS132 3:18",
    ]);
    expect(parsed.diagnostics[0]!.message).toMatch(
      /^Permission is not part of fsops: fsops has no access-control objects/,
    );
    const { state } = buildDesiredState("proj", parsed);
    expect(state.objects.map((o) => `${o.kind}:${o.name}`)).toEqual([
      "project:proj",
      "data_source:b",
      "data_source:k",
    ]);
  });
});
