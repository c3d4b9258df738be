/**
 * A parser for the shape most definition files have: imports, re-exports, `const`
 * declarations whose initializers are literals, identifiers, `new X({...})`, property accesses
 * and calls, and `export default`. It builds the same syntax tree the TypeScript compiler builds
 * for that text (same kinds, positions, flags and properties, checked node by node against the
 * compiler by test/parse/subset-parser.test.ts), in about a third of the time. The compiler's
 * general parser was the largest part of `validate` on such files: ~45 % of its main thread.
 *
 * It never decides anything the compiler would decide differently: at the first token outside
 * this subset (a type annotation, a function, an operator, an escape sequence, a syntax error…)
 * it gives up and the caller parses the file with the compiler, which also reports every syntax
 * error. So a file parsed here is one the compiler parses without errors, into this same tree.
 */
import ts from "./typescript.cjs";

const K = ts.SyntaxKind;
/** Set by the compiler on nodes parsed inside `export {…}`, `export * …` and `export default …`. */
const AWAIT_CONTEXT = ts.NodeFlags.AwaitContext;

// Token types of the subset's scanner. Punctuation is its character code.
const EOF = 0;
const WORD = 1;
const STRING = 2;
const NUMBER = 3;
const SPREAD = 4;
const OPEN_BRACE = 123; // {
const CLOSE_BRACE = 125; // }
const OPEN_PAREN = 40; // (
const CLOSE_PAREN = 41; // )
const OPEN_BRACKET = 91; // [
const CLOSE_BRACKET = 93; // ]
const COMMA = 44;
const SEMICOLON = 59;
const COLON = 58;
const DOT = 46;
const EQUALS = 61;
const STAR = 42;
const MINUS = 45;

/**
 * Words that are keywords somewhere in TypeScript. As a name or an expression here they end the
 * fast path (the compiler parses them in context), except the few handled explicitly.
 */
const KEYWORDS = new Set(
  (
    "abstract accessor any as assert asserts async await bigint boolean break case catch class const " +
    "constructor continue debugger declare default defer delete do else enum export extends false " +
    "finally for from function get global if implements import in infer instanceof interface " +
    "intrinsic is keyof let module namespace never new null number object of out override package " +
    "private protected public readonly require return satisfies set static string super switch " +
    "symbol this throw true try type typeof unique unknown using var void while with yield"
  ).split(" "),
);

/** Thrown to abandon the fast path; caught once, in `parseSubset`. */
const GIVE_UP: unique symbol = Symbol("give up");

type Mutable<T> = { -readonly [P in keyof T]: T[P] };

/** The parser's node objects: the compiler's data properties, without its private caches. */
type AnyNode = Mutable<ts.Node> & Record<string, unknown>;
type NodeList = ts.NodeArray<ts.Node>;

/**
 * The syntax tree of `text` as `ts.createSourceFile` (ScriptKind.TS, parent pointers not set,
 * JSDoc not parsed) builds it, or undefined when the text is outside the subset.
 */
export function parseSubset(fileName: string, text: string): ts.SourceFile | undefined {
  try {
    return PARSER.sourceFile(fileName, text);
  } catch {
    // GIVE_UP, or anything unforeseen (absurd nesting overflowing the stack): the compiler decides.
    return undefined;
  } finally {
    PARSER.reset();
  }
}

const isWordStart = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
const isWordPart = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

class SubsetParser {
  /** The current token: its type, where its leading trivia starts, and where it ends. */
  private tok = EOF;
  private fullStart = 0;
  private end = 0;
  /** Identifier, string contents or normalized number text of the current token. */
  private value = "";
  /** A line break between the previous token and this one (for ASI and `multiLine`). */
  private lineBreak = false;
  /** End of the `)` an argument list closed with. */
  private closeEnd = 0;
  /** Flags the compiler's current parsing context adds to every node it finishes. */
  private ctx = 0;

  private text = "";

  /** Back to the start state, holding on to no text. */
  reset(): void {
    this.text = "";
    this.tok = EOF;
    this.fullStart = this.end = this.closeEnd = 0;
    this.value = "";
    this.lineBreak = false;
    this.ctx = 0;
  }

  // ---- scanner ----------------------------------------------------------------------------

  private next(): void {
    const text = this.text;
    let p = this.end;
    this.fullStart = p;
    this.lineBreak = false;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === 32 || c === 9 || c === 11 || c === 12) p++;
      else if (c === 10 || c === 13) {
        this.lineBreak = true;
        p++;
      } else if (c === 47 /* / */) {
        const d = text.charCodeAt(p + 1);
        if (d === 47) {
          p += 2;
          for (;;) {
            const e = text.charCodeAt(p);
            if (e === 10 || e === 13 || p >= text.length) break;
            if (e === 0x2028 || e === 0x2029) throw GIVE_UP;
            p++;
          }
        } else if (d === 42) {
          const close = text.indexOf("*/", p + 2);
          if (close < 0) throw GIVE_UP;
          for (let i = p + 2; i < close; i++) {
            const e = text.charCodeAt(i);
            if (e === 10 || e === 13) this.lineBreak = true;
            else if (e === 0x2028 || e === 0x2029) throw GIVE_UP;
          }
          p = close + 2;
        } else throw GIVE_UP;
      } else break;
    }
    if (p >= text.length) {
      this.tok = EOF;
      this.end = p;
      return;
    }
    const c = text.charCodeAt(p);
    if (isWordStart(c)) {
      let q = p + 1;
      while (isWordPart(text.charCodeAt(q))) q++;
      const after = text.charCodeAt(q);
      // A non-ASCII letter or an escape continues the identifier: the compiler's business.
      if (after > 127 || after === 92) throw GIVE_UP;
      this.tok = WORD;
      this.value = text.slice(p, q);
      this.end = q;
    } else if (c === 34 || c === 39) {
      let q = p + 1;
      for (;;) {
        const d = text.charCodeAt(q);
        if (d === c) break;
        // An escape, or a line break (the compiler's unterminated string; U+2028/9 included).
        if (d === 92 || d === 10 || d === 13 || d === 0x2028 || d === 0x2029 || q >= text.length)
          throw GIVE_UP;
        q++;
      }
      this.tok = STRING;
      this.value = text.slice(p + 1, q);
      this.end = q + 1;
    } else if (isDigit(c)) {
      let q = p + 1;
      // Only plain decimals: `0x…`, `1e3`, `1_000`, `1n`, `01` and `1.` are the compiler's.
      if (c !== 48) while (isDigit(text.charCodeAt(q))) q++;
      if (text.charCodeAt(q) === 46 && isDigit(text.charCodeAt(q + 1))) {
        q += 2;
        while (isDigit(text.charCodeAt(q))) q++;
      }
      const after = text.charCodeAt(q);
      if (isWordPart(after) || after === 46 || after > 127 || after === 92) throw GIVE_UP;
      this.tok = NUMBER;
      // The compiler's text of a decimal literal is its value printed back.
      this.value = String(Number(text.slice(p, q)));
      this.end = q;
    } else if (c === 46 /* . */) {
      if (text.charCodeAt(p + 1) === 46) {
        if (text.charCodeAt(p + 2) !== 46) throw GIVE_UP;
        this.tok = SPREAD;
        this.end = p + 3;
      } else {
        if (isDigit(text.charCodeAt(p + 1))) throw GIVE_UP;
        this.tok = DOT;
        this.end = p + 1;
      }
    } else if (
      c === OPEN_BRACE ||
      c === CLOSE_BRACE ||
      c === OPEN_PAREN ||
      c === CLOSE_PAREN ||
      c === OPEN_BRACKET ||
      c === CLOSE_BRACKET ||
      c === COMMA ||
      c === SEMICOLON ||
      c === COLON ||
      c === STAR
    ) {
      if (c === STAR && (text.charCodeAt(p + 1) === 42 || text.charCodeAt(p + 1) === 61)) throw GIVE_UP;
      this.tok = c;
      this.end = p + 1;
    } else if (c === EQUALS || c === MINUS) {
      const d = text.charCodeAt(p + 1);
      // `==`, `=>`, `--`, `-=`: operators of the compiler's.
      if (d === 61 || d === 62 || (c === MINUS && d === 45)) throw GIVE_UP;
      this.tok = c;
      this.end = p + 1;
    } else {
      throw GIVE_UP;
    }
  }

  private expect(tok: number): void {
    if (this.tok !== tok) throw GIVE_UP;
    this.next();
  }

  private expectWord(word: string): void {
    if (this.tok !== WORD || this.value !== word) throw GIVE_UP;
    this.next();
  }

  private isWord(word: string): boolean {
    return this.tok === WORD && this.value === word;
  }

  /** `this.tok === tok` right after a call that moved on (where tsc would still narrow `this.tok`). */
  private at(tok: number): boolean {
    return this.tok === tok;
  }

  // ---- nodes ------------------------------------------------------------------------------

  /** The compiler's NodeArray: the array itself, with the list's extent. */
  private nodeArray(elements: AnyNode[], pos: number, end: number, trailingComma: boolean): NodeList {
    const a = elements as AnyNode[] & { pos: number; end: number; hasTrailingComma: boolean };
    a.pos = pos;
    a.end = end;
    a.hasTrailingComma = trailingComma;
    return a as unknown as NodeList;
  }

  /** The current token as an identifier (keywords allowed only where `anyWord`). */
  private identifier(anyWord: boolean): AnyNode {
    if (this.tok !== WORD) throw GIVE_UP;
    const name = this.value;
    // The compiler escapes names that start with two underscores.
    if ((!anyWord && KEYWORDS.has(name)) || name.startsWith("__")) throw GIVE_UP;
    const n = {
      kind: K.Identifier,
      pos: this.fullStart,
      end: this.end,
      flags: this.ctx,
      escapedText: name,
      text: name,
    } as unknown as AnyNode;
    this.next();
    return n;
  }

  private stringLiteral(): AnyNode {
    if (this.tok !== STRING) throw GIVE_UP;
    const n = {
      kind: K.StringLiteral,
      pos: this.fullStart,
      end: this.end,
      flags: this.ctx,
      text: this.value,
      singleQuote: undefined,
      hasExtendedUnicodeEscape: false,
    } as unknown as AnyNode;
    this.next();
    return n;
  }

  private numericLiteral(): AnyNode {
    const n = {
      kind: K.NumericLiteral,
      pos: this.fullStart,
      end: this.end,
      flags: this.ctx,
      text: this.value,
      numericLiteralFlags: 0,
    } as unknown as AnyNode;
    this.next();
    return n;
  }

  // ---- statements -------------------------------------------------------------------------

  sourceFile(fileName: string, text: string): ts.SourceFile {
    this.text = text;
    this.next();
    const statements: AnyNode[] = [];
    while (this.tok !== EOF) statements.push(this.statement());
    const eof = {
      kind: K.EndOfFileToken,
      pos: this.fullStart,
      end: text.length,
      flags: this.ctx,
    } as unknown as AnyNode;
    const sf = {
      kind: K.SourceFile,
      pos: 0,
      end: text.length,
      flags: this.ctx,
      statements: this.nodeArray(statements, 0, this.fullStart, false),
      endOfFileToken: eof,
      fileName,
      text,
      languageVersion: ts.ScriptTarget.Latest,
      languageVariant: ts.LanguageVariant.Standard,
      scriptKind: ts.ScriptKind.TS,
      isDeclarationFile: false,
      parseDiagnostics: [],
    } as unknown as AnyNode;
    return sf as unknown as ts.SourceFile;
  }

  private statement(): AnyNode {
    const pos = this.fullStart;
    if (this.isWord("import")) return this.importDeclaration(pos);
    if (this.isWord("const")) return this.variableStatement(pos, undefined);
    if (this.isWord("export")) {
      const keywordEnd = this.end;
      this.next();
      if (this.isWord("const")) {
        const modifier = {
          kind: K.ExportKeyword,
          pos,
          end: keywordEnd,
          flags: this.ctx,
        } as unknown as AnyNode;
        return this.variableStatement(pos, this.nodeArray([modifier], pos, keywordEnd, false));
      }
      if (this.isWord("default")) {
        this.next();
        // Like `export {…}`, the compiler parses the expression in its await context.
        const saved = this.ctx;
        this.ctx |= AWAIT_CONTEXT;
        const expression = this.expression();
        const end = this.endStatement(expression.end);
        this.ctx = saved;
        return {
          kind: K.ExportAssignment,
          pos,
          end,
          flags: this.ctx,
          modifiers: undefined,
          isExportEquals: undefined,
          expression,
        } as unknown as AnyNode;
      }
      if (this.tok === OPEN_BRACE || this.tok === STAR) return this.exportDeclaration(pos);
    }
    throw GIVE_UP;
  }

  private variableStatement(pos: number, modifiers: NodeList | undefined): AnyNode {
    const listPos = this.fullStart;
    this.next(); // const
    const declsPos = this.fullStart;
    const decls: AnyNode[] = [];
    for (;;) {
      const declPos = this.fullStart;
      const name = this.identifier(false);
      this.expect(EQUALS);
      const initializer = this.expression();
      decls.push({
        kind: K.VariableDeclaration,
        pos: declPos,
        end: initializer.end,
        flags: this.ctx,
        name,
        exclamationToken: undefined,
        type: undefined,
        initializer,
      } as unknown as AnyNode);
      if (this.tok !== COMMA) break;
      this.next();
    }
    const last = decls[decls.length - 1] as AnyNode;
    const list = {
      kind: K.VariableDeclarationList,
      pos: listPos,
      end: last.end,
      flags: this.ctx | ts.NodeFlags.Const,
      declarations: this.nodeArray(decls, declsPos, last.end, false),
    } as unknown as AnyNode;
    const end = this.endStatement(last.end);
    return {
      kind: K.VariableStatement,
      pos,
      end,
      flags: this.ctx,
      modifiers,
      declarationList: list,
    } as unknown as AnyNode;
  }

  /** Consumes the statement's `;` (if written) and returns where the statement ends. */
  private endStatement(lastEnd: number): number {
    if (this.tok === SEMICOLON) {
      const end = this.end;
      this.next();
      return end;
    }
    // No `;`: the compiler inserts one before a line break, a `}` or the end of the file.
    if (!(this.lineBreak || this.tok === EOF || this.tok === CLOSE_BRACE)) throw GIVE_UP;
    return lastEnd;
  }

  private importDeclaration(pos: number): AnyNode {
    this.next(); // import
    let importClause: AnyNode | undefined;
    if (this.tok !== STRING) {
      const clausePos = this.fullStart;
      let name: AnyNode | undefined;
      let namedBindings: AnyNode | undefined;
      let comma = false;
      if (this.tok === WORD) {
        name = this.identifier(false);
        comma = this.at(COMMA);
        if (comma) this.next();
        else if (!this.isWord("from")) throw GIVE_UP;
      }
      if (this.tok === STAR) {
        const nsPos = this.fullStart;
        this.next();
        this.expectWord("as");
        const nsName = this.identifier(false);
        namedBindings = {
          kind: K.NamespaceImport,
          pos: nsPos,
          end: nsName.end,
          flags: this.ctx,
          name: nsName,
        } as unknown as AnyNode;
      } else if (this.tok === OPEN_BRACE) {
        namedBindings = this.namedBindings(K.NamedImports, this.importSpecifier);
      } else if (name === undefined || comma) throw GIVE_UP;
      const clauseEnd = (namedBindings ?? (name as AnyNode)).end;
      importClause = {
        kind: K.ImportClause,
        pos: clausePos,
        end: clauseEnd,
        flags: this.ctx,
        isTypeOnly: false,
        phaseModifier: undefined,
        name,
        namedBindings,
      } as unknown as AnyNode;
      this.expectWord("from");
    }
    const moduleSpecifier = this.stringLiteral();
    if (this.isWord("with") || this.isWord("assert")) throw GIVE_UP;
    const end = this.endStatement(moduleSpecifier.end);
    return {
      kind: K.ImportDeclaration,
      pos,
      end,
      flags: this.ctx,
      modifiers: undefined,
      importClause,
      moduleSpecifier,
      attributes: undefined,
    } as unknown as AnyNode;
  }

  /** `{ a, b as c }` of an import or export: plain identifiers only. */
  private namedBindings(listKind: ts.SyntaxKind, specifier: (this: SubsetParser) => AnyNode): AnyNode {
    const pos = this.fullStart;
    this.next(); // {
    const elements = this.list(CLOSE_BRACE, specifier);
    return { kind: listKind, pos, end: this.closeEnd, flags: this.ctx, elements } as unknown as AnyNode;
  }

  private importSpecifier(): AnyNode {
    return this.specifier(K.ImportSpecifier);
  }

  private exportSpecifier(): AnyNode {
    return this.specifier(K.ExportSpecifier);
  }

  private specifier(kind: ts.SyntaxKind): AnyNode {
    const pos = this.fullStart;
    let propertyName: AnyNode | undefined;
    let name = this.identifier(false);
    if (this.isWord("as")) {
      this.next();
      propertyName = name;
      name = this.identifier(false);
    }
    return {
      kind,
      pos,
      end: name.end,
      flags: this.ctx,
      isTypeOnly: false,
      propertyName,
      name,
    } as unknown as AnyNode;
  }

  private exportDeclaration(pos: number): AnyNode {
    const saved = this.ctx;
    this.ctx |= AWAIT_CONTEXT;
    let exportClause: AnyNode | undefined;
    let moduleSpecifier: AnyNode | undefined;
    if (this.tok === STAR) {
      const nsPos = this.fullStart;
      this.next();
      if (this.isWord("as")) {
        this.next();
        const name = this.identifier(false);
        exportClause = {
          kind: K.NamespaceExport,
          pos: nsPos,
          end: name.end,
          flags: this.ctx,
          name,
        } as unknown as AnyNode;
      }
      this.expectWord("from");
      moduleSpecifier = this.stringLiteral();
    } else {
      exportClause = this.namedBindings(K.NamedExports, this.exportSpecifier);
      if (this.isWord("from")) {
        this.next();
        moduleSpecifier = this.stringLiteral();
      } else if (this.tok === STRING) throw GIVE_UP;
    }
    if (this.isWord("with") || this.isWord("assert")) throw GIVE_UP;
    const lastEnd = (moduleSpecifier ?? (exportClause as AnyNode)).end;
    const end = this.endStatement(lastEnd);
    this.ctx = saved;
    return {
      kind: K.ExportDeclaration,
      pos,
      end,
      flags: this.ctx,
      modifiers: undefined,
      isTypeOnly: false,
      exportClause,
      moduleSpecifier,
      attributes: undefined,
    } as unknown as AnyNode;
  }

  // ---- expressions ------------------------------------------------------------------------

  /** A primary expression followed by any `.name` and `(arguments)`. */
  private expression(): AnyNode {
    let e = this.primary();
    for (;;) {
      if (this.tok === DOT) {
        e = this.propertyAccess(e);
      } else if (this.tok === OPEN_PAREN) {
        const args = this.argumentList();
        e = {
          kind: K.CallExpression,
          pos: e.pos,
          end: this.closeEnd,
          flags: this.ctx,
          expression: e,
          questionDotToken: undefined,
          typeArguments: undefined,
          arguments: args,
        } as unknown as AnyNode;
      } else {
        return e;
      }
    }
  }

  /** `.name` after `expression` (any word is a name there, keywords included). */
  private propertyAccess(expression: AnyNode): AnyNode {
    this.next(); // .
    const name = this.identifier(true);
    return {
      kind: K.PropertyAccessExpression,
      pos: expression.pos,
      end: name.end,
      flags: this.ctx,
      expression,
      questionDotToken: undefined,
      name,
    } as unknown as AnyNode;
  }

  private primary(): AnyNode {
    const pos = this.fullStart;
    switch (this.tok) {
      case STRING:
        return this.stringLiteral();
      case NUMBER:
        return this.numericLiteral();
      case MINUS: {
        this.next();
        if (!this.at(NUMBER)) throw GIVE_UP;
        // The operand is the whole member and call chain: `-1 .x` is `-(1 .x)`.
        const operand = this.expression();
        return {
          kind: K.PrefixUnaryExpression,
          pos,
          end: operand.end,
          flags: this.ctx,
          operator: K.MinusToken,
          operand,
        } as unknown as AnyNode;
      }
      case OPEN_BRACE:
        return this.objectLiteral();
      case OPEN_BRACKET:
        return this.arrayLiteral();
      case WORD:
        break;
      default:
        throw GIVE_UP;
    }
    const word = this.value;
    if (word === "true" || word === "false" || word === "null") {
      const kind = word === "true" ? K.TrueKeyword : word === "false" ? K.FalseKeyword : K.NullKeyword;
      const n = { kind, pos, end: this.end, flags: this.ctx } as unknown as AnyNode;
      this.next();
      return n;
    }
    if (word === "new") return this.newExpression(pos);
    if (word === "undefined") return this.identifier(true);
    return this.identifier(false);
  }

  /** `new a.b.C(arguments)`: the compiler's member expression, then one argument list. */
  private newExpression(pos: number): AnyNode {
    this.next(); // new
    let callee = this.identifier(false);
    while (this.tok === DOT) callee = this.propertyAccess(callee);
    if (this.tok !== OPEN_PAREN) throw GIVE_UP;
    const args = this.argumentList();
    return {
      kind: K.NewExpression,
      pos,
      end: this.closeEnd,
      flags: this.ctx,
      expression: callee,
      typeArguments: undefined,
      arguments: args,
    } as unknown as AnyNode;
  }

  /** `(a, ...b)`; leaves the end of `)` in `closeEnd`. */
  private argumentList(): NodeList {
    this.next(); // (
    return this.list(CLOSE_PAREN, this.argument);
  }

  /** An element of an argument list or an array literal. */
  private argument(): AnyNode {
    return this.tok === SPREAD ? this.spread(K.SpreadElement) : this.expression();
  }

  /**
   * The comma-separated elements up to `close`, which it consumes, as the compiler's NodeArray:
   * from after the opening token to before `close`; the end of `close` is left in `closeEnd`.
   * A missing element (a hole, `f(,)`) is not an expression: `element` gives up on it.
   */
  private list(close: number, element: (this: SubsetParser) => AnyNode): NodeList {
    const listPos = this.fullStart;
    const elements: AnyNode[] = [];
    let trailingComma = false;
    while (this.tok !== close) {
      elements.push(element.call(this));
      trailingComma = this.at(COMMA);
      if (trailingComma) this.next();
      else if (!this.at(close)) throw GIVE_UP;
    }
    const listEnd = this.fullStart;
    this.closeEnd = this.end;
    this.next();
    return this.nodeArray(elements, listPos, listEnd, trailingComma);
  }

  private spread(kind: ts.SyntaxKind): AnyNode {
    const pos = this.fullStart;
    this.next(); // ...
    const expression = this.expression();
    return { kind, pos, end: expression.end, flags: this.ctx, expression } as unknown as AnyNode;
  }

  private objectLiteral(): AnyNode {
    const pos = this.fullStart;
    this.next(); // {
    const multiLine = this.lineBreak;
    const properties = this.list(CLOSE_BRACE, this.objectMember);
    return {
      kind: K.ObjectLiteralExpression,
      pos,
      end: this.closeEnd,
      flags: this.ctx,
      properties,
      multiLine,
    } as unknown as AnyNode;
  }

  private objectMember(): AnyNode {
    return this.tok === SPREAD ? this.spread(K.SpreadAssignment) : this.property();
  }

  private property(): AnyNode {
    const pos = this.fullStart;
    const tok = this.tok;
    const name =
      tok === WORD
        ? this.identifier(true)
        : tok === STRING
          ? this.stringLiteral()
          : tok === NUMBER
            ? this.numericLiteral()
            : undefined;
    if (name === undefined) throw GIVE_UP;
    if (this.tok === COLON) {
      this.next();
      const initializer = this.expression();
      return {
        kind: K.PropertyAssignment,
        pos,
        end: initializer.end,
        flags: this.ctx,
        name,
        initializer,
        modifiers: undefined,
        questionToken: undefined,
        exclamationToken: undefined,
      } as unknown as AnyNode;
    }
    // `{ name }`: a shorthand, which needs a name that is not a keyword.
    if (
      tok === WORD &&
      (this.tok === COMMA || this.tok === CLOSE_BRACE) &&
      !KEYWORDS.has(name.escapedText as string)
    ) {
      return {
        kind: K.ShorthandPropertyAssignment,
        pos,
        end: name.end,
        flags: this.ctx,
        name,
        objectAssignmentInitializer: undefined,
        equalsToken: undefined,
        modifiers: undefined,
        questionToken: undefined,
        exclamationToken: undefined,
      } as unknown as AnyNode;
    }
    throw GIVE_UP;
  }

  private arrayLiteral(): AnyNode {
    const pos = this.fullStart;
    this.next(); // [
    const multiLine = this.lineBreak;
    const elements = this.list(CLOSE_BRACKET, this.argument);
    return {
      kind: K.ArrayLiteralExpression,
      pos,
      end: this.closeEnd,
      flags: this.ctx,
      elements,
      multiLine,
    } as unknown as AnyNode;
  }
}

/** One parser, reset after every file: parsing runs to completion, never re-entered. */
const PARSER = new SubsetParser();
