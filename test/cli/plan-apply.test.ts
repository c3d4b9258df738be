import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { copyExample, runCli, tempDir } from "./helpers.js";

// Each test drives several CLI processes (each ~1-3 s of start-up and work on two cores).
vi.setConfig({ testTimeout: 300_000 });

const json = <T = Record<string, unknown>>(s: string): T => JSON.parse(s) as T;

interface PlanJson {
  formatVersion: number;
  project: string;
  registry: { lineage: string | null; serial: number };
  summary: { create: number; update: number; replace: number; delete: number };
  changes: {
    kind: string;
    name: string;
    action: string;
    impact: string;
    fields: unknown[];
    dependents: string[];
  }[];
  infra: { action: string; statements: string[] }[];
  fingerprint: string;
}

/** Remove the staging-only affinity view (and the service using it) from a copy of staging. */
async function dropAffinity(dir: string): Promise<void> {
  await rm(join(dir, "affinity_features.ts"));
  const index = join(dir, "index.ts");
  await writeFile(index, (await readFile(index, "utf8")).replace(/.*affinity_features.*\n/g, ""));
  const services = join(dir, "services.ts");
  const text = await readFile(services, "utf8");
  // driver_ranking_v3 is the service that uses the affinity view; cut it from its declaration on.
  const start = text.indexOf("export const driverRankingV3");
  if (start < 0) throw new Error("fixture drifted: driverRankingV3 not found in services.ts");
  await writeFile(
    services,
    text.slice(0, start).replace(/import \{[^}]*driverCustomerAffinity[^}]*\} from [^;]+;\n/, ""),
  );
}

describe("plan and apply on the embedded defaults (file registry, embedded Postgres)", () => {
  it("plans, applies, then plans no changes; show and history reflect the apply", async () => {
    const dir = await copyExample("staging");

    const first = await runCli(["plan", dir, "--detailed-exitcode"]);
    expect(first.code, first.stderr).toBe(2);
    expect(first.stdout).toMatch(/Plan: \d+ to create, 0 to update, 0 to replace, 0 to delete\./);
    expect(first.stdout).toContain("CREATE TABLE IF NOT EXISTS");

    const planJson = json<PlanJson>((await runCli(["plan", dir, "--json"])).stdout);
    expect(Object.keys(planJson)).toEqual([
      "formatVersion",
      "project",
      "registry",
      "summary",
      "changes",
      "infra",
      "fingerprint",
    ]);
    expect(planJson).toMatchObject({
      formatVersion: 1,
      project: "driver_ranking_staging",
      registry: { lineage: null, serial: 0 },
    });
    expect(planJson.summary.create).toBe(planJson.changes.length);
    expect(Object.keys(planJson.changes[0]!)).toEqual([
      "kind",
      "name",
      "action",
      "impact",
      "fields",
      "dependents",
      "file",
      "line",
    ]);
    expect(planJson.infra.some((a) => a.action === "create_table")).toBe(true);
    expect(planJson.fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const applied = await runCli(["apply", dir, "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/Apply complete: driver_ranking_staging is at serial 1\./);

    const again = await runCli(["plan", dir, "--detailed-exitcode"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes\./);

    const shown = json<{ serial: number; objects: unknown[]; lineage: string }>(
      (await runCli(["show", dir, "--json"])).stdout,
    );
    expect(shown.serial).toBe(1);
    expect(shown.objects).toHaveLength(planJson.changes.length);

    const history = json<{ serial: number; who: string; fingerprint: string }[]>(
      (await runCli(["history", dir, "--json"])).stdout,
    );
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ serial: 1, who: "test-user", fingerprint: planJson.fingerprint });
  });

  it("refuses to apply without a terminal unless --auto-approve or --plan", async () => {
    const dir = await copyExample("production");
    const r = await runCli(["apply", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--auto-approve/);
    const shown = await runCli(["show", dir, "--json"]);
    expect(shown.stdout.trim()).toBe("null");
  });

  it("applies a saved plan, and refuses a stale one naming what moved", async () => {
    const dir = await copyExample("production");
    const planFile = join(await tempDir(), "plan.json");
    const saved = await runCli(["plan", dir, "--out", planFile]);
    expect(saved.code, saved.stderr).toBe(0);
    expect(json<PlanJson>(await readFile(planFile, "utf8")).registry.serial).toBe(0);

    // Someone else applies first: the saved plan (made at serial 0) is now stale.
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    const stale = await runCli(["apply", dir, "--plan", planFile]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/stale: it was made before the registry existed.*now at serial 1/);
    expect(json<{ serial: number }>((await runCli(["show", dir, "--json"])).stdout).serial).toBe(1);

    // A fresh saved plan applies without a prompt.
    await addEntity(dir);
    expect((await runCli(["plan", dir, "--out", planFile])).code).toBe(0);
    const ok = await runCli(["apply", dir, "--plan", planFile]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(json<{ serial: number }>((await runCli(["show", dir, "--json"])).stdout).serial).toBe(2);

    // A plan made at serial 2, overtaken by another apply: the message names the move.
    await addEntity(dir, "trailer");
    expect((await runCli(["plan", dir, "--out", planFile])).code).toBe(0);
    await addEntity(dir, "scooter");
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    const moved = await runCli(["apply", dir, "--plan", planFile]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toMatch(/stale: the registry moved from serial 2 to 3/);
  });

  it("refuses destructive changes without --allow-destroy and changes nothing", async () => {
    const dir = await copyExample("staging");
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    await dropAffinity(dir);

    const plan = json<PlanJson>((await runCli(["plan", dir, "--json"])).stdout);
    const deleted = plan.changes.filter((c) => c.action === "delete");
    expect(deleted.map((c) => c.name).sort()).toEqual(
      expect.arrayContaining(["driver_customer_affinity", "driver_ranking_v3"]),
    );
    expect(deleted.every((c) => c.impact === "destructive" || c.kind === "data_source")).toBe(true);
    expect(plan.infra.some((a) => a.action === "drop_table")).toBe(true);

    const refused = await runCli(["apply", dir, "--auto-approve"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/destructive/);
    expect(refused.stderr).toMatch(/--allow-destroy/);
    expect(json<{ serial: number }>((await runCli(["show", dir, "--json"])).stdout).serial).toBe(1);
    // The online table is still there: the plan still wants to drop it.
    const still = json<PlanJson>((await runCli(["plan", dir, "--json"])).stdout);
    expect(still.infra.some((a) => a.action === "drop_table")).toBe(true);

    const allowed = await runCli(["apply", dir, "--auto-approve", "--allow-destroy"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const after = await runCli(["plan", dir, "--detailed-exitcode"]);
    expect(after.code).toBe(0);
  });

  it("plans several projects in one call", async () => {
    const root = await tempDir();
    const staging = await copyExample("staging", root);
    const production = await copyExample("production", root);
    const r = await runCli(["plan", staging, production, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const plans = json<PlanJson[]>(r.stdout);
    expect(plans.map((p) => p.project)).toEqual(["driver_ranking_staging", "driver_ranking_production"]);
    expect(plans[0]!.summary.create).toBeGreaterThan(plans[1]!.summary.create);
  });

  it("prints the plan as Markdown", async () => {
    const dir = await copyExample("staging");
    const r = await runCli(["plan", dir, "--markdown"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/driver_ranking_staging/);
    expect(r.stdout).toContain("<details>");
  });

  it("force-unlock removes a stale lock only with its id", async () => {
    const dir = await copyExample("production");
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    const lockFile = join(dir, "data", "registry.json.lock");
    const lock = {
      id: "11111111-2222-3333-4444-555555555555",
      who: "ghost",
      host: "elsewhere",
      pid: 999999,
      time: "2026-01-01T00:00:00.000Z",
      operation: "apply",
    };
    await writeFile(lockFile, JSON.stringify(lock));

    await addEntity(dir);
    const locked = await runCli(["apply", dir, "--auto-approve"]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toContain("ghost@elsewhere");
    expect(locked.stderr).toContain(`fsops force-unlock ${lock.id}`);

    expect((await runCli(["force-unlock", "not-the-id", dir])).code).toBe(1);
    const unlocked = await runCli(["force-unlock", lock.id, dir]);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
  });

  it("destroy drops the project's tables and registry state, keeping history", async () => {
    const dir = await copyExample("staging");
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    expect((await runCli(["destroy", dir])).code).toBe(1); // no terminal, no --auto-approve
    const d = await runCli(["destroy", dir, "--auto-approve"]);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stdout).toMatch(/drop_table/);
    expect((await runCli(["show", dir, "--json"])).stdout.trim()).toBe("null");
    expect(json<unknown[]>((await runCli(["history", dir, "--json"])).stdout)).toHaveLength(2);
    const replan = json<PlanJson>((await runCli(["plan", dir, "--json"])).stdout);
    expect(replan.changes.every((c) => c.action === "create")).toBe(true);
    expect(replan.infra.every((a) => a.action === "create_table")).toBe(true);
  });

  it("destroy refuses a protected project (production sets protect: true)", async () => {
    const dir = await copyExample("production");
    expect(await readFile(join(dir, "fsops.yaml"), "utf8")).toMatch(/^protect: true$/m);
    const r = await runCli(["destroy", dir, "--auto-approve"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/protected/);
  });
});

/** A safe change: one more entity, in a file of its own. */
async function addEntity(dir: string, name = "vehicle"): Promise<void> {
  await writeFile(
    join(dir, `${name}.ts`),
    `import { Entity } from "fsops";\nexport const ${name} = new Entity({ name: "${name}" });\n`,
  );
}
