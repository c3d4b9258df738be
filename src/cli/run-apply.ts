import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { applyProject } from "../commands/apply.js";
import type { ApplyOptions } from "../commands/types.js";
import type { Plan } from "../model/plan.js";
import type { PlanJson } from "../render/plan-json.js";
import { renderDiagnostics } from "../render/diagnostics.js";
import { parsePlanJson } from "../render/plan-json.js";
import { refillCommand } from "../render/refill.js";
import { renderPlanTerminal } from "../render/plan-terminal.js";
import { commandContext } from "./context.js";
import type { Output } from "./io.js";
import { confirmYes } from "./prompt.js";

export interface ApplyFlags {
  plan?: string;
  autoApprove?: boolean;
  allowDestroy?: boolean;
}

export async function runApply(
  dirArg: string | undefined,
  flags: ApplyFlags,
  env: Readonly<Record<string, string | undefined>>,
  io: Output,
  interactive: boolean,
): Promise<number> {
  const dir = resolve(dirArg ?? ".");
  const opts: ApplyOptions = { allowDestroy: flags.allowDestroy ?? false };

  if (flags.plan) {
    const saved = await readSavedPlan(flags.plan, io);
    if (!saved) return 1;
    opts.expectedProject = saved.project;
    opts.expectedFingerprint = saved.fingerprint;
    opts.expectedRegistry = saved.registry;
  } else if (!flags.autoApprove) {
    if (!interactive) {
      io.err(
        "error: no terminal to confirm on: pass --auto-approve, or apply a reviewed plan with --plan FILE (from fsops plan --out FILE)",
      );
      return 1;
    }
    opts.confirm = async (plan: Plan) => {
      io.out(renderPlanTerminal(plan, { color: io.color }));
      return confirmYes(`\nDo you want to apply these changes to ${plan.project}?`);
    };
  }

  const outcome = await applyProject(dir, commandContext(env, dir, { withCommit: true }), opts);
  switch (outcome.status) {
    case "applied":
      if (!opts.confirm) io.out(renderPlanTerminal(outcome.plan, { color: io.color }));
      io.out(`\nApply complete: ${outcome.project} is at serial ${outcome.serial}.`);
      {
        const refill = refillCommand(outcome.plan, dirArg ?? ".");
        if (refill !== null) io.out(`Rebuilt views are empty now; refill them with: ${refill}`);
      }
      return 0;
    case "no-changes":
      io.out(`No changes. ${outcome.project} is up to date at serial ${outcome.serial}.`);
      return 0;
    case "cancelled":
      io.err("Apply cancelled; nothing was changed.");
      return 1;
    default:
      if (outcome.invalid)
        io.err(renderDiagnostics(outcome.invalid.diagnostics, outcome.invalid.sources, { color: io.color }));
      if (outcome.plan && outcome.reason === "destructive-not-allowed") {
        io.err(renderPlanTerminal(outcome.plan, { color: io.color }));
      }
      io.err(`error: ${outcome.message}${outcome.hint ? `\n  hint: ${outcome.hint}` : ""}`);
      io.err(outcome.status === "refused" ? "Nothing was changed." : "The registry was not changed.");
      return 1;
  }
}

async function readSavedPlan(file: string, io: Output): Promise<PlanJson | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    io.err(`error: cannot read the plan file ${file}: ${(err as Error).message}`);
    return null;
  }
  try {
    return parsePlanJson(text);
  } catch (err) {
    io.err(`error: ${file} is not an fsops plan: ${(err as Error).message}`);
    return null;
  }
}
