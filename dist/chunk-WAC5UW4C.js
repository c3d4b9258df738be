import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as t}from"./chunk-DZWKGMWU.js";var n=class extends Error{constructor(e,i,c){super(e);this.hint=i;this.code=c;this.name=new.target.name}hint;code;static{t(this,"OnlineStoreError")}},a=class extends Error{constructor(e,i){super(e);this.hint=i;this.name=new.target.name}hint;static{t(this,"OfflineStoreError")}},o=class extends n{constructor(e){super(`online store conflict: ${e.join("; ")}`,"fsops never alters, drops or takes over a table it does not own: rename or move that table (or the view), then plan again");this.conflicts=e}conflicts;static{t(this,"OnlineStoreConflictError")}};export{n as a,a as b,o as c};
