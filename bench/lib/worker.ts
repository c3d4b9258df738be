/**
 * Child-process harness, run compiled (see child.ts): `node --expose-gc worker.mjs <spec-json>`.
 * Loads the workload, prepares it once, times `runs` repetitions (a full GC before each, so one
 * repetition's garbage is not charged to the next), then prints one JSON line: TaskResult.
 */
import { pathToFileURL } from "node:url";
import type { TaskResult, TaskSpec, Workload } from "./types.js";

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "null") as TaskSpec | null;
  if (!spec) throw new Error("usage: worker.ts <task-spec-json>");
  const mod = (await import(pathToFileURL(spec.module).href)) as { default?: Workload };
  const workload = mod.default;
  if (!workload) throw new Error(`${spec.module} has no default export (a Workload)`);
  const gc = (globalThis as { gc?: () => void }).gc;
  const prepared = await workload.prepare(spec.args);
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  let summary: TaskResult["summary"] = null;
  for (let i = 0; i < spec.runs; i++) {
    gc?.();
    const cpu = process.cpuUsage();
    const start = performance.now();
    summary = await workload.run(prepared);
    timesMs.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }
  const result: TaskResult = {
    timesMs,
    cpuMs,
    bestMs: Math.min(...timesMs),
    bestCpuMs: Math.min(...cpuMs),
    // maxRSS is in kilobytes.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    summary,
  };
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
