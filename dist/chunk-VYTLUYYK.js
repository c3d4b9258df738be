import { createRequire as __fsopsCreateRequire } from "node:module";
import { fileURLToPath as __fsopsFileURLToPath } from "node:url";
import { dirname as __fsopsDirname } from "node:path";
const require = __fsopsCreateRequire(import.meta.url);
const __filename = __fsopsFileURLToPath(import.meta.url);
const __dirname = __fsopsDirname(__filename);
import{a,b}from"./chunk-RSP5JGJL.js";import"./chunk-DZWKGMWU.js";export{a as GitHubApiError,b as OctokitGitHubClient};
