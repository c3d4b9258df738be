/**
 * Issue 11: the first seconds every user and every CI run pays. Each run is a fresh `node`
 * process (workloads/spawn.ts) running the built CLI (bin/fsops.js → build/) or the Action
 * bundle, judged on its CPU time against a floor measured in the same rounds:
 *
 * - startup/version: `fsops --version` ≤ 2× `node -e 0`; startup/help: `fsops --help` (the
 *   argument parser and the command table, which `--version` alone skips), no target.
 * - startup/validate: `fsops validate examples/staging` ≤ 1.3× a process that loads the
 *   compiler the same way (build/src/parse/typescript.cjs) and parses the same files.
 * - startup/plan-first: the first `fsops plan` of a clean copy of examples/staging (no registry,
 *   no embedded store) ≤ 1.2× a second plan of the same copy; peak RSS < 250 MB.
 * - startup/apply-first: the first `fsops apply --auto-approve` of a clean copy (creates the
 *   embedded store); peak RSS < 450 MB. Its floor is the first plan of the same copy.
 * - startup/action-validate: the Action (a fresh build of dist/ from src/), command validate on
 *   examples/staging, ≤ 1.2× the CLI's validate of the same project.
 * - startup/cmd-<command>, one per command `fsops --help` lists: the command on a missing folder,
 *   so its module and everything it imports load and it stops at reading fsops.yaml; next to
 *   `node -e 0`, no target: a later change that loads something eagerly shows up here.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchCase, JsonValue, Prepared, Target, TaskSpec } from "../lib/types.js";
import type { SpawnArgs } from "../workloads/spawn.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SPAWN = fileURLToPath(new URL("../workloads/spawn.ts", import.meta.url));
const REPORTER = path.join(ROOT, "bench/lib/report-rss.cjs");
const BIN = path.join(ROOT, "bin/fsops.js");
const STAGING = path.join(ROOT, "examples/staging");
const FLOOR_VALIDATE = path.join(ROOT, "bench/lib/validate-floor.mjs");
const RUNS = 5;

function task(args: Omit<SpawnArgs, "reporter" | "cwd"> & { cwd?: string }, runs = RUNS): TaskSpec {
  const full: SpawnArgs = { cwd: ROOT, reporter: REPORTER, ...args };
  return { module: SPAWN, args: full as unknown as JsonValue, runs };
}

const NODE_E0 = task({ argv: ["-e", "0"] });

async function unavailable(): Promise<string | null> {
  return existsSync(path.join(ROOT, "build/src/cli/run.js"))
    ? null
    : "the start-up cases run the built CLI: run npm run build first";
}

interface Summary {
  code?: number | null;
  ok?: boolean;
  stdoutTail?: string;
  stderrTail?: string;
}

function verifyOk(expect?: RegExp) {
  return (summary: JsonValue): string | null => {
    const s = summary as Summary | null;
    if (!s) return "no summary";
    if (!s.ok) return `exit code ${String(s.code)}: ${s.stderrTail ?? ""}`;
    if (expect && !expect.test(s.stdoutTail ?? "")) return `unexpected output: ${s.stdoutTail ?? ""}`;
    return null;
  };
}

/** A clean copy of the staging example (no registry, no embedded store) in the bench's work dir. */
function stagingCopy(workDir: string, label: string): string {
  const dir = mkdtempSync(path.join(workDir, `${label}-`));
  cpSync(STAGING, dir, {
    recursive: true,
    filter: (src) => !/[/\\](data|\.fsops)([/\\]|$)/.test(src.slice(STAGING.length)),
  });
  return dir;
}

function simpleCase(
  name: string,
  target: Target | null,
  make: (workDir: string) => Promise<Omit<Prepared, "input" | "cleanup"> & { cleanup?: () => Promise<void> }>,
): BenchCase {
  return {
    name,
    sizes: [1],
    unavailable,
    target: () => target,
    async prepare(_size, workDir) {
      const p = await make(workDir);
      return { input: {}, cleanup: async () => undefined, ...p };
    },
  };
}

const versionCase = simpleCase("startup/version", { ratio: 2 }, async () => ({
  subject: task({ argv: [BIN, "--version"] }),
  floor: NODE_E0,
  floorLabel: "node -e 0",
  verify: verifyOk(/^\d+\.\d+\.\d+/),
}));

const helpCase = simpleCase("startup/help", null, async () => ({
  subject: task({ argv: [BIN, "--help"] }),
  floor: NODE_E0,
  floorLabel: "node -e 0",
  verify: verifyOk(/display help for command/),
}));

const validateCase = simpleCase("startup/validate", { ratio: 1.3 }, async () => ({
  subject: task({ argv: [BIN, "validate", STAGING] }),
  floor: task({ argv: [FLOOR_VALIDATE, STAGING] }),
  floorLabel:
    "a node process that requires build/src/parse/typescript.cjs and parses every .ts of the project",
  verify: verifyOk(/objects valid/),
}));

const planFirstCase = simpleCase("startup/plan-first", { ratio: 1.2, maxRssMb: 250 }, async (workDir) => {
  const dir = stagingCopy(workDir, "plan-first");
  const fresh = [path.join(dir, ".fsops"), path.join(dir, "data")];
  return {
    subject: task({ argv: [BIN, "plan", dir], resetPaths: fresh }),
    floor: task({ argv: [BIN, "plan", dir], warmUp: true }),
    floorLabel: "a second plan of the same copy",
    verify: (summary: JsonValue) => {
      const wrong = verifyOk(/Plan: \d+ to create/)(summary);
      if (wrong) return wrong;
      return existsSync(fresh[0]!) || existsSync(fresh[1]!) ? "plan created the registry or the store" : null;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

const applyFirstCase = simpleCase("startup/apply-first", { maxRssMb: 450 }, async (workDir) => {
  const dir = stagingCopy(workDir, "apply-first");
  const fresh = [path.join(dir, ".fsops"), path.join(dir, "data")];
  return {
    subject: task(
      { argv: [BIN, "apply", dir, "--auto-approve"], resetPaths: fresh, env: { FSOPS_ACTOR: "bench" } },
      3,
    ),
    floor: task({ argv: [BIN, "plan", dir], resetPaths: fresh }, 3),
    floorLabel: "the first plan of the same clean copy",
    verify: verifyOk(/Apply complete: driver_ranking_staging is at serial 1\./),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

const actionValidateCase = simpleCase("startup/action-validate", { ratio: 1.2 }, async (workDir) => {
  const out = mkdtempSync(path.join(workDir, "action-dist-"));
  execFileSync(process.execPath, [path.join(ROOT, "scripts/build-action.mjs"), "--outdir", out], {
    cwd: ROOT,
    stdio: "pipe",
  });
  const env: Record<string, string> = {
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: ROOT,
    GITHUB_EVENT_NAME: "push",
    GITHUB_REPOSITORY: "acme/features",
    GITHUB_SHA: "1".repeat(40),
    GITHUB_REF: "refs/heads/main",
    INPUT_COMMAND: "validate",
    INPUT_PROJECTS: "examples/staging",
    "INPUT_GITHUB-TOKEN": "",
    INPUT_COMMENT: "true",
    "INPUT_ALLOW-DESTROY": "false",
    "INPUT_CHECK-SOURCES": "false",
    "INPUT_WORKING-DIRECTORY": ".",
    GITHUB_OUTPUT: path.join(out, "output.txt"),
    GITHUB_STEP_SUMMARY: path.join(out, "summary.md"),
    RUNNER_TEMP: out,
  };
  for (const f of [env.GITHUB_OUTPUT!, env.GITHUB_STEP_SUMMARY!]) writeFileSync(f, "");
  return {
    subject: task({ argv: [path.join(out, "index.js")], env }),
    floor: task({ argv: [BIN, "validate", STAGING] }),
    floorLabel: "fsops validate examples/staging (the CLI)",
    verify: verifyOk(),
    cleanup: () => rm(out, { recursive: true, force: true }),
  };
});

/** The commands `fsops --help` lists, and a placeholder for each required argument. */
function cliCommands(): { name: string; required: number }[] {
  let help: string;
  try {
    help = execFileSync(process.execPath, [BIN, "--help"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
  } catch {
    return [];
  }
  const section = help.slice(help.indexOf("Commands:"));
  const commands: { name: string; required: number }[] = [];
  for (const m of section.matchAll(/^ {2}([a-z][a-z0-9-]*)((?: (?:\[[^\]]*\]|<[^>]*>))*)/gm)) {
    const name = m[1]!;
    if (name === "help") continue;
    commands.push({ name, required: (m[2] ?? "").split(" ").filter((a) => a.startsWith("<")).length });
  }
  return commands;
}

const MISSING = path.join(ROOT, "bench", "no-such-project");
const commandCases: BenchCase[] = cliCommands().map(({ name, required }) =>
  simpleCase(`startup/cmd-${name}`, null, async () => ({
    subject: task({
      argv: [BIN, name, ...Array.from({ length: required }, () => "x"), MISSING],
      okCodes: [0, 1, 2],
    }),
    floor: NODE_E0,
    floorLabel: "node -e 0",
    verify: verifyOk(),
  })),
);

const cases: BenchCase[] = [
  versionCase,
  helpCase,
  validateCase,
  planFirstCase,
  applyFirstCase,
  actionValidateCase,
  ...commandCases,
];
export default cases;
