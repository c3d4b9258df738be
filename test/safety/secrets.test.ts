/** Issue 10 item 15: passwords written in fsops.yaml and interpolated values are never printed. */
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { applyProject } from "../../src/commands/apply.js";
import { planProject } from "../../src/commands/plan.js";
import { freshDatabase } from "../services/index.js";
import { runCli } from "../cli/helpers.js";
import { featuresTs, writeProject } from "./project.js";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

vi.setConfig({ testTimeout: 120_000 });

const PASSWORD = "hunter2literal";

function withPassword(url: string): string {
  const u = new URL(url);
  u.password = PASSWORD;
  return u.toString();
}

describe("secrets in output", () => {
  it("a password written in fsops.yaml is not in the literal-password warning's code frame (plan, real Postgres)", async () => {
    const url = withPassword(await freshDatabase());
    const dir = await writeProject(
      `project: literal_pw\nonline_store:\n  type: postgres\n  connection_string: ${url}\n`,
    );
    const r = await runCli(["plan", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("FS307");
    expect(r.stderr).toContain("connection_string: postgresql://postgres:***@");
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it("a password written in fsops.yaml is not in any diagnostic of an invalid file", async () => {
    const url = withPassword(await freshDatabase());
    const dir = await writeProject(
      `project: literal_pw\nonline_store:\n  type: postgres\n  connection_strng: ${url}\n  schema: "${url}"\n`,
    );
    for (const command of ["validate", "plan"]) {
      const r = await runCli([command, dir]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toContain('unknown key "connection_strng"');
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    }
  });

  it("an interpolated schema name is masked in plan and apply output, as destroy masks it", async () => {
    const url = await freshDatabase();
    const schema = "schema_from_env_x7";
    const dir = await writeProject(
      "project: masked_schema\nonline_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: ${SCHEMA}\n",
    );
    const env = { ONLINE: url, SCHEMA: schema };
    const plan = await runCli(["plan", dir], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('CREATE SCHEMA IF NOT EXISTS "***"');
    const json = await runCli(["plan", dir, "--json"], { env });
    const applied = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(applied.code, applied.stderr).toBe(0);
    const destroyed = await runCli(["destroy", dir, "--auto-approve"], { env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    for (const r of [plan, json, applied, destroyed]) expect(r.stdout + r.stderr).not.toContain(schema);
  });

  it("plan and apply outcomes (what the Action renders and outputs) mask an interpolated schema; the fingerprint still binds", async () => {
    const url = await freshDatabase();
    const schema = "schema_for_the_action_q3";
    const dir = await writeProject(
      "project: action_masked\nonline_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: ${SCHEMA}\n",
    );
    const ctx = { env: { ONLINE: url, SCHEMA: schema }, who: "test", commit: null };
    const planned = await planProject(dir, ctx);
    if (planned.status !== "planned") throw new Error(`not planned: ${JSON.stringify(planned)}`);
    expect(JSON.stringify(planned.plan)).not.toContain(schema);
    expect(planned.plan.infra[0]?.statements[0]).toBe('CREATE SCHEMA IF NOT EXISTS "***";');
    const applied = await applyProject(dir, ctx, {
      allowDestroy: false,
      expectedFingerprint: planned.plan.fingerprint,
      expectedProject: "action_masked",
    });
    expect(applied.status).toBe("applied");
    expect(JSON.stringify(applied)).not.toContain(schema);
    // A refusal quotes its targets (`rebuild_table <schema>.<table>`): masked too.
    await writeFile(join(dir, "features.ts"), featuresTs(["stats"], "float64"));
    const refused = await applyProject(dir, ctx, { allowDestroy: false });
    expect(refused.status).toBe("refused");
    expect(JSON.stringify(refused)).toContain("***.action_masked__stats");
    expect(JSON.stringify(refused)).not.toContain(schema);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1",
        [schema],
      );
      expect(rows[0]?.n).toBe(1);
    } finally {
      await client.end();
    }
  });
});
