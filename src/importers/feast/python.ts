/**
 * Python source text → a small syntax tree of the module's top-level statements and the
 * expressions Feast definitions are written with. Parsed by @lezer/python (a real Python
 * grammar; error-tolerant, so one broken statement does not hide the rest of a file). Nothing is
 * ever run: this only reads text.
 */
import { parser } from "@lezer/python";
import type { SyntaxNode } from "@lezer/common";

export interface Span {
  /** Offsets into the module text. */
  from: number;
  to: number;
}

export type PyExpr = Span &
  (
    | { t: "num"; text: string }
    | { t: "str"; value: string; bytes: boolean; triple: boolean }
    | { t: "fstr"; parts: (string | PyExpr)[]; triple: boolean }
    | { t: "bool"; value: boolean }
    | { t: "none" }
    | { t: "name"; id: string }
    | { t: "attr"; obj: PyExpr; name: string }
    | { t: "index"; obj: PyExpr; index: PyExpr }
    | { t: "call"; fn: PyExpr; args: PyArg[] }
    | {
        t: "list" | "tuple" | "set";
        items: PyItem[];
        /** `# …` lines above each item */ itemComments: string[][];
      }
    | { t: "dict"; entries: PyDictEntry[] }
    | { t: "binop"; op: string; left: PyExpr; right: PyExpr }
    | { t: "unop"; op: string; operand: PyExpr }
    | { t: "cond"; test: PyExpr; then: PyExpr; otherwise: PyExpr }
    | { t: "comp"; kind: "list" | "dict" | "set" | "gen"; elt: PyExpr; key?: PyExpr; clauses: PyCompClause[] }
    | { t: "paren"; inner: PyExpr }
    /** Anything outside the subset above (lambda, await, slices, walrus…): kept as text. */
    | { t: "unsupported"; what: string }
  );

export type PyItem = PyExpr | (Span & { t: "starred"; value: PyExpr });
export type PyDictEntry = { key: PyExpr; value: PyExpr } | { spread: PyExpr };
export interface PyArg extends Span {
  /** Keyword name; absent for a positional argument. */
  name?: string;
  star?: "*" | "**";
  value: PyExpr;
  /** `# …` comments written just before this argument. */
  comments: string[];
}
export interface PyCompClause {
  targets: string[];
  /** `for k, v in …`: the targets are unpacked. */
  unpack: boolean;
  iter: PyExpr;
  ifs: PyExpr[];
}

export interface PyHelper {
  params: { name: string; default: PyExpr | null }[];
  locals: { name: string; value: PyExpr; at: Span }[];
  returns: PyExpr;
}

export interface PyImportName {
  name: string;
  asName: string | null;
}

export type PyStmt = Span & {
  /** Comment lines directly above the statement (without `#`). */
  comments: string[];
  /** The statement contains a syntax error. */
  broken: boolean;
} & (
    | { t: "from"; level: number; module: string; names: PyImportName[] | "*" }
    | { t: "import"; modules: { module: string; asName: string | null }[] }
    | { t: "assign"; target: string; value: PyExpr; annotation: boolean }
    | {
        t: "def";
        name: string;
        decorators: PyExpr[];
        params: string[];
        /** The function header and body, for TODO comments. */
        bodyFrom: number;
        /** The body is only `return <first parameter>` (an identity UDF). */
        identity: boolean;
        /**
         * A pure helper: plain parameters (with defaults), then only assignments to names and a
         * final `return` (a docstring allowed). Null for anything else (loops, ifs, *args …).
         */
        helper: PyHelper | null;
      }
    | { t: "docstring"; value: string }
    | { t: "other"; kind: string }
    /** Nested deeper than `MAX_NESTING` brackets (or expressions): not read; `at` is where. */
    | { t: "too-deep"; at: number; why: string }
  );

export interface PyModule {
  text: string;
  statements: PyStmt[];
  /** Comment lines after the last statement. */
  trailingComments: string[];
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number };
}

/**
 * Deepest bracket nesting read. CPython itself refuses more than 200 nested brackets ("too many
 * nested parentheses"), so no Feast repository needs more; deeper text is never handed to the
 * parser (whose time and stack grow with the depth) nor walked recursively.
 */
export const MAX_NESTING = 200;
/** Deepest expression tree read (brackets are one or two levels each; `a.b.c`, `1+2+3` one per operator). */
const MAX_EXPR_DEPTH = 2 * MAX_NESTING + 100;

/** A bracketed region nested deeper than `MAX_NESTING`: `at` is its first bracket past the limit. */
interface DeepRegion {
  /** The outermost opening bracket. */
  from: number;
  /** After its closing bracket (the end of the text when it is never closed). */
  to: number;
  at: number;
  closed: boolean;
}

/**
 * Finds the regions nested too deep, in one pass over the text that skips comments and strings
 * (an f-string's fields are skipped with it; the expression depth guard covers them).
 */
function deepRegions(text: string): DeepRegion[] {
  const out: DeepRegion[] = [];
  let depth = 0;
  let outer = 0;
  let at = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === '"' || c === "'") {
      const triple = text.startsWith(c.repeat(3), i);
      const close = triple ? c.repeat(3) : c;
      i += close.length;
      while (i < text.length && !text.startsWith(close, i)) {
        if (!triple && text[i] === "\n") break; // unterminated: the parser reports it
        i += text[i] === "\\" ? 2 : 1;
      }
      i += close.length - 1;
    } else if (c === "(" || c === "[" || c === "{") {
      if (depth === 0) outer = i;
      depth++;
      if (depth > MAX_NESTING && at < 0) at = i;
    } else if ((c === ")" || c === "]" || c === "}") && depth > 0) {
      depth--;
      if (depth === 0 && at >= 0) {
        out.push({ from: outer, to: i + 1, at, closed: true });
        at = -1;
      }
    }
  }
  if (at >= 0) out.push({ from: outer, to: text.length, at, closed: false });
  return out;
}

/**
 * The text the parser reads: each deep region's inside replaced by `0` and spaces (newlines
 * kept), so offsets, lines and every other statement stay as they were.
 */
function withoutDeepRegions(text: string, regions: readonly DeepRegion[]): string {
  if (regions.length === 0) return text;
  let out = "";
  let last = 0;
  for (const r of regions) {
    const end = r.closed ? r.to - 1 : r.to;
    out += text.slice(last, r.from + 1) + "0" + text.slice(r.from + 2, end).replace(/[^\n\r]/g, " ");
    last = end;
  }
  return out + text.slice(last);
}

const BRACKETS = new Set(["(", ")", "[", "]", "{", "}", ",", ":", ".", "AssignOp"]);

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Offsets of every syntax error of a tree, found in one pass. */
function errorOffsets(tree: ReturnType<typeof parser.parse>): number[] {
  const out: number[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) out.push(n.from);
    },
  });
  return out;
}

export function parsePython(text: string): PyModule {
  const regions = deepRegions(text);
  const tree = parser.parse(withoutDeepRegions(text, regions));
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const position = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (lineStarts[lo] ?? 0) + 1 };
  };
  const reader = new Reader(text, errorOffsets(tree));
  const statements: PyStmt[] = [];
  let pending: string[] = [];
  let lastEnd = -1;
  for (const node of children(tree.topNode)) {
    if (node.name === "Comment") {
      // A blank line between a comment and the next statement detaches it; it is still kept.
      pending.push(text.slice(node.from + 1, node.to).replace(/^ /, ""));
      continue;
    }
    if (node.type.isError && node.from === node.to) continue;
    const stmt = reader.statement(node, pending);
    pending = [];
    if (stmt.from < lastEnd && statements.length > 0 && stmt.t === "other") continue;
    lastEnd = stmt.to;
    statements.push(stmt);
  }
  for (const r of regions) {
    const i = statements.findIndex((st) => st.from <= r.from && r.from < st.to);
    const base = i >= 0 ? (statements[i] as PyStmt) : { from: r.from, to: r.to, comments: [], broken: false };
    const deep: PyStmt = {
      from: base.from,
      to: base.to,
      comments: base.comments,
      broken: false,
      t: "too-deep",
      at: r.at,
      why: `more than ${MAX_NESTING} nested brackets; Python itself allows at most 200`,
    };
    if (i >= 0) statements[i] = deep;
    else statements.splice(statements.filter((st) => st.from < r.from).length, 0, deep);
  }
  return { text, statements, trailingComments: pending, position };
}

class Reader {
  /** How many `expr` calls are open: bounds the recursion (see MAX_EXPR_DEPTH). */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly errors: readonly number[],
  ) {}

  private hasError(node: Span): boolean {
    return this.errors.some((e) => e >= node.from && e <= node.to);
  }

  private src(n: Span): string {
    return this.text.slice(n.from, n.to);
  }

  statement(node: SyntaxNode, comments: string[]): PyStmt {
    const base = { from: node.from, to: node.to, comments, broken: node.type.isError || this.hasError(node) };
    try {
      switch (node.name) {
        case "ImportStatement":
          return { ...base, ...this.importStatement(node) };
        case "AssignStatement": {
          const kids = children(node).filter((c) => c.name !== "Comment");
          const ops = kids.filter((c) => c.name === "AssignOp");
          const target = kids[0];
          const annotated = kids[1]?.name === "TypeDef";
          if (target?.name === "VariableName" && ops.length === 1 && (ops[0]?.to ?? 0) <= node.to) {
            const valueNode = kids[kids.indexOf(ops[0] as SyntaxNode) + 1];
            if (valueNode && ops[0]?.name === "AssignOp" && this.src(ops[0] as SyntaxNode) === "=") {
              return {
                ...base,
                t: "assign",
                target: this.src(target),
                value: this.expr(valueNode),
                annotation: annotated,
              };
            }
          }
          return { ...base, t: "other", kind: "assignment" };
        }
        case "DecoratedStatement": {
          const decorators: PyExpr[] = [];
          let def: SyntaxNode | null = null;
          for (const c of children(node)) {
            if (c.name === "Decorator") {
              const parts = children(c).filter((k) => k.name !== "At" && k.name !== "Comment");
              decorators.push(this.decorator(c, parts));
            } else if (c.name === "FunctionDefinition" || c.name === "ClassDefinition") def = c;
          }
          if (def?.name === "FunctionDefinition") return { ...base, ...this.functionDef(def, decorators) };
          return { ...base, t: "other", kind: "decorated class" };
        }
        case "FunctionDefinition":
          return { ...base, ...this.functionDef(node, []) };
        case "ExpressionStatement": {
          const inner = children(node).find((c) => c.name !== "Comment");
          if (inner?.name === "String" && !inner.nextSibling) {
            const s = this.expr(inner);
            if (s.t === "str") return { ...base, t: "docstring", value: s.value };
          }
          return { ...base, t: "other", kind: "expression statement" };
        }
        default:
          return { ...base, t: "other", kind: describeStatement(node.name) };
      }
    } catch (err) {
      if (err instanceof TooDeep) {
        return {
          ...base,
          broken: false,
          t: "too-deep",
          at: err.at,
          why: `an expression more than ${MAX_EXPR_DEPTH} levels deep`,
        };
      }
      if (err instanceof SyntaxProblem) return { ...base, broken: true, t: "other", kind: "statement" };
      throw err;
    }
  }

  private decorator(node: SyntaxNode, parts: SyntaxNode[]): PyExpr {
    // `@a.b(args)` is flat in lezer's tree: names and dots, then an ArgList.
    let fn: PyExpr | null = null;
    for (const p of parts) {
      if (p.name === "VariableName" && !fn) fn = { t: "name", id: this.src(p), from: p.from, to: p.to };
      else if ((p.name === "PropertyName" || p.name === "VariableName") && fn)
        fn = { t: "attr", obj: fn, name: this.src(p), from: fn.from, to: p.to };
      else if (p.name === "ArgList" && fn)
        fn = { t: "call", fn, args: this.args(p), from: fn.from, to: p.to };
    }
    return fn ?? { t: "unsupported", what: "decorator", from: node.from, to: node.to };
  }

  private functionDef(node: SyntaxNode, decorators: PyExpr[]) {
    const kids = children(node);
    const name = kids.find((c) => c.name === "VariableName");
    const params = kids.find((c) => c.name === "ParamList");
    const body = kids.find((c) => c.name === "Body");
    const paramNames = params
      ? children(params)
          .filter((c) => c.name === "VariableName")
          .map((c) => this.src(c))
      : [];
    const bodyStatements = body
      ? children(body).filter(
          (c) =>
            c.name !== ":" &&
            c.name !== "Comment" &&
            !(c.name === "ExpressionStatement" && c.firstChild?.name === "String"),
        )
      : [];
    const only = bodyStatements.length === 1 ? bodyStatements[0] : undefined;
    const identity =
      only?.name === "ReturnStatement" &&
      paramNames.length >= 1 &&
      this.src(only)
        .replace(/^return\s+/, "")
        .trim() === paramNames[0];
    return {
      t: "def" as const,
      name: name ? this.src(name) : "",
      decorators,
      params: paramNames,
      bodyFrom: node.from,
      identity,
      helper: params ? this.helper(params, bodyStatements) : null,
    };
  }

  private helper(params: SyntaxNode, body: SyntaxNode[]): PyHelper | null {
    try {
      return this.readHelper(params, body);
    } catch (err) {
      if (err instanceof SyntaxProblem) return null;
      throw err;
    }
  }

  private readHelper(params: SyntaxNode, body: SyntaxNode[]): PyHelper | null {
    const out: PyHelper["params"] = [];
    const kids = children(params).filter((c) => c.name !== "Comment" && c.name !== "(" && c.name !== ")");
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i] as SyntaxNode;
      if (k.name === "," || k.name === "TypeDef") continue;
      if (k.name !== "VariableName") return null; // *args, **kwargs, keyword-only or positional-only markers
      let def: PyExpr | null = null;
      let j = i + 1;
      if (kids[j]?.name === "TypeDef") j++;
      if (kids[j]?.name === "AssignOp") {
        def = this.expr(kids[j + 1] as SyntaxNode);
        j += 2;
      }
      out.push({ name: this.src(k), default: def });
      i = j - 1;
    }
    const locals: PyHelper["locals"] = [];
    for (let i = 0; i < body.length; i++) {
      const st = body[i] as SyntaxNode;
      const last = i === body.length - 1;
      if (st.name === "ReturnStatement" && last) {
        const value = children(st).filter((c) => c.name !== "return" && c.name !== "Comment");
        if (value.length !== 1) return null;
        return { params: out, locals, returns: this.expr(value[0] as SyntaxNode) };
      }
      if (st.name !== "AssignStatement" || this.hasError(st)) return null;
      const parts = children(st).filter((c) => c.name !== "Comment" && c.name !== "TypeDef");
      if (parts.length !== 3 || parts[0]?.name !== "VariableName" || this.src(parts[1] as SyntaxNode) !== "=")
        return null;
      locals.push({
        name: this.src(parts[0]),
        value: this.expr(parts[2] as SyntaxNode),
        at: { from: st.from, to: st.to },
      });
    }
    return null;
  }

  private importStatement(node: SyntaxNode): ImportShape {
    const kids = children(node).filter((c) => c.name !== "Comment");
    if (kids[0]?.name === "from") {
      let level = 0;
      let i = 1;
      const moduleParts: string[] = [];
      for (; i < kids.length; i++) {
        const k = kids[i] as SyntaxNode;
        if (k.name === "import") break;
        if (k.name === ".") level += moduleParts.length === 0 ? 1 : 0;
        else if (k.name === "Ellipsis") level += 3;
        else if (k.name === "VariableName") moduleParts.push(this.src(k));
      }
      const rest = kids.slice(i + 1).filter((k) => k.name !== "(" && k.name !== ")");
      if (rest.some((k) => k.name === "*"))
        return { t: "from", level, module: moduleParts.join("."), names: "*" };
      const names: PyImportName[] = [];
      for (let j = 0; j < rest.length; j++) {
        const k = rest[j] as SyntaxNode;
        if (k.name !== "VariableName") continue;
        const next = rest[j + 1];
        if (next?.name === "as") {
          names.push({ name: this.src(k), asName: this.src(rest[j + 2] as SyntaxNode) });
          j += 2;
        } else names.push({ name: this.src(k), asName: null });
      }
      return { t: "from", level, module: moduleParts.join("."), names };
    }
    const modules: { module: string; asName: string | null }[] = [];
    let current: string[] = [];
    let asName: string | null = null;
    let expectAs = false;
    const flush = () => {
      if (current.length) modules.push({ module: current.join("."), asName });
      current = [];
      asName = null;
    };
    for (const k of kids.slice(1)) {
      if (k.name === ",") flush();
      else if (k.name === "as") expectAs = true;
      else if (k.name === "VariableName") {
        if (expectAs) {
          asName = this.src(k);
          expectAs = false;
        } else current.push(this.src(k));
      }
    }
    flush();
    return { t: "import", modules };
  }

  expr(node: SyntaxNode): PyExpr {
    if (this.depth >= MAX_EXPR_DEPTH) throw new TooDeep(node.from);
    this.depth++;
    try {
      return this.readExpr(node);
    } finally {
      this.depth--;
    }
  }

  private readExpr(node: SyntaxNode): PyExpr {
    const span = { from: node.from, to: node.to };
    if (node.type.isError) throw new SyntaxProblem();
    switch (node.name) {
      case "Number":
        return { ...span, t: "num", text: this.src(node) };
      case "String": {
        const s = decodeString(this.src(node));
        return { ...span, t: "str", ...s };
      }
      case "ContinuedString": {
        const parts = children(node)
          .filter((c) => c.name !== "Comment")
          .map((c) => this.expr(c));
        if (parts.every((p) => p.t === "str" && !p.bytes))
          return {
            ...span,
            t: "str",
            value: parts.map((p) => (p.t === "str" ? p.value : "")).join(""),
            bytes: false,
            triple: parts.some((p) => p.t === "str" && p.triple),
          };
        return { ...span, t: "unsupported", what: "implicitly concatenated f-strings" };
      }
      case "FormatString":
        return this.formatString(node);
      case "Boolean":
        return { ...span, t: "bool", value: this.src(node) === "True" };
      case "None":
        return { ...span, t: "none" };
      case "VariableName":
        return { ...span, t: "name", id: this.src(node) };
      case "ParenthesizedExpression": {
        const inner = children(node).filter((c) => !BRACKETS.has(c.name) && c.name !== "Comment");
        if (inner.length !== 1) return { ...span, t: "unsupported", what: "parenthesized expression" };
        return { ...span, t: "paren", inner: this.expr(inner[0] as SyntaxNode) };
      }
      case "MemberExpression": {
        const kids = children(node).filter((c) => c.name !== "Comment");
        const obj = this.expr(kids[0] as SyntaxNode);
        const second = kids[1];
        if (second?.name === ".") {
          const prop = kids[2];
          return { ...span, t: "attr", obj, name: prop ? this.src(prop) : "" };
        }
        const inner = kids.slice(2, -1);
        if (inner.length !== 1 || inner.some((k) => k.name === ":"))
          return { ...span, t: "unsupported", what: "slice or multi-index subscript" };
        return { ...span, t: "index", obj, index: this.expr(inner[0] as SyntaxNode) };
      }
      case "CallExpression": {
        const kids = children(node).filter((c) => c.name !== "Comment");
        const argList = kids[kids.length - 1] as SyntaxNode;
        return { ...span, t: "call", fn: this.expr(kids[0] as SyntaxNode), args: this.args(argList) };
      }
      case "ArrayExpression":
      case "TupleExpression":
      case "SetExpression":
        return {
          ...span,
          t: node.name === "ArrayExpression" ? "list" : node.name === "TupleExpression" ? "tuple" : "set",
          ...this.items(node),
        };
      case "DictionaryExpression":
        return { ...span, t: "dict", entries: this.dictEntries(node) };
      case "BinaryExpression": {
        const kids = children(node).filter((c) => c.name !== "Comment");
        if (kids.length !== 3) {
          // `a not in b`, `a is not b`: operator of two words.
          const op = kids
            .slice(1, -1)
            .map((k) => this.src(k))
            .join(" ");
          return {
            ...span,
            t: "binop",
            op,
            left: this.expr(kids[0] as SyntaxNode),
            right: this.expr(kids[kids.length - 1] as SyntaxNode),
          };
        }
        return {
          ...span,
          t: "binop",
          op: this.src(kids[1] as SyntaxNode),
          left: this.expr(kids[0] as SyntaxNode),
          right: this.expr(kids[2] as SyntaxNode),
        };
      }
      case "UnaryExpression": {
        const kids = children(node).filter((c) => c.name !== "Comment");
        return {
          ...span,
          t: "unop",
          op: this.src(kids[0] as SyntaxNode),
          operand: this.expr(kids[1] as SyntaxNode),
        };
      }
      case "ConditionalExpression": {
        const kids = children(node).filter(
          (c) => c.name !== "Comment" && c.name !== "if" && c.name !== "else",
        );
        return {
          ...span,
          t: "cond",
          then: this.expr(kids[0] as SyntaxNode),
          test: this.expr(kids[1] as SyntaxNode),
          otherwise: this.expr(kids[2] as SyntaxNode),
        };
      }
      case "ArrayComprehensionExpression":
      case "DictionaryComprehensionExpression":
      case "SetComprehensionExpression":
      case "ComprehensionExpression":
        return this.comprehension(node);
      default:
        return { ...span, t: "unsupported", what: describeExpression(node.name) };
    }
  }

  private formatString(node: SyntaxNode): PyExpr {
    const raw = this.src(node);
    const prefix = /^[A-Za-z]*/.exec(raw)?.[0] ?? "";
    const quote = raw.slice(prefix.length, prefix.length + 3);
    const q = quote === '"""' || quote === "'''" ? quote : raw.slice(prefix.length, prefix.length + 1);
    const raw_ = /r/i.test(prefix);
    const parts: (string | PyExpr)[] = [];
    let cursor = node.from + prefix.length + q.length;
    const end = node.to - q.length;
    for (const c of children(node)) {
      if (c.name !== "FormatReplacement") continue;
      parts.push(
        decodeBody(this.text.slice(cursor, c.from), raw_).replace(/\{\{/g, "{").replace(/\}\}/g, "}"),
      );
      const inner = children(c).filter((k) => k.name !== "{" && k.name !== "}" && k.name !== "Comment");
      if (inner.length !== 1)
        parts.push({
          from: c.from,
          to: c.to,
          t: "unsupported",
          what: "an f-string replacement with a format spec or conversion",
        });
      else parts.push(this.expr(inner[0] as SyntaxNode));
      cursor = c.to;
    }
    parts.push(decodeBody(this.text.slice(cursor, end), raw_).replace(/\{\{/g, "{").replace(/\}\}/g, "}"));
    return { from: node.from, to: node.to, t: "fstr", parts, triple: q.length === 3 };
  }

  private comprehension(node: SyntaxNode): PyExpr {
    const kind =
      node.name === "ArrayComprehensionExpression"
        ? "list"
        : node.name === "DictionaryComprehensionExpression"
          ? "dict"
          : node.name === "SetComprehensionExpression"
            ? "set"
            : "gen";
    const kids = children(node).filter(
      (c) => c.name !== "Comment" && !["[", "]", "{", "}", "(", ")"].includes(c.name),
    );
    const firstFor = kids.findIndex((k) => k.name === "for");
    const head = kids.slice(0, firstFor);
    let elt: PyExpr;
    let key: PyExpr | undefined;
    if (kind === "dict") {
      key = this.expr(head[0] as SyntaxNode);
      elt = this.expr(head[2] as SyntaxNode);
    } else elt = this.expr(head[0] as SyntaxNode);
    const clauses: PyCompClause[] = [];
    let i = firstFor;
    while (i < kids.length) {
      const k = kids[i] as SyntaxNode;
      if (k.name === "for") {
        const targets: string[] = [];
        let j = i + 1;
        let unpack = false;
        for (; j < kids.length && kids[j]?.name !== "in"; j++) {
          const t = kids[j] as SyntaxNode;
          if (t.name === "VariableName") targets.push(this.src(t));
          else if (t.name === ",") unpack = true;
          else if (t.name === "TupleExpression" || t.name === "ParenthesizedExpression") {
            unpack = true;
            for (const v of children(t)) if (v.name === "VariableName") targets.push(this.src(v));
          } else throw new UnsupportedComprehension();
        }
        clauses.push({ targets, unpack, iter: this.expr(kids[j + 1] as SyntaxNode), ifs: [] });
        i = j + 2;
      } else if (k.name === "if") {
        clauses[clauses.length - 1]?.ifs.push(this.expr(kids[i + 1] as SyntaxNode));
        i += 2;
      } else if (k.name === "async") {
        return { from: node.from, to: node.to, t: "unsupported", what: "an async comprehension" };
      } else i++;
    }
    return key
      ? { from: node.from, to: node.to, t: "comp", kind, elt, key, clauses }
      : { from: node.from, to: node.to, t: "comp", kind, elt, clauses };
  }

  private items(node: SyntaxNode): { items: PyItem[]; itemComments: string[][] } {
    const items: PyItem[] = [];
    const itemComments: string[][] = [];
    let pending: string[] = [];
    const kids = children(node);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i] as SyntaxNode;
      if (k.name === "Comment") {
        // A comment after an item on its line belongs to that item; otherwise to the next one.
        const sameLine = !this.text.slice(kids[i - 1]?.to ?? k.from, k.from).includes("\n");
        const text = this.src(k).slice(1).replace(/^ /, "");
        if (sameLine && items.length > 0 && kids[i - 1]?.name === ",")
          itemComments[items.length - 1]?.push(text);
        else pending.push(text);
        continue;
      }
      if (BRACKETS.has(k.name)) continue;
      if (k.name === "*") {
        const v = kids[i + 1] as SyntaxNode;
        items.push({ from: k.from, to: v.to, t: "starred", value: this.expr(v) });
        i++;
      } else items.push(this.expr(k));
      itemComments.push(pending);
      pending = [];
    }
    return { items, itemComments };
  }

  private dictEntries(node: SyntaxNode): PyDictEntry[] {
    const out: PyDictEntry[] = [];
    const kids = children(node).filter((c) => c.name !== "Comment" && c.name !== "{" && c.name !== "}");
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i] as SyntaxNode;
      if (k.name === ",") continue;
      if (k.name === "**") {
        out.push({ spread: this.expr(kids[i + 1] as SyntaxNode) });
        i++;
        continue;
      }
      const colon = kids[i + 1];
      const value = kids[i + 2];
      if (colon?.name !== ":" || !value) throw new SyntaxProblem();
      out.push({ key: this.expr(k), value: this.expr(value) });
      i += 2;
    }
    return out;
  }

  args(node: SyntaxNode): PyArg[] {
    const out: PyArg[] = [];
    let comments: string[] = [];
    const kids = children(node);
    for (let i = 0; i < kids.length; i++) {
      const k = kids[i] as SyntaxNode;
      if (k.name === "Comment") {
        comments.push(this.src(k).slice(1).replace(/^ /, ""));
        continue;
      }
      if (k.name === "(" || k.name === ")" || k.name === ",") continue;
      if (k.name === "*" || k.name === "**") {
        const v = kids[i + 1] as SyntaxNode;
        out.push({ from: k.from, to: v.to, star: k.name, value: this.expr(v), comments });
        comments = [];
        i++;
        continue;
      }
      const next = kids[i + 1];
      if (k.name === "VariableName" && next?.name === "AssignOp") {
        const v = kids[i + 2] as SyntaxNode;
        out.push({ from: k.from, to: v.to, name: this.src(k), value: this.expr(v), comments });
        comments = [];
        i += 2;
        continue;
      }
      if (next && (next.name === "for" || next.name === "async")) {
        // A bare generator argument `f(x for x in y)`.
        out.push({
          from: k.from,
          to: node.to,
          value: { from: k.from, to: node.to, t: "unsupported", what: "a generator argument" },
          comments,
        });
        break;
      }
      out.push({ from: k.from, to: k.to, value: this.expr(k), comments });
      comments = [];
    }
    return out;
  }
}

type ImportShape =
  | { t: "from"; level: number; module: string; names: PyImportName[] | "*" }
  | { t: "import"; modules: { module: string; asName: string | null }[] };

class SyntaxProblem extends Error {}
/** An expression nested deeper than MAX_EXPR_DEPTH, at offset `at`: its statement is not read. */
class TooDeep extends Error {
  constructor(readonly at: number) {
    super("nesting too deep");
  }
}
class UnsupportedComprehension extends SyntaxProblem {}

function describeStatement(name: string): string {
  const map: Record<string, string> = {
    IfStatement: "an if statement",
    ForStatement: "a for loop",
    WhileStatement: "a while loop",
    WithStatement: "a with statement",
    TryStatement: "a try statement",
    ClassDefinition: "a class definition",
    UpdateStatement: "an augmented assignment",
    DeleteStatement: "a del statement",
    PassStatement: "pass",
    GlobalStatement: "a global statement",
    AssertStatement: "an assert statement",
    PrintStatement: "a print statement",
    MatchStatement: "a match statement",
    TypeDefinition: "a type alias",
  };
  return map[name] ?? name;
}

function describeExpression(name: string): string {
  const map: Record<string, string> = {
    LambdaExpression: "a lambda",
    AwaitExpression: "await",
    NamedExpression: "an assignment expression (:=)",
    YieldExpression: "yield",
    Ellipsis: "...",
  };
  return map[name] ?? name;
}

/** A Python string literal's value: prefixes (r, b, u, f handled elsewhere), quotes, escapes. */
export function decodeString(raw: string): { value: string; bytes: boolean; triple: boolean } {
  const prefix = /^[A-Za-z]*/.exec(raw)?.[0] ?? "";
  const body = raw.slice(prefix.length);
  const triple = body.startsWith('"""') || body.startsWith("'''");
  const q = triple ? 3 : 1;
  return {
    value: decodeBody(body.slice(q, body.length - q), /r/i.test(prefix)),
    bytes: /b/i.test(prefix),
    triple,
  };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  v: "\v",
  "0": "\0",
  "\n": "",
};

function decodeBody(body: string, raw: boolean): string {
  if (raw) return body;
  return body.replace(
    /\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|[\s\S])/g,
    (m, e: string) => {
      if (e.length > 1 && (e[0] === "x" || e[0] === "u" || e[0] === "U"))
        return String.fromCodePoint(parseInt(e.slice(1), 16));
      if (/^[0-7]+$/.test(e)) return String.fromCodePoint(parseInt(e, 8));
      return SIMPLE_ESCAPES[e] ?? m;
    },
  );
}
