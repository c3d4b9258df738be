/**
 * A start-up workload: each run spawns one fresh `node` process (a CLI command, the Action
 * bundle, `node -e 0`) and waits for it. Its CPU and peak RSS are the child's own, reported at
 * its exit by lib/report-rss.cjs (the reaped child's CPU from /proc when it could not report),
 * handed to the worker through `externalCpuMs` and `peakRssMb`: a start-up as a user pays it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { reapedChildrenCpuMs } from "../lib/proc-cpu.js";
import type { JsonValue, Workload } from "../lib/types.js";

export interface SpawnArgs {
  /** Arguments of `node` (script and its arguments). */
  argv: string[];
  cwd: string;
  /** Absolute path of bench/lib/report-rss.cjs. */
  reporter: string;
  env?: Record<string, string>;
  /** Removed before each run (untimed): what a run leaves behind (`.fsops/`, `data/`). */
  resetPaths?: string[];
  /** Run once untimed in prepare (a "second" run of a command). */
  warmUp?: boolean;
  /** Exit codes that count as success (default [0]). */
  okCodes?: number[];
}

interface State extends SpawnArgs {
  reportFile: string;
  peakKb: number;
  /** CPU ms of every child so far (what `externalCpuMs` reports). */
  childCpuMs: number;
}

function runOnce(s: State): { code: number | null; stdout: string; stderr: string } {
  rmSync(s.reportFile, { force: true });
  const reapedBefore = reapedChildrenCpuMs();
  const r = spawnSync(process.execPath, ["-r", s.reporter, ...s.argv], {
    cwd: s.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      NO_COLOR: "1",
      ...s.env,
      FSOPS_BENCH_REPORT: s.reportFile,
    },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  let cpuMs = reapedChildrenCpuMs() - reapedBefore;
  try {
    const report = JSON.parse(readFileSync(s.reportFile, "utf8")) as { cpuUs: number; maxRssKb: number };
    cpuMs = report.cpuUs / 1000;
    s.peakKb = Math.max(s.peakKb, report.maxRssKb);
  } catch {
    // the child died before its exit handler: /proc's figure stands
  }
  s.childCpuMs += cpuMs;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const workload: Workload<State> = {
  prepare(args: JsonValue) {
    const a = args as unknown as SpawnArgs;
    const tmp = mkdtempSync(path.join(os.tmpdir(), "fsops-bench-spawn-"));
    const state: State = { ...a, reportFile: path.join(tmp, "report.json"), peakKb: 0, childCpuMs: 0 };
    if (a.warmUp) runOnce(state);
    state.peakKb = 0;
    return state;
  },
  reset(s) {
    for (const p of s.resetPaths ?? []) rmSync(p, { recursive: true, force: true });
  },
  externalCpuMs: (s) => s.childCpuMs,
  run(s) {
    const r = runOnce(s);
    return {
      code: r.code,
      ok: (s.okCodes ?? [0]).includes(r.code ?? -1),
      stdoutTail: r.stdout.trim().split("\n").slice(-2).join("\n"),
      stderrTail: r.stderr.trim().split("\n").slice(-3).join("\n"),
    };
  },
  peakRssMb: (s) => s.peakKb / 1024,
};

export default workload;
