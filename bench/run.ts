/**
 * `npm run bench [-- --case NAME] [--sizes 100,1000] [--runs N] [--rounds N] [--keep]`
 *
 * Runs every case in bench/cases (one module per case, default export a BenchCase), each size
 * in fresh child processes (subject and floor separately, so peak RSS is clean), alternating
 * floor and subject for `rounds` rounds so both see the same machine load; prints a table and
 * writes bench/results.json. Exit 1 when a target is missed or a case cannot run.
 *
 * Ratio targets are judged on CPU time (user + system of the child, GC threads included): on a
 * shared machine wall time measures the neighbours as much as the code. Both are reported.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runTask } from "./lib/child.js";
import { startBenchServices, stopBenchServices } from "./lib/services.js";
import type { BenchCase, JsonValue, Prepared, Target, TaskResult } from "./lib/types.js";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = path.resolve(HERE, "..");

interface Row {
  case: string;
  size: number;
  timeMs: number | null;
  floorMs: number | null;
  ratio: number | null;
  cpuMs: number | null;
  floorCpuMs: number | null;
  cpuRatio: number | null;
  target: Target | null;
  peakRssMb: number | null;
  floorPeakRssMb: number | null;
  status: "PASS" | "FAIL" | "ERROR" | "-";
  notes: string[];
  runsMs: number[];
  floorRunsMs: number[];
  runsCpuMs: number[];
  floorRunsCpuMs: number[];
  /** Part of each run's CPU spent by other processes (servers, spawned tools), when measured. */
  runsExternalCpuMs?: number[];
  floorRunsExternalCpuMs?: number[];
  input: Record<string, unknown>;
}

/** Cases in file order; a module may export several (`--case <module>` selects them all). */
async function loadCases(): Promise<{ case: BenchCase; module: string }[]> {
  const dir = path.join(HERE, "cases");
  const files = (await readdir(dir)).filter((f) => f.endsWith(".ts")).sort();
  const cases: { case: BenchCase; module: string }[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as {
      default?: BenchCase | BenchCase[];
    };
    const exported = Array.isArray(mod.default) ? mod.default : mod.default ? [mod.default] : [];
    for (const c of exported) cases.push({ case: c, module: path.basename(f, ".ts") });
  }
  return cases;
}

/** Runs of several children of the same task: every run kept, the worst peak RSS. */
function merge(a: TaskResult | null, b: TaskResult): TaskResult {
  if (!a) return b;
  return {
    timesMs: [...a.timesMs, ...b.timesMs],
    cpuMs: [...a.cpuMs, ...b.cpuMs],
    bestMs: Math.min(a.bestMs, b.bestMs),
    bestCpuMs: Math.min(a.bestCpuMs, b.bestCpuMs),
    peakRssMb: Math.max(a.peakRssMb, b.peakRssMb),
    ...(a.externalCpuMs || b.externalCpuMs
      ? { externalCpuMs: [...(a.externalCpuMs ?? []), ...(b.externalCpuMs ?? [])] }
      : {}),
    summary: b.summary,
  };
}

/** The external share of the run with the least CPU (the one the table shows). */
function externalOfBest(r: TaskResult): number | null {
  if (!r.externalCpuMs) return null;
  return r.externalCpuMs[r.cpuMs.indexOf(r.bestCpuMs)] ?? null;
}

function judge(row: Row, extraMisses: string[] = []): void {
  const t = row.target;
  if (!t || row.timeMs === null) return;
  const misses: string[] = [...extraMisses];
  if (t.ratio !== undefined) {
    if (row.cpuRatio === null) misses.push("no floor measured");
    else if (row.cpuRatio > t.ratio) misses.push(`CPU-time ratio ${row.cpuRatio.toFixed(2)}× > ${t.ratio}×`);
  }
  if (t.maxRssMb !== undefined && row.peakRssMb !== null && row.peakRssMb >= t.maxRssMb) {
    misses.push(`peak RSS ${row.peakRssMb.toFixed(0)} MB ≥ ${t.maxRssMb} MB`);
  }
  if (t.maxMs !== undefined && row.timeMs > t.maxMs)
    misses.push(`time ${row.timeMs.toFixed(0)} ms > ${t.maxMs} ms`);
  row.status = misses.length ? "FAIL" : "PASS";
  row.notes.push(...misses);
}

const fmtMs = (ms: number | null): string =>
  ms === null ? "-" : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`;

function fmtTarget(t: Target | null): string {
  if (!t) return "-";
  const parts: string[] = [];
  if (t.ratio !== undefined) parts.push(`≤${t.ratio}×`);
  if (t.maxMs !== undefined) parts.push(`<${fmtMs(t.maxMs)}`);
  if (t.maxRssMb !== undefined) parts.push(`<${t.maxRssMb} MB`);
  if (t.other !== undefined) parts.push(t.other);
  return parts.join(", ");
}

function printTable(rows: Row[]): void {
  const header = [
    "case",
    "size",
    "time",
    "floor",
    "ratio",
    "cpu",
    "cpu floor",
    "cpu ratio",
    "target",
    "peak RSS",
    "result",
  ];
  const ratio = (x: number | null): string => (x === null ? "-" : `${x.toFixed(2)}×`);
  const body = rows.map((r) => [
    r.case,
    r.size.toLocaleString("en-US"),
    fmtMs(r.timeMs),
    fmtMs(r.floorMs),
    ratio(r.ratio),
    fmtMs(r.cpuMs),
    fmtMs(r.floorCpuMs),
    ratio(r.cpuRatio),
    fmtTarget(r.target),
    r.peakRssMb === null ? "-" : `${r.peakRssMb.toFixed(0)} MB`,
    r.status,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 8 || i === 10 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const b of body) console.log(line(b));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      case: { type: "string", multiple: true },
      sizes: { type: "string" },
      runs: { type: "string" },
      rounds: { type: "string", default: "2" },
      keep: { type: "boolean", default: false },
    },
  });
  const sizeFilter = values.sizes ? new Set(values.sizes.split(",").map((s) => Number(s.trim()))) : null;
  const runsOverride = values.runs ? Number(values.runs) : null;
  const rounds = Math.max(1, Number(values.rounds));
  const all = await loadCases();
  const selected = (
    values.case
      ? all.filter((c) => values.case!.includes(c.case.name) || values.case!.includes(c.module))
      : all
  ).map((c) => c.case);
  if (selected.length === 0) {
    console.error(
      `no such case: ${values.case?.join(", ")} (cases: ${all.map((c) => c.case.name).join(", ")}; modules: ${[...new Set(all.map((c) => c.module))].join(", ")})`,
    );
    return 2;
  }

  const loadAtStart = os.loadavg();
  console.log(
    `fsops bench · node ${process.version} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const workDir = await mkdtemp(path.join(os.tmpdir(), "fsops-bench-"));
  const rows: Row[] = [];
  const floors = new Map<string, string>();
  let failed = false;
  try {
    const services = [...new Set(selected.flatMap((c) => c.services ?? []))];
    if (services.length > 0) {
      process.stderr.write(`  starting ${services.join(", ")} …`);
      await startBenchServices(services);
      process.stderr.write(" done\n");
    }
    for (const c of selected) {
      const why = await c.unavailable();
      if (why) {
        console.error(`\n✗ ${c.name}: cannot run: ${why}`);
        failed = true;
        continue;
      }
      for (const size of c.sizes.filter((s) => !sizeFilter || sizeFilter.has(s))) {
        const row: Row = {
          case: c.name,
          size,
          timeMs: null,
          floorMs: null,
          ratio: null,
          cpuMs: null,
          floorCpuMs: null,
          cpuRatio: null,
          target: c.target(size),
          peakRssMb: null,
          floorPeakRssMb: null,
          status: "-",
          notes: [],
          runsMs: [],
          floorRunsMs: [],
          runsCpuMs: [],
          floorRunsCpuMs: [],
          input: {},
        };
        rows.push(row);
        process.stderr.write(`  ${c.name} ${size} …`);
        let prepared: Prepared;
        try {
          prepared = await c.prepare(size, workDir);
        } catch (err) {
          row.status = "ERROR";
          row.notes.push(`prepare: ${err instanceof Error ? err.message : String(err)}`);
          process.stderr.write(` ${row.status}\n`);
          failed = true;
          continue;
        }
        row.input = prepared.input;
        floors.set(c.name, prepared.floorLabel);
        try {
          let floor: TaskResult | null = null;
          let subject: TaskResult | null = null;
          const summaries: JsonValue[] = [];
          for (let round = 0; round < rounds; round++) {
            if (prepared.floor) {
              floor = merge(
                floor,
                await runTask({ ...prepared.floor, runs: runsOverride ?? prepared.floor.runs }, ROOT),
              );
            }
            const run = await runTask(
              { ...prepared.subject, runs: runsOverride ?? prepared.subject.runs },
              ROOT,
            );
            summaries.push(run.summary);
            subject = merge(subject, run);
          }
          if (!subject) throw new Error("no run");
          row.timeMs = subject.bestMs;
          row.cpuMs = subject.bestCpuMs;
          row.peakRssMb = subject.peakRssMb;
          row.runsMs = subject.timesMs;
          row.runsCpuMs = subject.cpuMs;
          if (subject.externalCpuMs) row.runsExternalCpuMs = subject.externalCpuMs;
          if (floor) {
            row.floorMs = floor.bestMs;
            row.floorCpuMs = floor.bestCpuMs;
            row.floorPeakRssMb = floor.peakRssMb;
            row.floorRunsMs = floor.timesMs;
            row.floorRunsCpuMs = floor.cpuMs;
            if (floor.externalCpuMs) row.floorRunsExternalCpuMs = floor.externalCpuMs;
            row.ratio = subject.bestMs / floor.bestMs;
            row.cpuRatio = subject.bestCpuMs / floor.bestCpuMs;
          }
          const external = [externalOfBest(subject), floor && externalOfBest(floor)];
          if ((external[0] ?? 0) > 0 || (external[1] ?? 0) > 0) {
            const part = (x: number | null | undefined) => (x == null ? "-" : fmtMs(x));
            row.notes.push(
              `cpu includes other processes (servers, psql, the spawned command): subject ${part(external[0])}, floor ${part(external[1])}`,
            );
          }
          const wrong = summaries.map((s) => prepared.verify(s)).find((w) => w !== null) ?? null;
          if (wrong) {
            row.status = "ERROR";
            row.notes.push(wrong);
          } else {
            const assessed = prepared.assess?.(summaries) ?? {};
            row.notes.push(...(assessed.notes ?? []));
            judge(row, assessed.misses);
          }
        } catch (err) {
          row.status = "ERROR";
          row.notes.push(err instanceof Error ? err.message : String(err));
        } finally {
          if (!values.keep) await prepared.cleanup();
        }
        process.stderr.write(` ${row.status}\n`);
        if (row.status === "FAIL" || row.status === "ERROR") failed = true;
      }
    }
  } finally {
    await stopBenchServices();
    if (!values.keep) await rm(workDir, { recursive: true, force: true });
    else console.log(`inputs kept in ${workDir}`);
  }

  if (rows.length === 0) return 1;
  console.log("");
  printTable(rows);
  for (const [name, label] of floors) console.log(`floor of ${name}: ${label}`);
  console.log(
    `time, cpu = best of ${rounds} round(s) of runs (wall clock; user+system CPU); ratio targets are judged on cpu ratio`,
  );
  console.log("peak RSS = maxRSS of the child process that ran the subject (compiled, plain node)");
  for (const r of rows.filter((r) => r.notes.length))
    console.log(`${r.case} ${r.size}: ${r.notes.join("\n    ")}`);

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? null,
    loadavgAtStart: loadAtStart,
    loadavgAtEnd: os.loadavg(),
    rounds,
    floors: Object.fromEntries(floors),
    results: rows,
  };
  await writeFile(path.join(HERE, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log("wrote bench/results.json");
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
