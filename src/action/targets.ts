import { statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { InputError } from "./inputs.js";
import type { ActionSettings } from "./inputs.js";
import type { RunContext } from "./github-context.js";
import type { CommandContext } from "../commands/types.js";

/** One project folder the Action works on. */
export interface ProjectTarget {
  /** As written in the `projects` input. */
  input: string;
  /** Absolute folder, handed to the commands. */
  abs: string;
  /** Relative to the repository root (posix, "." for the root): links, annotations, comment sections. */
  repoPath: string;
}

export function resolveTargets(settings: ActionSettings, run: RunContext): ProjectTarget[] {
  const base = resolve(run.workspace, settings.workingDirectory);
  return settings.projects.map((input) => {
    const abs = resolve(base, input);
    if (!isDirectory(abs)) {
      throw new InputError(
        `input "projects" has "${input}", which is not a folder (looked for ${abs}); expected project folders relative to working-directory "${settings.workingDirectory}"`,
      );
    }
    const rel = relative(run.workspace, abs).split(sep).join("/");
    return { input, abs, repoPath: rel === "" ? "." : rel };
  });
}

/** Who and what the commands record in the registry history. */
export function commandContext(
  run: RunContext,
  env: Readonly<Record<string, string | undefined>>,
): CommandContext {
  return { env, who: `${run.actor} (GitHub Actions)`, commit: run.sha };
}

/** `https://github.com/o/r/blob/<sha>`: definition links point at the commit reviewers see. */
export function linkBase(run: RunContext): string {
  return `${run.serverUrl}/${run.owner}/${run.repo}/blob/${run.headSha}`;
}

/** Annotation path of a project file: relative to the repository root, as GitHub expects. */
export function repoFile(target: ProjectTarget, file: string): string {
  return target.repoPath === "." ? file : `${target.repoPath}/${file}`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
