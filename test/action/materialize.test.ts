/**
 * `command: materialize` run in-process on the staging example: fills the embedded store, writes
 * one summary table, fails with `materialize-failed` naming the view when a view fails.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { parseSettings } from "../../src/action/inputs.js";
import { runMaterialize } from "../../src/action/run-materialize.js";
import type { RunContext } from "../../src/action/github-context.js";
import { copyExample, runCli, tempDir } from "../cli/helpers.js";

vi.setConfig({ testTimeout: 300_000 });

function runContext(workspace: string, tempDir: string): RunContext {
  return {
    owner: "acme",
    repo: "features",
    eventName: "schedule",
    sha: "1".repeat(40),
    headSha: "1".repeat(40),
    pullRequest: null,
    actor: "scheduler",
    serverUrl: "https://github.com",
    apiUrl: "https://api.github.com",
    runUrl: null,
    workspace,
    tempDir,
  };
}

describe("command: materialize", () => {
  it("reads views and due, fills the online store, and reports failures per view", async () => {
    const settings = parseSettings(
      (name) =>
        ({
          command: "materialize",
          projects: "staging",
          views: "customer_daily_profile, driver_hourly_stats",
          due: "false",
        })[name] ?? "",
    );
    expect(settings).toMatchObject({
      command: "materialize",
      views: ["customer_daily_profile", "driver_hourly_stats"],
      due: false,
    });
    const workspace = await tempDir();
    const dir = await copyExample("staging", workspace);
    expect((await runCli(["apply", dir, "--auto-approve"])).code).toBe(0);
    const summary = join(workspace, "summary.md");
    process.env.GITHUB_STEP_SUMMARY = summary;
    await (await import("node:fs/promises")).writeFile(summary, "");
    try {
      const ok = await runMaterialize(settings, runContext(workspace, workspace), {
        env: {},
        who: "scheduler (GitHub Actions)",
        commit: null,
      });
      expect(ok.failure).toBeNull();
      const text = await readFile(summary, "utf8");
      expect(text).toMatch(/\| staging \| customer_daily_profile \| ok \| 8 \| \(20/);
      expect(text).toMatch(/\| staging \| driver_hourly_stats \| skipped \|/);

      const bad = parseSettings(
        (name) => ({ command: "materialize", projects: "staging", views: "nope" })[name] ?? "",
      );
      const failed = await runMaterialize(bad, runContext(workspace, workspace), {
        env: {},
        who: "s",
        commit: null,
      });
      expect(failed.failure).toMatchObject({ reason: "materialize-failed" });
      expect(failed.failure?.message).toContain("staging");
    } finally {
      delete process.env.GITHUB_STEP_SUMMARY;
    }
  });
});
