import { build } from "esbuild";
import { readFile } from "node:fs/promises";
import { dirname, join, sep } from "node:path";

/**
 * The banner of every ESM chunk of both bundles: `require`, `__filename` and `__dirname` as
 * CommonJS has them, for the bundled CommonJS packages (and, through that `require`, the files
 * loaded beside the bundle: the compiler, zod.cjs, and the CLI's packages in node_modules).
 */
export const COMMONJS_GLOBALS_BANNER = [
  'import { createRequire as __fsopsCreateRequire } from "node:module";',
  'import { fileURLToPath as __fsopsFileURLToPath } from "node:url";',
  'import { dirname as __fsopsDirname } from "node:path";',
  "const require = __fsopsCreateRequire(import.meta.url);",
  "const __filename = __fsopsFileURLToPath(import.meta.url);",
  "const __dirname = __fsopsDirname(__filename);",
].join("\n");

/**
 * src/parse/typescript.cts is `import ts = require(...)` of the compiler, imported by ESM files as
 * `import ts from "./typescript.cjs"`. Bundled as written, esbuild converts it in each importing
 * file with `__toESM`, which copies every one of the compiler's ~2,000 exports into a new object
 * (eight times for `validate`). This plugin gives the bundle an ES module whose default export is
 * the `require`d compiler itself: the same object, no copies. The `require` is the banner's, of
 * the package in node_modules (the CLI) or, with `besideBundle`, of `./typescript.cjs` next to
 * the chunk (the Action: see `typescriptBesideBundle`).
 * @param {string} root the repository
 * @param {{ besideBundle?: boolean }} [options]
 */
export function typescriptAsRequire(root, options = {}) {
  const parse = join(root, "src", "parse") + sep;
  return {
    name: "fsops-typescript-as-require",
    setup(b) {
      b.onResolve({ filter: /^\.\/typescript\.cjs$/ }, (args) =>
        args.importer.startsWith(parse) ? { path: "typescript", namespace: "fsops-typescript" } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "fsops-typescript" }, () => ({
        contents: options.besideBundle
          ? `export default require(${JSON.stringify(BESIDE_BUNDLE)});`
          : 'export default require("@ts-morph/common/dist/typescript.js");',
        loader: "js",
        resolveDir: root,
      }));
      if (options.besideBundle) {
        b.onResolve({ filter: /^\.\/typescript\.cjs$/, namespace: "fsops-typescript" }, (args) => ({
          path: args.path,
          external: true,
        }));
      }
    },
  };
}

const BESIDE_BUNDLE = "./typescript.cjs";

/**
 * Writes the compiler the Action `require`s (typescriptAsRequire with `besideBundle`) into
 * `outdir` as a CommonJS file of its own, minified like the bundle. Why not inside a chunk: there
 * the compiler's ~4 MB are the body of esbuild's `__commonJS` wrapper, a function of an ES
 * module, which V8 pre-parses with the module and parses again in full when the wrapper first
 * runs; `require` compiles a CommonJS file once, as the CLI loads it (bench
 * startup/action-validate). Still self-contained: the file is part of dist/.
 * @param {string} root the repository
 * @param {string} outdir the bundle's folder
 */
export async function typescriptBesideBundle(root, outdir) {
  await build({
    entryPoints: [join(root, "node_modules/@ts-morph/common/dist/typescript.js")],
    outfile: join(outdir, BESIDE_BUNDLE),
    bundle: false,
    platform: "node",
    target: "node20",
    format: "cjs",
    minifyIdentifiers: true,
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: "linked",
    charset: "utf8",
    logLevel: "warning",
  });
}

/**
 * fdir (tinyglobby's directory crawler) `require`s picomatch when it loads, for its own `.glob()`,
 * which tinyglobby never calls (it passes its filters): five CommonJS files read and compiled on
 * every listing of a Feast repository (`fsops import feast`) for nothing, next to the copy of
 * picomatch the bundle already holds.
 * This leaves fdir without that default: a `.glob()` without a glob function would throw fdir's
 * own "specify a glob function" error. When fdir changes and the statement is not found, the
 * file is bundled as it is (and the build says so).
 */
export const fdirWithoutEagerPicomatch = {
  name: "fsops-fdir-without-eager-picomatch",
  setup(b) {
    b.onLoad({ filter: /[/\\]node_modules[/\\]fdir[/\\]dist[/\\]index\.mjs$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const eager = /__require\.resolve\("picomatch"\);\s*pm = __require\("picomatch"\);/;
      if (!eager.test(text)) {
        return {
          contents: text,
          loader: "js",
          warnings: [{ text: "fdir no longer requires picomatch as expected: bundled as it is" }],
        };
      }
      return { contents: text.replace(eager, ""), loader: "js" };
    });
  },
};

/**
 * @actions/core imports its OIDC client (and through it @actions/http-client and undici, ~430 KB)
 * for `core.getIDToken`, which fsops never calls. The package does not say its modules are free
 * of side effects, so esbuild keeps that import chain in every chunk that uses `core`, and the
 * Action's `validate` loaded undici for nothing. Marking the OIDC module side-effect free lets the
 * unused import go; a `getIDToken` call would still bundle it.
 */
export const actionsCoreWithoutUnusedOidc = {
  name: "fsops-actions-core-without-unused-oidc",
  setup(b) {
    b.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) =>
      /[/\\]@actions[/\\]core[/\\]/.test(args.importer)
        ? { path: join(args.resolveDir, args.path), sideEffects: false }
        : undefined,
    );
  },
};

const ZOD_BESIDE_BUNDLE = "./zod.cjs";

/**
 * src/model/zod.ts loads zod on first use through `createRequire`, which esbuild cannot follow.
 * In a bundle it becomes a `require` of `zod.cjs` beside the bundle (zodBesideBundle). Why not
 * zod inside a chunk: imported, it is evaluated by every command that loads a schema module
 * (a fifth of a fresh `fsops validate` beyond parsing, bench startup/validate); `require`d from a
 * chunk, esbuild wraps the whole package (~600 KB, not tree-shaken) and the chunk still costs
 * more to load than zod's evaluation saved.
 */
export function zodOnFirstUse() {
  // By its place in src/, not by an exact path: the repository may be reached through a
  // symbolic link, and a module left as written would load zod from node_modules, which the
  // Action's dist/ does not have.
  const lazyModule = /[/\\]src[/\\]model[/\\]zod\.ts$/;
  const ours = (path) => lazyModule.test(path) && !path.split(/[/\\]/).includes("node_modules");
  return {
    name: "fsops-zod-on-first-use",
    setup(b) {
      b.onLoad({ filter: lazyModule }, (args) =>
        ours(args.path)
          ? {
              contents: `let loaded; export function zod() { return (loaded ??= require(${JSON.stringify(ZOD_BESIDE_BUNDLE)})); }`,
              loader: "js",
              resolveDir: dirname(args.path),
            }
          : undefined,
      );
      b.onResolve({ filter: /^\.\/zod\.cjs$/ }, (args) =>
        ours(args.importer) ? { path: args.path, external: true } : undefined,
      );
    },
  };
}

/**
 * Writes the `zod.cjs` that zodOnFirstUse's module `require`s into `outdir`: src/model/zod-api.ts
 * bundled as CommonJS, so only the zod fsops uses (~160 KB of ~600 KB), minified like the bundle.
 * @param {string} root the repository
 * @param {string} outdir the bundle's folder
 */
export async function zodBesideBundle(root, outdir) {
  await build({
    entryPoints: [join(root, "src", "model", "zod-api.ts")],
    outfile: join(outdir, ZOD_BESIDE_BUNDLE),
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minifyWhitespace: true,
    charset: "utf8",
    logLevel: "warning",
  });
}
