import pc from "picocolors";
import { compareDiagnostics } from "../model/index.js";
import type { Diagnostic } from "../model/index.js";
import { plural, visibleControls } from "./format.js";

export interface DiagnosticsOptions {
  /** The CLI decides (NO_COLOR, TTY); the renderer never looks at the environment. */
  color: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

/** Lines longer than this are shown as a window around the column (minified or generated code). */
const MAX_LINE = 160;
const WINDOW_BEFORE = 60;

/**
 * Diagnostics the way TypeScript prints them, `file:line:col - error FS123: message`, each with
 * a code frame (the line before, the line, a caret underline of the span) and its hint, then a
 * count. `sources` maps a diagnostic's file (relative to the project) to its text; a file not
 * in the map just gets no frame.
 */
export function renderDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  opts: DiagnosticsOptions,
): string {
  const c = pc.createColors(opts.color);
  const out: string[] = [];
  for (const d of [...diagnostics].sort(compareDiagnostics)) {
    out.push(header(d, c));
    const text = sources.get(d.file);
    const frame = text === undefined ? [] : codeFrame(text, d, c);
    if (frame.length > 0) out.push("", ...frame);
    if (d.hint) out.push(`  ${c.cyan("hint:")} ${visibleControls(oneLine(d.hint))}`);
    out.push("");
  }
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const count = `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
  out.push(errors > 0 ? c.red(c.bold(count)) : warnings > 0 ? c.yellow(c.bold(count)) : c.green(count));
  return out.join("\n") + "\n";
}

function header(d: Diagnostic, c: Colors): string {
  const severity = d.severity === "error" ? c.red(c.bold("error")) : c.yellow(c.bold("warning"));
  const where =
    d.file === ""
      ? ""
      : `${c.cyan(visibleControls(d.file))}${d.line > 0 ? c.yellow(`:${d.line}${d.column > 0 ? `:${d.column}` : ""}`) : ""} - `;
  return `${where}${severity} ${c.gray(d.code)}: ${visibleControls(oneLine(d.message))}`;
}

/** The line before and the line of the diagnostic, with the span underlined. */
export function codeFrame(
  text: string,
  d: Pick<Diagnostic, "line" | "column" | "length" | "severity">,
  c: Colors,
): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (d.line < 1 || d.line > lines.length) return [];
  const first = Math.max(1, d.line - 1);
  const gutter = String(d.line).length;
  const out: string[] = [];
  for (let n = first; n <= d.line; n++) {
    const raw = lines[n - 1] ?? "";
    const { shown, offset } = window(raw, n === d.line ? d.column : 1);
    const marker = n === d.line ? c.red(c.bold(">")) : " ";
    const code = printable(shown);
    out.push(`${marker} ${c.gray(`${String(n).padStart(gutter)} |`)}${code === "" ? "" : ` ${code}`}`);
    if (n === d.line) {
      const col = Math.min(Math.max(1, d.column), raw.length + 1);
      const length = Math.max(1, Math.min(d.length ?? 1, raw.length - col + 1));
      // Copy tabs from the source so the carets line up however the terminal expands them.
      const lead = [...shown.slice(0, col - 1 - offset)].map((ch) => (ch === "\t" ? "\t" : " ")).join("");
      const visibleLength = Math.max(1, Math.min(length, shown.length - (col - 1 - offset)));
      const paint = d.severity === "error" ? c.red : c.yellow;
      out.push(`  ${c.gray(`${" ".repeat(gutter)} |`)} ${lead}${paint(c.bold("^".repeat(visibleLength)))}`);
    }
  }
  return out;
}

/** The part of a long line around `column`, and how many characters were cut from its start. */
function window(line: string, column: number): { shown: string; offset: number } {
  if (line.length <= MAX_LINE) return { shown: line, offset: 0 };
  const start = Math.max(0, Math.min(column - 1 - WINDOW_BEFORE, line.length - MAX_LINE));
  // The ellipses replace one character each, so columns inside the window stay aligned.
  let shown = line.slice(start, start + MAX_LINE);
  if (start > 0) shown = `…${shown.slice(1)}`;
  if (start + MAX_LINE < line.length) shown = `${shown.slice(0, -1)}…`;
  return { shown, offset: start };
}

/** One column per character: control characters (other than tab) become U+FFFD, never escapes. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, "\ufffd");
}

function oneLine(s: string): string {
  return s.replace(/\r?\n|\r/g, " ");
}
