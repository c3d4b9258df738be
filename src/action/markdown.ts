/**
 * Action-specific Markdown: the diagnostics table, error blocks and apply status blocks.
 * The plan itself is rendered by src/render/plan-markdown.ts. Pure.
 */
import type { Diagnostic } from "../model/diagnostic.js";
import type { FailureReason } from "../commands/types.js";
import { plural } from "../render/format.js";
import { codeSpan, escapeInline, linkUrl, tableCell } from "../render/markdown.js";

/** Where a project's files are on GitHub, for links to definition lines. */
export interface SourceLinks {
  /** `https://github.com/o/r/blob/<sha>`; null when links cannot be built. */
  linkBase: string | null;
  /** The project folder relative to the repository root (posix, "." for the root). */
  projectPath: string;
}

/** Link to `file` (relative to the project) at `line`, or null. */
export function sourceUrl(links: SourceLinks, file: string, line: number | null): string | null {
  if (links.linkBase === null) return null;
  const path = links.projectPath === "." ? file : `${links.projectPath}/${file}`;
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return linkUrl(`${links.linkBase}/${encoded}${line === null ? "" : `#L${line}`}`);
}

export function countDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const parts = [plural(errors, "error")];
  if (warnings > 0) parts.push(plural(warnings, "warning"));
  return parts.join(", ");
}

/** A table of diagnostics, each located and linked; at most `maxRows` rows, then a count of the rest. */
export function renderDiagnosticsTable(
  diagnostics: readonly Diagnostic[],
  links: SourceLinks,
  maxRows = Number.POSITIVE_INFINITY,
): string {
  if (diagnostics.length === 0) return "";
  const rows = diagnostics.slice(0, maxRows).map((d) => {
    const where = `${d.file}:${d.line}:${d.column}`;
    const url = sourceUrl(links, d.file, d.line);
    const location = url ? `[${tableCell(where)}](${url})` : tableCell(where);
    const message = d.hint ? `${tableCell(d.message)}<br>*${tableCell(d.hint)}*` : tableCell(d.message);
    const severity = d.severity === "error" ? "❌ error" : "⚠️ warning";
    return `| ${severity} | ${codeSpan(d.code, true)} | ${location} | ${message} |`;
  });
  const lines = ["| | Code | Where | Message |", "| --- | --- | --- | --- |", ...rows];
  const rest = diagnostics.length - rows.length;
  if (rest > 0)
    lines.push("", `…and ${plural(rest, "more diagnostic")} (see the job summary and the annotations).`);
  return lines.join("\n");
}

export interface AppliedStatus {
  kind: "applied";
  serial: number;
  commit: string;
  time: string;
  runUrl: string | null;
}
export interface UnchangedStatus {
  kind: "no-changes";
  serial: number;
  commit: string;
  runUrl: string | null;
}
export interface FailedStatus {
  kind: "failed";
  reason: FailureReason | null;
  message: string;
  hint?: string;
  commit: string;
  runUrl: string | null;
}
export interface SkippedStatus {
  kind: "skipped";
  because: string;
  commit: string;
  runUrl: string | null;
}
export type ApplyStatus = AppliedStatus | UnchangedStatus | FailedStatus | SkippedStatus;

/** The block apply puts at the top of a project's section. */
export function renderApplyStatus(status: ApplyStatus): string {
  const commit = `commit ${codeSpan(status.commit.slice(0, 12))}`;
  const run = status.runUrl ? ` · [run](${status.runUrl})` : "";
  switch (status.kind) {
    case "applied":
      return `> [!NOTE]\n> ✅ **Applied**: registry serial ${status.serial} · ${commit} · ${status.time}${run}`;
    case "no-changes":
      return `> [!NOTE]\n> ✅ **Nothing to apply**: the registry already matches (serial ${status.serial}) · ${commit}${run}`;
    case "skipped":
      return `> [!WARNING]\n> ⏭️ **Not applied**: ${escapeInline(status.because)} · ${commit}${run}`;
    case "failed": {
      const reason = status.reason ? ` (${codeSpan(status.reason)})` : "";
      return cautionBlock(`**Apply failed**${reason}`, status.message, ` · ${commit}${run}`, status.hint);
    }
  }
}

/** A project that could not be planned (registry unreadable, store unreachable). */
export function renderErrorBlock(message: string, hint: string | undefined): string {
  return cautionBlock("**Could not plan**", message, "", hint);
}

// escapeInline folds line breaks, so a message or hint stays inside its quote block.
function cautionBlock(label: string, message: string, suffix: string, hint: string | undefined): string {
  const lines = ["> [!CAUTION]", `> ❌ ${label}: ${escapeInline(message)}${suffix}`];
  if (hint) lines.push(">", `> ${escapeInline(hint)}`);
  return lines.join("\n");
}
