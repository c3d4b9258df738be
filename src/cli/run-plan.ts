import { writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { planProject } from "../commands/plan.js";
import type { ProjectPlanOutcome } from "../commands/types.js";
import { planHasChanges } from "../model/plan.js";
import { renderDiagnostics } from "../render/diagnostics.js";
import { planToJson } from "../render/plan-json.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { refillCommand } from "../render/refill.js";
import { renderPlanTerminal } from "../render/plan-terminal.js";
import { commandContext } from "./context.js";
import type { Output } from "./io.js";

export interface PlanFlags {
  json?: boolean;
  markdown?: boolean;
  out?: string;
  detailedExitcode?: boolean;
  checkSources?: boolean;
}

/**
 * `fsops plan DIR...`: one plan per project folder. Exit 1 when any project fails; otherwise 0,
 * or with --detailed-exitcode 2 when any project has changes.
 */
export async function runPlan(
  dirArgs: string[],
  flags: PlanFlags,
  env: Readonly<Record<string, string | undefined>>,
  io: Output,
): Promise<number> {
  const dirs = dirArgs.length > 0 ? dirArgs : ["."];
  const outcomes: ProjectPlanOutcome[] = [];
  for (const d of dirs) {
    const dir = resolve(d);
    outcomes.push(
      await planProject(dir, commandContext(env, dir), { checkSources: flags.checkSources ?? false }),
    );
  }

  let failed = false;
  let changed = false;
  const planned = [];
  for (const [i, o] of outcomes.entries()) {
    const label = dirs[i] ?? ".";
    if (o.status === "planned") {
      planned.push(o);
      changed ||= planHasChanges(o.plan);
      if (o.diagnostics.length > 0) io.err(renderDiagnostics(o.diagnostics, o.sources, { color: io.color }));
      if (!flags.json && !flags.markdown) {
        io.out(
          `${dirs.length > 1 ? "\n" : ""}Project ${o.project} (${label})\n  registry: ${o.registryLocation}\n  online store: ${o.onlineStoreLocation ?? "none"}\n`,
        );
        io.out(renderPlanTerminal(o.plan, { color: io.color }));
        const refill = refillCommand(o.plan, label);
        if (refill !== null) io.out(`Rebuilt views start empty; after apply, refill them with: ${refill}`);
      }
    } else if (o.status === "invalid") {
      failed = true;
      io.err(`${o.project ?? label}: definitions are invalid; no plan was made`);
      io.err(renderDiagnostics(o.diagnostics, o.sources, { color: io.color }));
    } else {
      failed = true;
      io.err(`${o.project ?? label}: error: ${o.message}${o.hint ? `\n  hint: ${o.hint}` : ""}`);
    }
  }

  const jsonPlans = planned.map((o) => planToJson(o.plan));
  const jsonText = JSON.stringify(
    jsonPlans.length === 1 && dirs.length === 1 ? jsonPlans[0] : jsonPlans,
    null,
    2,
  );
  if (flags.json) io.out(jsonText);
  if (flags.markdown) {
    io.out(
      planned
        .map((o) => renderPlanMarkdown(o.plan, { projectDir: relative(process.cwd(), o.dir) || "." }))
        .join("\n\n"),
    );
  }
  if (flags.out && !failed && planned.length > 0) {
    await writeFile(flags.out, io.clean(`${jsonText}\n`));
    if (!flags.json)
      io.err(`Saved the plan to ${flags.out}; apply it with: fsops apply ${dirs[0]} --plan ${flags.out}`);
  }
  if (failed) return 1;
  return flags.detailedExitcode && changed ? 2 : 0;
}
