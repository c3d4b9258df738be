import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";

/** What the workflow run is about, from the runner's environment and event file. */
export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** The commit the workflow runs on (a merge commit for `pull_request`). */
  sha: string;
  /** The commit reviewers look at: the PR head, or `sha` for pushes. Definition links point here. */
  headSha: string;
  /** The pull request of a `pull_request` event; null for pushes (apply looks it up). */
  pullRequest: number | null;
  /** Label names of the pull request as the event saw them (approvals); [] for pushes. */
  labels: string[];
  actor: string;
  serverUrl: string;
  apiUrl: string;
  /** Link to this run, where the job summary is; null outside GitHub. */
  runUrl: string | null;
  /** The repository checkout (GITHUB_WORKSPACE), absolute. */
  workspace: string;
  /** Scratch folder for the saved JSON plans (RUNNER_TEMP), absolute. */
  tempDir: string;
}

interface PullRequestEvent {
  pull_request?: { number?: unknown; head?: { sha?: unknown }; labels?: unknown };
  after?: unknown;
}

/** Read the run context. `env` is passed in so callers decide where it comes from. */
export function readRunContext(env: Readonly<Record<string, string | undefined>>, cwd: string): RunContext {
  const repository = env["GITHUB_REPOSITORY"] ?? "";
  const [owner, repo, ...rest] = repository.split("/");
  if (!owner || !repo || rest.length > 0) {
    throw new Error(
      `GITHUB_REPOSITORY is "${repository}"; expected "owner/repo" (is this running in GitHub Actions?)`,
    );
  }
  const event = readEvent(env["GITHUB_EVENT_PATH"]);
  const sha = env["GITHUB_SHA"] ?? (typeof event.after === "string" ? event.after : "");
  if (!/^[0-9a-f]{7,64}$/.test(sha)) {
    throw new Error(`GITHUB_SHA is "${sha}"; expected a commit id`);
  }
  const pr = event.pull_request;
  const prNumber = typeof pr?.number === "number" ? pr.number : null;
  const headSha = typeof pr?.head?.sha === "string" ? pr.head.sha : sha;
  const serverUrl = stripSlash(env["GITHUB_SERVER_URL"] || "https://github.com");
  const runId = env["GITHUB_RUN_ID"];
  const workspace = absolute(env["GITHUB_WORKSPACE"] || cwd, cwd);
  return {
    owner,
    repo,
    eventName: env["GITHUB_EVENT_NAME"] ?? "",
    sha,
    headSha,
    pullRequest: prNumber,
    labels: labelNames(pr?.labels),
    actor: env["GITHUB_ACTOR"] || "github-actions",
    serverUrl,
    apiUrl: stripSlash(env["GITHUB_API_URL"] || "https://api.github.com"),
    runUrl: runId ? `${serverUrl}/${owner}/${repo}/actions/runs/${runId}` : null,
    workspace,
    tempDir: absolute(env["RUNNER_TEMP"] || resolve(workspace, ".fsops", "tmp"), cwd),
  };
}

function readEvent(path: string | undefined): PullRequestEvent {
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`GITHUB_EVENT_PATH is "${path}", which cannot be read`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as PullRequestEvent) : {};
  } catch {
    throw new Error(`GITHUB_EVENT_PATH "${path}" does not hold JSON`);
  }
}

function labelNames(labels: unknown): string[] {
  if (!Array.isArray(labels)) return [];
  return labels.flatMap((l: unknown) =>
    typeof l === "object" && l !== null && "name" in l && typeof l.name === "string" ? [l.name] : [],
  );
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function absolute(path: string, cwd: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}
