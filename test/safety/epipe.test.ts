/** Issue 10 item 16: a closed pipe (`fsops apply … | head`) never crashes the CLI after an apply. */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import pg from "pg";
import { freshDatabase } from "../services/index.js";
import { REPO, cliEnv } from "../cli/helpers.js";
import { featuresTs, writeProject } from "./project.js";

vi.setConfig({ testTimeout: 120_000 });

describe("closed stdout", () => {
  it("apply | head: the apply completes and the CLI exits 0, with no internal error", async () => {
    const url = await freshDatabase();
    const views = Array.from({ length: 300 }, (_, i) => `view_${i}`);
    const dir = await writeProject(
      "project: epipe\nonline_store:\n  type: postgres\n  connection_string: ${ONLINE}\n",
      views,
      { features: featuresTs(views) },
    );
    // `sh -c '… | head -1'`: head exits after one line, so the CLI writes into a closed pipe.
    const tsx = import.meta.resolve("tsx");
    const cli = `${JSON.stringify(process.execPath)} --import ${JSON.stringify(tsx)} ${JSON.stringify(join(REPO, "src/cli/bin.ts"))}`;
    const script = `${cli} apply ${JSON.stringify(dir)} --auto-approve 2>"$ERRFILE" | head -1; echo "status=\${PIPESTATUS[0]}"`;
    const errFile = join(dir, "stderr.txt");
    const result = await new Promise<{ stdout: string }>((resolve, reject) => {
      const child = spawn("bash", ["-c", script], { env: { ...cliEnv({ ONLINE: url }), ERRFILE: errFile } });
      let stdout = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.on("error", reject);
      child.on("close", () => resolve({ stdout }));
    });
    expect(result.stdout).toMatch(/status=0\s*$/);
    const { readFile } = await import("node:fs/promises");
    const stderr = await readFile(errFile, "utf8");
    expect(stderr).not.toContain("internal error");
    expect(stderr).not.toContain("EPIPE");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name LIKE 'epipe__%'",
      );
      expect(rows[0]?.n).toBe(300);
    } finally {
      await client.end();
    }
  });
});
