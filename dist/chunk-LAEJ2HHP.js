import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as e}from"./chunk-DZWKGMWU.js";function r(o){return typeof o=="object"&&o!==null&&"$dsl"in o}e(r,"isDslObject");function n(o){return typeof o=="object"&&o!==null&&"$projection"in o}e(n,"isProjection");function t(o){return typeof o=="object"&&o!==null&&"$transform"in o}e(t,"isTransformSource");export{r as a,n as b,t as c};
