// Preload (`node --import <this file>`) that records every module a process loads, for
// test/startup: the ESM files the loader resolves (a resolve hook, run on the loader's thread,
// appends each URL to FSOPS_MODULE_TRACE) and, at exit, the CommonJS files in require.cache
// (what `require` loaded, which no ESM hook sees).
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const file = process.env.FSOPS_MODULE_TRACE;
if (file) {
  register("./module-trace-hooks.mjs", import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.on("exit", () => {
    const cjs = Object.keys(require.cache).map((f) => `file://${f}`);
    if (cjs.length > 0) appendFileSync(file, `${cjs.join("\n")}\n`);
  });
}
