/**
 * The parse stage's I/O edge: finds a project's definition files and reads them. Everything after
 * this (parseProject) works on the returned texts only.
 */
import { readdirSync, readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import ignore from "ignore";
import type { Ignore } from "ignore";
import type { SourceFileInput } from "./types.js";

/** Folders that never hold definitions, at any depth: dependencies, build output, VCS and fsops state. */
const SKIPPED_FOLDERS = new Set(["node_modules", "dist", ".git", ".fsops"]);

export const IGNORE_FILE = ".fsopsignore";

export class DiscoverError extends Error {
  override readonly name = "DiscoverError";
}

/**
 * Every `.ts` file under `dir` except node_modules, dist, .git, .fsops, `*.d.ts` and the
 * gitignore-style patterns of `<dir>/.fsopsignore`; paths relative to `dir` with `/`, sorted.
 * Symbolic links are skipped: a definition folder cannot pull in files from elsewhere.
 */
export async function discoverSourceFiles(dir: string): Promise<SourceFileInput[]> {
  const root = resolve(dir);
  let rootStat;
  try {
    rootStat = await stat(root);
  } catch {
    throw new DiscoverError(`the project folder ${dir} does not exist`);
  }
  if (!rootStat.isDirectory()) throw new DiscoverError(`${dir} is not a folder`);

  const ig = ignore();
  try {
    ig.add(await readFile(join(root, IGNORE_FILE), "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }

  const paths = walk(root, "", ig, [])
    .filter((p) => !ig.ignores(p))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  // Synchronous reads: for a thousand small files they cost a tenth of the CPU of a thousand
  // concurrent promises, and nothing else runs while a command loads its definitions.
  return paths.map((path) => {
    let text = readFileSync(join(root, path), "utf8");
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { path, text };
  });
}

/**
 * The `.ts` files (not `*.d.ts`) under `root/rel`, dot folders included, as `/`-separated paths
 * relative to `root`, skipping the folders `ig` ignores. A plain synchronous walk rather than a
 * glob library: the one pattern needs none, and loading one costs a fresh `fsops validate` more
 * than the walk (bench startup/validate).
 * `Dirent` types come from the folder listing without following links, so a symbolic link is
 * neither a file nor a folder here and is skipped.
 */
function walk(root: string, rel: string, ig: Ignore, out: string[]): string[] {
  let entries;
  try {
    entries = readdirSync(rel ? join(root, rel) : root, { withFileTypes: true });
  } catch (e) {
    // A folder that cannot be listed would silently drop its definitions from the plan.
    const code = (e as NodeJS.ErrnoException).code ?? "error";
    throw new DiscoverError(
      `cannot list the folder ${rel || "."} of the project (${code}): make it readable, or add it to ${IGNORE_FILE}`,
    );
  }
  for (const e of entries) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      // An ignored folder is not listed at all (as in Git, nothing inside it can be re-included).
      if (!SKIPPED_FOLDERS.has(e.name) && !ig.ignores(`${path}/`)) walk(root, path, ig, out);
    } else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) {
      out.push(path);
    }
  }
  return out;
}
