/** The I/O edge of config: reads `<dir>/fsops.yaml`, then hands the text to the pure parser. */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostic.js";
import { CONFIG_CODES } from "./codes.js";
import type { Env } from "./interpolate.js";
import type { ConfigResult } from "./parse.js";
import { parseProjectConfig } from "./parse.js";

export const CONFIG_FILE_NAME = "fsops.yaml";

export interface LoadedConfigResult extends ConfigResult {
  /** The config file relative to the project, as diagnostics name it. */
  file: string;
  /** Its text, for code frames; null when it could not be read. */
  text: string | null;
}

/**
 * Loads the project config of `dir`. `env` is passed in (the CLI gives `process.env`) so this
 * module never reads the process itself. A missing or unreadable file is a diagnostic, never a
 * throw.
 */
export async function loadProjectConfig(dir: string, env: Env): Promise<LoadedConfigResult> {
  const absDir = path.resolve(dir);
  const file = path.join(absDir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const missing = code === "ENOENT" || code === "ENOTDIR";
    const folder = missing ? await folderProblem(absDir) : null;
    if (folder !== null) {
      return {
        config: null,
        diagnostics: [
          {
            severity: "error",
            code: CONFIG_CODES.noConfigFile,
            message: `project folder ${absDir} ${folder}`,
            file: CONFIG_FILE_NAME,
            line: 1,
            column: 1,
            hint: "check the path given to fsops: it names the folder holding fsops.yaml",
          },
        ],
        file: CONFIG_FILE_NAME,
        text: null,
      };
    }
    const diagnostic: Diagnostic = {
      severity: "error",
      code: CONFIG_CODES.noConfigFile,
      message: missing
        ? `no ${CONFIG_FILE_NAME} in ${absDir}`
        : `cannot read ${CONFIG_FILE_NAME}: ${code ?? (err as Error).message}`,
      file: CONFIG_FILE_NAME,
      line: 1,
      column: 1,
    };
    if (missing) diagnostic.hint = `create ${CONFIG_FILE_NAME} with at least: project: my_project`;
    return { config: null, diagnostics: [diagnostic], file: CONFIG_FILE_NAME, text: null };
  }
  return {
    ...parseProjectConfig(text, { dir: absDir, file: CONFIG_FILE_NAME, env }),
    file: CONFIG_FILE_NAME,
    text,
  };
}

/** Why `dir` cannot be a project folder (it does not exist, or is a file), or null when it is a folder. */
async function folderProblem(dir: string): Promise<string | null> {
  try {
    return (await stat(dir)).isDirectory() ? null : "is not a folder";
  } catch {
    return "does not exist";
  }
}
