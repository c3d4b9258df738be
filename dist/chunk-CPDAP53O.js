import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as e}from"./chunk-DZWKGMWU.js";var n=class extends Error{constructor(r,t,i){super(r);this.code=t;this.position=i;this.name="SqlError"}code;position;static{e(this,"SqlError")}};export{n as a};
