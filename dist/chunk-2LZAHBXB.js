import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as n,b as o}from"./chunk-DZWKGMWU.js";function t(e){return e.some(r=>r.severity==="error")}n(t,"hasErrors");function s(e,r){return(e.file<r.file?-1:e.file>r.file?1:0)||e.line-r.line||e.column-r.column||(e.code<r.code?-1:e.code>r.code?1:0)||(e.message<r.message?-1:e.message>r.message?1:0)}n(s,"compareDiagnostics");var i;function l(){return i??=o("./zod.cjs")}n(l,"zod");export{t as a,s as b,l as c};
