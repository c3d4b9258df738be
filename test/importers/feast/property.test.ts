/**
 * Generated Feast modules — valid definitions, idioms fsops cannot take, dynamic code and broken
 * syntax, in random order — against the importer's two promises: it never crashes, and nothing is
 * lost silently (every Feast statement becomes a TypeScript binding or a TODO; a module with a
 * TODO never validates).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { importFeastRepo } from "../../../src/importers/feast/index.js";
import { parseProject } from "../../../src/parse/index.js";
import { buildDesiredState } from "../../../src/validate/index.js";

const HEADER = [
  "from datetime import timedelta",
  "import os",
  "from feast import Entity, FeatureService, FeatureView, Field, FileSource, PushSource, RequestSource",
  "from feast import on_demand_feature_view",
  "from feast.permissions.permission import Permission",
  "from feast.types import Array, Float32, Float64, Int64, String",
  'driver = Entity(name="driver", join_keys=["driver_id"])',
  'src = FileSource(name="src", path="s3://bucket/x.parquet", timestamp_field="ts")',
];

/** One statement: its Python lines, and whether it defines a Feast object under `name`. */
interface Gen {
  name: string;
  lines: readonly string[];
}

const featureName = fc.constantFrom("conv_rate", "acc_rate", "trips", "score", "rating");
const dtype = fc.constantFrom("Float32", "Float64", "Int64", "String", "Array(Float32)", "Weird");
const duration = fc.constantFrom(
  "timedelta(days=1)",
  "timedelta(hours=2, minutes=30)",
  "timedelta(seconds=1.5)",
  "timedelta(days=-2)",
  "None",
  "timedelta(weeks=4)",
);

const statement = (i: number): fc.Arbitrary<Gen> =>
  fc.oneof<fc.Arbitrary<Gen>[]>(
    fc
      .record({
        f: fc.uniqueArray(fc.tuple(featureName, dtype), {
          minLength: 1,
          maxLength: 3,
          selector: (t) => t[0],
        }),
        ttl: duration,
      })
      .map(({ f, ttl }) => ({
        name: `view_${i}`,
        lines: [
          `view_${i} = FeatureView(`,
          `    name="view_${i}",`,
          "    entities=[driver],",
          `    ttl=${ttl},`,
          `    schema=[${f.map(([n, d]) => `Field(name="${n}", dtype=${d})`).join(", ")}],`,
          "    source=src,",
          ")",
        ],
      })),
    fc.constant({
      name: `req_${i}`,
      lines: [`req_${i} = RequestSource(name="req_${i}", schema=[Field(name="x", dtype=Int64)])`],
    }),
    fc.constant({ name: `push_${i}`, lines: [`push_${i} = PushSource(name="push_${i}", batch_source=src)`] }),
    fc.constant({
      name: `odfv_${i}`,
      lines: [
        `@on_demand_feature_view(sources=[req_${i}], schema=[Field(name="y", dtype=Float64)])`,
        `def odfv_${i}(inputs):`,
        "    return inputs",
      ],
    }),
    fc.constant({ name: `perm_${i}`, lines: [`perm_${i} = Permission(name="p${i}", actions=[])`] }),
    fc.constant({
      name: `env_${i}`,
      lines: [`env_${i} = FileSource(name="e${i}", path=os.getenv("P"), timestamp_field="ts")`],
    }),
    fc.constant({
      name: `loop_${i}`,
      lines: [`for k in range(2):`, `    globals()["loop_${i}_" + str(k)] = Entity(name="e" + str(k))`],
    }),
    fc.constant({ name: `broken_${i}`, lines: [`broken_${i} = FeatureView(name="b", schema=[`] }),
    fc.constant({
      name: `svc_${i}`,
      lines: [`svc_${i} = FeatureService(name="svc_${i}", features=[undefined_view[["a"]]])`],
    }),
    fc.constant({ name: `kw_${i}`, lines: [`kw_${i} = Entity(name="kw${i}", **extra)`] }),
  );

const moduleArb = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => statement(i))));

describe("generated Feast modules", () => {
  it("never crash the importer, and every Feast statement is a binding, a TODO or a note; a TODO never validates", () => {
    fc.assert(
      fc.property(moduleArb, (stmts) => {
        const lines = [...HEADER];
        const starts: { gen: Gen; line: number; end: number }[] = [];
        for (const gen of stmts) {
          starts.push({ gen, line: lines.length + 1, end: lines.length + gen.lines.length });
          lines.push(...gen.lines);
        }
        const result = importFeastRepo({
          files: [{ path: "defs.py", text: lines.join("\n") + "\n" }],
          featureStoreYaml: "project: generated\n",
          repoName: "repo",
        });
        const ts = result.files.find((f) => f.path === "defs.ts")?.text ?? "";
        for (const { gen, line, end } of starts) {
          const bound =
            ts.includes(`export const ${gen.name} =`) || ts.includes(`export function ${gen.name}(`);
          const reported = [...result.todos, ...result.notes].some(
            (f) => f.file === "defs.py" && f.line >= line && f.line <= Math.max(end, line),
          );
          // A statement after a syntax error may be swallowed by it: then the error's TODO covers it.
          const swallowed = result.todos.some((t) => t.message.includes("syntax error") && t.line < line);
          expect(
            bound || reported || swallowed,
            `${gen.name} vanished:\n${gen.lines.join("\n")}\n---\n${ts}`,
          ).toBe(true);
        }
        if (result.todos.some((t) => t.file === "defs.py")) {
          const parsed = parseProject([{ path: "defs.ts", text: ts }]);
          const validated = buildDesiredState("generated", parsed);
          const errors = [...parsed.diagnostics, ...validated.diagnostics].filter(
            (d) => d.severity === "error",
          );
          expect(errors.length, `validated despite TODOs:\n${ts}`).toBeGreaterThan(0);
        }
      }),
      { numRuns: 60, seed: 20261206 },
    );
  });
});
