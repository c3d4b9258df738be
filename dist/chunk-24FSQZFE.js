import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as e}from"./chunk-DZWKGMWU.js";var r=class extends Error{constructor(t,p){super(t);this.hint=p;this.name=new.target.name}hint;static{e(this,"RegistryError")}},s=class extends r{constructor(t){super(`registry is locked by ${t.who}@${t.host} (pid ${t.pid}, ${t.operation} since ${t.time}, lock id ${t.id})`,`if that process is gone, run: fsops force-unlock ${t.id}`);this.holder=t}holder;static{e(this,"RegistryLockedError")}},o=class extends r{static{e(this,"RegistryBusyError")}},c=class extends r{static{e(this,"ConcurrentChangeError")}constructor(n){super(`registry changed concurrently: ${n}`,"re-run plan and apply against the new state")}},a=class extends r{static{e(this,"RegistryCorruptError")}};export{r as a,s as b,o as c,c as d,a as e};
