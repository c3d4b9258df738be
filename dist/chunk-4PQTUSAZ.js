import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a as n}from"./chunk-DZWKGMWU.js";var e=class extends Error{static{n(this,"InvalidIdentifierError")}constructor(r){super(r),this.name="InvalidIdentifierError"}};function i(t){if(t.length===0)throw new e("an SQL identifier cannot be empty");if(t.includes("\0"))throw new e("an SQL identifier cannot contain a NUL character");return`"${t.replaceAll('"','""')}"`}n(i,"quoteIdent");function o(t,r){return`${i(t)}.${i(r)}`}n(o,"qualifiedName");function c(t){if(t.includes("\0"))throw new e("an SQL string cannot contain a NUL character");return`'${t.replaceAll("'","''")}'`}n(c,"quoteLiteral");function s(t){return t.replace(/[\\%_]/g,r=>`\\${r}`)}n(s,"escapeLike");function a(t){return Buffer.byteLength(t,"utf8")}n(a,"utf8Length");export{i as a,o as b,c,s as d,a as e};
