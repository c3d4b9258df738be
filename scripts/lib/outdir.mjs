// The output folder of a bundle build: emptied before each build, but never when it would take
// the repository (or a filesystem root) with it — the folder can be given on the command line.
import { mkdirSync, rmSync } from "node:fs";
import { dirname, sep } from "node:path";

export function emptyOutdir(outdir, root) {
  if (outdir === root || root.startsWith(outdir + sep) || outdir === dirname(outdir)) {
    throw new Error(`refusing to empty ${outdir}: it holds the repository`);
  }
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
}
