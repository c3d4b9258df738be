// Preload (`node -r bench/lib/report-rss.cjs …`) of the start-up cases: at exit, writes the
// process's CPU time (user + system, µs, whole process from its start) and peak RSS (kB) to
// FSOPS_BENCH_REPORT as JSON: a parent cannot read a reaped child's peak RSS, and /proc gives
// its CPU only in 10 ms ticks. CommonJS: the CommonJS loader is always there, so this adds next
// to nothing to the start-up it measures.
"use strict";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS preload
const { writeFileSync } = require("node:fs");

const file = process.env.FSOPS_BENCH_REPORT;
if (file) {
  process.on("exit", () => {
    const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuUs: userCPUTime + systemCPUTime, maxRssKb: maxRSS }));
  });
}
