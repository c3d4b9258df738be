import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { REPO, copyExample, runCli, tempDir, tempProject } from "./helpers.js";

// Each test drives one or more CLI processes; two cores are shared with the servers.
vi.setConfig({ testTimeout: 180_000 });

describe("fsops validate", () => {
  it.each(["staging", "production"] as const)("validates examples/%s with exit 0", async (name) => {
    const r = await runCli(["validate", `examples/${name}`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^driver_ranking_${name}: \\d+ objects valid`));
  });

  it("prints exactly the documented JSON shape", async () => {
    const r = await runCli(["validate", "examples/staging", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(["project", "objects", "diagnostics"]);
    expect(json.project).toBe("driver_ranking_staging");
    expect(json.diagnostics).toEqual([]);
    for (const o of json.objects) expect(Object.keys(o)).toEqual(["kind", "name", "file", "line", "spec"]);
    const kinds = new Set(json.objects.map((o: { kind: string }) => o.kind));
    expect([...kinds].sort()).toEqual(
      [
        "data_source",
        "entity",
        "feature_service",
        "feature_view",
        "on_demand_feature_view",
        "stream_feature_view",
      ].sort(),
    );
    const fv = json.objects.find((o: { name: string }) => o.name === "driver_hourly_stats");
    expect(fv).toMatchObject({ kind: "feature_view", file: "driver_features.ts", spec: { ttl: 86400 } });
  });

  it("staging has exactly one feature view and one service that production lacks", async () => {
    const names = async (p: string) =>
      new Set<string>(
        JSON.parse((await runCli(["validate", p, "--json"])).stdout).objects.map(
          (o: { kind: string; name: string }) => `${o.kind}:${o.name}`,
        ),
      );
    const staging = await names("examples/staging");
    const production = await names("examples/production");
    const onlyStaging = [...staging].filter((n) => !production.has(n));
    expect([...production].filter((n) => !staging.has(n))).toEqual([]);
    expect(onlyStaging.filter((n) => n.startsWith("feature_view:"))).toHaveLength(1);
    expect(onlyStaging.filter((n) => n.startsWith("feature_service:"))).toHaveLength(1);
  });

  it("reports every error with file:line:col, a code frame and a hint, and exits 1", async () => {
    const dir = await tempProject({
      "fsops.yaml": "project: broken\n",
      "a.ts": [
        'import { Entity, FeatureView, Field, FileSource } from "fsops";',
        'export const driver = new Entity({ name: "driver" });',
        "export const fv = new FeatureView({",
        '  name: "stats",',
        "  entities: [driver],",
        '  schema: [new Field({ name: "x", dtype: "float33" })],',
        '  source: new FileSource({ name: "src", path: "x.parquet", timestampField: "ts" }),',
        "  ttl: process.env.TTL,",
        "});",
        "",
      ].join("\n"),
      "b.ts": "export const = 1;\n",
    });
    const r = await runCli(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/a\.ts:6:\d+ - error FS\d+: .*float33/);
    expect(r.stderr).toMatch(/a\.ts:8:\d+ - error FS\d+: .*(environment|process\.env)/);
    expect(r.stderr).toMatch(/b\.ts:1:\d+ - error FS\d+/);
    expect(r.stderr).toContain('schema: [new Field({ name: "x", dtype: "float33" })],');
    expect(r.stderr).toMatch(/\^+/);
    expect(r.stderr).toMatch(/hint: /);

    const j = await runCli(["validate", dir, "--json"]);
    expect(j.code).toBe(1);
    const diags = JSON.parse(j.stdout).diagnostics;
    for (const d of diags)
      expect(Object.keys(d)).toEqual(["severity", "code", "message", "file", "line", "column"]);
    expect(diags.map((d: { file: string; line: number }) => `${d.file}:${d.line}`)).toEqual(
      expect.arrayContaining(["a.ts:6", "a.ts:8", "b.ts:1"]),
    );
  });

  it("rejects an unknown fsops.yaml key with its location and the nearest valid key", async () => {
    const dir = await tempProject({ "fsops.yaml": "project: p\nregisty: data/r.json\n" });
    const r = await runCli(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fsops\.yaml:2:1 - error FS\d+: .*registy/);
    expect(r.stderr).toContain("registry");
  });
});

describe("fsops graph", () => {
  it("prints a Mermaid flowchart grouped by kind by default", async () => {
    const r = await runCli(["graph", "examples/staging"]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe("flowchart LR");
    expect(r.stdout).toMatch(/subgraph/);
  });

  it("prints JSON nodes and dependent → dependency edges", async () => {
    const r = await runCli(["graph", "examples/staging", "--json"]);
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout);
    expect(Object.keys(g)).toEqual(["nodes", "edges"]);
    expect(g.nodes).toContainEqual({ id: "entity:driver", kind: "entity", name: "driver" });
    expect(g.edges).toContainEqual({ from: "feature_view:driver_hourly_stats", to: "entity:driver" });
    expect(g.edges).toContainEqual({
      from: "data_source:driver_stats_push_source",
      to: "data_source:driver_hourly_stats_source",
    });
    const services = g.edges.filter((e: { from: string }) => e.from.startsWith("feature_service:"));
    expect(services.length).toBeGreaterThan(0);
  });

  it("prints DOT", async () => {
    const r = await runCli(["graph", "examples/staging", "--format", "dot"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^digraph/);
  });
});

describe("usage", () => {
  it("exits 2 with a short usage message on an unknown command", async () => {
    const r = await runCli(["plna"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command/);
    expect(r.stderr).toMatch(/--help/);
  });

  it("exits 2 on an unknown flag", async () => {
    const r = await runCli(["validate", "--jsn"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });

  it("exits 2 on a bad --format", async () => {
    const r = await runCli(["graph", "examples/staging", "--format", "svg"]);
    expect(r.code).toBe(2);
  });

  it("--version prints the package's version", async () => {
    const pkg = JSON.parse(await readFile(join(REPO, "package.json"), "utf8")) as { version: string };
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("exits 0 for --help", async () => {
    const r = await runCli(["--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/plan/);
  });
});

describe("definitions are never executed", () => {
  it("validate, graph and plan leave a side-effecting top level unrun", async () => {
    const outside = await tempDir("fsops-canary-");
    const marker = join(outside, "executed.txt");
    const marker2 = join(outside, "executed-too.txt");
    const dir = await tempProject({
      "fsops.yaml": "project: canary\nregistry: data/registry.json\n",
      "defs.ts": [
        'import { writeFileSync } from "node:fs";',
        'import { Entity } from "fsops";',
        `writeFileSync(${JSON.stringify(marker)}, "top level ran");`,
        'console.log("top level ran");',
        `export const sideEffect = (() => { writeFileSync(${JSON.stringify(marker2)}, "iife ran"); return 1; })();`,
        'export const driver = new Entity({ name: "driver" });',
        "",
      ].join("\n"),
    });
    for (const args of [
      ["validate", dir],
      ["graph", dir],
      ["plan", dir],
    ]) {
      const r = await runCli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
      expect(r.stdout).not.toContain("top level ran");
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(marker2)).toBe(false);
  });

  it("a definition that would need a side effect is a diagnostic, and still nothing runs", async () => {
    const outside = await tempDir("fsops-canary-");
    const marker = join(outside, "executed.txt");
    const dir = await tempProject({
      "fsops.yaml": "project: canary\n",
      "defs.ts": [
        'import { writeFileSync } from "node:fs";',
        'import { Entity } from "fsops";',
        `export const driver = new Entity({ name: "driver", description: String(writeFileSync(${JSON.stringify(marker)}, "x")) });`,
        "",
      ].join("\n"),
    });
    const r = await runCli(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/defs\.ts:3:\d+ - error/);
    expect(existsSync(marker)).toBe(false);
  });

  it("needs no node_modules in the feature repository", async () => {
    const dir = await copyExample("production");
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
    const r = await runCli(["validate", dir], { cwd: dir });
    expect(r.code).toBe(0);
  });
});
