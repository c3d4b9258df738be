import type { Change, FieldChange, GraphEdge, Impact, InfraAction, Plan } from "../model/index.js";
import { explainChange, rebuiltDependents } from "../plan/impact.js";
import { PROTECT_TAG } from "../plan/plan-changes.js";
import type { ProtectedObject } from "../plan/plan-changes.js";
import { compareIds } from "../plan/references.js";
import {
  ACTION_SYMBOL,
  INFRA_SYMBOL,
  changeId,
  countImpacts,
  displayId,
  displayObjectId,
  formatValue,
  formatValueLines,
  infraByObject,
  isMultiline,
  plural,
  statementText,
  summaryCounts,
} from "./format.js";
import { textDiffLines } from "./text-diff.js";
import { mermaidLabel } from "./graph.js";
import { codeBlock, codeSpan, escapeHtml, escapeInline, linkUrl, tableCell } from "./markdown.js";

/**
 * How much to show. Each level drops more, so the GitHub Action can fit a comment into
 * 65,536 characters: `full` → `no-diagrams` (no Mermaid) → `no-fields` (no per-object diffs
 * or DDL) → `summary` (no table: the summary line, the warnings and the kept objects only).
 */
export type MarkdownDetail = "full" | "no-diagrams" | "no-fields" | "summary";

export interface MarkdownPlanOptions {
  /** Bold label of the summary line; defaults to the project name. */
  title?: string;
  /** Prefix of definition links, e.g. `https://github.com/o/r/blob/<sha>/`; no links without it. */
  linkBase?: string;
  /** The project folder inside the repository, prepended to definition files in links. */
  projectDir?: string;
  detail?: MarkdownDetail;
  /**
   * With `no-fields`: show only the first `maxRows` rows of the table of changes (and at most
   * the summary's number of warnings), then say how many are left out. Lets the Action fill a
   * comment up to its limit instead of dropping to the summary.
   */
  maxRows?: number;
}

/** Lists in the warning block stop here in `summary` mode, which must stay small at any plan size. */
const SUMMARY_WARNING_LIMIT = 20;
/** Mermaid on GitHub gives up on large graphs; the diagram shows at most this many objects. */
const DIAGRAM_NODE_LIMIT = 60;

type RenderablePlan = Plan & { protected?: readonly ProtectedObject[]; edges?: readonly GraphEdge[] };

/**
 * One project's section of a PR comment or job summary: summary line, warnings for
 * destructive changes and rebuilds, a table of changes, per-object details with field diffs
 * and DDL, and a Mermaid diagram of the blast radius. Well-formed at every detail level.
 */
export function renderPlanMarkdown(plan: RenderablePlan, opts: MarkdownPlanOptions = {}): string {
  const detail = opts.detail ?? "full";
  const blocks: string[] = [summaryLine(plan, opts.title ?? plan.project)];

  const rowCut = detail === "no-fields" && opts.maxRows !== undefined && opts.maxRows < plan.changes.length;
  const listLimit = detail === "summary" || rowCut ? SUMMARY_WARNING_LIMIT : Infinity;
  const warning = warningBlock(plan, listLimit);
  if (warning) blocks.push(warning);
  const kept = keptBlock(plan.protected ?? [], listLimit);
  if (kept) blocks.push(kept);

  if (detail !== "summary" && plan.changes.length > 0) {
    blocks.push(changesTable(plan, opts, rowCut ? opts.maxRows! : plan.changes.length));
    if (rowCut) {
      const rest = plan.changes.length - opts.maxRows!;
      blocks.push(
        `<sub>…and ${plural(rest, "more change")}: left out of this table to fit; see the full plan.</sub>`,
      );
    }
  }

  if (detail === "full" || detail === "no-diagrams") {
    const infra = infraByObject(plan);
    for (const change of plan.changes) blocks.push(changeDetails(change, infra.get(changeId(change)) ?? []));
    const loose = infra.get(null);
    if (loose) blocks.push(looseInfraDetails(loose));
  } else if (plan.changes.length + plan.infra.length > 0) {
    blocks.push(
      detail === "summary"
        ? "<sub>The table of changes, field diffs and DDL are left out to fit; see the full plan.</sub>"
        : "<sub>Field diffs and DDL are left out to fit; see the full plan.</sub>",
    );
  }

  if (detail === "full" && plan.changes.length > 0) blocks.push(blastRadius(plan));
  return blocks.join("\n\n") + "\n";
}

function summaryLine(plan: RenderablePlan, title: string): string {
  const label = `**${escapeInline(title)}**`;
  if (plan.changes.length === 0 && plan.infra.length === 0) return `${label}: no changes.`;
  const infra = plan.infra.length > 0 ? `; ${plural(plan.infra.length, "online-store action")}` : "";
  return `${label}: ${summaryCounts(plan)}${infra}`;
}

function warningBlock(plan: RenderablePlan, limit: number): string | null {
  const items: { impact: Impact; text: string }[] = [];
  for (const c of plan.changes) {
    if (c.impact === "safe") continue;
    const reasons = [
      ...new Set(
        explainChange(c)
          .filter((r) => r.impact === c.impact)
          .map((r) => r.message),
      ),
    ];
    const rebuilt = rebuiltDependents(c);
    const also =
      rebuilt.length > 0 ? ` (${rebuilt.map((id) => codeSpan(displayObjectId(id))).join(", ")})` : "";
    items.push({
      impact: c.impact,
      text: `${codeSpan(`${ACTION_SYMBOL[c.action]} ${displayId(c.kind, c.name)}`)}: ${escapeInline(reasons.join("; "))}${also}`,
    });
  }
  for (const a of plan.infra) {
    if (a.impact === "safe") continue;
    items.push({
      impact: a.impact,
      text: `online store ${codeSpan(`${a.action} ${a.target}`)}: ${escapeInline(a.reason)}`,
    });
  }
  if (items.length === 0) return null;

  const changes = countImpacts(plan.changes);
  const infra = countImpacts(plan.infra);
  const headline = [
    changes.destructive > 0 ? plural(changes.destructive, "destructive change") : null,
    changes.rebuild > 0 ? plural(changes.rebuild, "rebuild") : null,
    infra.destructive > 0 ? plural(infra.destructive, "destructive online-store action") : null,
    infra.rebuild > 0 ? plural(infra.rebuild, "online-store rebuild") : null,
  ].filter((x) => x !== null);
  // Both are refused by apply unless approved (src/commands/apply.ts), so both get the red alert.
  const explain =
    changes.destructive + infra.destructive > 0
      ? "Destructive changes lose data or something a consumer depends on; apply refuses them unless they are explicitly allowed."
      : "Rebuilt views lose their online data until it is materialized again; apply refuses them unless they are explicitly allowed.";

  const sorted = [
    ...items.filter((i) => i.impact === "destructive"),
    ...items.filter((i) => i.impact === "rebuild"),
  ];
  const shown = sorted.slice(0, limit);
  const lines = [
    "> [!CAUTION]",
    `> **${headline.join(", ")}.** ${explain}`,
    ">",
    ...shown.map((i) => `> - **${i.impact}** ${i.text}`),
  ];
  if (sorted.length > shown.length) lines.push(`> - …and ${sorted.length - shown.length} more`);
  return lines.join("\n");
}

function keptBlock(kept: readonly ProtectedObject[], limit: number): string | null {
  if (kept.length === 0) return null;
  const shown = kept.slice(0, limit).map((p) => codeSpan(displayId(p.kind, p.name)));
  const more = kept.length > shown.length ? ` and ${kept.length - shown.length} more` : "";
  return [
    "> [!NOTE]",
    `> Kept, not deleted: ${shown.join(", ")}${more}. No longer defined, but tagged ${codeSpan(`${PROTECT_TAG}: "true"`)}.`,
  ].join("\n");
}

function changesTable(plan: RenderablePlan, opts: MarkdownPlanOptions, count: number): string {
  const rows = [
    "| Action | Kind | Name | Impact | Definition |",
    "| --- | --- | --- | --- | --- |",
    ...plan.changes
      .slice(0, Math.max(0, count))
      .map((c) =>
        [
          "",
          ` ${codeSpan(`${ACTION_SYMBOL[c.action]} ${c.action}`, true)} `,
          ` ${tableCell(c.kind)} `,
          ` ${codeSpan(c.name, true)} `,
          ` ${c.impact === "safe" ? "safe" : `**${c.impact}**`} `,
          ` ${definitionLink(c, opts)} `,
          "",
        ].join("|"),
      ),
  ];
  return rows.join("\n");
}

function definitionLink(c: Pick<Change, "file" | "line">, opts: MarkdownPlanOptions): string {
  if (c.file === null) return "";
  const text = tableCell(`${c.file}${c.line !== null ? `:${c.line}` : ""}`);
  if (!opts.linkBase) return text;
  const path = [...(opts.projectDir ?? "").split("/"), ...c.file.split("/")]
    .filter((seg) => seg !== "" && seg !== ".")
    .map((seg) => encodeURIComponent(seg))
    .join("/");
  const base = opts.linkBase.endsWith("/") ? opts.linkBase : `${opts.linkBase}/`;
  return `[${text}](${linkUrl(`${base}${path}${c.line !== null ? `#L${c.line}` : ""}`)})`;
}

function changeDetails(change: Change, infra: readonly InfraAction[]): string {
  const summary = `<code>${escapeHtml(`${ACTION_SYMBOL[change.action]} ${displayId(change.kind, change.name)}`)}</code> (${change.impact})`;
  const parts = [`<details><summary>${summary}</summary>`];
  if (change.fields.length > 0) parts.push(codeBlock("diff", fieldDiff(change).join("\n")));
  if (change.dependents.length > 0) {
    parts.push(`Affects: ${change.dependents.map((id) => codeSpan(displayObjectId(id))).join(", ")}`);
  }
  for (const a of infra) parts.push(infraBlock(a));
  parts.push("</details>");
  return parts.join("\n\n");
}

function looseInfraDetails(actions: readonly InfraAction[]): string {
  return [
    `<details><summary>Online store: ${escapeHtml(plural(actions.length, "action"))} without a definition change</summary>`,
    ...actions.map(infraBlock),
    "</details>",
  ].join("\n\n");
}

function infraBlock(a: InfraAction): string {
  const header = `${INFRA_SYMBOL[a.action]} ${a.action} ${a.target} (${a.impact}): ${a.reason}`;
  if (a.store === "postgres") {
    const body = [
      `-- ${header.replace(/\r?\n|\r/g, " ")}`,
      ...a.statements.map((s) => statementText(a.store, s)),
    ];
    return codeBlock("sql", body.join("\n"));
  }
  return codeBlock("text", [`# ${header.replace(/\r?\n|\r/g, " ")}`, ...a.statements].join("\n"));
}

/** Field changes as `diff` lines: `-` what goes, `+` what comes, unified diffs for long text. */
function fieldDiff(change: Change): string[] {
  const out: string[] = [];
  for (const f of change.fields) {
    if (isMultiline(f)) {
      out.push(`  ${f.path}:`);
      for (const l of textDiffLines(f.before, f.after)) {
        if (l.mark === "@") {
          if (f.before !== null && f.after !== null) out.push(`  ${l.text}`);
        } else out.push(`${l.mark}   ${l.text}`);
      }
      continue;
    }
    if (f.before !== null) out.push(...valueLines("-", f, f.before));
    if (f.after !== null) out.push(...valueLines("+", f, f.after));
  }
  return out;
}

function valueLines(mark: "-" | "+", f: FieldChange, value: FieldChange["before"]): string[] {
  const many = formatValueLines(value);
  if (many) return [`${mark} ${f.path}:`, ...many.map((l) => `${mark}     ${l}`)];
  return [`${mark} ${f.path}: ${formatValue(value, f.path)}`];
}

/**
 * The changed objects and everything downstream of them, arrows pointing from what changes to
 * what it affects. Node ids are indexes (n0, n1…), so no name can break Mermaid's syntax;
 * labels are quoted with Mermaid's entity escapes.
 */
function blastRadius(plan: RenderablePlan): string {
  const changed = new Map(plan.changes.map((c) => [changeId(c), c] as const));
  const all = new Set<string>(changed.keys());
  for (const c of plan.changes) for (const d of c.dependents) all.add(d);
  const ordered = [...all].sort(compareIds);
  const shown = ordered.slice(0, DIAGRAM_NODE_LIMIT);
  const position = new Map(shown.map((id, i) => [id, i] as const));

  const lines = ["flowchart LR"];
  for (const id of shown) {
    const c = changed.get(id);
    const label = c ? `${ACTION_SYMBOL[c.action]} ${displayObjectId(id)}` : displayObjectId(id);
    lines.push(`  n${position.get(id)}["${mermaidLabel(label)}"]:::${c ? c.impact : "affected"}`);
  }
  const edges =
    plan.edges ?? plan.changes.flatMap((c) => c.dependents.map((d) => ({ from: d, to: changeId(c) })));
  const arrows = new Map<string, [number, number]>();
  for (const e of edges) {
    const from = position.get(e.to);
    const to = position.get(e.from);
    if (from !== undefined && to !== undefined) arrows.set(`${from}>${to}`, [from, to]);
  }
  for (const [from, to] of [...arrows.values()].sort((a, b) => a[0] - b[0] || a[1] - b[1])) {
    lines.push(`  n${from} --> n${to}`);
  }
  lines.push(
    "  classDef destructive fill:#ffebe9,stroke:#cf222e,color:#1f2328",
    "  classDef rebuild fill:#fff8c5,stroke:#9a6700,color:#1f2328",
    "  classDef safe fill:#dafbe1,stroke:#1a7f37,color:#1f2328",
    "  classDef affected fill:#f6f8fa,stroke:#8c959f,color:#1f2328,stroke-dasharray:4 3",
  );
  const note =
    ordered.length > shown.length
      ? `\n\n<sub>The diagram shows ${shown.length} of ${ordered.length} affected objects.</sub>`
      : "";
  return `<details><summary>Blast radius</summary>\n\n${codeBlock("mermaid", lines.join("\n"))}${note}\n\n</details>`;
}
