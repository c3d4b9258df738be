import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{e as a,f as b}from"./chunk-4CHBPYPT.js";import"./chunk-RSP5JGJL.js";import"./chunk-QUKN3ZVK.js";import"./chunk-V6MVGH2F.js";import"./chunk-7PYVP33H.js";import"./chunk-T7ZGMIZ2.js";import"./chunk-Z5VTFVNN.js";import"./chunk-GRE3HM6B.js";import"./chunk-6KJENBIE.js";import"./chunk-CZPD3Y72.js";import"./chunk-DGGOHJSR.js";import"./chunk-OOYCK2XO.js";import"./chunk-WAC5UW4C.js";import"./chunk-OXA32G4O.js";import"./chunk-MW3JDSHG.js";import"./chunk-3OWJLUU5.js";import"./chunk-LAEJ2HHP.js";import"./chunk-4PQTUSAZ.js";import"./chunk-ZYCEY5GP.js";import"./chunk-I7466SUX.js";import"./chunk-JCX77KET.js";import"./chunk-K53EXWJG.js";import"./chunk-2BYX6XX6.js";import"./chunk-Q6KDZ75B.js";import"./chunk-YXN4GPM3.js";import"./chunk-2LZAHBXB.js";import"./chunk-RMX5UZNY.js";import"./chunk-DZWKGMWU.js";export{a as runPlan,b as writeComment};
