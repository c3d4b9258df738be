import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as s}from"./chunk-DZWKGMWU.js";function i(n,r){return JSON.stringify(e(n),null,r)}s(i,"stableStringify");function e(n){if(Array.isArray(n))return n.map(e);if(n!==null&&typeof n=="object"){let r={};for(let t of Object.keys(n).sort()){let o=n[t];o!==void 0&&(t==="__proto__"?Object.defineProperty(r,t,{value:e(o),enumerable:!0,writable:!0,configurable:!0}):r[t]=e(o))}return r}return n}s(e,"sortKeys");export{i as a,e as b};
