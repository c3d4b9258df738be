/**
 * `fsops import feast` as a user runs it: the real CLI in a child process. Exit codes: 0 when
 * everything converted, 1 when TODOs remain, 2 for usage problems.
 */
import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { REPO, runCli, tempDir } from "../../cli/helpers.js";

vi.setConfig({ testTimeout: 120_000 });

const CORPUS = join(REPO, "test/fixtures/feast");

async function copyRepo(name: string): Promise<{ parent: string; repo: string }> {
  const parent = await tempDir("fsops-feast-cli-");
  const repo = join(parent, "feature_repo");
  await cp(join(CORPUS, name), repo, { recursive: true });
  return { parent, repo };
}

describe("fsops import feast", () => {
  it("converts a repository with nothing left to do: exit 0, into a sibling folder named after the project", async () => {
    const { parent, repo } = await copyRepo("credit_scoring");
    const r = await runCli(["import", "feast", repo]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Imported Feast project "credit_scoring" (6 Python files)');
    expect(r.stdout).toContain("Everything converted. Next: fsops validate");
    expect(r.stdout).toContain(
      'run.py:13:1  the `if __name__ == "__main__"` block is a script, not a definition; not converted',
    );
    const out = join(parent, "credit_scoring");
    expect((await readdir(out, { recursive: true })).sort()).toEqual([
      "features",
      "features/entities.ts",
      "features/services.ts",
      "features/sources.ts",
      "features/views.ts",
      "fsops.yaml",
    ]);
    expect(await readFile(join(out, "features/services.ts"), "utf8")).toContain(
      'import { credit_history, zipcode_features } from "./views.js";',
    );
  });

  it("the imported project validates, applies and then plans no changes, with the CLI a user runs", async () => {
    const { parent, repo } = await copyRepo("ride_sharing/repo");
    const imported = await runCli(["import", "feast", repo]);
    expect(imported.code, imported.stdout + imported.stderr).toBe(0);
    const out = join(parent, "ride_sharing");
    const validate = await runCli(["validate", out]);
    expect(validate.stdout).toContain("ride_sharing: 9 objects valid");
    const apply = await runCli(["apply", out, "--auto-approve"]);
    expect(apply.code, apply.stderr).toBe(0);
    const plan = await runCli(["plan", out]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain("No changes.");
  });

  it("lists the TODOs with file:line and exits 1 when some remain", async () => {
    const { repo } = await copyRepo("driver_ranking");
    const out = join(await tempDir(), "converted");
    const r = await runCli(["import", "feast", repo, "--out", out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      '2 TODOs left to finish by hand (each is a "TODO(fsops import)" comment with the original Python; fsops validate fails until they are done):\n' +
        '  definitions.py:58:1  the Python transformation of on-demand view "adjusted_rates" must be rewritten as a TypeScript function (columns in, columns out)\n' +
        '  definitions.py:95:1  the Python transformation of on-demand view "conv_times_acc" must be rewritten as a TypeScript function (one row in, one row out)\n',
    );
    const validate = await runCli(["validate", out]);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain("TODO(fsops import)");
  });

  it("a file nested 100,000 brackets deep is a located TODO, not an internal error; the other files convert", async () => {
    const { repo } = await copyRepo("driver_ranking");
    await writeFile(join(repo, "deep.py"), `nested = ${"[".repeat(100_000)}1${"]".repeat(100_000)}\n`);
    const out = join(await tempDir(), "converted");
    const started = Date.now();
    const r = await runCli(["import", "feast", repo, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(r.stdout).toContain("3 TODOs left to finish by hand");
    expect(r.stdout).toContain(
      "  deep.py:1:210  nesting too deep to convert (more than 200 nested brackets; Python itself allows at most 200): write this statement by hand\n",
    );
    expect(await readFile(join(out, "definitions.ts"), "utf8")).toContain(
      "export const driver = new Entity(",
    );
  });

  it("refuses a non-empty output folder without --force (exit 2), writes into it with --force", async () => {
    const { repo } = await copyRepo("credit_scoring");
    const out = join(await tempDir(), "existing");
    await mkdir(out);
    await writeFile(join(out, "notes.md"), "mine\n");
    await writeFile(join(out, "old.ts"), "export const x = 1;\n");
    const refused = await runCli(["import", "feast", repo, "--out", out]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("is not empty; choose another --out, or pass --force to write into it");
    expect(await readdir(out)).toEqual(["notes.md", "old.ts"]);

    const forced = await runCli(["import", "feast", repo, "--out", out, "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(
      "also holds .ts files this import did not write; fsops reads them too:\n  old.ts",
    );
    expect(await readFile(join(out, "notes.md"), "utf8")).toBe("mine\n");
  });

  it("usage problems exit 2 with the reason: not a Feast repository, writing over it, missing argument", async () => {
    const empty = await tempDir();
    const notRepo = await runCli(["import", "feast", empty]);
    expect(notRepo.code).toBe(2);
    expect(notRepo.stderr).toContain("has no feature_store.yaml, so it is not a Feast feature repository");

    const nested = await tempDir();
    await cp(join(CORPUS, "driver_ranking"), join(nested, "feature_repo"), { recursive: true });
    const hint = await runCli(["import", "feast", nested]);
    expect(hint.code).toBe(2);
    expect(hint.stderr).toContain(`did you mean ${join(nested, "feature_repo")}?`);

    const { repo } = await copyRepo("driver_ranking");
    const over = await runCli(["import", "feast", repo, "--out", repo, "--force"]);
    expect(over.code).toBe(2);
    expect(over.stderr).toContain("would write over the Feast repository");

    const missing = await runCli(["import", "feast"]);
    expect(missing.code).toBe(2);
    const unknown = await runCli(["import", "tecton", repo]);
    expect(unknown.code).toBe(2);
  });
});
