/** Runs one TaskSpec in a fresh Node process and parses its TaskResult. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TaskResult, TaskSpec } from "./types.js";

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
const TIMEOUT_MS = 15 * 60_000;

export function runTask(spec: TaskSpec, cwd: string): Promise<TaskResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", WORKER, JSON.stringify(spec)], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        reject(new Error(`${spec.module} failed (${why}):\n${stderr.trim() || stdout.trim()}`));
        return;
      }
      resolve(JSON.parse(last) as TaskResult);
    });
  });
}
