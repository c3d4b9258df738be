import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{b as e}from"./chunk-K53EXWJG.js";import{a as n}from"./chunk-DZWKGMWU.js";function s(t){return`s3://${t.bucket}/${t.key}${t.endpoint?` at ${e(t.endpoint)}`:""}`}n(s,"s3RegistryLocation");function o(t){let i=t.schema||"public";return`${e(t.connectionString)}${i==="public"?"":` (schema ${i})`}`}n(o,"postgresRegistryLocation");export{s as a,o as b};
