/**
 * bin/fsops.js runs the bundled CLI (build/cli/, scripts/build-cli.mjs) when it is built: the
 * bundle must behave exactly like the modules it is made from. Each command line runs both ways
 * (from source, and the bundle of the current src/) and must print the same bytes and exit the same.
 */
import { realpathSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { CliResult } from "./helpers.js";
import { BROKEN_PROJECT, buildCliBundle, copyExample, runCli, tempDir, tempProject } from "./helpers.js";

vi.setConfig({ testTimeout: 300_000 });

let bundle = "";
beforeAll(async () => {
  bundle = await buildCliBundle();
});

/** The same command from source and bundled; `dirs` are per-run copies, shown as <dir> in the output. */
async function both(args: (dir: string) => string[], copies = false): Promise<[CliResult, CliResult]> {
  const dirs = copies
    ? [await copyExample("staging"), await copyExample("staging")]
    : ["examples/staging", "examples/staging"];
  const norm = (r: CliResult, dir: string): CliResult => ({
    ...r,
    stdout: r.stdout.replaceAll(dir, "<dir>"),
    stderr: r.stderr.replaceAll(dir, "<dir>"),
  });
  const [a, b] = await Promise.all([
    runCli(args(dirs[0]!)).then((r) => norm(r, dirs[0]!)),
    runCli(args(dirs[1]!), { bundle }).then((r) => norm(r, dirs[1]!)),
  ]);
  return [a, b];
}

describe("the bundled CLI prints what the CLI from source prints", () => {
  it("--version, --help, a usage mistake", async () => {
    for (const args of [["--version"], ["--help"], ["plan", "--help"], ["validate", "--jsn"], ["plna"]]) {
      const [source, bundled] = await both(() => args);
      expect(bundled, args.join(" ")).toEqual(source);
    }
  });

  it("validate and graph, text and --json, on a valid project and a broken one", async () => {
    const broken = await tempProject(BROKEN_PROJECT);
    for (const dir of ["examples/staging", broken]) {
      for (const args of [
        ["validate", dir],
        ["validate", dir, "--json"],
        ["graph", dir],
        ["graph", dir, "--json"],
      ]) {
        const [source, bundled] = await both(() => args);
        expect(bundled, args.join(" ")).toEqual(source);
      }
    }
  });

  it("plan and apply (the embedded store made from the template) of a copy of the staging example", async () => {
    const [plan, planBundled] = await both((dir) => ["plan", dir], true);
    expect(plan.code).toBe(0);
    expect(planBundled).toEqual(plan);

    const [apply, applyBundled] = await both((dir) => ["apply", dir, "--auto-approve"], true);
    expect(apply.code, apply.stderr).toBe(0);
    expect(applyBundled).toEqual(apply);
  });
});

describe("zod is loaded on first use", () => {
  /** The CommonJS files of the bundle folder a run `require`d (zod.cjs, beside the chunks). */
  async function required(args: string[]): Promise<{ code: number | null; files: string[] }> {
    const hook = join(await tempDir(), "report.mjs");
    // createRequire's `cache` is Node's one CommonJS module cache: at exit it lists every file
    // `require` loaded, the bundle's own zod.cjs included.
    await writeFile(
      hook,
      [
        'import { createRequire } from "node:module";',
        "const { cache } = createRequire(import.meta.url);",
        'process.on("exit", () => process.stderr.write(`\\nREQUIRED ${JSON.stringify(Object.keys(cache))}\\n`));',
      ].join("\n"),
    );
    const r = await runCli(args, { bundle, nodeArgs: ["--import", hook] });
    const line = r.stderr.split("\n").find((l) => l.startsWith("REQUIRED "));
    expect(line, r.stderr).toBeDefined();
    // The cache holds real paths; the bundle's folder may be reached through a link.
    const dir = realpathSync(dirname(bundle));
    const files = (JSON.parse(line!.slice("REQUIRED ".length)) as string[])
      .filter((f) => dirname(f) === dir)
      .map((f) => basename(f));
    return { code: r.code, files };
  }

  it("not by the validate of a valid project; by a broken fsops.yaml, and zod.cjs works", async () => {
    expect(await required(["validate", "examples/staging"])).toEqual({ code: 0, files: [] });
    const broken = await copyExample("staging");
    const config = join(broken, "fsops.yaml");
    await writeFile(config, (await readFile(config, "utf8")).replace(/^project:/m, "projekt:"));
    expect(await required(["validate", broken])).toEqual({ code: 1, files: ["zod.cjs"] });
  });
});
