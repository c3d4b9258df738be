import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a,b,c,d,e,f,g,h,i,j,k,l}from"./chunk-GRXOWS7I.js";import"./chunk-DZWKGMWU.js";export{a as Client,c as Connection,f as DatabaseError,b as Pool,e as Query,i as Result,j as TypeOverrides,l as default,k as defaults,g as escapeIdentifier,h as escapeLiteral,d as types};
