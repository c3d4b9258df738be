/**
 * Which top-level statements are definitions. A `const` (or `export default`) is evaluated when
 * its initializer constructs a DSL object, or refers to a function (or a const holding one) that
 * does; everything else at the top level is ignored, never evaluated. A top-level statement of
 * another kind (a loop, an `if`, a call) that would construct DSL objects is reported, because
 * fsops does not evaluate it and the objects would silently be missing.
 */
import { ts } from "ts-morph";
import { PARSE } from "./codes.js";
import type { Reporter } from "./diagnostics.js";
import { FSOPS_MODULE, isDslClassName } from "./modules.js";
import { KNOWN_GLOBALS } from "./not-in-fsops.js";
import type { DeclRecord, ModuleGraph, ModuleRecord, Target } from "./modules.js";
import { DslClassValue } from "./values.js";
import { skipTransparent } from "./locations.js";

const K = ts.SyntaxKind;
const MAX_ANALYSIS_DEPTH = 100;

export type Root =
  | { readonly kind: "decl"; readonly rec: DeclRecord }
  | { readonly kind: "expression"; readonly mod: ModuleRecord; readonly node: ts.Expression };

function isTypeNode(kind: ts.SyntaxKind): boolean {
  return (
    (kind >= K.FirstTypeNode && kind <= K.LastTypeNode) ||
    kind === K.InterfaceDeclaration ||
    kind === K.TypeAliasDeclaration ||
    kind === K.HeritageClause
  );
}

function isFunctionLike(kind: ts.SyntaxKind): boolean {
  return (
    kind === K.ArrowFunction ||
    kind === K.FunctionExpression ||
    kind === K.FunctionDeclaration ||
    kind === K.MethodDeclaration ||
    kind === K.GetAccessor ||
    kind === K.SetAccessor
  );
}

/** Children in source order, pushed so that the first child is popped first. */
function pushChildren(stack: ts.Node[], node: ts.Node): void {
  const at = stack.length;
  ts.forEachChild(node, (c) => {
    stack.push(c);
  });
  // reverse the freshly pushed range
  for (let i = at, j = stack.length - 1; i < j; i++, j--) {
    const t = stack[i] as ts.Node;
    stack[i] = stack[j] as ts.Node;
    stack[j] = t;
  }
}

export class RootFinder {
  private readonly functionMemo = new WeakMap<ts.Node, boolean>();
  private readonly constMemo = new Map<DeclRecord, boolean>();
  /** Nesting of the function/const analyses below (a long chain of references must not overflow). */
  private depth = 0;

  constructor(
    private readonly graph: ModuleGraph,
    private readonly reporter: Reporter,
  ) {}

  /** The definitions of a module, in source order; reports constructions fsops will not evaluate. */
  findRoots(mod: ModuleRecord): Root[] {
    const roots: Root[] = [];
    if (mod.sf === undefined) return roots;
    const statements = mod.sf.statements;
    const decls = mod.decls;
    let cursor = 0;
    // Records were made in statement order: walk them alongside.
    const declFor = (node: ts.Node): DeclRecord | undefined => {
      while (cursor < decls.length && (decls[cursor] as DeclRecord).node !== node) cursor++;
      return decls[cursor];
    };
    for (let s = 0; s < statements.length; s++) {
      const st = statements[s] as ts.Statement;
      switch (st.kind) {
        case K.VariableStatement: {
          const vs = st as ts.VariableStatement;
          if (vs.modifiers?.some((m) => m.kind === K.DeclareKeyword)) break;
          const list = vs.declarationList;
          const isConst = (list.flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Const;
          const decls = list.declarations;
          for (let k = 0; k < decls.length; k++) {
            const d = decls[k] as ts.VariableDeclaration;
            if (d.initializer === undefined) continue;
            const hit = this.constructs(d.initializer, mod);
            if (hit === undefined) continue;
            const rec = isConst ? declFor(d) : undefined;
            if (isConst && rec !== undefined) {
              roots.push({ kind: "decl", rec });
            } else if (list.flags & ts.NodeFlags.Let || !(list.flags & ts.NodeFlags.BlockScoped)) {
              const names = d.name.kind === K.Identifier ? d.name.text : "this binding";
              const keyword = list.flags & ts.NodeFlags.Let ? "let" : "var";
              this.reporter.at(PARSE.mutableBinding, mod.file, d.name, [names, keyword]);
            } else {
              this.reporter.at(PARSE.statementNotEvaluated, mod.file, hit, ["a using declaration"]);
            }
          }
          break;
        }
        case K.ExportAssignment: {
          const ea = st as ts.ExportAssignment;
          const hit = this.constructs(ea.expression, mod);
          if (hit === undefined) break;
          const rec = ea.isExportEquals ? undefined : declFor(ea);
          if (rec !== undefined) {
            roots.push({ kind: "decl", rec });
          } else {
            this.reporter.at(PARSE.statementNotEvaluated, mod.file, hit, ["an export = statement"]);
          }
          break;
        }
        case K.ExpressionStatement: {
          const expr = (st as ts.ExpressionStatement).expression;
          const inner = skipTransparent(expr);
          if (
            inner.kind === K.NewExpression &&
            this.looksLikeDslCallee((inner as ts.NewExpression).expression, mod)
          ) {
            roots.push({ kind: "expression", mod, node: expr });
            break;
          }
          const hit = this.constructs(expr, mod);
          if (hit !== undefined) {
            this.reporter.at(PARSE.statementNotEvaluated, mod.file, hit, [
              "a top-level expression statement",
            ]);
          }
          break;
        }
        case K.ForStatement:
        case K.ForInStatement:
        case K.ForOfStatement:
        case K.WhileStatement:
        case K.DoStatement: {
          if (this.constructs(st, mod) === undefined) break;
          const kw = st.kind === K.WhileStatement ? "while" : st.kind === K.DoStatement ? "do" : "for";
          this.reporter.at(PARSE.loop, mod.file, st, [kw], kw.length);
          break;
        }
        case K.IfStatement:
        case K.Block:
        case K.SwitchStatement:
        case K.TryStatement:
        case K.LabeledStatement:
        case K.ThrowStatement:
        case K.WithStatement: {
          const hit = this.constructs(st, mod);
          if (hit !== undefined) {
            this.reporter.at(PARSE.statementNotEvaluated, mod.file, hit, [statementKind(st.kind)]);
          }
          break;
        }
        default:
          // imports, exports, functions, classes, types: never evaluated on their own
          break;
      }
    }
    return roots;
  }

  /**
   * Before a module's syntax tree is let go: settle, for each evaluated const whose evaluation
   * met a function, whether it holds a constructing one (later roots may refer to it).
   */
  beforeRelease(mod: ModuleRecord): void {
    for (const rec of mod.decls) {
      if (rec.touchedFunctions && (rec.state === "done" || rec.state === "failed"))
        this.constHoldsConstructor(rec);
    }
  }

  /**
   * The first node under `root` that constructs a DSL object or refers to something that does
   * when called, or undefined. Stops at the first hit: `const v = new FeatureView(...)` costs one
   * lookup.
   */
  constructs(root: ts.Node, mod: ModuleRecord): ts.Node | undefined {
    const stack: ts.Node[] = [root];
    while (stack.length > 0) {
      const n = stack.pop() as ts.Node;
      const k = n.kind;
      if (isTypeNode(k)) continue;
      switch (k) {
        case K.NewExpression:
          if (this.looksLikeDslCallee((n as ts.NewExpression).expression, mod)) return n;
          break;
        case K.Identifier:
          if (this.refConstructs(mod, (n as ts.Identifier).text)) return n;
          continue;
        case K.PropertyAccessExpression: {
          const pa = n as ts.PropertyAccessExpression;
          if (pa.expression.kind === K.Identifier) {
            const t = this.graph.resolveTop(mod, (pa.expression as ts.Identifier).text);
            if (
              t?.t === "namespace" &&
              this.targetConstructs(this.graph.resolveExport(t.mod, pa.name.text))
            ) {
              return n;
            }
          }
          stack.push(pa.expression);
          continue;
        }
        case K.PropertyAssignment: {
          const p = n as ts.PropertyAssignment;
          stack.push(p.initializer);
          if (p.name.kind === K.ComputedPropertyName) stack.push(p.name.expression);
          continue;
        }
      }
      pushChildren(stack, n);
    }
    return undefined;
  }

  /**
   * Whether `new <callee>` is, or was meant to be, a DSL construction: a DSL class, but also any
   * other name imported from "fsops" or from another package, any member of an fsops namespace,
   * and a name declared nowhere (a Feast class without its import). Those are evaluated so that
   * the evaluator reports them: such a construction must never vanish without a word.
   */
  looksLikeDslCallee(callee: ts.Expression, mod: ModuleRecord): boolean {
    if (this.isDslCallee(callee, mod, 0)) return true;
    const c = skipTransparent(callee);
    if (c.kind === K.Identifier) {
      const name = (c as ts.Identifier).text;
      const t = this.graph.resolveTop(mod, name);
      if (t === undefined) return !KNOWN_GLOBALS.has(name);
      return (t.t === "missing" && t.module === FSOPS_MODULE) || t.t === "foreign" || t.t === "fsops";
    }
    if (c.kind === K.PropertyAccessExpression) {
      const pa = c as ts.PropertyAccessExpression;
      if (pa.expression.kind !== K.Identifier) return false;
      const ns = this.graph.resolveTop(mod, (pa.expression as ts.Identifier).text);
      return ns?.t === "fsops" || ns?.t === "foreign";
    }
    return false;
  }

  /** Whether `new <callee>` builds a DSL object: an import from "fsops", possibly via aliases. */
  isDslCallee(callee: ts.Expression, mod: ModuleRecord, depth: number): boolean {
    const c = skipTransparent(callee);
    let t: Target | undefined;
    if (c.kind === K.Identifier) {
      t = this.graph.resolveTop(mod, (c as ts.Identifier).text);
    } else if (c.kind === K.PropertyAccessExpression) {
      const pa = c as ts.PropertyAccessExpression;
      if (pa.expression.kind !== K.Identifier) return false;
      const ns = this.graph.resolveTop(mod, (pa.expression as ts.Identifier).text);
      if (ns?.t === "fsops") return isDslClassName(pa.name.text);
      if (ns?.t === "namespace") t = this.graph.resolveExport(ns.mod, pa.name.text);
    }
    if (t === undefined) return false;
    if (t.t === "dsl") return true;
    if (t.t !== "const") return false;
    // An alias (`const E = fs.Entity`): its value if evaluated already, else its initializer.
    if (t.rec.state === "done") return t.rec.names === undefined && t.rec.value instanceof DslClassValue;
    if (depth < 8 && t.rec.init !== undefined && t.rec.pattern === undefined) {
      return this.isDslCallee(t.rec.init, t.rec.mod, depth + 1);
    }
    return false;
  }

  private refConstructs(mod: ModuleRecord, name: string): boolean {
    const b = mod.scope.get(name);
    if (b === undefined) return false;
    if (b.kind === "const") return this.constHoldsConstructor(b.rec);
    if (b.kind === "function") return this.functionConstructs(b.node, mod);
    if (b.kind === "import") return this.targetConstructs(this.graph.resolveImport(mod, b.imp));
    return false;
  }

  private targetConstructs(t: Target): boolean {
    if (t.t === "const") return this.constHoldsConstructor(t.rec);
    if (t.t === "function") return this.functionConstructs(t.node, t.mod);
    return false;
  }

  /** A function whose body constructs DSL objects (directly or through other helpers). */
  private functionConstructs(node: ts.FunctionLikeDeclaration, mod: ModuleRecord): boolean {
    const known = this.functionMemo.get(node);
    if (known !== undefined) return known;
    // Too long a chain to follow: evaluate to find out (evaluation has its own limits).
    if (this.depth >= MAX_ANALYSIS_DEPTH) return true;
    this.functionMemo.set(node, false); // a recursive helper does not make itself constructing
    const body = node.body;
    this.depth++;
    try {
      const result = body !== undefined && this.constructs(body, mod) !== undefined;
      this.functionMemo.set(node, result);
      return result;
    } finally {
      this.depth--;
    }
  }

  /**
   * A const whose value holds a constructing function (`const mk = (n) => new Field(...)`,
   * `const helpers = { mk }`). A const that merely holds DSL objects does not count: referring to
   * it creates nothing new.
   */
  private constHoldsConstructor(rec: DeclRecord): boolean {
    const known = this.constMemo.get(rec);
    if (known !== undefined) return known;
    // Released after evaluation without touching a function: its value cannot hold one.
    if (rec.init === undefined) return false;
    if (this.depth >= MAX_ANALYSIS_DEPTH) return true;
    this.constMemo.set(rec, false);
    let result = false;
    this.depth++;
    try {
      const mod = rec.mod;
      const stack: ts.Node[] = [rec.init];
      while (stack.length > 0 && !result) {
        const n = stack.pop() as ts.Node;
        const k = n.kind;
        if (isTypeNode(k)) continue;
        if (isFunctionLike(k)) {
          if (this.functionConstructs(n as ts.FunctionLikeDeclaration, mod)) result = true;
          continue;
        }
        if (k === K.Identifier) {
          if (this.refConstructs(mod, (n as ts.Identifier).text)) result = true;
          continue;
        }
        if (k === K.PropertyAccessExpression) {
          stack.push((n as ts.PropertyAccessExpression).expression);
          continue;
        }
        if (k === K.PropertyAssignment) {
          stack.push((n as ts.PropertyAssignment).initializer);
          continue;
        }
        pushChildren(stack, n);
      }
    } finally {
      this.depth--;
    }
    this.constMemo.set(rec, result);
    return result;
  }
}

function statementKind(kind: ts.SyntaxKind): string {
  switch (kind) {
    case K.IfStatement:
      return "a top-level if statement";
    case K.Block:
      return "a top-level block";
    case K.SwitchStatement:
      return "a top-level switch statement";
    case K.TryStatement:
      return "a top-level try statement";
    default:
      return "a top-level statement";
  }
}
