/**
 * Issue 3's reliability property, end to end against real servers: for random pairs of desired
 * states A and B, apply A, plan B, apply that plan (bound to its fingerprint), plan again → no
 * changes. The registry and the online store are both real Postgres, so random schema changes also
 * drive the DDL paths (add, drop, rebuild, drop table).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyProject } from "../../src/commands/apply.js";
import { planProject } from "../../src/commands/plan.js";
import type { CommandContext } from "../../src/commands/types.js";
import { planHasChanges } from "../../src/model/plan.js";
import { freshDatabase, uniqueName } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";

const DTYPES = ["int64", "float32", "float64", "string", "bool", "float32[]"] as const;
const FEATURES = ["conv_rate", "acc_rate", "trips", "rating", "balance", "score"] as const;
const ENTITIES = [
  { name: "driver", key: "driver_id", type: "int64" },
  { name: "customer", key: "customer_id", type: "string" },
] as const;

interface ViewModel {
  name: string;
  entity: 0 | 1;
  fields: { name: string; dtype: string }[];
  ttl: number;
  online: boolean;
  team: string;
}
interface ProjectModel {
  views: ViewModel[];
  service: { view: string; features: string[] } | null;
}

const viewArb = (name: string): fc.Arbitrary<ViewModel> =>
  fc.record({
    name: fc.constant(name),
    entity: fc.constantFrom<0 | 1>(0, 1),
    fields: fc
      .uniqueArray(fc.constantFrom(...FEATURES), { minLength: 1, maxLength: 4 })
      .chain((names) =>
        fc.tuple(...names.map((n) => fc.constantFrom(...DTYPES).map((dtype) => ({ name: n, dtype })))),
      ),
    ttl: fc.constantFrom(0, 3600, 86400),
    online: fc.boolean(),
    team: fc.constantFrom("ranking", "pricing"),
  });

const projectArb: fc.Arbitrary<ProjectModel> = fc
  .subarray(["hourly_stats", "daily_profile", "trip_counts"], { minLength: 1 })
  .chain((names) => fc.tuple(...names.map(viewArb)))
  .chain((views) =>
    fc.record({
      views: fc.constant(views),
      service: fc.option(
        fc.constantFrom(...views).chain((v) =>
          fc
            .subarray(
              v.fields.map((f) => f.name),
              { minLength: 1 },
            )
            .map((features) => ({ view: v.name, features })),
        ),
        { nil: null },
      ),
    }),
  );

function renderProject(m: ProjectModel): string {
  const ident = (s: string) => s.replace(/_(\w)/g, (_x, c: string) => c.toUpperCase());
  const lines = ['import { Entity, FeatureService, FeatureView, Field, FileSource } from "fsops";', ""];
  for (const e of ENTITIES) {
    lines.push(
      `export const ${e.name} = new Entity({ name: "${e.name}", joinKeys: ["${e.key}"], valueType: "${e.type}" });`,
    );
  }
  for (const v of m.views) {
    const fields = v.fields.map((f) => `new Field({ name: "${f.name}", dtype: "${f.dtype}" })`).join(", ");
    lines.push(
      `export const ${ident(v.name)} = new FeatureView({`,
      `  name: "${v.name}",`,
      `  entities: [${ENTITIES[v.entity].name}],`,
      `  schema: [${fields}],`,
      `  source: new FileSource({ name: "${v.name}_src", path: "s3://lake/${v.name}", timestampField: "ts" }),`,
      `  ttl: ${v.ttl},`,
      `  online: ${v.online},`,
      `  tags: { team: "${v.team}" },`,
      "});",
    );
  }
  if (m.service) {
    lines.push(
      `export const svc = new FeatureService({ name: "svc", features: [${ident(m.service.view)}.select(${JSON.stringify(m.service.features)})] });`,
    );
  }
  return `${lines.join("\n")}\n`;
}

describe("apply A, plan B, apply, plan → no changes (Postgres registry + Postgres online store)", () => {
  it("holds for random pairs of desired states", async () => {
    const registryUrl = await freshDatabase();
    const onlineUrl = await freshDatabase();
    const root = await tempDir("fsops-prop-");
    const ctx: CommandContext = {
      env: { REGISTRY_URL: registryUrl, ONLINE_URL: onlineUrl },
      who: "property-test",
      commit: null,
    };

    const seen = { appliedB: 0, infraActions: new Set<string>() };
    await fc.assert(
      fc.asyncProperty(projectArb, projectArb, async (a, b) => {
        const project = uniqueName("prop");
        const dir = join(root, project);
        await mkdir(dir, { recursive: true });
        await writeFile(
          join(dir, "fsops.yaml"),
          `project: ${project}\nregistry: \${REGISTRY_URL}\nonline_store:\n  type: postgres\n  connection_string: \${ONLINE_URL}\n`,
        );
        const defs = join(dir, "defs.ts");
        try {
          await writeFile(defs, renderProject(a));
          const first = await applyProject(dir, ctx, { allowDestroy: true });
          expect(["applied", "no-changes"], JSON.stringify(first)).toContain(first.status);

          await writeFile(defs, renderProject(b));
          const planned = await planProject(dir, ctx);
          if (planned.status !== "planned") throw new Error(JSON.stringify(planned));
          const second = await applyProject(dir, ctx, {
            allowDestroy: true,
            expectedFingerprint: planned.plan.fingerprint,
            expectedRegistry: planned.plan.registry,
          });
          expect(["applied", "no-changes"], JSON.stringify(second)).toContain(second.status);
          if (second.status === "applied") seen.appliedB++;
          for (const action of planned.plan.infra) seen.infraActions.add(action.action);

          const after = await planProject(dir, ctx);
          if (after.status !== "planned") throw new Error(JSON.stringify(after));
          expect(planHasChanges(after.plan), JSON.stringify(after.plan, null, 1)).toBe(false);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 25 },
    );
    // The property is only meaningful if B really changed things, online tables included.
    expect(seen.appliedB).toBeGreaterThan(5);
    expect([...seen.infraActions]).toEqual(expect.arrayContaining(["create_table", "drop_table"]));
  }, 600_000);
});
