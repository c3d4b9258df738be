import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { approvalNotice, approvalsOf, riskyCounts } from "../../src/action/approvals.js";
import { buildComment, COMMENT_LIMIT, parseFingerprints } from "../../src/action/comment.js";
import { readRunContext } from "../../src/action/github-context.js";
import { renderApplyStatus, renderDiagnosticsTable, sourceUrl } from "../../src/action/markdown.js";
import { outputsOf } from "../../src/action/report.js";
import { pickPullRequest } from "../../src/action/run-apply.js";
import { planSection } from "../../src/action/sections.js";
import type { ProjectPlanOutcome } from "../../src/commands/types.js";
import type { Diagnostic } from "../../src/model/diagnostic.js";
import type { Change, Plan } from "../../src/model/plan.js";
import { parseOutputFile } from "./run-action.js";
import { checkWellFormed } from "./wellformed.js";
import { makeTemp, removeTemps } from "./fixtures.js";

afterAll(removeTemps);

function change(over: Partial<Change> & Pick<Change, "kind" | "name" | "action">): Change {
  return {
    impact: "safe",
    fields: [],
    dependents: [],
    file: "features.ts",
    line: 3,
    before: null,
    after: null,
    ...over,
  };
}

/** A hand-built plan: one of each action, a destructive delete and a DDL action. */
function samplePlan(): Plan {
  return {
    formatVersion: 1,
    project: "staging",
    registry: { lineage: "3f1c", serial: 4 },
    summary: { create: 1, update: 1, replace: 0, delete: 1 },
    unchanged: 7,
    changes: [
      change({
        kind: "entity",
        name: "driver",
        action: "update",
        fields: [{ path: "description", before: "old", after: "new <b>|" }],
        dependents: ["feature_view:driver_stats"],
      }),
      change({
        kind: "feature_view",
        name: "driver_stats",
        action: "create",
        file: "views/driver.ts",
        line: 12,
      }),
      change({
        kind: "feature_view",
        name: "legacy",
        action: "delete",
        impact: "destructive",
        file: "old.ts",
        line: 40,
        dependents: ["feature_service:model_v0"],
      }),
    ],
    infra: [
      {
        store: "postgres",
        action: "create_table",
        target: '"feature_serving"."staging__driver_stats"',
        object: "feature_view:driver_stats",
        impact: "safe",
        reason: "new view",
        statements: [
          'CREATE TABLE IF NOT EXISTS "feature_serving"."staging__driver_stats" ("driver_id" bigint PRIMARY KEY)',
        ],
      },
    ],
    fingerprint: "f00d",
  };
}

const target = { input: "examples/staging", abs: "/ws/examples/staging", repoPath: "examples/staging" };
const links = { linkBase: "https://github.com/acme/features/blob/abc", projectPath: "examples/staging" };

describe("plan sections with the shared renderer", () => {
  it("render a hand-built plan: summary, warning, table, linked definitions, fingerprint; well-formed", () => {
    const outcome = {
      status: "planned",
      dir: target.abs,
      project: "staging",
      plan: samplePlan(),
      diagnostics: [],
      sources: new Map(),
    } as unknown as ProjectPlanOutcome;
    const section = planSection(outcome, target, links, "abc");
    const body = buildComment([section], COMMENT_LIMIT, {
      heading: "fsops plan",
      subtitle: "s",
      fullPlan: "f",
    }).body;
    expect(body).toContain("**staging**: 1 to create, 1 to update, 0 to replace, 1 to delete");
    expect(body).toContain(
      "(https://github.com/acme/features/blob/abc/examples/staging/views/driver.ts#L12)",
    );
    expect(body.indexOf("[!CAUTION]")).toBeLessThan(body.indexOf("| Action |"));
    expect(body).toContain("CREATE TABLE IF NOT EXISTS");
    expect(parseFingerprints(body)).toEqual([
      {
        project: "staging",
        dir: "examples/staging",
        value: "f00d",
        lineage: "3f1c",
        serial: 4,
        commit: "abc",
      },
    ]);
    const report = checkWellFormed(body);
    expect(report.problems).toEqual([]);
    expect(report.tables).toBe(1);
    expect(body).toMatchSnapshot();
    // Every stage keeps the summary line and the destructive warning.
    for (const detail of ["no-diagrams", "no-fields", "summary", "minimal"] as const) {
      const text = section.body(detail);
      expect(text).toContain("**staging**: 1 to create");
      expect(text).toMatch(/destructive/);
      expect(checkWellFormed(text).problems).toEqual([]);
    }
  });

  it("a project that could not be planned: no fingerprint, the error and hint in one caution block", () => {
    const outcome: ProjectPlanOutcome = {
      status: "error",
      dir: target.abs,
      project: "staging",
      message: "registry unreadable:\n<bad> *json*",
      hint: "check the registry settings",
    };
    const section = planSection(outcome, target, links, "abc");
    expect(section.fingerprint).toBeNull();
    const body = section.body("full");
    expect(body.split("\n")).toEqual([
      "**staging**: could not plan.",
      "",
      "> [!CAUTION]",
      "> ❌ **Could not plan**: registry unreadable: &lt;bad&gt; \\*json\\*",
      ">",
      "> check the registry settings",
    ]);
    expect(checkWellFormed(body).problems).toEqual([]);
  });
});

describe("diagnostics and status Markdown", () => {
  it("escapes what users wrote so no message can break the table", () => {
    const d: Diagnostic = {
      severity: "error",
      code: "FS101",
      message: "bad | pipe <details> `tick`\nnewline",
      file: "a b/c.ts",
      line: 2,
      column: 5,
      hint: "use *this*",
    };
    const table = renderDiagnosticsTable([d, { ...d, severity: "warning", line: 9 }], links, 1);
    const report = checkWellFormed(table, { escapedTagsAllowed: true });
    expect(report.problems).toEqual([]);
    expect(report.tables).toBe(1);
    expect(report.html).not.toContain("<details>");
    expect(report.html).toContain("bad | pipe &lt;details&gt;");
    expect(table).toContain("(https://github.com/acme/features/blob/abc/examples/staging/a%20b/c.ts#L2)");
    expect(table).toContain("…and 1 more diagnostic");
  });

  it("links need a base, and a root project links files directly", () => {
    expect(sourceUrl({ linkBase: null, projectPath: "." }, "f.ts", 1)).toBeNull();
    expect(sourceUrl({ linkBase: "https://x/blob/s", projectPath: "." }, "f.ts", null)).toBe(
      "https://x/blob/s/f.ts",
    );
  });

  it("renders each apply status", () => {
    const common = { commit: "0123456789abcdef", runUrl: "https://github.com/acme/features/actions/runs/1" };
    const text = [
      renderApplyStatus({ kind: "applied", serial: 5, time: "2026-11-21T09:00:00.000Z", ...common }),
      renderApplyStatus({ kind: "no-changes", serial: 5, ...common }),
      renderApplyStatus({
        kind: "failed",
        reason: "locked",
        message: "registry is locked by ci@host",
        hint: "run: fsops force-unlock 1",
        ...common,
      }),
      renderApplyStatus({ kind: "skipped", because: "an earlier project failed", ...common }),
    ].join("\n\n");
    expect(checkWellFormed(text).problems).toEqual([]);
    expect(text).toMatchSnapshot();
  });
});

describe("run context", () => {
  it("reads a pull_request event: the head sha for links, the merge sha as the commit", () => {
    const dir = makeTemp("fsops-action-ctx-");
    writeFileSync(
      join(dir, "event.json"),
      JSON.stringify({
        pull_request: {
          number: 12,
          head: { sha: "b".repeat(40) },
          labels: [{ name: "fsops:allow-rebuild" }, { id: 3 }],
        },
      }),
    );
    const ctx = readRunContext(
      {
        GITHUB_REPOSITORY: "acme/features",
        GITHUB_EVENT_PATH: join(dir, "event.json"),
        GITHUB_EVENT_NAME: "pull_request",
        GITHUB_SHA: "a".repeat(40),
        GITHUB_RUN_ID: "77",
        GITHUB_SERVER_URL: "https://ghe.example.com/",
        GITHUB_API_URL: "https://ghe.example.com/api/v3",
        GITHUB_WORKSPACE: dir,
      },
      "/",
    );
    expect(ctx).toMatchObject({
      owner: "acme",
      repo: "features",
      sha: "a".repeat(40),
      headSha: "b".repeat(40),
      pullRequest: 12,
      labels: ["fsops:allow-rebuild"],
      serverUrl: "https://ghe.example.com",
      apiUrl: "https://ghe.example.com/api/v3",
      runUrl: "https://ghe.example.com/acme/features/actions/runs/77",
      workspace: dir,
    });
  });

  it("explains what is missing outside GitHub Actions", () => {
    expect(() => readRunContext({}, "/")).toThrow('GITHUB_REPOSITORY is ""; expected "owner/repo"');
    expect(() => readRunContext({ GITHUB_REPOSITORY: "a/b", GITHUB_SHA: "nope" }, "/")).toThrow(
      'GITHUB_SHA is "nope"',
    );
    expect(() =>
      readRunContext(
        { GITHUB_REPOSITORY: "a/b", GITHUB_SHA: "abcdef1", GITHUB_EVENT_PATH: "/nonexistent/e.json" },
        "/",
      ),
    ).toThrow("cannot be read");
  });
});

describe("picking the pull request of a pushed commit", () => {
  const pr = (number: number, merged: boolean, mergeSha: string | null, head: string) => ({
    number,
    state: merged ? "closed" : "open",
    mergedAt: merged ? "2026-01-01T00:00:00Z" : null,
    mergeCommitSha: mergeSha,
    headSha: head,
    labels: [],
  });
  it("prefers the PR the commit merged, then a merged PR ending at it, then an open one", () => {
    expect(pickPullRequest([pr(1, false, "m", "m"), pr(2, true, "m", "h")], "m")?.number).toBe(2);
    expect(pickPullRequest([pr(1, false, null, "c"), pr(3, true, "x", "c")], "c")?.number).toBe(3);
    expect(pickPullRequest([pr(1, false, null, "c")], "c")?.number).toBe(1);
    expect(pickPullRequest([pr(1, true, "other", "other")], "c")).toBeNull();
    expect(pickPullRequest([], "c")).toBeNull();
  });
});

describe("outputs", () => {
  it("sum over projects and flag destructive changes", () => {
    const a = samplePlan();
    const b = {
      ...samplePlan(),
      changes: [],
      infra: [],
      summary: { create: 0, update: 0, replace: 2, delete: 0 },
    };
    expect(outputsOf({ plans: [a, b], planFiles: ["/t/a.json", "/t/b.json"], failure: null })).toEqual({
      changes: "true",
      create: "1",
      update: "1",
      replace: "2",
      delete: "1",
      destructive: "true",
      "plan-json": "/t/a.json\n/t/b.json",
      "failure-reason": "",
    });
    expect(
      outputsOf({ plans: [], planFiles: [], failure: { reason: "locked", message: "m" } }),
    ).toMatchObject({
      changes: "false",
      destructive: "false",
      "failure-reason": "locked",
    });
  });

  it("parse the GITHUB_OUTPUT file format", () => {
    expect(
      parseOutputFile("a<<ghadelimiter_1\nx\ny\nghadelimiter_1\nb<<ghadelimiter_2\n\nghadelimiter_2\n"),
    ).toEqual({ a: "x\ny", b: "" });
  });
});

describe("approvals", () => {
  /** samplePlan plus a rebuilt view with its rebuild_table action (one object, two entries). */
  function riskyPlan(): Plan {
    const p = samplePlan();
    p.changes.push(change({ kind: "feature_view", name: "trips", action: "update", impact: "rebuild" }));
    p.infra.push(
      {
        store: "postgres",
        action: "rebuild_table",
        target: '"s"."staging__trips"',
        object: "feature_view:trips",
        impact: "rebuild",
        reason: "column type changes",
        statements: [],
      },
      {
        store: "postgres",
        action: "drop_table",
        target: '"s"."staging__legacy"',
        object: "feature_view:legacy",
        impact: "destructive",
        reason: "view deleted",
        statements: [],
      },
    );
    return p;
  }

  it("count per object: a change and its table action are one", () => {
    expect(riskyCounts([riskyPlan()])).toEqual({ destructive: 1, rebuild: 1 });
  });

  it("come from the inputs first, then the labels; destroy covers rebuilds", () => {
    expect(approvalsOf({ allowDestroy: false, allowRebuild: false }, [])).toMatchObject({
      allowDestroy: false,
      allowRebuild: false,
    });
    expect(approvalsOf({ allowDestroy: false, allowRebuild: true }, [])).toMatchObject({
      allowDestroy: false,
      allowRebuild: true,
      rebuildBy: "the input `allow-rebuild`",
    });
    expect(approvalsOf({ allowDestroy: false, allowRebuild: false }, ["fsops:allow-destroy"])).toMatchObject({
      allowDestroy: true,
      allowRebuild: true,
      destroyBy: "the label `fsops:allow-destroy`",
    });
    expect(approvalsOf({ allowDestroy: false, allowRebuild: false }, ["fsops:allow-rebuild"])).toMatchObject({
      allowDestroy: false,
      allowRebuild: true,
    });
  });

  it("say plainly whether merging applies, and how to approve", () => {
    const none = approvalsOf({ allowDestroy: false, allowRebuild: false }, []);
    const notice = approvalNotice(riskyPlan(), none)!;
    expect(notice).toMatch(
      /^> \[!CAUTION\]\n> \*\*Merging will not apply this plan\*\*: it has 1 destructive change and 1 rebuild/,
    );
    expect(notice).toContain("`fsops:allow-destroy`");
    // A rebuild label does not approve the destructive change.
    const rebuildOnly = approvalsOf({ allowDestroy: false, allowRebuild: false }, ["fsops:allow-rebuild"]);
    expect(approvalNotice(riskyPlan(), rebuildOnly)).toContain("Merging will not apply this plan");
    const byInput = approvalsOf({ allowDestroy: true, allowRebuild: false }, []);
    expect(approvalNotice(riskyPlan(), byInput)).toContain(
      "**Merging applies 1 destructive change and 1 rebuild**, approved by the input `allow-destroy`.",
    );
    const safe = { ...samplePlan(), changes: samplePlan().changes.slice(0, 2), infra: [] };
    expect(approvalNotice(safe, none)).toBeNull();
  });
});
