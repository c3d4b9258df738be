/**
 * Real OS processes against each backend: ten concurrent appliers, and kill -9 of a process
 * committing in a loop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { RegistryConfig } from "../../src/model/config.js";
import { RegistryLockedError, type RegistryStore } from "../../src/model/registry.js";
import { openRegistryStore } from "../../src/registry/open-store.js";
import { freshBucket, freshDatabase, hasService, services, uniqueName } from "../services/index.js";
import { lockInfo, makeHistory, makeState, objectsFor } from "./fixtures.js";
import type { WorkerArgs } from "./worker.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Backend {
  name: string;
  enabled: () => boolean;
  config: () => Promise<RegistryConfig>;
  env?: () => NodeJS.ProcessEnv;
}

const s3Env = () => ({
  AWS_ACCESS_KEY_ID: services().s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: services().s3.secretAccessKey,
});

const backends: Backend[] = [
  {
    name: "file",
    enabled: () => true,
    config: async () => {
      const dir = mkdtempSync(join(tmpdir(), "fsops-registry-procs-"));
      dirs.push(dir);
      return { type: "file", path: join(dir, "registry.json"), display: "registry.json" };
    },
  },
  {
    name: "postgres",
    enabled: () => hasService("postgres"),
    config: async () => ({ type: "postgres", connectionString: await freshDatabase(), schema: "public" }),
  },
  {
    name: "s3",
    enabled: () => hasService("s3"),
    config: async () => {
      // The test's own store reads the registry through the SDK credential chain too.
      Object.assign(process.env, s3Env());
      return {
        type: "s3",
        bucket: await freshBucket(),
        key: "registry.json",
        endpoint: services().s3.endpoint,
        region: services().s3.region,
        forcePathStyle: true,
      };
    },
    env: () => s3Env(),
  },
];

function startWorker(
  args: WorkerArgs,
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, ["--import", "tsx", WORKER, JSON.stringify(args)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let buffer = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.on("exit", () => {
    if (buffer) lines.push(buffer);
    if (stderr && !lines.some((l) => l.startsWith("{") || l.startsWith("committed")))
      lines.push(`stderr: ${stderr}`);
  });
  return { child, lines };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

for (const backend of backends) {
  describe.runIf(backend.enabled())(`${backend.name} registry, concurrent processes`, () => {
    it("10 concurrent appliers: each succeeds or is refused (locked/concurrent); nothing is lost", async () => {
      const config = await backend.config();
      const project = uniqueName("conc");
      const workers = Array.from({ length: 10 }, (_, id) =>
        startWorker(
          // Half read before locking (a stale plan): those can lose the compare-and-swap.
          { config, project, mode: "apply", id, staleRead: id % 2 === 1, attempts: 4 },
          backend.env?.(),
        ),
      );
      await Promise.all(workers.map((w) => exited(w.child)));
      const results = workers.map((w) => {
        const line = w.lines.find((l) => l.startsWith("{"));
        return line ? (JSON.parse(line) as { id: number; status: string; message?: string }) : null;
      });
      for (const [i, result] of results.entries()) {
        expect(result, `worker ${i}: ${workers[i]!.lines.join("\n")}`).not.toBeNull();
        expect(["ok", "locked", "concurrent"], `worker ${i}: ${result?.message}`).toContain(result!.status);
      }
      const ok = results.filter((r) => r!.status === "ok").map((r) => r!.id);
      expect(ok.length).toBeGreaterThan(0);

      const store = openRegistryStore(config);
      try {
        const { state } = await store.read(project);
        expect(state?.serial).toBe(ok.length);
        // Every successful apply's object is there, and only those.
        expect(state?.objects.map((o) => o.name).sort()).toEqual(ok.map((id) => `w${id}`).sort());
        const history = await store.history(project);
        expect(history.map((h) => h.serial)).toEqual(ok.map((_, i) => i + 1));
        expect(history.map((h) => h.fingerprint).sort()).toEqual(ok.map((id) => `worker${id}`).sort());
      } finally {
        await store.close();
      }
    }, 180_000);

    it.runIf(backend.name !== "s3")(
      "kill -9 while committing: the registry reads as the old or the new state, and a re-run converges",
      async () => {
        const config = await backend.config();
        const project = uniqueName("kill");
        const size = 400;
        const store: RegistryStore = openRegistryStore(config);
        let acknowledged = 0;
        try {
          for (let round = 0; round < 4; round++) {
            const worker = startWorker({ config, project, mode: "loop", id: round, size }, backend.env?.());
            await until(
              () => worker.lines.includes("ready") || worker.child.exitCode !== null,
              "worker ready",
            );
            expect(worker.lines, worker.lines.join("\n")).toContain("ready");
            // Let it commit a few times, then kill it at a random moment.
            await until(
              () => worker.lines.filter((l) => l.startsWith("committed")).length >= 1 + round,
              `round ${round} commits`,
            );
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 150));
            worker.child.kill("SIGKILL");
            await exited(worker.child);
            const committed = worker.lines
              .filter((l) => l.startsWith("committed"))
              .map((l) => Number(l.split(" ")[1]));
            acknowledged = Math.max(acknowledged, ...committed);

            const { state } = await store.read(project);
            const serial = state!.serial;
            // The in-flight commit either happened entirely or not at all.
            expect([acknowledged, acknowledged + 1]).toContain(serial);
            expect(state).toEqual(makeState(project, serial, "loop-lineage", objectsFor(serial, size)));
            const history = await store.history(project);
            expect(history.map((h) => h.serial)).toEqual(Array.from({ length: serial }, (_, i) => i + 1));

            // Re-run: take over or force-unlock the dead process's lock, commit the next serial.
            let lock;
            try {
              lock = await store.lock(project, lockInfo("rerun"));
            } catch (error) {
              if (!(error instanceof RegistryLockedError)) throw error;
              expect(error.holder.who).toBe(`looper${round}`);
              await store.forceUnlock(project, error.holder.id);
              lock = await store.lock(project, lockInfo("rerun"));
            }
            await store.commit(
              lock,
              { lineage: state!.lineage, serial },
              makeState(project, serial + 1, "loop-lineage", objectsFor(serial + 1, size)),
              makeHistory(project, serial + 1),
            );
            await lock.release();
            expect((await store.read(project)).state?.serial).toBe(serial + 1);
            acknowledged = serial + 1;
          }
        } finally {
          await store.close();
        }
      },
      180_000,
    );
  });
}
