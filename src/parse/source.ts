/**
 * Parsing one file with the TypeScript compiler (the copy bundled by ts-morph) and turning
 * positions into the project's 1-based locations.
 *
 * The evaluator walks raw `ts.Node`s, not ts-morph wrappers: at 5,000 feature views the wrappers
 * (and ts-morph's parent-setting pass) cost more than the parse itself.
 */
import { ts } from "ts-morph";
import type { SourceLocation } from "../model/diagnostic.js";

export interface ParsedFile {
  /** Relative posix path, as given. */
  readonly path: string;
  /** Position in the sorted file list: the first key of the object order. */
  readonly index: number;
  readonly sf: ts.SourceFile;
  /** True when the file has syntax errors or could not be parsed: its definitions are skipped. */
  readonly broken: boolean;
}

export interface SyntaxProblem {
  start: number;
  length: number;
  message: string;
}

/** Parent pointers are not set (the evaluator never walks up) and JSDoc is not parsed: both cost time. */
export function parseFile(path: string, text: string): ts.SourceFile {
  return ts.createSourceFile(
    path,
    text,
    { languageVersion: ts.ScriptTarget.Latest, jsDocParsingMode: ts.JSDocParsingMode.ParseNone },
    false,
    ts.ScriptKind.TS,
  );
}

interface WithParseDiagnostics {
  readonly parseDiagnostics?: readonly ts.DiagnosticWithLocation[];
}

/**
 * The compiler's syntactic diagnostics of a file. The parser keeps them on the source file; the
 * public route (`Program.getSyntacticDiagnostics`) returns the same list but costs a Program, so
 * it is only the fallback should a compiler version stop exposing them.
 */
export function syntaxProblems(sf: ts.SourceFile): SyntaxProblem[] {
  let list = (sf as unknown as WithParseDiagnostics).parseDiagnostics;
  if (!Array.isArray(list)) {
    const host: ts.CompilerHost = {
      getSourceFile: (name) => (name === sf.fileName ? sf : undefined),
      getDefaultLibFileName: () => "lib.d.ts",
      writeFile: () => undefined,
      getCurrentDirectory: () => "",
      getCanonicalFileName: (f) => f,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => "\n",
      fileExists: (name) => name === sf.fileName,
      readFile: () => undefined,
    };
    const program = ts.createProgram({
      rootNames: [sf.fileName],
      options: { noLib: true, noResolve: true, types: [] },
      host,
    });
    list = program.getSyntacticDiagnostics(sf);
  }
  return list.map((d) => ({
    start: d.start,
    length: d.length,
    message: ts.flattenDiagnosticMessageText(d.messageText, " "),
  }));
}

export function locationAt(file: ParsedFile, pos: number): SourceLocation {
  const starts = file.sf.getLineStarts(); // computed once per file, then cached by the compiler
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { file: file.path, line: lo + 1, column: pos - (starts[lo] as number) + 1 };
}

/**
 * Start of a node's first token. Locations are recorded for every option of every construction,
 * so the common case (only whitespace before the token) is skipped here; comments are left to
 * the compiler.
 */
export function nodeStart(file: ParsedFile, node: ts.Node): number {
  const text = file.sf.text;
  let p = node.pos;
  let c = text.charCodeAt(p);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++p);
  return c === 47 /* "/" */ || p >= node.end ? node.getStart(file.sf) : p;
}

export function nodeLocation(file: ParsedFile, node: ts.Node): SourceLocation {
  return locationAt(file, nodeStart(file, node));
}

/** Source text of a node, without leading trivia. */
export function nodeText(file: ParsedFile, node: ts.Node): string {
  return file.sf.text.slice(node.getStart(file.sf), node.end);
}
