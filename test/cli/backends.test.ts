/**
 * The examples and concurrent applies on every registry backend, through the real CLI, against
 * the real servers the test run started (radosgw for S3, Postgres).
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { freshBucket, freshDatabase, services } from "../services/index.js";
import { copyExample, runCli, spawnCli, tempDir } from "./helpers.js";

// Each test drives several CLI processes (each ~1-3 s of start-up and work on two cores).
vi.setConfig({ testTimeout: 300_000 });

type Backend = "file" | "s3" | "postgres";

interface Target {
  /** The `registry:` value for fsops.yaml (secrets stay in env). */
  registryYaml: string;
  env: Record<string, string>;
}

async function registryTarget(backend: Backend): Promise<Target> {
  switch (backend) {
    case "file":
      return { registryYaml: JSON.stringify(join(await tempDir(), "registry.json")), env: {} };
    case "s3": {
      const { endpoint, accessKeyId, secretAccessKey, region } = services().s3;
      const bucket = await freshBucket();
      return {
        registryYaml: `{ type: s3, path: "s3://${bucket}/fsops/registry.json", endpoint: "${endpoint}", region: ${region}, force_path_style: true }`,
        env: { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey },
      };
    }
    case "postgres":
      return { registryYaml: "${TEST_REGISTRY_URL}", env: { TEST_REGISTRY_URL: await freshDatabase() } };
  }
}

/** Point a copied project at `target` (registry only; no online store, so only the registry is under test). */
async function useRegistry(dir: string, project: string, target: Target): Promise<void> {
  await writeFile(join(dir, "fsops.yaml"), `project: ${project}\nregistry: ${target.registryYaml}\n`);
}

const showJson = async (dir: string, env: Record<string, string>) =>
  JSON.parse((await runCli(["show", dir, "--json"], { env })).stdout) as {
    serial: number;
    lineage: string;
    objects: { kind: string; name: string }[];
  } | null;

const objectNames = (objects: { kind: string; name: string }[]) =>
  objects.map((o) => `${o.kind}:${o.name}`).sort();

async function validatedNames(dir: string, env: Record<string, string>): Promise<string[]> {
  const v = JSON.parse((await runCli(["validate", dir, "--json"], { env })).stdout) as {
    objects: { kind: string; name: string }[];
  };
  return objectNames(v.objects);
}

describe.each<Backend>(["file", "s3", "postgres"])("%s registry", (backend) => {
  it("round-trips both examples in one shared registry, each project isolated", async () => {
    const target = await registryTarget(backend);
    const root = await tempDir();
    const staging = await copyExample("staging", root);
    const production = await copyExample("production", root);
    await useRegistry(staging, "driver_ranking_staging", target);
    await useRegistry(production, "driver_ranking_production", target);

    for (const dir of [staging, production]) {
      const applied = await runCli(["apply", dir, "--auto-approve"], { env: target.env });
      expect(applied.code, applied.stderr).toBe(0);
    }
    for (const dir of [staging, production]) {
      const plan = await runCli(["plan", dir, "--detailed-exitcode"], { env: target.env });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(plan.stdout).toContain("No changes.");
    }
    const s = await showJson(staging, target.env);
    const p = await showJson(production, target.env);
    expect(s?.serial).toBe(1);
    expect(p?.serial).toBe(1);
    expect(objectNames(s!.objects)).toEqual(await validatedNames(staging, target.env));
    expect(objectNames(p!.objects)).toEqual(await validatedNames(production, target.env));
    expect(s!.lineage).not.toBe(p!.lineage);
  });

  it("10 concurrent applies with different desired states: each succeeds or fails cleanly, nothing lost", async () => {
    const target = await registryTarget(backend);
    const root = await tempDir();
    const dirs: string[] = [];
    for (let i = 0; i < 10; i++) {
      const dir = await copyExample("production", join(root, `p${i}`));
      await useRegistry(dir, "concurrent", target);
      await writeFile(
        join(dir, `extra_${i}.ts`),
        `import { Entity } from "fsops";\nexport const extra${i} = new Entity({ name: "extra_${i}" });\n`,
      );
      dirs.push(dir);
    }
    const results = await Promise.all(
      dirs.map((dir) => runCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env: target.env })),
    );
    const winners: number[] = [];
    results.forEach((r, i) => {
      if (r.code === 0) winners.push(i);
      else {
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/locked|changed concurrently/);
      }
    });
    expect(winners.length).toBeGreaterThanOrEqual(1);

    const state = await showJson(dirs[0]!, target.env);
    expect(state?.serial).toBe(winners.length);
    const history = JSON.parse(
      (await runCli(["history", dirs[0]!, "--json"], { env: target.env })).stdout,
    ) as {
      serial: number;
      changes: { kind: string; name: string; action: string }[];
    }[];
    expect(history.map((h) => h.serial)).toEqual(winners.map((_, i) => i + 1));
    // Every successful apply recorded the creation of its own extra entity...
    const created = history.flatMap((h) =>
      h.changes
        .filter((c) => c.kind === "entity" && c.action === "create" && c.name.startsWith("extra_"))
        .map((c) => c.name),
    );
    expect(created.sort()).toEqual(winners.map((i) => `extra_${i}`).sort());
    // ...and the registry holds exactly the desired state of the last one.
    const last = history
      .at(-1)!
      .changes.find((c) => c.action === "create" && c.name.startsWith("extra_"))!.name;
    const lastDir = dirs[Number(last.slice("extra_".length))]!;
    expect(objectNames(state!.objects)).toEqual(await validatedNames(lastDir, target.env));
  });

  it.runIf(backend !== "s3")(
    "kill -9 during apply leaves the old or the new state, and a re-run converges",
    async () => {
      const target = await registryTarget(backend);
      const dir = await copyExample("staging");
      await useRegistry(dir, "crashy", target);
      const oldNames: string[] = [];
      const newNames = await validatedNames(dir, target.env);
      for (let round = 0; round < 3; round++) {
        const child = spawnCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env: target.env });
        // Listen first: on a fast machine the apply may finish before the kill, and a late
        // listener would never hear "close".
        const closed = new Promise((r) => child.once("close", r));
        // Startup takes ~1 s here; spread the kills across startup, planning and committing.
        await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 2500)));
        child.kill("SIGKILL");
        await closed;

        const state = await showJson(dir, target.env);
        const names = state ? objectNames(state.objects) : [];
        expect([JSON.stringify(oldNames), JSON.stringify(newNames)]).toContain(JSON.stringify(names));
        if (state) expect(state.serial).toBe(1);

        // Converge: a lock left by the killed process is removed by id, then apply again.
        let rerun = await runCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env: target.env });
        const stale = /fsops force-unlock (\S+)/.exec(rerun.stderr);
        if (rerun.code !== 0 && stale) {
          expect((await runCli(["force-unlock", stale[1]!, dir], { env: target.env })).code).toBe(0);
          rerun = await runCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env: target.env });
        }
        expect(rerun.code, rerun.stderr).toBe(0);
        const plan = await runCli(["plan", dir, "--detailed-exitcode"], { env: target.env });
        expect(plan.code, plan.stdout).toBe(0);
        // Reset for the next round: destroy (registry state gone, history kept).
        expect((await runCli(["destroy", dir, "--auto-approve"], { env: target.env })).code).toBe(0);
      }
    },
    600_000,
  );
});

describe("secrets", () => {
  it("never prints the registry password, on success or on failure", async () => {
    const secret = "s3cr3t-Pa55word";
    const env = { REG_PASSWORD: secret };
    // The test server trusts every connection, so a URL carrying a password gets through and
    // every command gets to print the registry's location.
    const url = new URL(await freshDatabase());
    const reachable = await copyExample("production");
    await writeFile(
      join(reachable, "fsops.yaml"),
      `project: p\nregistry: postgresql://${url.username}:\${REG_PASSWORD}@${url.host}${url.pathname}\n`,
    );
    const ok = [
      await runCli(["plan", reachable], { env }),
      await runCli(["apply", reachable, "--auto-approve"], { env }),
      await runCli(["show", reachable], { env }),
      await runCli(["history", reachable, "--json"], { env }),
      await runCli(["plan", reachable, "--json"], { env }),
    ];
    for (const r of ok) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
    expect(ok[0]!.stdout).toContain(`registry: postgresql://${url.username}:***@${url.host}`);

    const unreachable = await copyExample("production");
    await writeFile(
      join(unreachable, "fsops.yaml"),
      `project: p\nregistry: postgresql://fsops:\${REG_PASSWORD}@127.0.0.1:1/nowhere\n`,
    );
    for (const args of [
      ["plan", unreachable],
      ["apply", unreachable, "--auto-approve"],
      ["show", unreachable],
    ]) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(/error/);
      expect(r.stdout + r.stderr).not.toContain(secret);
    }
  });
});
