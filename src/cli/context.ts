import { execFileSync } from "node:child_process";
import { userInfo } from "node:os";
import type { CommandContext } from "../commands/types.js";
import type { Output } from "./io.js";

/**
 * Who is applying and at which commit: from CI variables when present, else the local user and
 * git. Only commands that record history ask for the commit, so plan never spawns git.
 */
export function commandContext(
  env: Readonly<Record<string, string | undefined>>,
  dir: string,
  opts: { withCommit?: boolean; io?: Output } = {},
): CommandContext {
  const ctx: CommandContext = {
    env,
    who: whoAmI(env),
    commit: env.GITHUB_SHA ?? (opts.withCommit ? gitHead(dir) : null),
  };
  const io = opts.io;
  // Everything printed from then on is redacted of the project's secrets.
  if (io) ctx.onSecrets = (secrets) => io.addSecrets(secrets);
  return ctx;
}

function whoAmI(env: Readonly<Record<string, string | undefined>>): string {
  if (env.FSOPS_ACTOR) return env.FSOPS_ACTOR;
  if (env.GITHUB_ACTOR) return env.GITHUB_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? "unknown";
  }
}

function gitHead(dir: string): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return null;
  }
}
