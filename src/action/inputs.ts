import * as core from "@actions/core";

export type ActionCommand = "plan" | "apply" | "validate" | "materialize";
const ACTION_COMMANDS: readonly ActionCommand[] = ["plan", "apply", "validate", "materialize"];

/**
 * When the sticky PR comment is written. `changes-only` still updates an existing comment, so a
 * push that removes every change never leaves an outdated plan on the PR.
 */
export type CommentMode = "always" | "changes-only" | "never";

/** Everything the Action was asked to do, read once from the step's `with:` inputs. */
export interface ActionSettings {
  /** `plan` on pull requests, `apply` on push to the default branch, `validate` anywhere. */
  command: ActionCommand;
  /** Project folders as written (posix, no trailing slash), relative to `workingDirectory`; deduplicated, order kept. */
  projects: string[];
  /** Token for the PR comment; empty means no GitHub API calls at all. */
  githubToken: string;
  comment: CommentMode;
  /** Apply destructive changes (deleted views, dropped columns) instead of refusing them. */
  allowDestroy: boolean;
  /** Check PostgreSQL sources against the offline store while planning. */
  checkSources: boolean;
  /** Folder the project paths are relative to, as written (posix, relative to the workspace); "." by default. */
  workingDirectory: string;
  /** `command: materialize`: the views to fill (empty: every online view). */
  views: string[];
  /** `command: materialize`: only views whose batchSchedule ticked since their last end. */
  due: boolean;
}

/** An input the user set to something the Action cannot use; the message quotes it. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** Read the step inputs. Only this module reads them, so every other module receives typed settings. */
export function getSettings(
  getInput: (name: string) => string = (name) => core.getInput(name),
): ActionSettings {
  return parseSettings(getInput);
}

/** Pure: the same validation for any input source (tests pass a record lookup). */
export function parseSettings(getInput: (name: string) => string): ActionSettings {
  const read = (name: string): string => getInput(name).trim();
  return {
    command: parseChoice("command", read("command") || "plan", ACTION_COMMANDS),
    projects: parseProjects(read("projects")),
    githubToken: read("github-token"),
    comment: parseCommentMode(read("comment")),
    allowDestroy: parseBoolean("allow-destroy", read("allow-destroy"), false),
    checkSources: parseBoolean("check-sources", read("check-sources"), false),
    workingDirectory: parseRelativeDir("working-directory", read("working-directory") || "."),
    views: read("views")
      .split(/[\s,]+/)
      .filter((v) => v !== ""),
    due: parseBoolean("due", read("due"), false),
  };
}

function parseChoice<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((a) => a === value);
  if (match === undefined) {
    throw new InputError(`input "${name}" is "${value}"; expected one of: ${allowed.join(", ")}`);
  }
  return match;
}

const TRUE_WORDS = ["true", "True", "TRUE"];
const FALSE_WORDS = ["false", "False", "FALSE"];

function parseBoolean(name: string, value: string, fallback: boolean): boolean {
  if (value === "") return fallback;
  if (TRUE_WORDS.includes(value)) return true;
  if (FALSE_WORDS.includes(value)) return false;
  throw new InputError(`input "${name}" is "${value}"; expected true or false`);
}

function parseCommentMode(value: string): CommentMode {
  if (value === "" || TRUE_WORDS.includes(value)) return "always";
  if (FALSE_WORDS.includes(value)) return "never";
  if (value === "changes-only") return "changes-only";
  throw new InputError(`input "comment" is "${value}"; expected true, changes-only or false`);
}

/** Newline- or space-separated folders; `examples/staging/` and `./examples/staging` are the same project. */
function parseProjects(value: string): string[] {
  const words = value.split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return ["."];
  const out: string[] = [];
  for (const word of words) {
    const dir = parseRelativeDir("projects", word);
    if (!out.includes(dir)) out.push(dir);
  }
  return out;
}

/**
 * Folders must stay inside the checkout: links in the comment and annotation paths are built
 * from them, and an absolute path would point the registry lookup anywhere on the runner.
 */
function parseRelativeDir(name: string, value: string): string {
  const posix = value.replace(/\\/g, "/");
  if (posix.startsWith("/") || /^[A-Za-z]:/.test(posix)) {
    throw new InputError(`input "${name}" has "${value}"; expected a folder relative to the repository root`);
  }
  const parts: string[] = [];
  for (const part of posix.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) {
        throw new InputError(
          `input "${name}" has "${value}", which leaves the repository; expected a folder inside it`,
        );
      }
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.length === 0 ? "." : parts.join("/");
}
