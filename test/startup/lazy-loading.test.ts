/**
 * Regression guard for "each command loads only what it uses" (issue 11): runs the CLI (from
 * source) and the bundled Action in child processes with a preload that records every module
 * they load, and fails when a command loads a driver, the compiler or ts-morph's wrapper it does
 * not need. Not a timing test: a later eager `import` shows up here whatever the machine's speed.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildBundle, copyExamples, removeTemps, tempWorkspace } from "../action/fixtures.js";
import { runAction, pullRequestEvent } from "../action/run-action.js";
import { buildCliBundle, cliEnv, copyExample, REPO } from "../cli/helpers.js";

const TRACE = fileURLToPath(new URL("./module-trace.mjs", import.meta.url));
const TSX = import.meta.resolve("tsx");
const BIN = join(REPO, "src/cli/bin.ts");

/** What no command may load unless it needs it, by the path of the package's files. */
const HEAVY = {
  pg: /\/node_modules\/pg(-[a-z-]+)?\//,
  ioredis: /\/node_modules\/ioredis\//,
  pglite: /\/node_modules\/@electric-sql\/pglite\//,
  "aws-sdk": /\/node_modules\/@aws-sdk\//,
  duckdb: /\/node_modules\/@duckdb\//,
  "ts-morph (wrapper)": /\/node_modules\/ts-morph\//,
  "TypeScript compiler": /\/@ts-morph\/common\/dist\/typescript\.js$|\/node_modules\/typescript\//,
} as const;
type Heavy = keyof typeof HEAVY;

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
  removeTemps();
});

function traceFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "fsops-trace-"));
  temps.push(dir);
  return join(dir, "modules.txt");
}

function loaded(file: string): string[] {
  return existsSync(file) ? [...new Set(readFileSync(file, "utf8").split("\n").filter(Boolean))] : [];
}

/** Which of the heavy packages the module list holds. */
function heavyIn(modules: string[]): Heavy[] {
  return (Object.keys(HEAVY) as Heavy[]).filter((name) => modules.some((m) => HEAVY[name].test(m)));
}

/** Runs the CLI from source, or the bundled CLI `bundle` (buildCliBundle) as bin/fsops.js does. */
async function traceCli(
  args: string[],
  bundle?: string,
): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[] }> {
  const file = traceFile();
  const entry = bundle ? [bundle] : ["--import", TSX, BIN];
  const child = spawn(process.execPath, ["--import", TRACE, ...entry, ...args], {
    cwd: REPO,
    env: cliEnv({ FSOPS_MODULE_TRACE: file }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", done);
  });
  return { code, stdout, stderr, modules: loaded(file) };
}

describe("the CLI loads only what a command uses", () => {
  it("--version and --help load no driver and no compiler", async () => {
    const version = await traceCli(["--version"]);
    expect(version.code, version.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };
    expect(version.stdout).toBe(`${pkg.version}\n`);
    // The trace works: the CLI's entry is in it.
    expect(version.modules.some((m) => m.endsWith("/src/cli/run.ts"))).toBe(true);
    expect(heavyIn(version.modules)).toEqual([]);
    for (const args of [["--help"], ["plan", "--help"]]) {
      const r = await traceCli(args);
      expect(r.code, r.stderr).toBe(0);
      expect(
        r.modules.some((m) => m.endsWith("/src/cli/main.ts")),
        args.join(" "),
      ).toBe(true);
      expect(
        r.modules.some((m) => m.includes("/node_modules/commander/")),
        args.join(" "),
      ).toBe(true);
      expect(heavyIn(r.modules), args.join(" ")).toEqual([]);
    }
  });

  it("validate loads the compiler ts-morph carries, and no driver nor ts-morph's wrapper", async () => {
    const r = await traceCli(["validate", "examples/staging"]);
    expect(r.code, r.stderr).toBe(0);
    expect(heavyIn(r.modules)).toEqual(["TypeScript compiler"]);
  });

  it("show of a file registry loads neither the compiler nor a driver", async () => {
    const dir = await copyExample("staging");
    const r = await traceCli(["show", dir, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe("null");
    expect(heavyIn(r.modules)).toEqual([]);
  });

  it("plan with a file registry and no embedded store yet creates nothing and loads no driver", async () => {
    const dir = await copyExample("staging");
    const r = await traceCli(["plan", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("CREATE TABLE IF NOT EXISTS");
    expect(r.stderr).toContain(
      `note: the embedded online store ${join(dir, ".fsops", "online")} does not exist yet: planned as empty; fsops apply will create it`,
    );
    expect(heavyIn(r.modules)).toEqual(["TypeScript compiler"]);
    expect(existsSync(join(dir, ".fsops"))).toBe(false);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });
});

describe("the bundled CLI (build/cli/) loads only the chunks a command uses", () => {
  let bundle = "";
  /** The bundle's own files a run loaded, and the text of those files. */
  function chunksOf(modules: string[]): { files: string[]; text: string } {
    const dir = join(bundle, "..");
    const files = modules
      .filter((m) => m.startsWith("file://") && fileURLToPath(m).startsWith(dir))
      .map((m) => fileURLToPath(m));
    return { files, text: files.map((f) => readFileSync(f, "utf8")).join("\n") };
  }
  // Commander is bundled (CommonJS, wrapped under its package path): that path marks its chunk.
  const COMMANDER = '"node_modules/commander/index.js"';

  it("validate loads the compiler and no driver, nor the argument parser; --help loads the parser", async () => {
    bundle = await buildCliBundle();
    const v = await traceCli(["validate", "examples/staging"], bundle);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain("objects valid");
    expect(heavyIn(v.modules)).toEqual(["TypeScript compiler"]);
    const chunks = chunksOf(v.modules);
    expect(chunks.files.length).toBeGreaterThan(1);
    expect(chunks.text).not.toContain(COMMANDER);
    // Nothing of build/src (the tsc output) or src: the bundle runs on its own.
    expect(v.modules.filter((m) => /\/(build\/)?src\//.test(m))).toEqual([]);

    const help = await traceCli(["--help"], bundle);
    expect(help.code, help.stderr).toBe(0);
    expect(chunksOf(help.modules).text).toContain(COMMANDER);
    expect(heavyIn(help.modules)).toEqual([]);
  }, 300_000);

  it("show of a file registry and a first plan load no driver; the bundle holds none", async () => {
    bundle ||= await buildCliBundle();
    const dir = await copyExample("staging");
    const show = await traceCli(["show", dir, "--json"], bundle);
    expect(show.code, show.stderr).toBe(0);
    expect(heavyIn(show.modules)).toEqual([]);
    const plan = await traceCli(["plan", dir], bundle);
    expect(plan.code, plan.stderr).toBe(0);
    expect(heavyIn(plan.modules)).toEqual(["TypeScript compiler"]);
    expect(existsSync(join(dir, ".fsops"))).toBe(false);
    // The drivers stay packages of node_modules, loaded by path (what HEAVY sees), never inlined.
    const all = readdirSync(join(bundle, ".."))
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(join(bundle, "..", f), "utf8"))
      .join("\n");
    // ioredis's name is in the bundle as the import of it; its code would come wrapped under its path.
    const markers: Record<string, string> = { ...BUNDLE_MARKERS, ioredis: '"node_modules/ioredis/' };
    expect(Object.keys(markers).filter((name) => all.includes(markers[name]!))).toEqual([]);
  }, 300_000);
});

/** Text that only the bundled code of each package holds (the bundle has no package paths). */
const BUNDLE_MARKERS: Record<string, string> = {
  pglite: "pglite.wasm",
  pg: "SCRAM-SHA-256",
  "aws-sdk": "aws-sdk-js",
  ioredis: "ioredis",
};

describe("the Action bundle loads only the chunks a command uses", () => {
  let bundle = "";

  async function traceAction(
    command: "validate" | "plan",
  ): Promise<{ code: number | null; chunks: string[] }> {
    bundle ||= buildBundle();
    const ws = tempWorkspace();
    copyExamples(ws);
    const file = traceFile();
    const run = await runAction({
      bundle,
      workspace: ws,
      // No token: no GitHub API calls, so no server is needed.
      inputs: { command, projects: "examples/staging", "github-token": "" },
      eventName: "pull_request",
      event: pullRequestEvent(7, "1".repeat(40)),
      sha: "1".repeat(40),
      apiUrl: "http://127.0.0.1:9",
      repository: "acme/features",
      env: { NODE_OPTIONS: `--import=${TRACE}`, FSOPS_MODULE_TRACE: file },
    });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(existsSync(join(ws, "examples", "staging", ".fsops")), "plan created the embedded store").toBe(
      false,
    );
    const dist = join(bundle, "..");
    return {
      code: run.code,
      chunks: loaded(file)
        .filter((m) => m.startsWith("file://") && fileURLToPath(m).startsWith(dist))
        .map((m) => basename(fileURLToPath(m))),
    };
  }

  function packagesIn(chunks: string[]): string[] {
    const dist = join(bundle, "..");
    const text = chunks.map((c) => readFileSync(join(dist, c), "utf8")).join("\n");
    return Object.keys(BUNDLE_MARKERS).filter((name) => text.includes(BUNDLE_MARKERS[name]!));
  }

  it("validate and a plan against a file registry load no PGlite, pg, AWS SDK or ioredis chunk", async () => {
    for (const command of ["validate", "plan"] as const) {
      const { chunks } = await traceAction(command);
      expect(chunks, command).toContain("index.js");
      expect(chunks.length, command).toBeGreaterThan(1);
      expect(packagesIn(chunks), command).toEqual([]);
    }
    // The markers are real: the bundle as a whole holds every one of them.
    const all = readdirSync(join(bundle, "..")).filter((f) => f.endsWith(".js"));
    expect(packagesIn(all)).toEqual(Object.keys(BUNDLE_MARKERS));
  }, 300_000);
});
