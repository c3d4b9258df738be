import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{i as n,n as s,s as p}from"./chunk-H3WXCIC4.js";import{a as m}from"./chunk-DZWKGMWU.js";import*as o from"fs";import*as t from"path";n();var d=class extends p{static{m(this,"m")}constructor(r){super(r),this.rootDir=t.resolve(r),o.existsSync(t.join(this.rootDir))||o.mkdirSync(this.rootDir)}async init(r,e){return this.pg=r,{emscriptenOpts:{...e,preRun:[...e.preRun||[],i=>{let a=i.NODEFS;i.FS.mkdirTree(s),i.FS.mount(a,{root:this.rootDir},s)}]}}}async closeFs(){this.pg.Module.FS.quit()}};export{d as NodeFS};
