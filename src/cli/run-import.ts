import { mkdir, readdir, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { feastProjectName, importFeastRepo } from "../importers/feast/index.js";
import type { Finding } from "../importers/feast/index.js";
import { FeastRepoError, readFeastRepo } from "../importers/feast/repo-files.js";
import type { Output } from "./io.js";

const USAGE = 2;

const where = (f: Finding) => `${f.file}:${f.line}:${f.column}`;

/**
 * `fsops import feast FEAST_REPO [--out DIR] [--force]`: exit 0 when everything converted, 1
 * when TODOs remain in the output, 2 for a usage problem (not a Feast repository, a non-empty
 * output folder without --force).
 */
export async function runImportFeast(
  repoArg: string,
  opts: { out?: string; force?: boolean },
  io: Output,
): Promise<number> {
  let input;
  try {
    input = await readFeastRepo(repoArg);
  } catch (err) {
    if (err instanceof FeastRepoError) {
      io.err(`error: ${err.message}`);
      return USAGE;
    }
    throw err;
  }
  const repoDir = resolve(repoArg);
  const project = feastProjectName(input.featureStoreYaml);
  if (project === null) {
    const r = importFeastRepo(input);
    io.err(`error: ${r.error ?? "feature_store.yaml has no project"}`);
    return USAGE;
  }
  let outDir = opts.out !== undefined ? resolve(opts.out) : join(dirname(repoDir), project);
  // The default sibling must never be the Feast repository itself.
  if (opts.out === undefined && outDir === repoDir) outDir = `${outDir}_fsops`;
  if (outDir === repoDir || repoDir.startsWith(outDir + sep)) {
    io.err(`error: --out ${opts.out ?? outDir} would write over the Feast repository; choose another folder`);
    return USAGE;
  }
  const existing = await listFiles(outDir);
  if (existing === "not-a-folder") {
    io.err(`error: ${outDir} exists and is not a folder`);
    return USAGE;
  }
  if (existing.length > 0 && !opts.force) {
    io.err(`error: ${outDir} is not empty; choose another --out, or pass --force to write into it`);
    return USAGE;
  }

  const repoFromProject = relative(outDir, repoDir).split(sep).join("/");
  const result = importFeastRepo({ ...input, repoFromProject });
  if (result.error !== undefined) {
    io.err(`error: ${result.error}`);
    return USAGE;
  }
  for (const f of result.files) {
    const target = join(outDir, ...f.path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, f.text);
  }

  const written = new Set(result.files.map((f) => f.path));
  const leftovers = existing.filter((p) => p.endsWith(".ts") && !written.has(p));
  const fromCwd = relative(process.cwd(), outDir);
  const shown = fromCwd === "" ? "." : fromCwd.startsWith("..") ? outDir : fromCwd;
  const pyCount = input.files.length;
  io.out(
    `Imported Feast project "${project}" (${pyCount} Python file${pyCount === 1 ? "" : "s"}) from ${repoArg} into ${shown}: ` +
      `${result.files.length} file${result.files.length === 1 ? "" : "s"} written.`,
  );
  if (result.notes.length > 0) {
    io.out(`\nNotes (converted differently, or not converted because fsops does not need it):`);
    for (const n of result.notes) io.out(`  ${where(n)}  ${n.message}`);
  }
  if (leftovers.length > 0) {
    io.out(`\n${shown} also holds .ts files this import did not write; fsops reads them too:`);
    for (const p of leftovers) io.out(`  ${p}`);
  }
  if (result.todos.length > 0) {
    io.out(
      `\n${result.todos.length} TODO${result.todos.length === 1 ? "" : "s"} left to finish by hand ` +
        `(each is a "TODO(fsops import)" comment with the original Python; fsops validate fails until they are done):`,
    );
    for (const t of result.todos) io.out(`  ${where(t)}  ${t.message}`);
    return 1;
  }
  io.out(`\nEverything converted. Next: fsops validate ${shown} && fsops plan ${shown}`);
  return 0;
}

/** Files under `dir` (relative, `/`-separated), [] when it does not exist. */
async function listFiles(dir: string): Promise<string[] | "not-a-folder"> {
  const s = await stat(dir).catch(() => null);
  if (!s) return [];
  if (!s.isDirectory()) return "not-a-folder";
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .filter((p) => !p.startsWith(".fsops/") && basename(p) !== ".DS_Store")
    .sort();
}
