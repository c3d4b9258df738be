/**
 * `fsops serve` as a user runs it: a child process that binds 127.0.0.1, logs no secret, and on
 * SIGTERM lets the request in flight finish before exiting 0.
 */
import { describe, expect, it, vi } from "vitest";
import { spawnCli } from "../cli/helpers.js";
import { freshDatabase, hasService } from "../services/index.js";
import { apply, makeProject, post, SCHEMA } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000 });

describe.runIf(hasService("postgres"))("fsops serve (CLI)", () => {
  it("binds 127.0.0.1, never logs the password, and finishes in-flight requests on SIGTERM", async () => {
    const plain = new URL(await freshDatabase());
    // Trust authentication ignores the password: it is only there to be kept out of every output.
    plain.password = "pw-never-printed-7731";
    const env = { ONLINE: plain.toString() };
    const dir = await makeProject({
      registry: "data/registry.json",
      online: `  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`,
    });
    await apply(dir, env);

    const child = spawnCli(["serve", dir, "--port", "0"], { env });
    let stderr = "";
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${stderr}`)), 60_000);
      child.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const m = /on (http:\/\/[^\s]+)/.exec(stderr);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", () => reject(new Error(`exited: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);

    // The endless transform holds its request for the 500 ms limit: SIGTERM arrives meanwhile.
    const inFlight = post(url, "/get-online-features", {
      entities: { driver_id: [1] },
      features: ["spin:never"],
    });
    await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    const answer = await inFlight;
    expect(answer.status).toBe(500);
    expect((answer.json as { error: string }).error).toMatch(
      /^on-demand view spin: the transform ran longer than 500 ms/,
    );
    expect(await exited).toBe(0);
    expect(stderr).toContain("SIGTERM: finishing requests in flight");
    expect(stderr + stdout).not.toContain("pw-never-printed-7731");
  });
});
