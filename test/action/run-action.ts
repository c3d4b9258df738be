/**
 * Runs the bundled Action (dist/index.js) as the GitHub runner does: a node child process with
 * INPUT_* variables, an event file, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files and
 * GITHUB_API_URL pointing at the local GitHub server. Nothing of the test process leaks in.
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { makeTemp } from "./fixtures.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BUNDLE = fileURLToPath(new URL("../../dist/index.js", import.meta.url));

export interface ActionRunOptions {
  /** The bundle to run; the committed dist/index.js by default. */
  bundle?: string;
  workspace: string;
  /** Input names as in action.yml (`github-token`, `allow-destroy`, …). */
  inputs: Record<string, string>;
  eventName: "pull_request" | "push";
  event: object;
  sha: string;
  apiUrl: string;
  repository: string;
  /** Extra variables for the step (fsops.yaml interpolation). */
  env?: Record<string, string>;
}

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  runnerTemp: string;
}

export async function runAction(opts: ActionRunOptions): Promise<ActionRun> {
  const dir = makeTemp("fsops-action-run-");
  const eventPath = join(dir, "event.json");
  const outputPath = join(dir, "output.txt");
  const summaryPath = join(dir, "summary.md");
  const runnerTemp = join(dir, "runner-temp");
  mkdirSync(runnerTemp);
  writeFileSync(eventPath, JSON.stringify(opts.event));
  writeFileSync(outputPath, "");
  writeFileSync(summaryPath, "");

  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: process.env["HOME"] ?? dir,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_EVENT_NAME: opts.eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_OUTPUT: outputPath,
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_API_URL: opts.apiUrl,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_REPOSITORY: opts.repository,
    GITHUB_SHA: opts.sha,
    GITHUB_REF: opts.eventName === "push" ? "refs/heads/main" : "refs/pull/7/merge",
    GITHUB_ACTOR: "octocat",
    GITHUB_RUN_ID: "4242",
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: runnerTemp,
    ...opts.env,
  };
  // The runner keeps dashes and uppercases the rest: INPUT_GITHUB-TOKEN.
  for (const [name, value] of Object.entries(opts.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;

  // GitHub runs the Action on Node 24; FSOPS_ACTION_NODE points the suite at such a binary.
  const node = process.env.FSOPS_ACTION_NODE || process.execPath;
  const child = spawn(node, [opts.bundle ?? BUNDLE], {
    cwd: opts.workspace,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((done, fail) => {
    child.on("error", fail);
    child.on("close", (c) => done(c));
  });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputPath, "utf8")),
    summary: readFileSync(summaryPath, "utf8"),
    runnerTemp,
  };
}

/** The `name<<delimiter … delimiter` format @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = lines[i]!.match(/^([^<=]+)<<(.+)$/);
    if (!m) continue;
    const [, name, delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
    out[name!] = value.join("\n");
  }
  return out;
}

export function pullRequestEvent(number: number, headSha: string, labels: string[] = []): object {
  return {
    action: "synchronize",
    number,
    pull_request: {
      number,
      head: { sha: headSha, ref: "feature" },
      base: { ref: "main" },
      labels: labels.map((name, i) => ({ id: i + 1, name })),
    },
    repository: { name: "features", owner: { login: "acme" } },
  };
}

export function pushEvent(sha: string): object {
  return { ref: "refs/heads/main", after: sha, repository: { name: "features", owner: { login: "acme" } } };
}
