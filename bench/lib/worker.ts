/**
 * Child-process harness, run compiled (see child.ts): `node --expose-gc worker.mjs <spec-json>`.
 * Loads the workload, prepares it once, times `runs` repetitions (each after the workload's
 * optional untimed `reset` and a full GC, so one repetition's garbage is not charged to the
 * next), then prints one JSON line: TaskResult.
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
  const externalCpuMs: number[] = [];
  let summary: TaskResult["summary"] = null;
  for (let i = 0; i < spec.runs; i++) {
    await workload.reset?.(prepared);
    gc?.();
    const external = await workload.externalCpuMs?.(prepared);
    const cpu = process.cpuUsage();
    const start = performance.now();
    summary = await workload.run(prepared);
    timesMs.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    const extra = external === undefined ? 0 : (await workload.externalCpuMs!(prepared)) - external;
    if (external !== undefined) externalCpuMs.push(extra);
    cpuMs.push((used.user + used.system) / 1000 + extra);
    if (workload.check) summary = await workload.check(prepared, summary);
  }
  const result: TaskResult = {
    timesMs,
    cpuMs,
    bestMs: Math.min(...timesMs),
    bestCpuMs: Math.min(...cpuMs),
    // maxRSS is in kilobytes.
    peakRssMb: workload.peakRssMb ? workload.peakRssMb(prepared) : process.resourceUsage().maxRSS / 1024,
    ...(externalCpuMs.length > 0 ? { externalCpuMs } : {}),
    summary,
  };
  await workload.teardown?.(prepared);
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
