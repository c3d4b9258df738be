/**
 * End to end: the bundled Action (built from the current src/ exactly like dist/) runs as a
 * child process the way the runner starts it, against a local GitHub REST server, on real
 * feature repositories with a file registry.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { COMMENT_LIMIT, COMMENT_MARKER, parseFingerprints } from "../../src/action/comment.js";
import {
  REPO_ROOT,
  buildBundle,
  copyExamples,
  generatedProject,
  registryBytes,
  registrySerial,
  removeTemps,
  tempWorkspace,
  writeFiles,
} from "./fixtures.js";
import { GitHubServer } from "./github-server.js";
import { BUNDLE, pullRequestEvent, pushEvent, runAction } from "./run-action.js";
import type { ActionRun } from "./run-action.js";
import { checkWellFormed } from "./wellformed.js";

// Each test runs the bundled Action several times, some on the examples with an embedded
// Postgres: a minute is not enough on a busy machine.
vi.setConfig({ testTimeout: 240_000 });

const TOKEN = "ghs_test_token_do_not_print";
const PR = 7;
const HEAD = "1111111111111111111111111111111111111111";
const HEAD2 = "2222222222222222222222222222222222222222";
const MERGE = "3333333333333333333333333333333333333333";
const OTHER = "4444444444444444444444444444444444444444";

let bundle = "";
const servers: GitHubServer[] = [];

beforeAll(() => {
  // FSOPS_ACTION_BUNDLE=dist/index.js runs the committed bundle instead (CI's Node 24 job).
  const given = process.env["FSOPS_ACTION_BUNDLE"];
  bundle = given ? resolve(REPO_ROOT, given) : buildBundle();
}, 180_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  removeTemps();
});

async function githubServer(
  userLogin: string | null = null,
  opts: { readOnly?: boolean; botLogin?: string } = {},
): Promise<GitHubServer> {
  const server = new GitHubServer({ owner: "acme", repo: "features", token: TOKEN, userLogin, ...opts });
  await server.start();
  servers.push(server);
  return server;
}

function plan(
  server: GitHubServer,
  workspace: string,
  headSha: string,
  inputs: Record<string, string>,
  labels: string[] = [],
): Promise<ActionRun> {
  return runAction({
    bundle,
    workspace,
    inputs: { command: "plan", "github-token": TOKEN, ...inputs },
    eventName: "pull_request",
    event: pullRequestEvent(PR, headSha, labels),
    sha: "9".repeat(40), // the merge commit GitHub plans on; links must use the head instead
    apiUrl: server.url,
    repository: "acme/features",
  });
}

function apply(
  server: GitHubServer,
  workspace: string,
  sha: string,
  inputs: Record<string, string>,
): Promise<ActionRun> {
  return runAction({
    bundle,
    workspace,
    inputs: { command: "apply", "github-token": TOKEN, ...inputs },
    eventName: "push",
    event: pushEvent(sha),
    sha,
    apiUrl: server.url,
    repository: "acme/features",
  });
}

function mergedPr(server: GitHubServer, mergeSha: string, headSha: string, labels: string[] = []): void {
  server.commitPulls.set(mergeSha, [
    {
      number: PR,
      state: "closed",
      merged_at: "2026-11-21T09:00:00Z",
      merge_commit_sha: mergeSha,
      head: { sha: headSha },
      labels: labels.map((name) => ({ name })),
    },
  ]);
}

/** A direct push applied with the opt-out, to give the registry a starting state. */
const UNREVIEWED = { "require-reviewed-plan": "false" };

function ours(server: GitHubServer) {
  return server
    .commentsOn(PR)
    .filter((c) => c.body.startsWith(COMMENT_MARKER) && c.login === server.writerLogin);
}

/** Fails with the step's log, which is what a user would look at. */
function expectExit(run: ActionRun, code: number): void {
  if (run.code !== code) throw new Error(`exit ${run.code}, expected ${code}\n${run.stdout}\n${run.stderr}`);
}

function planJson(run: ActionRun): { fingerprint: string; project: string }[] {
  return run.outputs["plan-json"]!.split("\n").map(
    (p) => JSON.parse(readFileSync(p, "utf8")) as { fingerprint: string; project: string },
  );
}

describe("command: plan on a pull request", () => {
  it("creates one sticky comment, then updates the same one on the next push", async () => {
    const server = await githubServer(null);
    // 120 comments by people first, and a copy of the marker by someone else: the sticky comment
    // lands on the second page and only ours may be touched.
    for (let i = 0; i < 120; i++) server.addComment(PR, `looks good ${i}`, "alice");
    const foreign = server.addComment(PR, `${COMMENT_MARKER}\nquoted by a human`, "mallory");
    const ws = tempWorkspace();
    copyExamples(ws);
    const projects = "examples/staging\nexamples/production";

    const first = await plan(server, ws, HEAD, { projects });
    expectExit(first, 0);
    expect(ours(server)).toHaveLength(1);
    const comment = ours(server)[0]!;
    expect(server.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/acme/features/issues/${PR}/comments`,
    ]);
    expect(server.requests.some((r) => r.path === "/user")).toBe(true);
    expect(server.requests.some((r) => r.method === "GET" && r.query["page"] === "2")).toBe(true);
    // The token is only ever handed to the runner's masker.
    expect(first.stdout.replace(`::add-mask::${TOKEN}\n`, "")).not.toContain(TOKEN);

    // The comment: both projects, links at the PR head, fingerprints matching the saved plans.
    expect(comment.body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(comment.body).toContain(`https://github.com/acme/features/blob/${HEAD}/examples/staging/`);
    expect(comment.body).not.toContain("9".repeat(40));
    const plans = planJson(first);
    expect(plans.map((p) => p.project)).toEqual(["driver_ranking_staging", "driver_ranking_production"]);
    expect(parseFingerprints(comment.body).map((f) => [f.dir, f.project, f.value, f.commit])).toEqual([
      ["examples/staging", "driver_ranking_staging", plans[0]!.fingerprint, HEAD],
      ["examples/production", "driver_ranking_production", plans[1]!.fingerprint, HEAD],
    ]);
    const report = checkWellFormed(comment.body);
    expect(report.problems).toEqual([]);
    expect(report.tables).toBeGreaterThanOrEqual(2);
    expect(comment.body).toMatchSnapshot("plan comment");

    // Outputs and the job summary.
    expect(first.outputs["changes"]).toBe("true");
    expect(Number(first.outputs["create"])).toBeGreaterThan(10);
    expect(first.outputs["failure-reason"]).toBe("");
    expect(first.summary).toContain("## fsops plan");
    expect(first.summary).toContain("driver_ranking_production");
    expect(checkWellFormed(first.summary).problems).toEqual([]);

    // Next push: a description changes in staging; the same comment is updated in place.
    const file = join(ws, "examples/staging/customer_features.ts");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace(/description: "([^"]*)"/, 'description: "$1 (revised)"'),
    );
    const second = await plan(server, ws, HEAD2, { projects });
    expectExit(second, 0);
    expect(ours(server)).toHaveLength(1);
    expect(server.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/acme/features/issues/${PR}/comments`,
      `PATCH /repos/acme/features/issues/comments/${comment.id}`,
    ]);
    expect(ours(server)[0]!.body).toContain(`/blob/${HEAD2}/`);
    expect(server.comments.find((c) => c.id === foreign.id)!.body).toBe(
      `${COMMENT_MARKER}\nquoted by a human`,
    );
  });

  it("with a personal token, finds its own comment by the login GET /user returns", async () => {
    const server = await githubServer("fsops-ci");
    server.addComment(
      PR,
      `${COMMENT_MARKER}\nwritten by github-actions before the token changed`,
      "github-actions[bot]",
    );
    const ws = tempWorkspace();
    generatedProject(join(ws, "features"), "small", 3);
    expectExit(await plan(server, ws, HEAD, { projects: "features" }), 0);
    expectExit(await plan(server, ws, HEAD2, { projects: "features" }), 0);
    expect(ours(server)).toHaveLength(1);
    expect(ours(server)[0]!.login).toBe("fsops-ci");
    expect(server.commentsOn(PR)).toHaveLength(2);
  });

  it("keeps a 3,000-object plan under 65,536 characters with its summary line intact, filled up to the limit", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    generatedProject(join(ws, "features/big"), "big", 2998); // + entity + source = 3,000 objects
    const run = await plan(server, ws, HEAD, { projects: "features/big" });
    expectExit(run, 0);
    expect(run.outputs["create"]).toBe("3000");
    const body = ours(server)[0]!.body;
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain("**big**: 3000 to create, 0 to update, 0 to replace, 0 to delete");
    expect(body).toContain("Some detail is left out");
    expect(body).toContain("`plan-json`");
    // Filled in stages up to the limit (not the 1,600-character summary): as many table rows
    // as fit, then a count of the rest.
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT - 4_000);
    expect(body).toContain("| `fv_0000` |");
    expect(body).toMatch(/…and \d+ more changes: left out of this table to fit/);
    // The job summary is cut too (over 1,000,000 characters in full): "full plan" never points
    // at it; the complete plan is the plan-json file.
    expect(run.summary).toContain("Some detail is left out to stay under the 1,000,000-character limit.");
    expect(body).not.toContain("Full plan: the [job summary]");
    expect(body).toContain(
      "Complete plan: the `plan-json` file of the step (upload it with actions/upload-artifact); the [job summary](https://github.com/acme/features/actions/runs/4242) is cut to fit too.",
    );
    expect(run.summary).not.toMatch(/Full plan: the (\[job summary\]|job summary)/);
    expect(parseFingerprints(body)).toHaveLength(1);
    expect(checkWellFormed(body).problems).toEqual([]);
    // The job summary has the full plan, down to the last object.
    expect(run.summary.length).toBeGreaterThan(body.length);
    expect(run.summary).toContain("fv_2997");
  });

  it("turns invalid definitions into annotations, a diagnostics comment and a failing step", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    generatedProject(join(ws, "features/good"), "good", 2);
    const bad = [
      'import { FeatureView, Field } from "fsops";',
      'import { driver, stats } from "./base.js";',
      "",
      "export const broken = new FeatureView({",
      '  name: "Bad:Name",',
      "  entities: [driver],",
      "  source: stats,",
      '  schema: [new Field({ name: "x", dtype: "float33" })],',
      "});",
      "",
    ].join("\n");
    generatedProject(join(ws, "features/bad"), "bad", 1);
    writeFiles(join(ws, "features/bad"), { "broken.ts": bad });

    const run = await plan(server, ws, HEAD, { projects: "features/good features/bad" });
    expectExit(run, 1);
    expect(run.outputs["failure-reason"]).toBe("invalid-definitions");
    const annotations = run.stdout.split("\n").filter((l) => l.startsWith("::error file="));
    expect(annotations.length).toBeGreaterThanOrEqual(2);
    for (const a of annotations)
      expect(a).toMatch(/^::error file=features\/bad\/broken\.ts,line=\d+,col=\d+::FS\d+: /);
    expect(annotations.some((a) => a.includes("line=5,"))).toBe(true); // the name
    expect(annotations.some((a) => a.includes("line=8,"))).toBe(true); // the dtype
    expect(run.stdout).toMatch(/^::error::invalid definitions in features\/bad/m);

    const body = ours(server)[0]!.body;
    expect(body).toContain("**bad**: definitions are invalid (2 errors)");
    expect(body).toContain(`https://github.com/acme/features/blob/${HEAD}/features/bad/broken.ts#L5`);
    expect(parseFingerprints(body).map((f) => f.dir)).toEqual(["features/good"]);
    expect(checkWellFormed(body).problems).toEqual([]);
    expect(body.replace(/value=[0-9a-z%]+/g, "value=…")).toMatchSnapshot("invalid comment");
  });

  it("command: validate annotates without touching the registry or the PR", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    generatedProject(join(ws, "features"), "v", 1);
    writeFiles(join(ws, "features"), {
      "broken.ts": 'import { Entity } from "fsops";\nexport const e = new Entity({ name: "" });\n',
    });
    const run = await plan(server, ws, HEAD, { command: "validate", projects: "features" });
    expectExit(run, 1);
    expect(run.outputs["failure-reason"]).toBe("invalid-definitions");
    expect(run.stdout).toMatch(/^::error file=features\/broken\.ts,line=2,col=\d+::/m);
    expect(server.requests).toEqual([]);
    expect(registryBytes(join(ws, "features"))).toBeNull();
  });
});

describe("the committed dist/index.js", () => {
  it.skipIf(!existsSync(BUNDLE))("starts and validates the examples as the runner would run it", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    copyExamples(ws);
    const run = await runAction({
      bundle: BUNDLE,
      workspace: ws,
      inputs: {
        command: "validate",
        projects: "examples/staging examples/production",
        "github-token": TOKEN,
      },
      eventName: "pull_request",
      event: pullRequestEvent(PR, HEAD),
      sha: HEAD,
      apiUrl: server.url,
      repository: "acme/features",
    });
    expectExit(run, 0);
    expect(run.summary).toContain("**driver\\_ranking\\_staging**:");
    expect(run.outputs["failure-reason"]).toBe("");
  });
});

describe("tokens and comment modes", () => {
  it("a read-only token (fork PR) cannot comment: the step warns and still succeeds", async () => {
    const server = await githubServer(null, { readOnly: true });
    const ws = tempWorkspace();
    generatedProject(join(ws, "features"), "fork", 2);
    const run = await plan(server, ws, HEAD, { projects: "features" });
    expectExit(run, 0);
    expect(run.stdout).toMatch(
      /^::warning::could not write the PR comment \(GitHub API: create comment failed \(HTTP 403\)/m,
    );
    expect(server.comments).toEqual([]);
    expect(run.summary).toContain("**fork**: 4 to create");
  });

  it("comment: changes-only posts nothing without changes; apply without a recorded plan refuses unless require-reviewed-plan is false", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    const dir = join(ws, "features");
    generatedProject(dir, "quiet", 2);
    const off = await plan(server, ws, HEAD, { projects: "features", comment: "false" });
    expectExit(off, 0);
    expect(server.writes()).toEqual([]);
    mergedPr(server, MERGE, HEAD);
    const refused = await apply(server, ws, MERGE, { projects: "features" });
    expectExit(refused, 1);
    expect(refused.outputs["failure-reason"]).toBe("no-reviewed-plan");
    expect(refused.stdout).toMatch(
      /^::error::features: pull request #7 has no fsops plan comment; refusing/m,
    );
    expect(registryBytes(dir)).toBeNull();
    const run = await apply(server, ws, MERGE, { projects: "features", ...UNREVIEWED });
    expectExit(run, 0);
    expect(run.stdout).toMatch(
      /^::warning::pull request #7 has no fsops plan comment: planning and applying without a reviewed plan/m,
    );
    expect(registrySerial(dir)).toBe(1);

    const quiet = await plan(server, ws, HEAD2, { projects: "features", comment: "changes-only" });
    expectExit(quiet, 0);
    expect(quiet.outputs["changes"]).toBe("false");
    expect(server.writes()).toEqual([]);
    expect(quiet.summary).toContain("**quiet**: no changes.");
  });
});

describe("command: apply on push", () => {
  it("applies when the fingerprint matches the reviewed plan and records the result in the comment", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    copyExamples(ws);
    const staging = join(ws, "examples/staging");
    expectExit(await plan(server, ws, HEAD, { projects: "examples/staging" }), 0);
    const planned = ours(server)[0]!.body;
    mergedPr(server, MERGE, HEAD);

    const run = await apply(server, ws, MERGE, { projects: "examples/staging" });
    expectExit(run, 0);
    expect(registrySerial(staging)).toBe(1);
    expect(server.requests.some((r) => r.path === `/repos/acme/features/commits/${MERGE}/pulls`)).toBe(true);
    const body = ours(server)[0]!.body;
    expect(body).toContain("**Applied**: registry serial 1");
    expect(body).toContain(`commit \`${MERGE.slice(0, 12)}\``);
    // Only the status block changed: the reviewed plan and its fingerprint stay.
    expect(parseFingerprints(body)).toEqual(parseFingerprints(planned));
    expect(checkWellFormed(body).problems).toEqual([]);
    expect(run.outputs["changes"]).toBe("true");
    expect(run.outputs["failure-reason"]).toBe("");
    expect(existsSync(run.outputs["plan-json"]!)).toBe(true);
    expect(run.summary).toContain("## fsops apply");
    expect(run.summary).toContain("**Applied**");
    expect(body.replace(/ · \d{4}-\d\d-\d\dT[\d:.]+Z/, " · <time>")).toMatchSnapshot("applied comment");

    // Re-running the same workflow finds nothing left to do.
    const again = await apply(server, ws, MERGE, { projects: "examples/staging" });
    expectExit(again, 0);
    expect(registrySerial(staging)).toBe(1);
    expect(ours(server)[0]!.body).toContain("**Nothing to apply**");
  });

  it("refuses with plan-changed when the registry moved since the review, and changes nothing", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    const dir = join(ws, "features");
    generatedProject(dir, "moving", 4);
    // The registry starts at serial 1 (a direct push: no pull request, applied with a warning).
    const base = await apply(server, ws, OTHER, { projects: "features", ...UNREVIEWED });
    expectExit(base, 0);
    expect(base.stdout).toMatch(/^::warning::no pull request is associated with commit 4{40}/m);
    expect(registrySerial(dir)).toBe(1);

    // The PR adds a view and is reviewed against serial 1.
    const view = (name: string) =>
      `import { FeatureView, Field } from "fsops";\nimport { driver, stats } from "./base.js";\nexport const v = new FeatureView({ name: "${name}", entities: [driver], source: stats, schema: [new Field({ name: "z", dtype: "int64" })] });\n`;
    writeFiles(dir, { "added.ts": view("added_by_pr") });
    expectExit(await plan(server, ws, HEAD, { projects: "features" }), 0);
    mergedPr(server, MERGE, HEAD);

    // Before it merges, another apply moves the registry to serial 2.
    writeFiles(dir, { "added.ts": view("added_elsewhere") });
    expectExit(await apply(server, ws, HEAD2, { projects: "features", ...UNREVIEWED }), 0);
    expect(registrySerial(dir)).toBe(2);
    writeFiles(dir, { "added.ts": view("added_by_pr") });

    const before = registryBytes(dir);
    const run = await apply(server, ws, MERGE, { projects: "features" });
    expectExit(run, 1);
    expect(run.outputs["failure-reason"]).toBe("plan-changed");
    expect(run.stdout).toMatch(
      /^::error::features: the plan reviewed on pull request #7 .*registry moved from serial 1 to 2/m,
    );
    expect(registryBytes(dir)).toBe(before);
    const body = ours(server)[0]!.body;
    expect(body).toContain("**Apply failed** (`plan-changed`)");
    expect(body).toContain("registry moved from serial 1 to 2");
    expect(checkWellFormed(body).problems).toEqual([]);
  });

  it("refuses to apply from a pull_request run", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    generatedProject(join(ws, "features"), "early", 1);
    const run = await plan(server, ws, HEAD, { command: "apply", projects: "features" });
    expectExit(run, 1);
    expect(run.stdout).toMatch(/^::error::command "apply" does not run on pull_request events/m);
    expect(registryBytes(join(ws, "features"))).toBeNull();
    expect(server.requests).toEqual([]);
  });

  it("refuses destructive changes unless allow-destroy is set", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    const dir = join(ws, "features");
    generatedProject(dir, "shrinking", 3);
    expectExit(await apply(server, ws, OTHER, { projects: "features", ...UNREVIEWED }), 0);

    // The PR deletes a feature view: the plan warns, apply refuses without allow-destroy.
    writeFiles(dir, {
      "views_000.ts": readFileSync(join(dir, "views_000.ts"), "utf8").replace(/export const fv2[\s\S]*$/, ""),
    });
    const planned = await plan(server, ws, HEAD, { projects: "features" });
    expectExit(planned, 0);
    expect(planned.outputs["destructive"]).toBe("true");
    expect(planned.outputs["delete"]).toBe("1");
    expect(ours(server)[0]!.body).toContain("> [!CAUTION]");
    mergedPr(server, MERGE, HEAD);

    const before = registryBytes(dir);
    const refused = await apply(server, ws, MERGE, { projects: "features" });
    expectExit(refused, 1);
    expect(refused.outputs["failure-reason"]).toBe("destructive-not-allowed");
    expect(registryBytes(dir)).toBe(before);
    expect(ours(server)[0]!.body).toContain("**Apply failed** (`destructive-not-allowed`)");

    const allowed = await apply(server, ws, MERGE, { projects: "features", "allow-destroy": "true" });
    expectExit(allowed, 0);
    expect(registrySerial(dir)).toBe(2);
    expect(ours(server)[0]!.body).toContain("**Applied**: registry serial 2");
  });
});

describe("apply applies only what was reviewed (issue 10)", () => {
  it("refuses a push without a reviewed plan (no-reviewed-plan) and says how to proceed; a push without changes passes", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    const dir = join(ws, "features");
    generatedProject(dir, "direct", 2);

    const run = await apply(server, ws, OTHER, { projects: "features" });
    expectExit(run, 1);
    expect(run.outputs["failure-reason"]).toBe("no-reviewed-plan");
    expect(run.stdout).toMatch(
      /^::error::features: no pull request is associated with commit 4{40} \(a direct push\?\); refusing to apply changes nobody reviewed \(open a pull request .*require-reviewed-plan: false/m,
    );
    expect(run.summary).toContain("**Apply failed** (`no-reviewed-plan`)");
    expect(run.outputs["changes"]).toBe("true");
    expect(registryBytes(dir)).toBeNull();

    // No token at all: no way to read a reviewed plan either.
    const noToken = await apply(server, ws, OTHER, { projects: "features", "github-token": "" });
    expectExit(noToken, 1);
    expect(noToken.outputs["failure-reason"]).toBe("no-reviewed-plan");
    expect(noToken.stdout).toMatch(/^::error::features: no github-token/m);
    expect(registryBytes(dir)).toBeNull();

    // The opt-out restores applying unreviewed pushes; then a push with nothing to do passes.
    expectExit(await apply(server, ws, OTHER, { projects: "features", ...UNREVIEWED }), 0);
    expect(registrySerial(dir)).toBe(1);
    const nothing = await apply(server, ws, HEAD2, { projects: "features" });
    expectExit(nothing, 0);
    expect(nothing.outputs["failure-reason"]).toBe("");

    // An unreviewed destructive change is refused for what it is: nobody reviewed it.
    writeFiles(dir, {
      "views_000.ts": readFileSync(join(dir, "views_000.ts"), "utf8").replace(/export const fv1[\s\S]*$/, ""),
    });
    const before = registryBytes(dir);
    const destroy = await apply(server, ws, HEAD2, { projects: "features" });
    expectExit(destroy, 1);
    expect(destroy.outputs["failure-reason"]).toBe("no-reviewed-plan");
    expect(registryBytes(dir)).toBe(before);
  });

  it("GitHub App token (GET /user 403, comments by my-app[bot]): one comment across pushes, and apply finds its reviewed plan", async () => {
    const server = await githubServer(null, { botLogin: "my-app[bot]" });
    const human = server.addComment(PR, `${COMMENT_MARKER}\nquoted by a human`, "mallory");
    // Another App installed on the repository writes a marker comment first: a bot, but not us.
    const forged = server.addComment(
      PR,
      `${COMMENT_MARKER}\n<!-- fsops:fingerprint project=app dir=features value=forged lineage=none serial=0 -->`,
      "other-app[bot]",
    );
    const ws = tempWorkspace();
    const dir = join(ws, "features");
    generatedProject(dir, "app", 2);
    expectExit(await plan(server, ws, HEAD, { projects: "features" }), 0);
    writeFiles(dir, {
      "more.ts":
        'import { Entity } from "fsops";\nexport const rider = new Entity({ name: "rider", joinKeys: ["rider_id"] });\n',
    });
    expectExit(await plan(server, ws, HEAD2, { projects: "features" }), 0);
    const mine = server.commentsOn(PR).filter((c) => c.login === "my-app[bot]");
    expect(mine).toHaveLength(1);
    expect(server.writes().map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /repos/acme/features/issues/${PR}/comments`,
      `PATCH /repos/acme/features/issues/comments/${mine[0]!.id}`,
    ]);
    expect(server.requests.filter((r) => r.path === "/user")).toHaveLength(2);
    // The login comes from GraphQL's viewer, which installation tokens may ask.
    expect(server.requests.filter((r) => r.path === "/graphql")).toHaveLength(2);
    expect(server.comments.find((c) => c.id === human.id)!.body).toBe(`${COMMENT_MARKER}\nquoted by a human`);
    expect(server.comments.find((c) => c.id === forged.id)!.body).toContain("value=forged");

    // GET /user failing outright (network) changes nothing: the viewer query names the login.
    server.failures.push({ method: "GET", path: /^\/user$/, status: "network" });
    const third = await plan(server, ws, HEAD2, { projects: "features" });
    expectExit(third, 0);
    expect(third.stdout).not.toContain("::warning::");
    expect(server.commentsOn(PR).filter((c) => c.login === "my-app[bot]")).toHaveLength(1);

    // Neither answering: no comment is ours, so none is written (no pile of fresh ones), with a warning.
    server.failures.push({ method: "POST", path: /^\/graphql$/, status: 502 });
    const blind = await plan(server, ws, HEAD2, { projects: "features" });
    expectExit(blind, 0);
    expect(blind.stdout).toMatch(
      /^::warning::could not write the PR comment \(cannot tell which comments this token wrote \(GitHub API: get authenticated user failed: network error: .*\), so no fsops comment is read or written\)/m,
    );
    expect(server.writes()).toHaveLength(2);

    // Apply does not trust a comment it cannot tell is ours either: nothing was reviewed.
    mergedPr(server, MERGE, HEAD2);
    const unsure = await apply(server, ws, MERGE, { projects: "features" });
    expectExit(unsure, 1);
    expect(unsure.outputs["failure-reason"]).toBe("no-reviewed-plan");
    expect(unsure.stdout).toContain("cannot tell which comments this token wrote");
    expect(registrySerial(dir)).toBe(0);
    server.failures.length = 0;

    const run = await apply(server, ws, MERGE, { projects: "features" });
    expectExit(run, 0);
    expect(run.stdout).toMatch(/pull request #7: 1 reviewed plan\(s\)/);
    expect(registrySerial(dir)).toBe(1);
    expect(server.comments.find((c) => c.id === mine[0]!.id)!.body).toContain(
      "**Applied**: registry serial 1",
    );
  });

  it("GitHub API failures while planning are warnings: plan-json, the job summary and every output are still written", async () => {
    const server = await githubServer(null);
    server.failures.push({ method: "GET", path: /\/issues\/7\/comments$/, status: "network" });
    const ws = tempWorkspace();
    generatedProject(join(ws, "features"), "offline", 2);
    const run = await plan(server, ws, HEAD, { projects: "features" });
    expectExit(run, 0);
    expect(run.stdout).toMatch(
      /^::warning::could not write the PR comment \(GitHub API: list comments failed: network error: /m,
    );
    expect(run.stdout).not.toContain("HTTP 500");
    expect(run.outputs).toMatchObject({
      changes: "true",
      create: "4",
      destructive: "false",
      "failure-reason": "",
    });
    expect(planJson(run)[0]!.project).toBe("offline");
    expect(run.summary).toContain("**offline**: 4 to create");

    // GitHub answering 502 to the post is a warning too, naming the status.
    server.failures.splice(0, 1, { method: "POST", path: /\/comments$/, status: 502 });
    const again = await plan(server, ws, HEAD, { projects: "features" });
    expectExit(again, 0);
    expect(again.stdout).toMatch(
      /^::warning::could not write the PR comment \(GitHub API: create comment failed \(HTTP 502\)/m,
    );
    expect(again.outputs["plan-json"]).not.toBe("");
    expect(server.comments).toEqual([]);
  });

  it("destructive changes: the comment says merging will not apply them, and the label fsops:allow-destroy approves them", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    const dir = join(ws, "features");
    generatedProject(dir, "shrinking", 3);
    expectExit(await apply(server, ws, OTHER, { projects: "features", ...UNREVIEWED }), 0);
    writeFiles(dir, {
      "views_000.ts": readFileSync(join(dir, "views_000.ts"), "utf8").replace(/export const fv2[\s\S]*$/, ""),
    });

    expectExit(await plan(server, ws, HEAD, { projects: "features" }), 0);
    let body = ours(server)[0]!.body;
    expect(body).toContain("## fsops plan · ⚠️ 1 destructive change\n");
    expect(body).toContain(
      "> **Merging will not apply this plan**: it has 1 destructive change, and apply refuses destructive changes unless they are approved.",
    );
    expect(body).toContain("add the label `fsops:allow-destroy` (people with triage or write access can)");
    expect(body).toMatch(/> \[!CAUTION\]\n> \*\*1 destructive change\.\*\*/);
    expect(checkWellFormed(body).problems).toEqual([]);

    // Someone with triage access labels the PR; the next plan run says merging applies it.
    expectExit(await plan(server, ws, HEAD, { projects: "features" }, ["fsops:allow-destroy"]), 0);
    body = ours(server)[0]!.body;
    expect(body).toContain(
      "> **Merging applies 1 destructive change**, approved by the label `fsops:allow-destroy`.",
    );
    expect(body).not.toContain("Merging will not apply");

    // Apply reads the label from the merged PR: no workflow input needed.
    mergedPr(server, MERGE, HEAD, ["fsops:allow-destroy"]);
    const run = await apply(server, ws, MERGE, { projects: "features" });
    expectExit(run, 0);
    expect(registrySerial(dir)).toBe(2);
  });

  it("rebuilds need approval: rebuild-not-allowed, then the label fsops:allow-rebuild applies the reviewed plan", async () => {
    const server = await githubServer(null);
    const ws = tempWorkspace();
    copyExamples(ws);
    const staging = join(ws, "examples/staging");
    const projects = "examples/staging";
    expectExit(await apply(server, ws, OTHER, { projects, ...UNREVIEWED }), 0);
    const file = join(staging, "driver_features.ts");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('avg_daily_trips: "int64"', 'avg_daily_trips: "float64"'),
    );

    const planned = await plan(server, ws, HEAD, { projects });
    expectExit(planned, 0);
    expect(planned.outputs["destructive"]).toBe("false");
    const body = ours(server)[0]!.body;
    expect(body).toMatch(/## fsops plan · ⚠️ \d+ rebuilds?\n/);
    expect(body).toMatch(
      /> \*\*Merging will not apply this plan\*\*: it has \d+ rebuilds?, and apply refuses rebuilds/,
    );
    expect(body).toContain("add the label `fsops:allow-rebuild`");
    expect(body).toContain("or set `allow-rebuild: true` on the apply step");
    expect(body).toMatch(
      /> \[!CAUTION\]\n> \*\*\d+ rebuilds?, \d+ online-store rebuilds?\.\*\* Rebuilt views lose their online data until it is materialized again; apply refuses them/,
    );

    mergedPr(server, MERGE, HEAD);
    const before = registryBytes(staging);
    const refused = await apply(server, ws, MERGE, { projects });
    expectExit(refused, 1);
    expect(refused.outputs["failure-reason"]).toBe("rebuild-not-allowed");
    expect(refused.stdout).toMatch(
      /^::error::examples\/staging: the plan rebuilds online data .*fsops:allow-rebuild/m,
    );
    expect(registryBytes(staging)).toBe(before);
    expect(ours(server)[0]!.body).toContain("**Apply failed** (`rebuild-not-allowed`)");

    mergedPr(server, MERGE, HEAD, ["fsops:allow-rebuild"]);
    const run = await apply(server, ws, MERGE, { projects });
    expectExit(run, 0);
    expect(registrySerial(staging)).toBe(2);
    expect(ours(server)[0]!.body).toContain("**Applied**: registry serial 2");
  });
});
