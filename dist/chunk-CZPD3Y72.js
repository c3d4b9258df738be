import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as e}from"./chunk-DZWKGMWU.js";var r=class extends Error{constructor(n,s,i){super(n);this.code=s;this.position=i;this.name="SqlError"}code;position;static{e(this,"SqlError")}};export{r as a};
