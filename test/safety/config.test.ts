/**
 * Issue 10, bounded input and exact configuration: YAML aliases (item 11), nested defaults
 * (item 12), `__proto__`-like names (item 13), names that could collide (item 8, config part).
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseProjectConfig } from "../../src/config/parse.js";
import { freshDatabase } from "../services/index.js";
import { runCli } from "../cli/helpers.js";
import { featuresTs, writeProject } from "./project.js";

vi.setConfig({ testTimeout: 120_000 });

/** Ten levels of ten aliases each: 10^9 values if expanded. */
function aliasBomb(): string {
  const lines = ["project: bomb", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(", ")}]`,
    );
  return `${lines.join("\n")}\n`;
}

describe("fsops.yaml aliases (item 11)", () => {
  it("an alias bomb fails validate fast, with a located error", async () => {
    const dir = await writeProject(aliasBomb());
    const started = Date.now();
    const r = await runCli(["validate", dir]);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/fsops\.yaml:\d+:\d+.*aliases expand to more than 10000 values/);
    expect(r.stdout + r.stderr).not.toContain("internal error");
  });

  it("an alias bomb is rejected in milliseconds and little memory (in process)", () => {
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    const r = parseProjectConfig(aliasBomb(), { dir: "/tmp", file: "fsops.yaml", env: {} });
    const ms = performance.now() - started;
    const grown = process.memoryUsage().heapUsed - before;
    expect(r.config).toBeNull();
    expect(r.diagnostics.find((d) => d.code === "FS300")?.message).toContain(
      "aliases expand to more than 10000 values",
    );
    expect(ms).toBeLessThan(2_000);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  });

  it("a self-referencing alias is a located error, not a stack overflow", async () => {
    const dir = await writeProject(
      "project: selfref\nonline_store: &store\n  type: redis\n  inner: *store\n",
    );
    const r = await runCli(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain("fsops.yaml:4:10");
    expect(r.stdout + r.stderr).toContain("alias *store refers to the node it is inside (&store)");
    expect(r.stdout + r.stderr).not.toMatch(/Maximum call stack|internal error/);
  });
});

describe("nested defaults (item 12)", () => {
  it("${A:-${B}} takes B when A is unset, and the registry lands at B's path (never a literal ${B})", async () => {
    const dir = await writeProject("project: nested\nregistry: ${REG_A:-${REG_B}}\n");
    const r = await runCli(["apply", dir, "--auto-approve"], { env: { REG_B: "data/from_b.json" } });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, "data/from_b.json"))).toBe(true);
    expect(existsSync(join(dir, "${REG_B}"))).toBe(false);
    // A set wins; a deeper default works too.
    const deeper = await writeProject("project: nested_two\nregistry: ${REG_A:-${REG_B:-data/deep.json}}\n");
    expect((await runCli(["apply", deeper, "--auto-approve"])).code).toBe(0);
    expect(existsSync(join(deeper, "data/deep.json"))).toBe(true);
  });

  it("${A:-${B}} works inside a flow mapping too", () => {
    const r = parseProjectConfig(
      "project: flow\nonline_store: { type: postgres, connection_string: ${A:-${B}}, schema: s }\n",
      { dir: "/tmp", file: "fsops.yaml", env: { B: "postgresql://u@h/db" } },
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.onlineStore).toEqual({
      type: "postgres",
      connectionString: "postgresql://u@h/db",
      schema: "s",
    });
  });

  it("${A:-${B}} with neither set names B as missing, located", async () => {
    const dir = await writeProject("project: nested\nregistry: ${REG_A:-${REG_B}}\n");
    const r = await runCli(["plan", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/fsops\.yaml:2:\d+.*environment variable REG_B is not set/);
  });
});

describe("__proto__ and friends (item 13)", () => {
  it("a project named __proto__ is rejected with a located error", async () => {
    const dir = await writeProject("project: __proto__\n");
    const r = await runCli(["apply", dir, "--auto-approve"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/fsops\.yaml:1:\d+.*must not contain __/);
    expect(existsSync(join(dir, "data/registry.json"))).toBe(false);
  });

  for (const registry of ["file", "postgres"] as const) {
    it(`a project named constructor is stored and read back (${registry} registry)`, async () => {
      const reg = registry === "file" ? "data/registry.json" : await freshDatabase();
      // Another project is in the registry first, so the lookup of ours meets a populated one.
      const other = await writeProject("project: other\nregistry: ${REG}\n");
      const shared = registry === "file" ? { REG: join(other, "data/registry.json") } : { REG: reg };
      expect((await runCli(["apply", other, "--auto-approve"], { env: shared })).code).toBe(0);
      const dir = await writeProject("project: constructor\nregistry: ${REG}\n", ["stats"], {
        features: featuresTs(["stats"]).replace(
          'ttl: "1d",',
          'ttl: "1d", tags: { constructor: "c", toString: "t", hasOwnProperty: "h" },',
        ),
      });
      const env = shared;
      const applied = await runCli(["apply", dir, "--auto-approve"], { env });
      expect(applied.code, applied.stderr).toBe(0);
      const shown = await runCli(["show", dir, "--json"], { env });
      expect(shown.code, shown.stderr).toBe(0);
      const state = JSON.parse(shown.stdout) as {
        serial: number;
        objects: { name: string; spec: { tags?: unknown } }[];
      };
      expect(state.serial).toBe(1);
      expect(state.objects.find((o) => o.name === "stats")?.spec.tags).toEqual({
        constructor: "c",
        hasOwnProperty: "h",
        toString: "t",
      });
      const again = await runCli(["plan", dir, "--detailed-exitcode"], { env });
      expect(again.code, again.stdout + again.stderr).toBe(0);
    });
  }

  it("a __proto__ tag key is a located error, never silently dropped", async () => {
    const dir = await writeProject("project: proto_tags\n", ["stats"], {
      features: featuresTs(["stats"]).replace('ttl: "1d",', 'ttl: "1d", tags: { ["__proto__"]: "x" },'),
    });
    const r = await runCli(["apply", dir, "--auto-approve"]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/features\.ts:\d+:\d+.*"__proto__" cannot be a key/);
    expect(existsSync(join(dir, "data/registry.json"))).toBe(false);
  });

  it("a registry file holding a __proto__ project entry is read as data, and kept", async () => {
    const dir = await writeProject("project: constructor\n");
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    const file = join(dir, "data/registry.json");
    const text = await readFile(file, "utf8");
    const edited = text.replace('"projects": {', '"projects": {"__proto__": {"state": null, "history": []},');
    expect(edited).not.toBe(text);
    await writeFile(file, edited);
    const shown = await runCli(["show", dir, "--json"]);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { serial: number }).serial).toBe(1);
    await writeFile(join(dir, "features.ts"), featuresTs(["stats", "more"]));
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    const after = JSON.parse(await readFile(file, "utf8")) as { projects: object };
    expect(Object.hasOwn(after.projects, "__proto__")).toBe(true);
  });
});

describe("names that would collide (item 8, config and definitions)", () => {
  it("a project name with __ or a trailing _ is rejected, located", async () => {
    for (const project of ["a__b", "a_"]) {
      const dir = await writeProject(`project: ${project}\n`);
      const r = await runCli(["validate", dir]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/fsops\.yaml:1:\d+.*must not contain __ or end with _/);
    }
  });

  it("a feature view name starting with _ is rejected, located", async () => {
    const dir = await writeProject("project: a\n", ["_b"]);
    const r = await runCli(["validate", dir]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/features\.ts:\d+:\d+.*"_b" must not start with _/);
  });
});
