// Bundles the CLI (src/cli/bin.ts) into build/cli/: the entry fsops.js plus the chunks it imports
// when a command needs them (ESM code splitting: each `await import()` of src/ becomes a chunk),
// so `fsops validate` loads a handful of files instead of ~200 modules of build/src and of the
// small packages on its path (yaml, commander, ignore…): on Node 20, without a compile
// cache, loading and linking each ES module costs more than its code (bench startup/validate).
// bin/fsops.js runs this bundle when it is there, build/src/cli/ otherwise. build/src (tsc)
// stays the published library (`fsops`, `fsops/serving`) and what the tests run from source.
// Run: npm run build (after tsc), or `node scripts/build-cli.mjs --outdir DIR` (DIR inside the
// repository, so the packages left outside the bundle resolve from its node_modules).
import { build } from "esbuild";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { emptyOutdir } from "./lib/outdir.mjs";
import {
  COMMONJS_GLOBALS_BANNER,
  fdirWithoutEagerPicomatch,
  typescriptAsRequire,
  zodBesideBundle,
  zodOnFirstUse,
} from "./lib/esbuild-plugins.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outArg = process.argv.indexOf("--outdir");
const outdir = outArg > 0 ? resolve(process.argv[outArg + 1] ?? "") : join(root, "build/cli");

/**
 * Packages src/ imports that go into the bundle: plain JavaScript that reads no file of its own
 * package at run time. Every other package stays a plain import from node_modules, loaded only
 * by the chunk that needs it: the drivers (pg, ioredis, the AWS SDK, PGlite with its WebAssembly
 * files, DuckDB's native module), prom-client, ts-morph, and the TypeScript compiler, which is
 * `require`d from @ts-morph/common as build/src does (src/parse/typescript.cts).
 * zod is not imported: src/model/zod.ts `require`s the zod.cjs written beside the bundle.
 * What a bundled package imports is bundled with it (its own copy of a dependency may differ
 * from the one at the top of node_modules).
 */
const BUNDLED = new Set([
  "yaml",
  "commander",
  "picocolors",
  "tinyglobby",
  "ignore",
  "fastest-levenshtein",
  "diff",
  "croner",
  "@lezer/common",
  "@lezer/python",
  "@dagrejs/dagre",
  "cli-progress",
]);

const packageName = (spec) =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");
const inNodeModules = (file) => file.split(sep).includes("node_modules");

emptyOutdir(outdir, root);

await build({
  entryPoints: [{ in: join(root, "src/cli/bin.ts"), out: "fsops" }],
  outdir,
  splitting: true,
  chunkNames: "chunk-[hash]",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // Whitespace only: smaller files to read and pre-parse; names and syntax stay as written, so a
  // FSOPS_DEBUG=1 stack trace still reads.
  minifyWhitespace: true,
  // Error classes name themselves from their constructor (RegistryError subclasses).
  keepNames: true,
  preserveSymlinks: true,
  charset: "utf8",
  banner: { js: COMMONJS_GLOBALS_BANNER },
  plugins: [
    typescriptAsRequire(root),
    fdirWithoutEagerPicomatch,
    zodOnFirstUse(),
    {
      name: "fsops-cli-externals",
      setup(b) {
        b.onResolve({ filter: /^[^./]/ }, (args) => {
          if (args.path.startsWith("node:")) return { external: true };
          if (inNodeModules(args.importer)) return undefined;
          return BUNDLED.has(packageName(args.path)) ? undefined : { external: true };
        });
      },
    },
  ],
  logLevel: "warning",
});
// The zod the schema modules `require` on first use (see zodOnFirstUse).
await zodBesideBundle(root, outdir);
