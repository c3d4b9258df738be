// Builds the embedded online store's template: an empty PGlite database dumped with
// `dumpDataDir` (a gzipped tar of its data directory). `fsops apply` creates a missing embedded
// store by loading it (`loadDataDir`), which costs about half the CPU and memory of running
// initdb in WebAssembly on every fresh checkout (~4 s and ~850 MB).
//
// Run by `npm run build` (so `prepare` and the package have it) and by build-action.mjs;
// `node scripts/build-pglite-template.mjs [--out FILE] [--force]`. Skipped when the template
// on disk was made by the installed PGlite version (the data directory format follows it).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outArg = process.argv.indexOf("--out");
const out =
  outArg > 0 ? resolve(process.argv[outArg + 1] ?? "") : join(root, "build/assets/pglite-template.tar.gz");
const stamp = `${out}.version`;
const require = createRequire(join(root, "package.json"));
// The package's exports hide its package.json: find it above the resolved entry.
let pkgDir = dirname(require.resolve("@electric-sql/pglite"));
while (!existsSync(join(pkgDir, "package.json"))) pkgDir = dirname(pkgDir);
const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

if (!process.argv.includes("--force") && existsSync(out) && existsSync(stamp)) {
  if (readFileSync(stamp, "utf8").trim() === version) process.exit(0);
}

const { PGlite } = await import("@electric-sql/pglite");
// In memory: nothing on disk but the dump.
const db = await PGlite.create();
const dump = await db.dumpDataDir("gzip");
await db.close();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, Buffer.from(await dump.arrayBuffer()));
writeFileSync(stamp, `${version}\n`);
console.log(`${out}: PGlite ${version} template, ${(dump.size / 1024 / 1024).toFixed(2)} MB`);
