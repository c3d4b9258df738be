/**
 * Parsing one file with the TypeScript compiler (the copy bundled by ts-morph) and turning
 * positions into the project's 1-based locations.
 *
 * The evaluator walks raw `ts.Node`s, not ts-morph wrappers, and a file's syntax tree is let go
 * as soon as its definitions are evaluated: keeping the trees of 5,000 feature views alive costs
 * more (in garbage collection) than parsing them. Locations are therefore computed from the
 * file's text, never from its `SourceFile`.
 */
import ts from "./typescript.cjs";
import type { SourceLocation } from "../model/diagnostic.js";
import { parseSubset } from "./subset-parser.js";

export interface ParsedFile {
  /** Relative posix path, as given. */
  readonly path: string;
  /** Position in the sorted file list: the first key of the object order. */
  readonly index: number;
  readonly text: string;
  /** True when the file has syntax errors or could not be parsed: its definitions are skipped. */
  broken: boolean;
  /** Start offset of each line, computed on first use. */
  lineStarts: number[] | undefined;
}

export interface SyntaxProblem {
  start: number;
  length: number;
  message: string;
}

export function sourceText(path: string, index: number, text: string): ParsedFile {
  return { path, index, text, broken: false, lineStarts: undefined };
}

/**
 * The file's syntax tree: from the subset parser when the file is within its subset (the same
 * tree, several times faster), else from the compiler.
 */
export function parseFile(path: string, text: string): ts.SourceFile {
  return parseSubset(path, text) ?? parseWithCompiler(path, text);
}

/** Parent pointers are not set (the evaluator never walks up) and JSDoc is not parsed: both cost time. */
export function parseWithCompiler(path: string, text: string): ts.SourceFile {
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

/** Line starts as the compiler counts lines: \n, \r\n, \r, U+2028 and U+2029 end a line. */
function computeLineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf("\r") < 0 && text.indexOf("\u2028") < 0 && text.indexOf("\u2029") < 0) {
    // The common case, found by the engine's native search rather than a character loop.
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 || c === 0x2028 || c === 0x2029) {
      starts.push(i + 1);
    }
  }
  return starts;
}

export function locationAt(file: ParsedFile, pos: number): SourceLocation {
  const starts = (file.lineStarts ??= computeLineStarts(file.text));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= pos) lo = mid;
    else hi = mid - 1;
  }
  return { file: file.path, line: lo + 1, column: pos - (starts[lo] as number) + 1 };
}

/** The first position at or after `pos` that is not whitespace or a comment. */
export function skipTrivia(text: string, pos: number): number {
  let p = pos;
  for (;;) {
    const c = text.charCodeAt(p);
    if (c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff) {
      p++;
    } else if (c === 0x2028 || c === 0x2029 || (c > 127 && /\s/.test(text[p] as string))) {
      p++;
    } else if (c === 47 /* / */ && text.charCodeAt(p + 1) === 47) {
      p += 2;
      while (p < text.length) {
        const d = text.charCodeAt(p);
        if (d === 10 || d === 13 || d === 0x2028 || d === 0x2029) break;
        p++;
      }
    } else if (c === 47 && text.charCodeAt(p + 1) === 42 /* * */) {
      const end = text.indexOf("*/", p + 2);
      p = end < 0 ? text.length : end + 2;
    } else {
      return p;
    }
  }
}

/** Start of a node's first token (after comments and whitespace). */
export function nodeStart(file: ParsedFile, node: ts.Node): number {
  return Math.min(skipTrivia(file.text, node.pos), node.end);
}

export function nodeLocation(file: ParsedFile, node: ts.Node): SourceLocation {
  return locationAt(file, nodeStart(file, node));
}
