/** Where something was written, relative to the project folder; line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export type Severity = "error" | "warning";

/**
 * A user mistake, reported instead of thrown. `code` is stable (documented, matched by tests
 * and CI annotations); `hint` is a one-line fix suggestion shown in the terminal.
 */
export interface Diagnostic extends SourceLocation {
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
  /** Length of the offending source span, for the code frame underline. */
  length?: number;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Stable order: file, line, column, code. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}
