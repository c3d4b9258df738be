// The floor of the `startup/validate` case, run as its own process: load the TypeScript compiler
// the way fsops does (build/src/parse/typescript.cjs: ts-morph's typescript.js, required), then
// read and parse every definition file of the project folder with parent pointers set.
// `node bench/lib/validate-floor.mjs DIR`
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const ts = require("../../build/src/parse/typescript.cjs");
const dir = process.argv[2];
let statements = 0;
for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
  if (!e.isFile() || !e.name.endsWith(".ts") || e.name.endsWith(".d.ts")) continue;
  const path = join(e.parentPath, e.name);
  const sf = ts.createSourceFile(
    path,
    readFileSync(path, "utf8"),
    ts.ScriptTarget.Latest,
    true,
    ts.ScriptKind.TS,
  );
  statements += sf.statements.length;
}
process.stdout.write(`${statements} statements\n`);
