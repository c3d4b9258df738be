import { execFileSync, spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";

export const REPO = resolve(import.meta.dirname, "../..");
const BIN = join(REPO, "src/cli/bin.ts");
// Absolute, so the CLI can run with a cwd outside the repository (a feature repo without node_modules).
const TSX = import.meta.resolve("tsx");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The environment a user's shell would give: no colors, no CI variables, plus `env`. */
export function cliEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: "1",
    FSOPS_ACTOR: "test-user",
    ...env,
  };
}

/**
 * Run the real CLI in a child process, from source (so tests never run a stale build), or the
 * bundled CLI `bundle` (buildCliBundle) with plain node, as bin/fsops.js runs it.
 */
export function runCli(
  args: string[],
  opts: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    input?: string;
    bundle?: string;
    /** Node options before the entry (a `--import` hook). */
    nodeArgs?: string[];
  } = {},
): Promise<CliResult> {
  const entry = [...(opts.nodeArgs ?? []), ...(opts.bundle ? [opts.bundle] : ["--import", TSX, BIN])];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: opts.cwd ?? REPO,
      env: cliEnv(opts.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
    child.stdin.end(opts.input ?? "");
  });
}

/** Spawn without waiting, for kill -9 tests. */
export function spawnCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string | undefined> } = {},
) {
  return spawn(process.execPath, ["--import", TSX, BIN, ...args], {
    cwd: opts.cwd ?? REPO,
    env: cliEnv(opts.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const tempDirs: string[] = [];

/**
 * Bundle the current src/ exactly as `npm run build` makes build/cli/ (scripts/build-cli.mjs),
 * into a fresh folder under build/ (inside the repository: the packages the bundle leaves outside
 * resolve from its node_modules). Returns the entry, the file bin/fsops.js imports.
 */
export async function buildCliBundle(): Promise<string> {
  await mkdir(join(REPO, "build"), { recursive: true });
  const out = await mkdtemp(join(REPO, "build", "cli-test-"));
  tempDirs.push(out);
  execFileSync(process.execPath, [join(REPO, "scripts/build-cli.mjs"), "--outdir", out], {
    cwd: REPO,
    stdio: "pipe",
  });
  return join(out, "fsops.js");
}

afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A new temporary folder holding `files` (path relative to the folder → text). */
export async function tempProject(files: Record<string, string>): Promise<string> {
  const dir = await tempDir();
  for (const [name, text] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

export async function tempDir(prefix = "fsops-cli-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A private copy of an example project (without any registry or embedded store it may have). */
export async function copyExample(name: "staging" | "production", into?: string): Promise<string> {
  const dest = join(into ?? (await tempDir()), name);
  await cp(join(REPO, "examples", name), dest, {
    recursive: true,
    filter: (src) => !/[/\\](data|\.fsops)([/\\]|$)/.test(src.slice(join(REPO, "examples").length)),
  });
  return dest;
}

/**
 * A project with mistakes at several stages (a misspelled fsops.yaml key, an unknown dtype, a
 * value read from the environment), for comparing two ways of running a command on it.
 */
export const BROKEN_PROJECT = {
  "fsops.yaml": "project: p\nregisty: data/r.json\n",
  "lib/a.ts": [
    'import { Entity, Field, FeatureView, FileSource } from "fsops";',
    'const e = new Entity({ name: "e", joinKeys: ["id"] });',
    "export const v = new FeatureView({",
    '  name: "v",',
    "  entities: [e],",
    '  schema: [new Field({ name: "x", dtype: "float33" })],',
    '  source: new FileSource({ name: "src", path: "x.parquet", timestampField: "ts" }),',
    "  ttl: process.env.TTL,",
    "});",
    "",
  ].join("\n"),
};
