import type { ts } from "ts-morph";
import type { Diagnostic } from "../model/diagnostic.js";
import { compareDiagnostics } from "../model/diagnostic.js";
import type { ParseCodeDef } from "./codes.js";
import type { ParsedFile } from "./source.js";
import { locationAt, nodeStart } from "./source.js";

/**
 * Collects parse diagnostics. The same mistake reached twice (a helper called many times) is
 * reported once; the result is sorted, so it does not depend on evaluation order.
 */
export class Reporter {
  private readonly list: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  /** Report at a node; the span is the node's text (or `length` characters from its start). */
  at<A extends readonly unknown[]>(
    def: ParseCodeDef<A>,
    file: ParsedFile,
    node: ts.Node,
    args: A,
    length?: number,
  ): void {
    const start = nodeStart(file, node);
    this.atPos(def, file, start, length ?? Math.max(0, node.end - start), args);
  }

  atPos<A extends readonly unknown[]>(
    def: ParseCodeDef<A>,
    file: ParsedFile,
    start: number,
    length: number,
    args: A,
  ): void {
    const loc = locationAt(file, start);
    const d: Diagnostic = {
      severity: def.severity,
      code: def.code,
      message: def.message(...args),
      file: loc.file,
      line: loc.line,
      column: loc.column,
      length,
    };
    const hint = def.hint?.(...args);
    if (hint !== undefined) d.hint = hint;
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.code}\0${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(d);
  }

  /** Whether a diagnostic with `code` starts at `start` in `file`. */
  hasAt(code: string, file: ParsedFile, start: number): boolean {
    const loc = locationAt(file, start);
    return this.list.some(
      (d) => d.code === code && d.file === loc.file && d.line === loc.line && d.column === loc.column,
    );
  }

  get count(): number {
    return this.list.length;
  }

  finish(): Diagnostic[] {
    return [...this.list].sort(compareDiagnostics);
  }
}
