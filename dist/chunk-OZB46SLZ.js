import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a,b,c}from"./chunk-4PJNOP4M.js";import"./chunk-WAC5UW4C.js";import"./chunk-K53EXWJG.js";import"./chunk-DZWKGMWU.js";export{c as messageOf,b as openRedisConnection,a as parseRedisConnectionString};
