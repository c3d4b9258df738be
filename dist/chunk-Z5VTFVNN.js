import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as e}from"./chunk-DZWKGMWU.js";import{randomBytes as s}from"node:crypto";import{promises as a}from"node:fs";import{basename as c,dirname as o,join as m}from"node:path";function l(t){return m(o(t),`.${c(t)}.${process.pid}.${s(4).toString("hex")}.tmp`)}e(l,"tempPathFor");async function w(t){let i;try{i=await a.open(t,"r"),await i.sync()}catch{}finally{await i?.close()}}e(w,"syncDirectory");async function d(t,i){let n=l(t);try{let r=await a.open(n,"wx",420);try{await r.writeFile(i,"utf8"),await r.sync()}finally{await r.close()}await a.rename(n,t)}catch(r){throw await a.rm(n,{force:!0}),r}await w(o(t))}e(d,"writeFileAtomically");export{l as a,w as b,d as c};
