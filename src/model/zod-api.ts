/**
 * The part of zod fsops uses. The CLI and Action bundles carry only this, as a CommonJS file
 * beside the bundle that model/zod.ts `require`s on first use (scripts/lib/esbuild-plugins.mjs,
 * zodOnFirstUse); `zod()` is typed by it, so using a name not listed here is a type error.
 */
export {
  NEVER,
  ZodNullable,
  ZodObject,
  ZodOptional,
  array,
  boolean,
  custom,
  discriminatedUnion,
  enum,
  lazy,
  literal,
  null,
  number,
  object,
  record,
  strictObject,
  string,
  union,
  unknown,
} from "zod";
