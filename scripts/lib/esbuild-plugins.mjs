import { readFile } from "node:fs/promises";
import { join, sep } from "node:path";

/**
 * src/parse/typescript.cts is `import ts = require(...)` of the compiler, imported by ESM files as
 * `import ts from "./typescript.cjs"`. Bundled as written, esbuild converts it in each importing
 * file with `__toESM`, which copies every one of the compiler's ~2,000 exports into a new object
 * (eight times for `validate`). This plugin gives the bundle an ES module whose default export is
 * the `require`d compiler itself: the same object, no copies. A `require` of a package the bundle
 * contains becomes a direct call of its wrapper (the Action); of a package left outside, a call
 * of the banner's `require` (the CLI).
 * @param {string} root the repository
 */
export function typescriptAsRequire(root) {
  const parse = join(root, "src", "parse") + sep;
  return {
    name: "fsops-typescript-as-require",
    setup(b) {
      b.onResolve({ filter: /^\.\/typescript\.cjs$/ }, (args) =>
        args.importer.startsWith(parse) ? { path: "typescript", namespace: "fsops-typescript" } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: "fsops-typescript" }, () => ({
        contents: 'export default require("@ts-morph/common/dist/typescript.js");',
        loader: "js",
        resolveDir: root,
      }));
    },
  };
}

/**
 * fdir (tinyglobby's directory crawler) `require`s picomatch when it loads, for its own `.glob()`,
 * which tinyglobby never calls (it passes its filters): five CommonJS files read and compiled on
 * every project discovery for nothing, next to the copy of picomatch the bundle already holds.
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
