/**
 * Finds every place in the project that mutates a top-level binding (`keys.push(...)`,
 * `obj.x = ...`, `delete obj.x`, `x++`, `Object.assign(obj, ...)`, in-place sort/reverse, ...).
 * After evaluation, a mutation of a binding a definition used is an error: evaluating the value
 * statically would disagree with running the code.
 *
 * Only statements whose text contains a mutation token are walked (a regular-expression pre-scan
 * of the file); the `=` of a `const x = ...` declaration does not count. A project of plain
 * definitions is therefore never walked at all.
 */
import ts from "./typescript.cjs";
import { bindingNames } from "./modules.js";
import type { DeclRecord, ModuleGraph, ModuleRecord, Target } from "./modules.js";
import { skipTrivia } from "./source.js";
import { skipTransparent } from "./locations.js";

const K = ts.SyntaxKind;

export type MutationTarget = DeclRecord | ts.FunctionDeclaration;

export interface MutationSite {
  readonly mod: ModuleRecord;
  /** Span of the mutating expression. */
  readonly start: number;
  readonly length: number;
  /** "is modified by .push()", for the message. */
  readonly how: string;
  /** The bindings it changes (an alias `const k = keys` leads to `keys` too). */
  readonly targets: readonly MutationTarget[];
}

/** A mutation of a top-level name, found while the module's tree was loaded; resolved at the end. */
interface PendingSite {
  readonly mod: ModuleRecord;
  readonly start: number;
  readonly length: number;
  readonly how: string;
  readonly name: string;
  readonly member: string | undefined;
}

const CANDIDATE =
  /(?<![=!<>])=(?![=>])|<<=|>>>?=|\+\+|--|\b(?:delete|push|pop|shift|unshift|splice|sort|reverse|fill|copyWithin|assign|defineProperty|defineProperties|setPrototypeOf|Reflect|for)\b/g;

const MUTATING_METHODS: ReadonlySet<string> = new Set([
  "push",
  "pop",
  "shift",
  "unshift",
  "splice",
  "sort",
  "reverse",
  "fill",
  "copyWithin",
]);
const OBJECT_MUTATORS: ReadonlySet<string> = new Set([
  "assign",
  "defineProperty",
  "defineProperties",
  "setPrototypeOf",
]);
const REFLECT_MUTATORS: ReadonlySet<string> = new Set([
  "set",
  "defineProperty",
  "deleteProperty",
  "setPrototypeOf",
]);

/** The identifier an access chain starts from (`a` in `a.b[0].c`), and the first member after it. */
function chainRoot(expr: ts.Expression): { id: ts.Identifier; member: string | undefined } | undefined {
  let n = skipTransparent(expr);
  let member: string | undefined;
  for (;;) {
    if (n.kind === K.Identifier) return { id: n as ts.Identifier, member };
    if (n.kind === K.PropertyAccessExpression) {
      member = (n as ts.PropertyAccessExpression).name.text;
      n = skipTransparent((n as ts.PropertyAccessExpression).expression);
    } else if (n.kind === K.ElementAccessExpression) {
      const arg = (n as ts.ElementAccessExpression).argumentExpression;
      member = arg.kind === K.StringLiteral ? (arg as ts.StringLiteral).text : undefined;
      n = skipTransparent((n as ts.ElementAccessExpression).expression);
    } else {
      return undefined; // a call or a literal: a fresh value, not a binding
    }
  }
}

function statementsDeclare(statements: readonly ts.Statement[], name: string): boolean {
  for (const st of statements) {
    switch (st.kind) {
      case K.VariableStatement:
        for (const d of (st as ts.VariableStatement).declarationList.declarations) {
          if (bindingNames(d.name).includes(name)) return true;
        }
        break;
      case K.FunctionDeclaration:
      case K.ClassDeclaration:
      case K.EnumDeclaration:
        if ((st as ts.FunctionDeclaration).name?.text === name) return true;
        break;
    }
  }
  return false;
}

/** Whether `node` (an ancestor of a mutation) declares `name` locally, shadowing the top level. */
function declaresName(node: ts.Node, name: string): boolean {
  switch (node.kind) {
    case K.FunctionDeclaration:
    case K.FunctionExpression:
    case K.ArrowFunction:
    case K.MethodDeclaration:
    case K.Constructor:
    case K.GetAccessor:
    case K.SetAccessor: {
      const f = node as ts.FunctionLikeDeclaration;
      if (f.kind === K.FunctionExpression && f.name?.text === name) return true;
      return f.parameters.some((p) => bindingNames(p.name).includes(name));
    }
    case K.Block:
    case K.ModuleBlock:
      return statementsDeclare((node as ts.Block).statements, name);
    case K.CaseBlock:
      return (node as ts.CaseBlock).clauses.some((c) => statementsDeclare(c.statements, name));
    case K.ForStatement:
    case K.ForInStatement:
    case K.ForOfStatement: {
      const init = (node as ts.ForStatement).initializer;
      return (
        init !== undefined &&
        init.kind === K.VariableDeclarationList &&
        (init as ts.VariableDeclarationList).declarations.some((d) => bindingNames(d.name).includes(name))
      );
    }
    case K.CatchClause: {
      const v = (node as ts.CatchClause).variableDeclaration;
      return v !== undefined && bindingNames(v.name).includes(name);
    }
    case K.ClassExpression:
      return (node as ts.ClassExpression).name?.text === name;
    default:
      return false;
  }
}

export class MutationScanner {
  private readonly pending: PendingSite[] = [];

  /** Scans a freshly loaded module (its tables are built, its tree is still there). */
  scanModule(mod: ModuleRecord, sf: ts.SourceFile): void {
    const statements = sf.statements;
    if (statements.length === 0) return;
    const text = mod.file.text;
    const flagged = new Uint8Array(statements.length);
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      const i = statementAt(statements, m.index);
      if (i < 0 || flagged[i]) continue;
      const st = statements[i] as ts.Statement;
      if (m[0] === "=" && isDeclarationEquals(st, m.index)) continue;
      flagged[i] = 1;
    }
    for (let i = 0; i < statements.length; i++) {
      if (flagged[i]) this.walk(mod, statements[i] as ts.Statement);
    }
  }

  private walk(mod: ModuleRecord, st: ts.Statement): void {
    const nodes: ts.Node[] = [st];
    const depths: number[] = [0];
    const path: ts.Node[] = [];
    while (nodes.length > 0) {
      const n = nodes.pop() as ts.Node;
      const d = depths.pop() as number;
      path.length = d;
      const k = n.kind;
      if (
        (k >= K.FirstTypeNode && k <= K.LastTypeNode) ||
        k === K.InterfaceDeclaration ||
        k === K.TypeAliasDeclaration
      ) {
        continue;
      }
      this.check(mod, n, path);
      path.push(n);
      ts.forEachChild(n, (c) => {
        nodes.push(c);
        depths.push(d + 1);
      });
    }
  }

  private check(mod: ModuleRecord, n: ts.Node, path: readonly ts.Node[]): void {
    switch (n.kind) {
      case K.BinaryExpression: {
        const b = n as ts.BinaryExpression;
        const op = b.operatorToken.kind;
        if (op >= K.FirstAssignment && op <= K.LastAssignment) {
          const direct = skipTransparent(b.left).kind === K.Identifier;
          this.addTargets(mod, b.left, n, direct ? "is reassigned" : "is modified by an assignment", path);
        }
        break;
      }
      case K.PrefixUnaryExpression:
      case K.PostfixUnaryExpression: {
        const u = n as ts.PrefixUnaryExpression;
        if (u.operator === K.PlusPlusToken || u.operator === K.MinusMinusToken) {
          this.addTargets(mod, u.operand, n, "is modified by ++/--", path);
        }
        break;
      }
      case K.DeleteExpression:
        this.addTargets(mod, (n as ts.DeleteExpression).expression, n, "is modified by delete", path);
        break;
      case K.CallExpression: {
        const call = n as ts.CallExpression;
        const callee = skipTransparent(call.expression);
        let name: string | undefined;
        let object: ts.Expression | undefined;
        if (callee.kind === K.PropertyAccessExpression) {
          name = (callee as ts.PropertyAccessExpression).name.text;
          object = (callee as ts.PropertyAccessExpression).expression;
        } else if (callee.kind === K.ElementAccessExpression) {
          const arg = (callee as ts.ElementAccessExpression).argumentExpression;
          if (arg.kind === K.StringLiteral) name = (arg as ts.StringLiteral).text;
          object = (callee as ts.ElementAccessExpression).expression;
        }
        if (name === undefined || object === undefined) break;
        if (MUTATING_METHODS.has(name)) {
          this.addTargets(mod, object, n, `is modified by .${name}()`, path);
          break;
        }
        const obj = skipTransparent(object);
        if (obj.kind !== K.Identifier) break;
        const owner = (obj as ts.Identifier).text;
        const first = call.arguments[0];
        if (first === undefined || mod.scope.has(owner) || path.some((a) => declaresName(a, owner))) break;
        if (
          (owner === "Object" && OBJECT_MUTATORS.has(name)) ||
          (owner === "Reflect" && REFLECT_MUTATORS.has(name))
        ) {
          this.addTargets(mod, first, n, `is modified by ${owner}.${name}()`, path);
        }
        break;
      }
      case K.ForInStatement:
      case K.ForOfStatement: {
        const init = (n as ts.ForOfStatement).initializer;
        if (init.kind !== K.VariableDeclarationList) {
          this.addTargets(mod, init as ts.Expression, n, "is reassigned by a loop", path);
        }
        break;
      }
    }
  }

  /** A name declared by an enclosing function or block, or not a top-level binding at all. */
  private isLocal(mod: ModuleRecord, name: string, path: readonly ts.Node[]): boolean {
    if (mod.scope.has(name)) {
      for (let i = path.length - 1; i >= 0; i--) if (declaresName(path[i] as ts.Node, name)) return true;
      return false;
    }
    return true;
  }

  private addTargets(
    mod: ModuleRecord,
    expr: ts.Expression,
    site: ts.Node,
    how: string,
    path: readonly ts.Node[],
  ): void {
    const e = skipTransparent(expr);
    if (e.kind === K.ObjectLiteralExpression) {
      for (const p of (e as ts.ObjectLiteralExpression).properties) {
        if (p.kind === K.PropertyAssignment) this.addTargets(mod, p.initializer, site, "is reassigned", path);
        else if (p.kind === K.ShorthandPropertyAssignment)
          this.addTargets(mod, p.name, site, "is reassigned", path);
        else if (p.kind === K.SpreadAssignment)
          this.addTargets(mod, p.expression, site, "is reassigned", path);
      }
      return;
    }
    if (e.kind === K.ArrayLiteralExpression) {
      for (const el of (e as ts.ArrayLiteralExpression).elements) {
        if (el.kind === K.SpreadElement)
          this.addTargets(mod, (el as ts.SpreadElement).expression, site, "is reassigned", path);
        else this.addTargets(mod, el, site, "is reassigned", path);
      }
      return;
    }
    if (e.kind === K.BinaryExpression && (e as ts.BinaryExpression).operatorToken.kind === K.EqualsToken) {
      this.addTargets(mod, (e as ts.BinaryExpression).left, site, how, path); // `[a = 1] = ...` default
      return;
    }
    const root = chainRoot(e);
    if (root === undefined) return;
    const name = root.id.text;
    if (this.isLocal(mod, name, path)) return;
    const start = skipTrivia(mod.file.text, site.pos);
    this.pending.push({ mod, start, length: site.end - start, how, name, member: root.member });
  }

  /** Every mutation site with the top-level bindings it changes (imports and aliases followed). */
  resolveAll(graph: ModuleGraph): MutationSite[] {
    const sites: MutationSite[] = [];
    for (const p of this.pending) {
      const targets: MutationTarget[] = [];
      let t = graph.resolveTop(p.mod, p.name);
      if (t?.t === "namespace" && p.member !== undefined) t = graph.resolveExport(t.mod, p.member);
      if (t !== undefined) this.collect(graph, t, targets, new Set());
      if (targets.length > 0)
        sites.push({ mod: p.mod, start: p.start, length: p.length, how: p.how, targets });
    }
    return sites;
  }

  /** The binding a target names, plus what it aliases (`const k = keys` → keys, `= obj.list` → obj). */
  private collect(graph: ModuleGraph, t: Target, out: MutationTarget[], seen: Set<MutationTarget>): void {
    if (t.t === "function") {
      if (!seen.has(t.node)) {
        seen.add(t.node);
        out.push(t.node);
      }
      return;
    }
    if (t.t !== "const" || seen.has(t.rec) || seen.size > 16) return;
    seen.add(t.rec);
    out.push(t.rec);
    const alias = t.rec.alias;
    if (alias === undefined) return;
    let next = graph.resolveTop(t.rec.mod, alias.name);
    if (next?.t === "namespace" && alias.member !== undefined)
      next = graph.resolveExport(next.mod, alias.member);
    if (next !== undefined) this.collect(graph, next, out, seen);
  }
}

/** Index of the top-level statement whose full range (with leading trivia) holds `pos`, or -1. */
function statementAt(statements: readonly ts.Statement[], pos: number): number {
  let lo = 0;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const st = statements[mid] as ts.Statement;
    if (pos < st.pos) hi = mid - 1;
    else if (pos >= st.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

function isDeclarationEquals(st: ts.Statement, pos: number): boolean {
  if (st.kind !== K.VariableStatement) return false;
  for (const d of (st as ts.VariableStatement).declarationList.declarations) {
    if (d.initializer !== undefined && d.initializer.pos - 1 === pos) return true;
  }
  return false;
}
