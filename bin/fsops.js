#!/usr/bin/env node
// Thin launcher. `npm run build` (which `prepare` runs on install) makes both: build/cli/, the CLI
// bundled into a few chunks (scripts/build-cli.mjs: a command loads a handful of files instead
// of hundreds of modules), and build/src/, the compiled modules it is made from.
import { existsSync } from "node:fs";

const bundle = new URL("../build/cli/fsops.js", import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { run } = await import("../build/src/cli/run.js");
  run();
}
