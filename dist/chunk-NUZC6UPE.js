import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a}from"./chunk-T7ZGMIZ2.js";import"./chunk-Z5VTFVNN.js";import"./chunk-6KJENBIE.js";import"./chunk-ZYCEY5GP.js";import"./chunk-I7466SUX.js";import"./chunk-JCX77KET.js";import"./chunk-K53EXWJG.js";import"./chunk-2BYX6XX6.js";import"./chunk-Q6KDZ75B.js";import"./chunk-YXN4GPM3.js";import"./chunk-2LZAHBXB.js";import"./chunk-RMX5UZNY.js";import"./chunk-DZWKGMWU.js";export{a as openRegistryStore};
