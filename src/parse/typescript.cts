/**
 * The TypeScript compiler, loaded the cheapest way the dependencies allow: the `typescript.js`
 * that ts-morph carries (in @ts-morph/common), required directly. Measured on Node 20:
 *   import { ts } from "ts-morph"          ~380 ms CPU (ts-morph's wrapper and its dependencies)
 *   ESM import of typescript.js            ~600 ms (cjs-module-lexer scans the 8.8 MB for exports)
 *   require of typescript.js (this file)   ~190 ms
 * A CommonJS module, so the compiler comes in through `require`, never through the ESM loader's
 * export detection; esbuild bundles the `require` like any other (the Action's dist/).
 * Only the commands that read definitions import src/parse, and so this file.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a require is the point (see above)
import ts = require("@ts-morph/common/dist/typescript.js");

export = ts;
