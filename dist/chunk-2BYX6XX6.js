import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as e}from"./chunk-DZWKGMWU.js";var r=class extends Error{constructor(t,s){super(t);this.hint=s;this.name=new.target.name}hint;static{e(this,"RegistryError")}},o=class extends r{constructor(t,s){super(`registry is locked by ${t.who}@${t.host} (pid ${t.pid}, ${t.operation} since ${t.time}, lock id ${t.id})${s?`; ${s}`:""}`,`if that process is gone, run: fsops force-unlock ${t.id}`);this.holder=t}holder;static{e(this,"RegistryLockedError")}},c=class extends r{static{e(this,"RegistryBusyError")}},p=class extends r{static{e(this,"ConcurrentChangeError")}constructor(n){super(`registry changed concurrently: ${n}`,"re-run plan and apply against the new state")}},a=class extends r{static{e(this,"RegistryCorruptError")}};export{r as a,o as b,c,p as d,a as e};
