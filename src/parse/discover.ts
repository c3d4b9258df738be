/**
 * The parse stage's I/O edge: finds a project's definition files and reads them. Everything after
 * this (parseProject) works on the returned texts only.
 */
import { lstat, readFile, realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import ignore from "ignore";
import { glob } from "tinyglobby";
import type { SourceFileInput } from "./types.js";

/** Never definitions: dependencies, build output, VCS and fsops state, declaration files. */
const ALWAYS_IGNORED = ["**/node_modules/**", "**/dist/**", "**/.git/**", "**/.fsops/**", "**/*.d.ts"];

export const IGNORE_FILE = ".fsopsignore";

export class DiscoverError extends Error {
  override readonly name = "DiscoverError";
}

/**
 * Every `.ts` file under `dir` except node_modules, dist, .git, .fsops, `*.d.ts` and the
 * gitignore-style patterns of `<dir>/.fsopsignore`; paths relative to `dir` with `/`, sorted.
 * Symbolic links are not followed out of the project folder.
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
  const realRoot = await realpath(root);

  const ig = ignore();
  try {
    ig.add(await readFile(join(root, IGNORE_FILE), "utf8"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }

  const found = await glob(["**/*.ts"], {
    cwd: root,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    ignore: ALWAYS_IGNORED,
  });
  const paths = found
    .map((p) => p.replace(/\\/g, "/"))
    .filter((p) => !ig.ignores(p))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  const files = await Promise.all(
    paths.map(async (path): Promise<SourceFileInput | undefined> => {
      const abs = join(root, path);
      if ((await lstat(abs)).isSymbolicLink()) {
        const target = await realpath(abs).catch(() => undefined);
        if (target === undefined || !target.startsWith(realRoot + sep)) return undefined;
      }
      let text = await readFile(abs, "utf8");
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return { path, text };
    }),
  );
  return files.filter((f): f is SourceFileInput => f !== undefined);
}
