/**
 * zod, loaded on first use. A valid project never needs it (config/fast.ts and validate/fast.ts
 * check what the schemas would accept), and loading zod's modules is a fifth of what a fresh
 * `fsops validate` spends beyond parsing its files (bench startup/validate). Callers build their
 * schemas inside functions, on first use, from `zod()`; types come from `import type`.
 *
 * `require` keeps the call synchronous, so the schema builders stay plain functions. Here it
 * loads the zod package; the CLI and Action bundles replace this module with one that loads
 * `zod.cjs` beside the bundle: the names of zod-api.ts only (scripts/lib/esbuild-plugins.mjs).
 */
import { createRequire } from "node:module";
import type * as ZodApi from "./zod-api.js";

let loaded: typeof ZodApi | undefined;

export function zod(): typeof ZodApi {
  loaded ??= createRequire(import.meta.url)("zod") as typeof ZodApi;
  return loaded;
}
