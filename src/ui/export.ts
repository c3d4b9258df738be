import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Site } from "./pages.js";
import { VERSION_FILE } from "./pages.js";

export class ExportError extends Error {}

/**
 * Writes the site as static files into `outDir`. The new site is written beside it first and
 * swapped in by rename, so a failed export never leaves half a site where a published one was.
 * A folder that holds something else than an earlier export is refused, never emptied.
 */
export function exportSite(site: Site, outDir: string): { files: number; dir: string } {
  const out = resolve(outDir);
  if (existsSync(out) && readdirSync(out).length > 0 && !isEarlierExport(out)) {
    throw new ExportError(
      `${outDir} is not empty and does not hold an earlier fsops ui export; choose an empty or new folder`,
    );
  }
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(out)}.fsops-export-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [path, text] of site) {
      const file = join(staging, ...path.split("/"));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    const old = `${staging}.old`;
    if (existsSync(out)) renameSync(out, old);
    renameSync(staging, out);
    rmSync(old, { recursive: true, force: true });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  return { files: site.size, dir: out };
}

function isEarlierExport(dir: string): boolean {
  try {
    const version = JSON.parse(readFileSync(join(dir, VERSION_FILE), "utf8")) as { generator?: unknown };
    return version.generator === "fsops ui";
  } catch {
    return false;
  }
}
