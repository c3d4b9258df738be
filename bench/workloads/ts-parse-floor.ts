/**
 * The floor of `validate`: parse every definition file with the TypeScript compiler's
 * `createSourceFile` and nothing else. Texts are read in `prepare` (untimed), so the floor is
 * pure parsing; parent pointers are set because any evaluator that resolves identifiers needs
 * them (ts-morph always sets them).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ts } from "ts-morph";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
}

async function listTsFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const workload: Workload<{ name: string; text: string }[]> = {
  async prepare(args: JsonValue) {
    const { dir } = args as unknown as Args;
    const files = await listTsFiles(dir);
    return Promise.all(files.map(async (name) => ({ name, text: await readFile(name, "utf8") })));
  },
  run(files) {
    let statements = 0;
    for (const f of files) {
      const sf = ts.createSourceFile(f.name, f.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
      statements += sf.statements.length;
    }
    return { files: files.length, statements };
  },
};

export default workload;
