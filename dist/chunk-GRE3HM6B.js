import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{c as o,d as i,e as a}from"./chunk-DGGOHJSR.js";import{a as s}from"./chunk-WAC5UW4C.js";import{a as t}from"./chunk-DZWKGMWU.js";import{stat as m}from"node:fs/promises";import{join as c}from"node:path";async function g(n){try{return(await m(c(n,"PG_VERSION"))).isFile()}catch{return!1}}t(g,"embeddedStoreExists");var p=class{constructor(e){this.location=e}location;static{t(this,"MissingEmbeddedStore")}store="postgres";get note(){return`the embedded online store ${this.location} does not exist yet: planned as empty; fsops apply will create it`}introspect(){return Promise.resolve({store:"postgres",schema:o,schemaExists:!0,tables:[]})}async plan(e,r,l){return i(e,r,l,await this.introspect(),"postgres",{schema:o})}apply(e,r){return r.length===0?Promise.resolve():Promise.reject(new s(`internal: the embedded online store ${this.location} was opened for planning only`))}async planDestroy(e,r){return a(e,r,await this.introspect())}close(){return Promise.resolve()}};export{g as a,p as b};
