import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a}from"./chunk-OY6ZWU2F.js";import"./chunk-ZYCEY5GP.js";import"./chunk-B6QVVIGO.js";import"./chunk-63YN3QO3.js";import"./chunk-K53EXWJG.js";import"./chunk-24FSQZFE.js";import"./chunk-Q6KDZ75B.js";import"./chunk-YXN4GPM3.js";import"./chunk-FG3GLRTY.js";import"./chunk-RMX5UZNY.js";import"./chunk-DZWKGMWU.js";export{a as openRegistryStore};
