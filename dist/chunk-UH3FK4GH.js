import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{e as a,f as b}from"./chunk-4ZDUHWDG.js";import"./chunk-Y2QCRALM.js";import"./chunk-KGAYCZR4.js";import"./chunk-B2WVL75F.js";import"./chunk-XECSDY5Q.js";import"./chunk-OY6ZWU2F.js";import"./chunk-GRE3HM6B.js";import"./chunk-CPDAP53O.js";import"./chunk-DGGOHJSR.js";import"./chunk-OOYCK2XO.js";import"./chunk-WAC5UW4C.js";import"./chunk-O6YGASXB.js";import"./chunk-TSJKKMF7.js";import"./chunk-MW3JDSHG.js";import"./chunk-3OWJLUU5.js";import"./chunk-LAEJ2HHP.js";import"./chunk-4PQTUSAZ.js";import"./chunk-ZYCEY5GP.js";import"./chunk-B6QVVIGO.js";import"./chunk-63YN3QO3.js";import"./chunk-K53EXWJG.js";import"./chunk-24FSQZFE.js";import"./chunk-Q6KDZ75B.js";import"./chunk-YXN4GPM3.js";import"./chunk-FG3GLRTY.js";import"./chunk-RMX5UZNY.js";import"./chunk-DZWKGMWU.js";export{a as runPlan,b as writeComment};
