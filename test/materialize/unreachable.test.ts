/**
 * An online store that refuses connections: `fsops materialize` ends promptly (nothing it opened
 * before keeps the process alive) with exit 1 and an error naming the store, password masked.
 */
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { closedPort, freshDatabase, hasService } from "../services/index.js";
import { runCli, tempDir } from "../cli/helpers.js";
import { OFFLINE_DDL, applyAndLoad, writeProject } from "./fixtures.js";
import pg from "pg";

vi.setConfig({ testTimeout: 120_000 });

const PASSWORD = "Unre4chable-pw";

describe.runIf(hasService("postgres"))("materialize with an online store that refuses connections", () => {
  it.each([
    ["postgres", (port: number) => `postgresql://fsops:${PASSWORD}@127.0.0.1:${port}/db`],
    ["redis", (port: number) => `redis://:${PASSWORD}@127.0.0.1:${port}/0`],
  ])("%s: exits 1 promptly with a clear error, password masked", async (type, url) => {
    const dir = join(await tempDir(), "p");
    const offlineUrl = await freshDatabase();
    const registryUrl = await freshDatabase();
    const offline = new pg.Client({ connectionString: offlineUrl });
    await offline.connect();
    await offline.query(OFFLINE_DDL);
    await offline.end();
    await writeProject(dir, {
      kind: "postgres",
      online: `online_store:\n  type: ${type}\n  connection_string: \${ONLINE}`,
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
      // A Postgres registry: its connections must not outlive the failure either.
      registry: "\n  type: postgres\n  connection_string: ${REGISTRY}",
    });
    // Applied against a reachable store (apply checks it), then pointed at a dead one.
    const reachable = type === "postgres" ? await freshDatabase() : null;
    if (reachable !== null)
      await applyAndLoad(dir, { ONLINE: reachable, OFFLINE: offlineUrl, REGISTRY: registryUrl });
    else {
      const { freshRedisDb } = await import("../services/index.js");
      await applyAndLoad(dir, { ONLINE: await freshRedisDb(), OFFLINE: offlineUrl, REGISTRY: registryUrl });
    }
    const env = { ONLINE: url(await closedPort()), OFFLINE: offlineUrl, REGISTRY: registryUrl };
    const started = Date.now();
    const r = await runCli(["materialize", dir, "--start", "2024-01-01", "--end", "2025-01-01"], { env });
    const seconds = (Date.now() - started) / 1000;
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/error: .*cannot connect/i);
    expect(r.stderr).toContain("127.0.0.1");
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    // Node and tsx start in ~2-4 s on this machine; a leaked connection or pool would hold the
    // process open far past this.
    expect(seconds).toBeLessThan(20);
  });
});
