// Bundles the GitHub Action (src/action/index.ts) into dist/: the entry dist/index.js plus the
// chunks it imports when a command needs them (ESM code splitting: what src/ imports with
// `await import()` becomes a chunk of its own), with every dependency inside (the TypeScript
// compiler included), so a user's repository needs no npm install, and `validate` or a `plan`
// against a file or S3 registry never loads PGlite or pg. CommonJS dependencies get a real
// `require` from the banner (in every chunk).
// Run: npm run build:action. The check-dist workflow fails when the committed dist/ differs.
import { build } from "esbuild";
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { emptyOutdir } from "./lib/outdir.mjs";
import {
  COMMONJS_GLOBALS_BANNER,
  actionsCoreWithoutUnusedOidc,
  fdirWithoutEagerPicomatch,
  typescriptAsRequire,
  typescriptBesideBundle,
  zodBesideBundle,
  zodOnFirstUse,
} from "./lib/esbuild-plugins.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// `--outdir DIR` builds elsewhere (the Action's tests bundle the current src/ into a temp folder).
const outArg = process.argv.indexOf("--outdir");
const outdir = outArg > 0 ? resolve(process.argv[outArg + 1] ?? "") : join(root, "dist");

// Files some dependencies load at run time from next to their own module (new URL(x, import.meta.url)).
// In the bundle import.meta.url is dist/index.js, so they are copied beside it when the bundle uses them.
const RUNTIME_ASSETS = [
  { name: "pglite.wasm", from: "node_modules/@electric-sql/pglite/dist/pglite.wasm" },
  { name: "pglite.data", from: "node_modules/@electric-sql/pglite/dist/pglite.data" },
  { name: "initdb.wasm", from: "node_modules/@electric-sql/pglite/dist/initdb.wasm" },
];

// The embedded store's template (scripts/build-pglite-template.mjs). An initdb is not
// byte-reproducible, so a template already in outdir (the committed one) or in build/assets/ is
// kept while it was made by the installed PGlite version: a rebuild then changes nothing.
const TEMPLATE = "pglite-template.tar.gz";
const keptTemplate = [outdir, join(root, "build/assets")]
  .map((dir) => ({ file: join(dir, TEMPLATE), stamp: join(dir, `${TEMPLATE}.version`) }))
  .filter((t) => existsSync(t.file) && existsSync(t.stamp))
  .map((t) => ({ file: readFileSync(t.file), stamp: readFileSync(t.stamp) }))[0];

emptyOutdir(outdir, root);

await build({
  entryPoints: [{ in: join(root, "src/action/index.ts"), out: "index" }],
  outdir,
  // Chunks sit beside index.js, so the files PGlite (and the template) load from next to their
  // module's import.meta.url are found from whichever chunk holds it.
  splitting: true,
  chunkNames: "chunk-[hash]",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // Minified identifiers keep the committed bundle a few MB smaller; whitespace and syntax
  // minification keep it diffable enough for check-dist to point at what moved.
  minifyIdentifiers: true,
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "linked",
  // Error classes name themselves from their constructor (RegistryError subclasses).
  keepNames: true,
  // Resolve through node_modules as laid out, not through symlink targets, so a clean build
  // with a symlinked node_modules (see check-dist) sees the same module paths as CI.
  preserveSymlinks: true,
  charset: "utf8",
  banner: { js: COMMONJS_GLOBALS_BANNER },
  // A native module esbuild cannot bundle; only `command: materialize` with FileSources loads it
  // (dynamically), and then it must be installed beside the workflow (npm install @duckdb/node-api).
  external: ["@duckdb/node-api"],
  plugins: [
    typescriptAsRequire(root, { besideBundle: true }),
    fdirWithoutEagerPicomatch,
    actionsCoreWithoutUnusedOidc,
    zodOnFirstUse(),
  ],
  logLevel: "warning",
});
// The compiler the chunks `require` (see typescriptBesideBundle).
await typescriptBesideBundle(root, outdir);
// The zod the schema modules `require` on first use (see zodOnFirstUse).
await zodBesideBundle(root, outdir);

// The bundle is ESM whatever the package.json around it says.
writeFileSync(join(outdir, "package.json"), JSON.stringify({ type: "module" }, null, 2) + "\n");

const bundle = readdirSync(outdir)
  .filter((f) => f.endsWith(".js") || f.endsWith(".cjs"))
  .map((f) => readFileSync(join(outdir, f), "utf8"))
  .join("\n");
for (const asset of RUNTIME_ASSETS) {
  if (!bundle.includes(asset.name)) continue;
  const from = join(root, asset.from);
  if (!existsSync(from))
    throw new Error(`the bundle loads ${asset.name} at run time, but ${asset.from} is missing`);
  copyFileSync(from, join(outdir, asset.name));
}

if (bundle.includes(TEMPLATE)) {
  if (keptTemplate) {
    writeFileSync(join(outdir, TEMPLATE), keptTemplate.file);
    writeFileSync(join(outdir, `${TEMPLATE}.version`), keptTemplate.stamp);
  }
  // Makes it (or remakes a stale one: another PGlite version) unless the kept one is current.
  execFileSync(
    process.execPath,
    [join(root, "scripts/build-pglite-template.mjs"), "--out", join(outdir, TEMPLATE)],
    {
      stdio: "inherit",
    },
  );
}

const sizes = readdirSync(outdir)
  .map((f) => `${f} ${(statSync(join(outdir, f)).size / 1024 / 1024).toFixed(2)} MB`)
  .join(", ");
console.log(`dist/: ${sizes}`);
