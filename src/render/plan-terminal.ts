import pc from "picocolors";
import type { Change, FieldChange, Impact, InfraAction, Plan } from "../model/index.js";
import { IDENTITY_FIELDS, PROTECT_TAG } from "../plan/plan-changes.js";
import type { ProtectedObject } from "../plan/plan-changes.js";
import { rebuiltDependents } from "../plan/impact.js";
import {
  ACTION_SYMBOL,
  INFRA_SYMBOL,
  countImpacts,
  displayId,
  displayObjectId,
  formatValue,
  formatValueLines,
  isMultiline,
  plural,
  statementText,
  summaryCounts,
  visibleControls,
} from "./format.js";
import { textDiffLines } from "./text-diff.js";

export interface TerminalPlanOptions {
  /** The CLI decides (NO_COLOR, TTY); the renderer never looks at the environment. */
  color: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

const FIELD_INDENT = "      ";

/**
 * The plan as Terraform users expect to read it: one block per object marked `+ ~ - -/+`,
 * field diffs under it (long text as a unified diff), what it affects downstream, the
 * online-store actions with their exact statements, and a closing count line.
 */
export function renderPlanTerminal(
  plan: Plan & { protected?: readonly ProtectedObject[] },
  opts: TerminalPlanOptions,
): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [];
  const serial =
    plan.registry.lineage === null ? "no registry state yet" : `registry serial ${plan.registry.serial}`;
  out.push(
    c.bold(`fsops plan: ${visibleControls(plan.project)}`) +
      c.dim(` (${serial}, ${plural(plan.unchanged, "object")} unchanged)`),
    "",
  );

  for (const change of plan.changes) out.push(...changeBlock(change, c), "");

  if (plan.infra.length > 0) {
    out.push(c.bold("Online store:"));
    for (const action of plan.infra) out.push(...infraBlock(action, c));
    out.push("");
  }

  const kept = plan.protected ?? [];
  if (kept.length > 0) {
    out.push(c.bold(`Kept (tagged ${PROTECT_TAG}: "true", never deleted by apply):`));
    for (const p of kept) out.push(`    ${visibleControls(displayId(p.kind, p.name))}${location(p, c)}`);
    out.push("");
  }

  if (plan.changes.length === 0 && plan.infra.length === 0) {
    out.push(c.green("No changes.") + c.dim(" The registry matches the definitions."));
    return out.join("\n") + "\n";
  }

  const impacts = countImpacts(plan.changes);
  const infraImpacts = countImpacts(plan.infra);
  const destructive = impacts.destructive + infraImpacts.destructive;
  const rebuilds = impacts.rebuild + infraImpacts.rebuild;
  if (destructive > 0 || rebuilds > 0) {
    const parts = [];
    if (impacts.destructive > 0) parts.push(plural(impacts.destructive, "destructive change"));
    if (impacts.rebuild > 0)
      parts.push(plural(impacts.rebuild, "change that rebuilds", "changes that rebuild") + " online data");
    if (infraImpacts.destructive > 0)
      parts.push(plural(infraImpacts.destructive, "destructive online-store action"));
    if (infraImpacts.rebuild > 0) parts.push(plural(infraImpacts.rebuild, "online-store rebuild"));
    out.push((destructive > 0 ? c.red : c.yellow)(c.bold(`Warning: ${parts.join(", ")}.`)));
    out.push(c.dim(approvalNote(destructive, rebuilds)));
  }
  out.push(c.bold(`Plan: ${summaryCounts(plan)}.`));
  if (plan.infra.length > 0) {
    const detail = (["destructive", "rebuild"] as const)
      .filter((i) => infraImpacts[i] > 0)
      .map((i) => `${infraImpacts[i]} ${i}`);
    out.push(
      c.bold(
        `Online store: ${plural(plan.infra.length, "action")}${detail.length ? ` (${detail.join(", ")})` : ""}.`,
      ),
    );
  }
  return out.join("\n") + "\n";
}

function changeBlock(change: Change, c: Colors): string[] {
  const lines = [
    `${symbol(change.action, c)} ${c.bold(visibleControls(displayId(change.kind, change.name)))}  ${impactLabel(change.impact, c)}${location(change, c)}`,
  ];
  const identity = IDENTITY_FIELDS[change.kind] ?? [];
  for (const f of change.fields) {
    const forces = change.action === "replace" && identity.includes(f.path);
    lines.push(...fieldLines(change, f, c, forces));
  }
  const rebuilt = rebuiltDependents(change);
  if (rebuilt.length > 0) lines.push(`${FIELD_INDENT}${c.yellow("rebuilds:")} ${ids(rebuilt)}`);
  if (change.dependents.length > 0)
    lines.push(`${FIELD_INDENT}${c.dim("affects:")} ${ids(change.dependents)}`);
  return lines;
}

function fieldLines(change: Change, f: FieldChange, c: Colors, forcesReplacement: boolean): string[] {
  const mark: "+" | "-" | "~" =
    change.action === "create" || f.before === null
      ? "+"
      : change.action === "delete" || f.after === null
        ? "-"
        : "~";
  const paint = mark === "+" ? c.green : mark === "-" ? c.red : c.yellow;
  const head = `${FIELD_INDENT}${paint(mark)} ${visibleControls(f.path)}:`;
  const note = forcesReplacement ? c.red("  # forces replacement") : "";

  if (isMultiline(f)) {
    const lines = [head + note];
    for (const l of textDiffLines(f.before, f.after)) {
      if (l.mark === "@" && (f.before === null || f.after === null)) continue;
      const text = visibleControls(l.text);
      const body =
        l.mark === "@"
          ? c.cyan(text)
          : l.mark === "+"
            ? c.green(`+${text}`)
            : l.mark === "-"
              ? c.red(`-${text}`)
              : ` ${text}`;
      lines.push(`${FIELD_INDENT}    ${body}`);
    }
    return lines;
  }

  if (mark !== "~") {
    const value = mark === "+" ? f.after : f.before;
    const many = formatValueLines(value);
    if (many) return [head + note, ...many.map((l) => `${FIELD_INDENT}    ${visibleControls(l)}`)];
    return [`${head} ${visibleControls(formatValue(value, f.path))}${note}`];
  }
  const before = visibleControls(formatValue(f.before, f.path));
  const after = visibleControls(formatValue(f.after, f.path));
  return [`${head} ${before} ${c.dim("→")} ${after}${note}`];
}

function infraBlock(a: InfraAction, c: Colors): string[] {
  const sym = INFRA_SYMBOL[a.action];
  const paint = sym === "+" ? c.green : sym === "-" ? c.red : c.yellow;
  const head = `${pad(sym === "-/+" ? `${c.red("-")}/${c.green("+")}` : paint(sym), sym.length)} ${c.bold(`${a.action} ${visibleControls(a.target)}`)}  ${impactLabel(a.impact, c)}${c.dim(`  ${visibleControls(a.reason)}`)}`;
  const lines = [head];
  for (const s of a.statements) {
    for (const l of statementText(a.store, s).split("\n")) lines.push(`${FIELD_INDENT}${visibleControls(l)}`);
  }
  return lines;
}

function symbol(action: Change["action"], c: Colors): string {
  const sym = ACTION_SYMBOL[action];
  const painted =
    action === "create"
      ? c.green(sym)
      : action === "update"
        ? c.yellow(sym)
        : action === "delete"
          ? c.red(sym)
          : `${c.red("-")}/${c.green("+")}`;
  return pad(painted, sym.length);
}

/** Right-align a (possibly colored) symbol in three columns. */
function pad(painted: string, visibleLength: number): string {
  return " ".repeat(Math.max(0, 3 - visibleLength)) + painted;
}

function impactLabel(impact: Impact, c: Colors): string {
  const text = `(${impact})`;
  return impact === "destructive" ? c.red(c.bold(text)) : impact === "rebuild" ? c.yellow(text) : c.dim(text);
}

function location(where: { file: string | null; line: number | null }, c: Colors): string {
  if (where.file === null) return "";
  return c.dim(`  ${visibleControls(where.file)}${where.line !== null ? `:${where.line}` : ""}`);
}

function ids(list: readonly string[]): string {
  return list.map((id) => visibleControls(displayObjectId(id))).join(", ");
}

/** What apply needs before it runs these changes; the same rule as src/commands/apply.ts. */
function approvalNote(destructive: number, rebuilds: number): string {
  if (destructive > 0 && rebuilds > 0)
    return "Apply refuses them unless allowed: --allow-destroy (which also allows the rebuilds).";
  if (destructive > 0) return "Apply refuses destructive changes unless allowed: --allow-destroy.";
  return "Apply refuses rebuilds unless allowed: --allow-rebuild (or --allow-destroy).";
}
