/**
 * Runs one TaskSpec in a fresh Node process and parses its TaskResult.
 *
 * The worker and the workload are first compiled with esbuild (packages stay external) into
 * node_modules/.cache, then run by plain `node`: that is how the product runs, and it keeps the
 * TypeScript loader's own time and memory (~60 MB) out of the figures.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { TaskResult, TaskSpec } from "./types.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));
// Under node_modules so the compiled files resolve the packages they import.
const OUT_DIR = path.join(ROOT, "node_modules", ".cache", "fsops-bench");
const TIMEOUT_MS = 15 * 60_000;

const compiled = new Map<string, Promise<string>>();

/** Compiles a TypeScript entry to one ESM file (once per run) and returns its path. */
function compile(entry: string): Promise<string> {
  let out = compiled.get(entry);
  if (!out) {
    const name = `${path.basename(entry, ".ts")}-${createHash("sha256").update(entry).digest("hex").slice(0, 8)}.mjs`;
    const outfile = path.join(OUT_DIR, name);
    out = build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      // src/parse/typescript.cts `require`s the compiler (external here): give ESM a require.
      banner: {
        js: 'import { createRequire as __benchCreateRequire } from "node:module";\nconst require = __benchCreateRequire(import.meta.url);',
      },
      logLevel: "error",
    }).then(() => outfile);
    compiled.set(entry, out);
  }
  return out;
}

export async function runTask(spec: TaskSpec, cwd: string): Promise<TaskResult> {
  const [worker, module] = await Promise.all([compile(WORKER), compile(spec.module)]);
  const compiledSpec: TaskSpec = { ...spec, module };
  return new Promise((resolve, reject) => {
    // FSOPS_BENCH_NODE_ARGS: extra node flags for every child, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p".
    const extra = (process.env.FSOPS_BENCH_NODE_ARGS ?? "").split(/\s+/).filter((a) => a !== "");
    const child = spawn(process.execPath, ["--expose-gc", ...extra, worker, JSON.stringify(compiledSpec)], {
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
