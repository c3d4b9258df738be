import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as e}from"./chunk-CZPD3Y72.js";import{b as t}from"./chunk-WAC5UW4C.js";import{a as r}from"./chunk-DZWKGMWU.js";async function f(n){let{openPgExecutor:i}=await import("./chunk-6YB2RMY3.js");try{return await i(n.connectionString,{applicationName:"fsops source check"})}catch(o){throw o instanceof e?new t(o.message,"check offline_store.connection_string in fsops.yaml"):o}}r(f,"openOfflineStore");export{f as openOfflineStore};
