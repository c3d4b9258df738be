/**
 * The static evaluator: computes the value of definition expressions over the raw TypeScript AST,
 * without running anything. It supports exactly the side-effect-free subset DESIGN.md lists;
 * everything else is reported (once, at the offending node) and abandons the enclosing option.
 *
 * Hot paths work on `ts.Node`s directly (no ts-morph wrappers) and allocate little: on a
 * 5,000-view project evaluation must stay a small fraction of the parse itself.
 */
import { ts } from "ts-morph";
import type { SourceLocation } from "../model/diagnostic.js";
import type { DslObject, EvalRecord, EvalValue, Projection } from "../model/evaluated.js";
import { isDslObject, isProjection } from "../model/evaluated.js";
import type { DslClassName } from "../model/kinds.js";
import { DSL_CLASSES } from "../model/kinds.js";
import { ABORT, EXHAUSTED, FATAL, isStackOverflow, MAX_CALL_DEPTH, MAX_EVAL_DEPTH } from "./budget.js";
import type { Limits } from "./budget.js";
import {
  arrayMethod,
  ARRAY_METHODS,
  arrayFrom,
  objectMethod,
  OBJECT_METHODS,
  stringMethod,
  STRING_METHODS,
} from "./builtins.js";
import type { BuiltinHost } from "./builtins.js";
import { PARSE } from "./codes.js";
import { isFsopsExport, isKnownForeignDslName, KNOWN_GLOBALS, notInFsopsAdvice } from "./not-in-fsops.js";
import type { ParseCodeDef } from "./codes.js";
import type { Reporter } from "./diagnostics.js";
import { bindingNames } from "./modules.js";
import type { DeclRecord, ModuleGraph, ModuleRecord, Target, TopBinding } from "./modules.js";
import { literalLocations, skipTransparent } from "./locations.js";
import { locationAt, nodeLocation, nodeStart, skipTrivia } from "./source.js";
import type { ParsedFile } from "./source.js";
import {
  describe,
  DslClassValue,
  FunctionValue,
  isPrimitive,
  isRecord,
  NamespaceValue,
  NOT_FOUND,
  Opaque,
  RESERVED_KEYS,
  RUNTIME_KIND,
  SELECTABLE,
  setKey,
  SHORT,
  TDZ,
} from "./values.js";
import type { Scope, Value, ValueOrigin } from "./values.js";

const K = ts.SyntaxKind;

/** Globals a definition might reach for, and which diagnostic explains why it cannot. */

const MUTATING_ARRAY_METHODS: ReadonlySet<string> = new Set([
  "push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin",
]); // prettier-ignore

const DSL_CLASS_VALUES = new Map<string, DslClassValue>(DSL_CLASSES.map((n) => [n, new DslClassValue(n)]));
const FSOPS_NAMESPACE = new NamespaceValue(undefined);
/** Classes whose `name` defaults to their table (or path): Feast's default names of sources. */
const DEFAULT_NAMED: ReadonlySet<string> = new Set([
  "FileSource",
  "BigQuerySource",
  "SnowflakeSource",
  "RedshiftSource",
  "SparkSource",
  "TrinoSource",
]);

/**
 * An identifier's name. `Identifier.text` is a getter that unescapes; the escaped form differs
 * only for names starting with three underscores.
 */
function idText(id: ts.Identifier | ts.PrivateIdentifier): string {
  const t = id.escapedText as string;
  return t.charCodeAt(0) === 95 && t.charCodeAt(1) === 95 && t.charCodeAt(2) === 95 ? t.slice(1) : t;
}

function isIndexKey(key: string): boolean {
  return /^(0|[1-9]\d*)$/.test(key);
}

const UNSUPPORTED_KIND_NAMES: Partial<Record<ts.SyntaxKind, string>> = {
  [K.TypeOfExpression]: "typeof",
  [K.VoidExpression]: "void",
  [K.ThisKeyword]: "this",
  [K.SuperKeyword]: "super",
  [K.RegularExpressionLiteral]: "a regular expression",
  [K.BigIntLiteral]: "a bigint literal",
  [K.ClassExpression]: "a class expression",
  [K.JsxElement]: "JSX",
  [K.JsxSelfClosingElement]: "JSX",
  [K.JsxFragment]: "JSX",
  [K.CommaListExpression]: "the comma operator",
  [K.MetaProperty]: "new.target",
  [K.OmittedExpression]: "an empty array slot",
};

export class Evaluator implements BuiltinHost {
  private steps = 0;
  private depth = 0;
  private callDepth = 0;
  /** Set when the step budget is spent: nothing more is evaluated. */
  exhausted = false;
  /** Every construction in creation order, and whether an option of it failed. */
  private readonly createdObjects: LazyDslObject[] = [];
  private readonly createdIncomplete: boolean[] = [];
  /** Set when an option of the construction being evaluated fails. */
  private incomplete = false;
  private readonly rootScopes = new Map<ModuleRecord, Scope>();
  private readonly functionValues = new Map<ts.FunctionDeclaration, FunctionValue>();
  private readonly namespaces = new Map<ModuleRecord, NamespaceValue>();
  private readonly checkedBodies = new WeakMap<ts.Block, boolean>();
  /** Declarations being evaluated, innermost last: the path a cycle is reported with. */
  private readonly declStack: DeclRecord[] = [];
  /** Functions created or referenced so far: a declaration that touched none cannot hold one. */
  private functionTouches = 0;
  /** Function declarations a definition called or referenced (their mutation is an error too). */
  readonly usedFunctions = new Set<ts.FunctionDeclaration>();

  constructor(
    private readonly graph: ModuleGraph,
    private readonly reporter: Reporter,
    readonly limits: Limits,
  ) {}

  // ---- entry points ---------------------------------------------------------------------------

  rootScope(mod: ModuleRecord): Scope {
    let s = this.rootScopes.get(mod);
    if (s === undefined) {
      s = { vars: undefined, parent: undefined, mod };
      this.rootScopes.set(mod, s);
    }
    return s;
  }

  /** Evaluates a top-level declaration (memoized: a later reference reuses the value). */
  evaluateDecl(rec: DeclRecord): void {
    if (this.exhausted) return;
    this.depth = 0;
    this.callDepth = 0;
    try {
      rec.used = true;
      if (rec.state === "new") this.computeDecl(rec);
    } catch (e) {
      this.recover(e, rec.mod, rec.node);
    }
  }

  /** Evaluates a top-level expression statement that is a DSL construction. */
  evaluateExpression(mod: ModuleRecord, node: ts.Expression): void {
    if (this.exhausted) return;
    this.depth = 0;
    this.callDepth = 0;
    try {
      this.ev(node, this.rootScope(mod));
    } catch (e) {
      this.recover(e, mod, node);
    }
  }

  /** After a definition was abandoned: anything but a reported failure becomes a diagnostic. */
  private recover(e: unknown, mod: ModuleRecord, node: ts.Node | undefined): void {
    this.declStack.length = 0;
    if (e === ABORT || e === FATAL) return;
    if (e === EXHAUSTED) {
      this.exhausted = true;
      return;
    }
    const start = node === undefined ? 0 : nodeStart(mod.file, node);
    if (isStackOverflow(e)) {
      this.reporter.atPos(PARSE.tooDeep, mod.file, start, 0, [
        "this definition's evaluation",
        MAX_EVAL_DEPTH,
      ]);
      return;
    }
    const message = e instanceof Error ? e.message : String(e);
    this.reporter.atPos(PARSE.internalError, mod.file, start, 0, [message]);
  }

  /** The DSL objects created, ordered by file, position, then evaluation order; ids assigned. */
  finish(): { objects: DslObject[]; incomplete: number[] } {
    const created = this.createdObjects;
    const keys = created.map((o) => o.sourceOrder);
    const order: number[] = [];
    for (let i = 0; i < keys.length; i++) order.push(i);
    // Comparisons return small integers: the sort then allocates nothing per comparison.
    order.sort((a, b) => {
      const ka = keys[a] as number;
      const kb = keys[b] as number;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
    const objects: DslObject[] = [];
    const incomplete: number[] = [];
    for (let k = 0; k < order.length; k++) {
      const i = order[k] as number;
      const obj = created[i]!;
      obj.id = objects.length;
      if (this.createdIncomplete[i]) incomplete.push(obj.id);
      objects.push(obj);
    }
    return { objects, incomplete };
  }

  // ---- reporting ------------------------------------------------------------------------------

  fail<A extends readonly unknown[]>(def: ParseCodeDef<A>, scope: Scope, node: ts.Node, args: A): never {
    this.reporter.at(def, scope.mod.file, node, args);
    throw ABORT;
  }

  private failIn<A extends readonly unknown[]>(
    def: ParseCodeDef<A>,
    mod: ModuleRecord,
    node: ts.Node,
    args: A,
    length?: number,
  ): never {
    this.reporter.at(def, mod.file, node, args, length);
    throw ABORT;
  }

  // ---- budgets (BuiltinHost) --------------------------------------------------------------------

  step(n: number, scope: Scope, node: ts.Node): void {
    this.steps += n;
    if (this.steps > this.limits.maxSteps) this.outOfSteps(scope, node);
  }

  private outOfSteps(scope: Scope, node: ts.Node): never {
    this.reporter.at(PARSE.stepBudget, scope.mod.file, node, [this.limits.maxSteps]);
    this.exhausted = true;
    throw EXHAUSTED;
  }

  checkLength(length: number, what: "array" | "string" | "object", scope: Scope, node: ts.Node): void {
    if (what === "string") {
      if (length > this.limits.maxStringLength) {
        this.fail(PARSE.sizeBudget, scope, node, [
          `a string of ${length} characters`,
          this.limits.maxStringLength,
        ]);
      }
    } else if (length > this.limits.maxElements) {
      const desc = what === "array" ? `an array of ${length} elements` : `an object with ${length} keys`;
      this.fail(PARSE.sizeBudget, scope, node, [desc, this.limits.maxElements]);
    }
  }

  // ---- expressions ------------------------------------------------------------------------------

  ev(node: ts.Expression, scope: Scope): Value {
    if (++this.steps > this.limits.maxSteps) this.outOfSteps(scope, node);
    if (++this.depth > MAX_EVAL_DEPTH) {
      this.reporter.at(PARSE.tooDeep, scope.mod.file, node, ["expressions", MAX_EVAL_DEPTH]);
      throw FATAL;
    }
    const v = this.evalNode(node, scope);
    this.depth--;
    return v;
  }

  private evalNode(node: ts.Expression, scope: Scope): Value {
    switch (node.kind) {
      case K.StringLiteral:
      case K.NoSubstitutionTemplateLiteral:
        return (node as ts.StringLiteral).text;
      case K.NumericLiteral:
        return Number((node as ts.NumericLiteral).text);
      case K.TrueKeyword:
        return true;
      case K.FalseKeyword:
        return false;
      case K.NullKeyword:
        return null;
      case K.Identifier: {
        const v = this.lookup(node as ts.Identifier, scope);
        return v === NOT_FOUND ? this.globalValue(node as ts.Identifier, scope) : v;
      }
      case K.NewExpression:
        return this.evalNew(node as ts.NewExpression, scope);
      case K.ObjectLiteralExpression:
        return this.evalObject(node as ts.ObjectLiteralExpression, scope);
      case K.ArrayLiteralExpression:
        return this.evalArray(node as ts.ArrayLiteralExpression, scope);
      case K.PropertyAccessExpression:
      case K.ElementAccessExpression: {
        const v = this.evalAccess(node as ts.PropertyAccessExpression | ts.ElementAccessExpression, scope);
        return v === SHORT ? undefined : v;
      }
      case K.CallExpression: {
        const v = this.evalCall(node as ts.CallExpression, scope);
        return v === SHORT ? undefined : v;
      }
      case K.ParenthesizedExpression:
      case K.AsExpression:
      case K.SatisfiesExpression:
      case K.TypeAssertionExpression:
      case K.NonNullExpression:
      case K.ExpressionWithTypeArguments:
        return this.ev((node as ts.ParenthesizedExpression).expression, scope);
      case K.TemplateExpression:
        return this.evalTemplate(node as ts.TemplateExpression, scope);
      case K.PrefixUnaryExpression:
        return this.evalPrefix(node as ts.PrefixUnaryExpression, scope);
      case K.PostfixUnaryExpression:
        return this.fail(PARSE.mutationInDefinition, scope, node, ["++/--"]);
      case K.BinaryExpression:
        return this.evalBinary(node as ts.BinaryExpression, scope);
      case K.ConditionalExpression: {
        const c = node as ts.ConditionalExpression;
        return this.ev(c.condition, scope) ? this.ev(c.whenTrue, scope) : this.ev(c.whenFalse, scope);
      }
      case K.ArrowFunction:
      case K.FunctionExpression:
        return this.closure(node as ts.ArrowFunction | ts.FunctionExpression, scope);
      case K.TaggedTemplateExpression:
        return this.fail(PARSE.taggedTemplate, scope, node, []);
      case K.AwaitExpression:
        return this.fail(PARSE.asyncCode, scope, node, ["await"]);
      case K.YieldExpression:
        return this.fail(PARSE.asyncCode, scope, node, ["yield"]);
      case K.DeleteExpression:
        return this.fail(PARSE.mutationInDefinition, scope, node, ["delete"]);
      case K.ClassExpression:
        return this.fail(PARSE.classUse, scope, node, ["a class expression"]);
      case K.MetaProperty: {
        const m = node as ts.MetaProperty;
        if (m.keywordToken === K.ImportKeyword)
          return this.fail(PARSE.moduleLoading, scope, node, ["import.meta"]);
        return this.fail(PARSE.unsupportedSyntax, scope, node, ["new.target"]);
      }
      default: {
        const name = UNSUPPORTED_KIND_NAMES[node.kind] ?? `this expression (${K[node.kind]})`;
        return this.fail(PARSE.unsupportedSyntax, scope, node, [name]);
      }
    }
  }

  // ---- names ----------------------------------------------------------------------------------

  /** A name's value, or NOT_FOUND when neither a local, a top-level binding nor an import. */
  private lookup(id: ts.Identifier, scope: Scope): Value | typeof NOT_FOUND {
    const name = idText(id);
    for (let s: Scope | undefined = scope; s !== undefined; s = s.parent) {
      const vars = s.vars;
      if (vars === undefined) break;
      const v = vars.get(name);
      if (v !== undefined || vars.has(name)) {
        if (v === TDZ) this.fail(PARSE.usedBeforeDeclaration, scope, id, [name]);
        return v as Value;
      }
    }
    const b = scope.mod.scope.get(name);
    return b === undefined ? NOT_FOUND : this.valueOfBinding(scope, b, id);
  }

  private valueOfBinding(scope: Scope, b: TopBinding, use: ts.Node): Value {
    switch (b.kind) {
      case "const":
        return this.forceDecl(b.rec, b.name, scope, use);
      case "function":
        return this.functionValue(b.node, scope.mod);
      case "import":
        return this.valueOfTarget(this.graph.resolveImport(scope.mod, b.imp), b.name, scope, use);
      case "mutable":
        return this.fail(PARSE.mutableBinding, scope, use, [b.name, b.keyword]);
      case "class":
        return this.fail(PARSE.classUse, scope, use, [b.name]);
      case "other":
        return this.fail(PARSE.unsupportedSyntax, scope, use, [b.what]);
    }
  }

  private valueOfTarget(t: Target, name: string, scope: Scope, use: ts.Node): Value {
    switch (t.t) {
      case "const":
        return this.forceDecl(t.rec, t.name, scope, use);
      case "function":
        return this.functionValue(t.node, t.mod);
      case "dsl":
        return DSL_CLASS_VALUES.get(t.name) as DslClassValue;
      case "namespace": {
        let ns = this.namespaces.get(t.mod);
        if (ns === undefined) {
          ns = new NamespaceValue(t.mod);
          this.namespaces.set(t.mod, ns);
        }
        return ns;
      }
      case "fsops":
        return FSOPS_NAMESPACE;
      case "foreign":
        if (t.foreign) t.foreign.used = true;
        return this.fail(PARSE.foreignImportUsed, scope, use, [name, t.specifier]);
      case "mutable":
        return this.fail(PARSE.mutableBinding, scope, use, [t.binding.name, t.binding.keyword]);
      case "class":
        return this.fail(PARSE.classUse, scope, use, [t.name]);
      case "other":
        return this.fail(PARSE.unsupportedSyntax, scope, use, [t.what]);
      case "broken":
        return this.fail(PARSE.importFromBrokenFile, scope, use, [name, t.mod.file.path]);
      case "unresolved":
        return this.fail(PARSE.unresolvedImport, scope, use, [t.specifier, t.why]);
      case "missing":
        if (t.module === "fsops") {
          return this.fail(PARSE.notPartOfFsops, scope, use, [t.name, notInFsopsAdvice(t.name)]);
        }
        return this.fail(PARSE.missingExport, scope, use, [t.name, t.module]);
      case "ambiguous":
        return this.fail(PARSE.ambiguousExport, scope, use, [t.name, t.module, t.first, t.second]);
    }
  }

  private forceDecl(rec: DeclRecord, name: string, scope: Scope, use: ts.Node): Value {
    rec.used = true;
    // A value holding a function passes it on to whatever is built from it.
    if (rec.touchedFunctions) this.functionTouches++;
    if (rec.state !== "done") {
      if (rec.state === "failed") throw ABORT;
      if (rec.state === "busy") {
        const from = this.declStack.indexOf(rec);
        const path = (from < 0 ? [rec] : this.declStack.slice(from)).map((r) => r.label);
        this.fail(PARSE.cyclicConstant, scope, use, [[...path, rec.label].join(" → ")]);
      }
      this.computeDecl(rec);
    }
    return (rec.names === undefined ? rec.value : rec.names.get(name)) as Value;
  }

  private computeDecl(rec: DeclRecord): void {
    if (rec.init === undefined) {
      rec.state = "failed";
      const node = rec.node?.kind === K.VariableDeclaration ? rec.node.name : (rec.node as ts.Node);
      this.failIn(PARSE.unsupportedSyntax, rec.mod, node, ["a const without a value"]);
    }
    rec.state = "busy";
    this.declStack.push(rec);
    const touches = this.functionTouches;
    try {
      const root = this.rootScope(rec.mod);
      const v = this.ev(rec.init, root);
      if (rec.pattern !== undefined) {
        const names = new Map<string, unknown>();
        this.bindPattern(rec.pattern, v, { vars: names, parent: root, mod: rec.mod });
        rec.names = names;
      }
      rec.value = v;
      rec.state = "done";
    } catch (e) {
      rec.state = "failed";
      throw e;
    } finally {
      this.declStack.pop();
      rec.touchedFunctions = this.functionTouches !== touches;
    }
  }

  functionValue(node: ts.FunctionDeclaration, mod: ModuleRecord): FunctionValue {
    this.usedFunctions.add(node);
    this.functionTouches++;
    let f = this.functionValues.get(node);
    if (f === undefined) {
      const file = mod.file;
      // The recorded text starts at `function`/`async`: `export default` is not part of the function.
      let start = nodeStart(file, node);
      const mods = node.modifiers;
      if (mods) {
        for (const m of mods) {
          if (m.kind === K.ExportKeyword || m.kind === K.DefaultKeyword) start = skipTrivia(file.text, m.end);
          else break;
        }
      }
      f = new FunctionValue(
        file.text.slice(start, node.end),
        locationAt(file, start),
        node,
        this.rootScope(mod),
      );
      this.functionValues.set(node, f);
    }
    return f;
  }

  private closure(node: ts.ArrowFunction | ts.FunctionExpression, scope: Scope): FunctionValue {
    this.functionTouches++;
    const file = scope.mod.file;
    const start = nodeStart(file, node);
    return new FunctionValue(file.text.slice(start, node.end), locationAt(file, start), node, scope);
  }

  // ---- globals ----------------------------------------------------------------------------------

  private globalValue(id: ts.Identifier, scope: Scope): Value {
    const name = id.text;
    switch (name) {
      case "undefined":
        return undefined;
      case "NaN":
        return NaN;
      case "Infinity":
        return Infinity;
    }
    return this.globalFailure(name, undefined, false, scope, id);
  }

  /** Reports why a global (or `global.member`, or a call of it) is unavailable. */
  private globalFailure(
    name: string,
    member: string | undefined,
    called: boolean,
    scope: Scope,
    node: ts.Node,
  ): never {
    const text = (member === undefined ? name : `${name}.${member}`) + (called ? "()" : "");
    switch (name) {
      case "process":
        return this.fail(PARSE.environmentAccess, scope, node, [
          member === undefined ? "process" : `process.${member}`,
        ]);
      case "Date":
        return this.fail(PARSE.clockAccess, scope, node, [text]);
      case "Math":
        if (member === "random") return this.fail(PARSE.randomness, scope, node, [text]);
        return this.fail(PARSE.unsupportedGlobal, scope, node, [text]);
      case "crypto":
        return this.fail(PARSE.randomness, scope, node, [text]);
      case "require":
        return this.fail(PARSE.moduleLoading, scope, node, [text]);
      case "Object":
        if (
          member === "assign" ||
          member === "defineProperty" ||
          member === "defineProperties" ||
          member === "setPrototypeOf"
        ) {
          return this.fail(PARSE.mutationInDefinition, scope, node, [
            `${text} (it changes an object in place)`,
          ]);
        }
        return this.fail(PARSE.unsupportedGlobal, scope, node, [text]);
    }
    if (KNOWN_GLOBALS.has(name)) return this.fail(PARSE.unsupportedGlobal, scope, node, [text]);
    const id = node.kind === K.Identifier ? node : firstIdentifier(node);
    return this.fail(PARSE.unknownIdentifier, scope, id, [name]);
  }

  // ---- literals -------------------------------------------------------------------------------

  private store(v: Value, scope: Scope, node: ts.Node): EvalValue {
    if (v instanceof Opaque)
      this.fail(PARSE.typeError, scope, node, [`${v.describe()} cannot be stored in a value`]);
    return v;
  }

  /**
   * An object literal. `tolerant` is set for the options object of a construction: an option that
   * fails is left out (and the construction marked incomplete) instead of failing them all.
   */
  private evalObject(node: ts.ObjectLiteralExpression, scope: Scope, tolerant = false): EvalRecord {
    const rec: Record<string, EvalValue> = {};
    let keys = 0;
    if (!tolerant) {
      const props = node.properties;
      for (let i = 0; i < props.length; i++)
        keys = this.evalProperty(rec, props[i] as ts.ObjectLiteralElementLike, scope, keys);
      return rec;
    }
    const props = node.properties;
    for (let i = 0; i < props.length; i++) {
      const p = props[i] as ts.ObjectLiteralElementLike;
      const depth = this.depth;
      const callDepth = this.callDepth;
      try {
        keys = this.evalProperty(rec, p, scope, keys);
      } catch (e) {
        if (e !== ABORT) throw e;
        this.depth = depth;
        this.callDepth = callDepth;
        this.incomplete = true;
      }
    }
    return rec;
  }

  private evalProperty(
    rec: Record<string, EvalValue>,
    p: ts.ObjectLiteralElementLike,
    scope: Scope,
    keys: number,
  ): number {
    switch (p.kind) {
      case K.PropertyAssignment: {
        const key = this.propertyKey(p.name, scope);
        const init = p.initializer;
        const v = this.ev(init, scope);
        this.put(rec, key, this.store(v, scope, init), scope, p.name);
        return keys + 1;
      }
      case K.ShorthandPropertyAssignment: {
        if (p.objectAssignmentInitializer) {
          this.fail(PARSE.unsupportedSyntax, scope, p, ["a shorthand property with a default"]);
        }
        const key = idText(p.name);
        const v = this.ev(p.name, scope);
        this.put(rec, key, this.store(v, scope, p.name), scope, p.name);
        return keys + 1;
      }
      case K.SpreadAssignment: {
        const src = this.ev(p.expression, scope);
        let total = keys + this.spreadInto(rec, src, scope, p.expression);
        if (total > this.limits.maxElements) {
          total = Object.keys(rec).length;
          this.checkLength(total, "object", scope, p);
        }
        return total;
      }
      case K.MethodDeclaration:
        return this.fail(PARSE.unsupportedSyntax, scope, p, [
          "a method in an object literal (use key: (x) => ...)",
        ]);
      default:
        return this.fail(PARSE.unsupportedSyntax, scope, p, ["a getter or setter"]);
    }
  }

  private put(rec: Record<string, EvalValue>, key: string, v: EvalValue, scope: Scope, node: ts.Node): void {
    if (RESERVED_KEYS.has(key)) this.fail(PARSE.reservedKey, scope, node, [key]);
    setKey(rec, key, v);
  }

  /** `{ ...src }`: returns the number of keys copied. */
  private spreadInto(rec: Record<string, EvalValue>, src: Value, scope: Scope, node: ts.Node): number {
    if (src === null || src === undefined || typeof src === "boolean" || typeof src === "number") return 0;
    if (typeof src === "string" || Array.isArray(src)) {
      this.step(src.length, scope, node);
      this.checkLength(src.length, "object", scope, node);
      for (let i = 0; i < src.length; i++) setKey(rec, String(i), src[i]);
      return src.length;
    }
    if (!isRecord(src))
      this.fail(PARSE.typeError, scope, node, [`cannot spread ${describe(src)} into an object`]);
    const keys = Object.keys(src);
    this.step(keys.length, scope, node);
    for (const k of keys) setKey(rec, k, src[k]);
    return keys.length;
  }

  private evalArray(node: ts.ArrayLiteralExpression, scope: Scope): EvalValue[] {
    const out: EvalValue[] = [];
    const elements = node.elements;
    for (let i = 0; i < elements.length; i++) {
      const el = elements[i] as ts.Expression;
      if (el.kind === K.SpreadElement) {
        const src = this.ev((el as ts.SpreadElement).expression, scope);
        const items = this.iterable(src, scope, el);
        this.checkLength(out.length + items.length, "array", scope, el);
        this.step(items.length, scope, el);
        for (let i = 0; i < items.length; i++) out.push(items[i] as EvalValue);
      } else if (el.kind === K.OmittedExpression) {
        out.push(undefined);
      } else {
        const v = this.ev(el, scope);
        out.push(this.store(v, scope, el));
      }
    }
    return out;
  }

  /** The elements `...x` produces: arrays and strings (by code point) are iterable. */
  iterable(v: Value, scope: Scope, node: ts.Node): readonly EvalValue[] {
    if (Array.isArray(v)) return v;
    if (typeof v === "string") return Array.from(v);
    return this.fail(PARSE.typeError, scope, node, [`${describe(v)} is not iterable`]);
  }

  private evalTemplate(node: ts.TemplateExpression, scope: Scope): string {
    let s = node.head.text;
    for (const span of node.templateSpans) {
      s += this.toText(this.ev(span.expression, scope), scope, span.expression);
      s += span.literal.text;
      if (s.length > this.limits.maxStringLength) this.checkLength(s.length, "string", scope, node);
    }
    return s;
  }

  /** String conversion as JavaScript does it, for primitives only. */
  toText(v: Value, scope: Scope, node: ts.Node): string {
    if (typeof v === "string") return v;
    if (isPrimitive(v)) return String(v);
    return this.fail(PARSE.typeError, scope, node, [`cannot convert ${describe(v)} to a string`]);
  }

  private propertyKey(name: ts.PropertyName, scope: Scope): string {
    switch (name.kind) {
      case K.Identifier:
        return idText(name);
      case K.StringLiteral:
      case K.NoSubstitutionTemplateLiteral:
        return name.text;
      case K.NumericLiteral:
        return String(Number(name.text));
      case K.ComputedPropertyName:
        return this.toKey(this.ev(name.expression, scope), scope, name.expression);
      default:
        return this.fail(PARSE.unsupportedSyntax, scope, name, ["this property name"]);
    }
  }

  toKey(v: Value, scope: Scope, node: ts.Node): string {
    if (typeof v === "string") return v;
    if (isPrimitive(v)) return String(v);
    return this.fail(PARSE.typeError, scope, node, [`${describe(v)} cannot be a property key`]);
  }

  // ---- operators ------------------------------------------------------------------------------

  private evalPrefix(node: ts.PrefixUnaryExpression, scope: Scope): Value {
    switch (node.operator) {
      case K.ExclamationToken:
        return !this.ev(node.operand, scope);
      case K.MinusToken:
      case K.PlusToken: {
        const v = this.ev(node.operand, scope);
        if (!isPrimitive(v))
          this.fail(PARSE.typeError, scope, node, [`cannot apply a sign to ${describe(v)}`]);
        return node.operator === K.MinusToken ? -(v as number) : +(v as number);
      }
      case K.PlusPlusToken:
      case K.MinusMinusToken:
        return this.fail(PARSE.mutationInDefinition, scope, node, ["++/--"]);
      default:
        return this.fail(PARSE.unsupportedSyntax, scope, node, ["the ~ operator"]);
    }
  }

  private evalBinary(node: ts.BinaryExpression, scope: Scope): Value {
    const op = node.operatorToken.kind;
    switch (op) {
      case K.AmpersandAmpersandToken: {
        const l = this.ev(node.left, scope);
        return l ? this.ev(node.right, scope) : l;
      }
      case K.BarBarToken: {
        const l = this.ev(node.left, scope);
        return l ? l : this.ev(node.right, scope);
      }
      case K.QuestionQuestionToken: {
        const l = this.ev(node.left, scope);
        return l === null || l === undefined ? this.ev(node.right, scope) : l;
      }
      case K.CommaToken:
        return this.fail(PARSE.unsupportedSyntax, scope, node, ["the comma operator"]);
      case K.InKeyword:
      case K.InstanceOfKeyword:
        return this.fail(PARSE.unsupportedSyntax, scope, node.operatorToken, [
          `the ${ts.tokenToString(op)} operator`,
        ]);
    }
    if (op >= K.FirstAssignment && op <= K.LastAssignment) {
      return this.fail(PARSE.mutationInDefinition, scope, node, ["an assignment"]);
    }
    const l = this.ev(node.left, scope);
    const r = this.ev(node.right, scope);
    switch (op) {
      case K.EqualsEqualsEqualsToken:
        return l === r;
      case K.ExclamationEqualsEqualsToken:
        return l !== r;
    }
    const opText = ts.tokenToString(op) ?? "this operator";
    if (op === K.EqualsEqualsToken || op === K.ExclamationEqualsToken) {
      if (isPrimitive(l) !== isPrimitive(r)) {
        this.fail(PARSE.typeError, scope, node, [
          `cannot compare ${describe(l)} and ${describe(r)} with ${opText}`,
        ]);
      }
      // The user's own loose operator, on primitives: evaluated exactly as JavaScript would.
      return op === K.EqualsEqualsToken ? l == r : l != r;
    }
    if (!isPrimitive(l) || !isPrimitive(r)) {
      const which = isPrimitive(l) ? r : l;
      this.fail(PARSE.typeError, scope, node, [`cannot use ${opText} on ${describe(which)}`]);
    }
    // Primitives only from here: JavaScript's own operators give exactly the run-time result.
    const a = l as number;
    const b = r as number;
    switch (op) {
      case K.PlusToken: {
        const s = (a as unknown as string) + (b as unknown as string);
        if (typeof s === "string" && s.length > this.limits.maxStringLength)
          this.checkLength(s.length, "string", scope, node);
        return s;
      }
      case K.MinusToken:
        return a - b;
      case K.AsteriskToken:
        return a * b;
      case K.SlashToken:
        return a / b;
      case K.PercentToken:
        return a % b;
      case K.AsteriskAsteriskToken:
        return a ** b;
      case K.LessThanToken:
        return a < b;
      case K.GreaterThanToken:
        return a > b;
      case K.LessThanEqualsToken:
        return a <= b;
      case K.GreaterThanEqualsToken:
        return a >= b;
      default:
        return this.fail(PARSE.unsupportedSyntax, scope, node.operatorToken, [`the ${opText} operator`]);
    }
  }

  // ---- property access ------------------------------------------------------------------------

  /** The object of an access or call; keeps SHORT when it continues an optional chain. */
  private evalChainObject(expr: ts.Expression, scope: Scope): Value | typeof SHORT {
    if (
      expr.flags & ts.NodeFlags.OptionalChain &&
      (expr.kind === K.PropertyAccessExpression ||
        expr.kind === K.ElementAccessExpression ||
        expr.kind === K.CallExpression)
    ) {
      if (++this.steps > this.limits.maxSteps) this.outOfSteps(scope, expr);
      if (++this.depth > MAX_EVAL_DEPTH) {
        this.reporter.at(PARSE.tooDeep, scope.mod.file, expr, ["expressions", MAX_EVAL_DEPTH]);
        throw FATAL;
      }
      const v =
        expr.kind === K.CallExpression
          ? this.evalCall(expr as ts.CallExpression, scope)
          : this.evalAccess(expr as ts.PropertyAccessExpression, scope);
      this.depth--;
      return v;
    }
    return this.ev(expr, scope);
  }

  private evalAccess(
    node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
    scope: Scope,
  ): Value | typeof SHORT {
    const objNode = node.expression;
    let obj: Value | typeof SHORT | typeof NOT_FOUND;
    if (objNode.kind === K.Identifier) {
      obj = this.lookup(objNode as ts.Identifier, scope);
      if (obj === NOT_FOUND) {
        const id = objNode as ts.Identifier;
        if (id.text === "undefined") obj = undefined;
        else return this.globalFailure(id.text, this.staticMemberName(node) ?? "[...]", false, scope, node);
      }
    } else {
      obj = this.evalChainObject(objNode, scope);
      if (obj === SHORT) return SHORT;
    }
    if (node.questionDotToken && (obj === null || obj === undefined)) return SHORT;
    const key = this.memberKey(node, scope);
    return this.getProperty(obj, key, scope, node);
  }

  private staticMemberName(
    node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  ): string | undefined {
    if (node.kind === K.PropertyAccessExpression) return idText(node.name);
    const arg = node.argumentExpression;
    return arg.kind === K.StringLiteral || arg.kind === K.NoSubstitutionTemplateLiteral
      ? (arg as ts.StringLiteral).text
      : undefined;
  }

  private memberKey(
    node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
    scope: Scope,
  ): string | number {
    if (node.kind === K.PropertyAccessExpression) {
      if (node.name.kind === K.PrivateIdentifier)
        this.fail(PARSE.unsupportedSyntax, scope, node.name, ["a private name"]);
      return idText(node.name);
    }
    const k = this.ev(node.argumentExpression, scope);
    return typeof k === "number" ? k : this.toKey(k, scope, node.argumentExpression);
  }

  /** `obj[key]` / `obj.key` with the value semantics a run would have, or a diagnostic. */
  getProperty(obj: Value, key: string | number, scope: Scope, node: ts.Node): Value {
    if (obj === null || obj === undefined) {
      return this.fail(PARSE.typeError, scope, node, [`cannot read "${key}" of ${describe(obj)}`]);
    }
    if (typeof obj === "string" || Array.isArray(obj)) {
      if (typeof key === "number") return Number.isInteger(key) ? (obj[key] as Value) : undefined;
      if (key === "length") return obj.length;
      if (isIndexKey(key)) return obj[Number(key)] as Value;
      if (typeof obj === "string") {
        if (key in String.prototype) this.fail(PARSE.unsupportedProperty, scope, node, [key, "a string"]);
      } else if (key in Array.prototype) {
        this.fail(PARSE.unsupportedProperty, scope, node, [key, "an array"]);
      }
      return undefined;
    }
    if (typeof obj !== "object") {
      return this.fail(PARSE.unsupportedProperty, scope, node, [String(key), describe(obj)]);
    }
    const k = String(key);
    if (obj instanceof NamespaceValue) {
      if (obj.mod === undefined) {
        const cls = DSL_CLASS_VALUES.get(k);
        return cls ?? this.fail(PARSE.notPartOfFsops, scope, node, [`fsops.${k}`, notInFsopsAdvice(k)]);
      }
      return this.valueOfTarget(this.graph.resolveExport(obj.mod, k), k, scope, node);
    }
    if (obj instanceof Opaque || obj instanceof FunctionValue) {
      return this.fail(PARSE.unsupportedProperty, scope, node, [k, describe(obj)]);
    }
    if (isDslObject(obj)) {
      switch (k) {
        case "name":
          // Feast names a source without a name after its table or path (canonical.ts does too).
          if (obj.options["name"] === undefined && DEFAULT_NAMED.has(obj.$dsl)) {
            return obj.options["table"] ?? (obj.$dsl === "FileSource" ? obj.options["path"] : undefined);
          }
          return obj.options["name"];
        case "options":
          return obj.options;
        case "kind":
          return RUNTIME_KIND[obj.$dsl];
      }
      return this.fail(PARSE.unsupportedProperty, scope, node, [k, `a DSL object (${obj.$dsl})`]);
    }
    if (isProjection(obj)) {
      if (k === "view") return obj.view;
      if (k === "features") return obj.features;
      return this.fail(PARSE.unsupportedProperty, scope, node, [k, "a projection"]);
    }
    if (Object.hasOwn(obj, k)) return (obj as Record<string, EvalValue>)[k];
    if (k in Object.prototype) this.fail(PARSE.unsupportedProperty, scope, node, [k, "an object"]);
    return undefined;
  }

  // ---- calls ----------------------------------------------------------------------------------

  private evalCall(node: ts.CallExpression, scope: Scope): Value | typeof SHORT {
    const callee = node.expression;
    switch (callee.kind) {
      case K.ImportKeyword:
        return this.fail(PARSE.moduleLoading, scope, node, ["import()"]);
      case K.SuperKeyword:
        return this.fail(PARSE.unsupportedSyntax, scope, node, ["super()"]);
      case K.PropertyAccessExpression:
      case K.ElementAccessExpression:
        return this.evalMethodCall(
          node,
          callee as ts.PropertyAccessExpression | ts.ElementAccessExpression,
          scope,
        );
      case K.Identifier: {
        const id = callee as ts.Identifier;
        const fn = this.lookup(id, scope);
        if (fn === NOT_FOUND) return this.globalFailure(id.text, undefined, true, scope, node);
        if (node.questionDotToken && (fn === null || fn === undefined)) return SHORT;
        return this.callValue(fn, this.evalArgs(node, scope), scope, node);
      }
      default: {
        const fn = this.evalChainObject(callee, scope);
        if (fn === SHORT) return SHORT;
        if (node.questionDotToken && (fn === null || fn === undefined)) return SHORT;
        return this.callValue(fn, this.evalArgs(node, scope), scope, node);
      }
    }
  }

  private evalMethodCall(
    node: ts.CallExpression,
    callee: ts.PropertyAccessExpression | ts.ElementAccessExpression,
    scope: Scope,
  ): Value | typeof SHORT {
    const objNode = callee.expression;
    let obj: Value | typeof SHORT | typeof NOT_FOUND;
    if (objNode.kind === K.Identifier) {
      obj = this.lookup(objNode as ts.Identifier, scope);
      if (obj === NOT_FOUND) {
        const name = (objNode as ts.Identifier).text;
        const member = this.staticMemberName(callee);
        if (name === "Object" && member !== undefined && OBJECT_METHODS.has(member)) {
          return objectMethod(this, member, this.evalArgs(node, scope), scope, node);
        }
        if (name === "Array" && member === "from")
          return arrayFrom(this, this.evalArgs(node, scope), scope, node);
        return this.globalFailure(name, member ?? "[...]", true, scope, node);
      }
    } else {
      obj = this.evalChainObject(objNode, scope);
      if (obj === SHORT) return SHORT;
    }
    if (callee.questionDotToken && (obj === null || obj === undefined)) return SHORT;
    const key = this.memberKey(callee, scope);
    if (typeof key === "string") {
      if (Array.isArray(obj)) {
        if (ARRAY_METHODS.has(key))
          return arrayMethod(this, obj, key, this.evalArgs(node, scope), scope, node);
        if (MUTATING_ARRAY_METHODS.has(key)) {
          return this.fail(PARSE.mutationInDefinition, scope, node, [
            `.${key}() (it changes the array in place)`,
          ]);
        }
        if (key in Array.prototype)
          return this.fail(PARSE.unsupportedCall, scope, node, [`the array method .${key}()`]);
      } else if (typeof obj === "string" && STRING_METHODS.has(key)) {
        return stringMethod(this, obj, key, this.evalArgs(node, scope), scope, node);
      } else if (typeof obj === "string" && key in String.prototype) {
        return this.fail(PARSE.unsupportedCall, scope, node, [`the string method .${key}()`]);
      } else if (key === "select" && isDslObject(obj)) {
        return this.select(obj, node, scope);
      }
    }
    const fn = this.getProperty(obj, key, scope, callee);
    if (node.questionDotToken && (fn === null || fn === undefined)) return SHORT;
    return this.callValue(fn, this.evalArgs(node, scope), scope, node);
  }

  private evalArgs(node: ts.CallExpression | ts.NewExpression, scope: Scope): Value[] {
    const out: Value[] = [];
    const args = node.arguments;
    if (args === undefined) return out;
    for (let i = 0; i < args.length; i++) {
      const a = args[i] as ts.Expression;
      if (a.kind === K.SpreadElement) {
        const items = this.iterable(this.ev((a as ts.SpreadElement).expression, scope), scope, a);
        this.checkLength(out.length + items.length, "array", scope, a);
        this.step(items.length, scope, a);
        for (const it of items) out.push(it);
      } else {
        out.push(this.ev(a, scope));
      }
    }
    return out;
  }

  private callValue(fn: Value, args: Value[], scope: Scope, node: ts.CallExpression): Value {
    if (fn instanceof FunctionValue) return this.call(fn, args, scope, node);
    const text = calleeText(scope.mod.file, node.expression);
    if (fn instanceof DslClassValue) {
      return this.fail(PARSE.unsupportedCall, scope, node, [`${text} without new`]);
    }
    return this.fail(PARSE.unsupportedCall, scope, node, [`${text} (${describe(fn)}, not a function)`]);
  }

  /** Calls a helper (or a callback of an array method). */
  call(fn: FunctionValue, args: readonly Value[], scope: Scope, node: ts.Node): Value {
    if (++this.callDepth > MAX_CALL_DEPTH) {
      this.reporter.at(PARSE.tooDeep, scope.mod.file, node, ["helper calls", MAX_CALL_DEPTH]);
      throw FATAL;
    }
    const fnNode = fn.node();
    const env = fn.scope();
    const fnScope: Scope = { vars: new Map<string, unknown>(), parent: env, mod: env.mod };
    if (fnNode.asteriskToken) this.fail(PARSE.asyncCode, fnScope, fnNode, ["a generator function"]);
    if (fnNode.modifiers?.some((m) => m.kind === K.AsyncKeyword)) {
      this.fail(PARSE.asyncCode, fnScope, fnNode, ["an async function"]);
    }
    const vars = fnScope.vars as Map<string, unknown>;
    if (fnNode.kind === K.FunctionExpression && fnNode.name) vars.set(fnNode.name.text, fn);
    // A direct call `helper(a, b)`: the argument expressions line up with the parameters.
    const argNodes =
      node.kind === K.CallExpression &&
      !(node as ts.CallExpression).arguments.some((a) => a.kind === K.SpreadElement)
        ? (node as ts.CallExpression).arguments
        : undefined;
    let i = 0;
    const params = fnNode.parameters;
    for (let k = 0; k < params.length; k++) {
      const p = params[k] as ts.ParameterDeclaration;
      if (p.name.kind === K.Identifier && p.name.text === "this") continue;
      let v: Value;
      if (p.dotDotDotToken) v = args.slice(i) as EvalValue[];
      else v = args[i];
      const argNode = argNodes?.[i];
      if (argNode !== undefined && !p.dotDotDotToken && p.name.kind === K.Identifier) {
        const origin = this.originOf(argNode, scope);
        if (origin !== undefined) (fnScope.origins ??= new Map()).set(p.name.text, origin);
      }
      i++;
      if (v === undefined && p.initializer) v = this.ev(p.initializer, fnScope);
      this.bindPattern(p.name, v, fnScope);
    }
    const body = fnNode.body;
    let result: Value;
    if (body === undefined) {
      result = undefined;
    } else if (body.kind === K.Block) {
      result = this.runBody(body as ts.Block, fnScope);
    } else {
      result = this.ev(body as ts.Expression, fnScope);
    }
    this.callDepth--;
    return result;
  }

  /**
   * Where the value of an argument was written: the argument itself when it is written out (a
   * literal), or, for a parameter of the calling helper passed on, where that one was written.
   */
  private originOf(arg: ts.Expression, scope: Scope): ValueOrigin | undefined {
    const n = skipTransparent(arg);
    switch (n.kind) {
      case K.StringLiteral:
      case K.NoSubstitutionTemplateLiteral:
      case K.NumericLiteral:
      case K.TrueKeyword:
      case K.FalseKeyword:
      case K.NullKeyword:
      case K.ObjectLiteralExpression:
      case K.ArrayLiteralExpression:
      case K.TemplateExpression:
      case K.PrefixUnaryExpression:
        return { file: scope.mod.file, start: nodeStart(scope.mod.file, n) };
      case K.Identifier:
        return originOfName(scope, (n as ts.Identifier).text);
      default:
        return undefined;
    }
  }

  private runBody(block: ts.Block, scope: Scope): Value {
    this.checkBody(block, scope.mod);
    const vars = scope.vars as Map<string, unknown>;
    const statements = block.statements;
    for (const st of statements) {
      if (st.kind === K.VariableStatement) {
        for (const d of (st as ts.VariableStatement).declarationList.declarations) {
          for (const n of bindingNames(d.name)) vars.set(n, TDZ);
        }
      }
    }
    for (const st of statements) {
      if (st.kind === K.VariableStatement) {
        for (const d of (st as ts.VariableStatement).declarationList.declarations) {
          this.bindPattern(d.name, this.ev(d.initializer as ts.Expression, scope), scope);
        }
      } else if (st.kind === K.ReturnStatement) {
        const e = (st as ts.ReturnStatement).expression;
        return e === undefined ? undefined : this.ev(e, scope);
      }
    }
    return undefined;
  }

  /** A helper body must be const declarations and a final return; every other statement is reported. */
  private checkBody(block: ts.Block, mod: ModuleRecord): void {
    const known = this.checkedBodies.get(block);
    if (known === true) return;
    if (known === false) throw ABORT;
    let ok = true;
    let returned = false;
    const bad = <A extends readonly unknown[]>(
      def: ParseCodeDef<A>,
      node: ts.Node,
      args: A,
      length?: number,
    ): void => {
      ok = false;
      this.reporter.at(def, mod.file, node, args, length);
    };
    for (const st of block.statements) {
      const k = st.kind;
      if (k === K.EmptyStatement || k === K.TypeAliasDeclaration || k === K.InterfaceDeclaration) continue;
      if (returned) {
        bad(PARSE.helperBody, st, ["a statement after return"]);
        continue;
      }
      switch (k) {
        case K.VariableStatement: {
          const list = (st as ts.VariableStatement).declarationList;
          if ((list.flags & ts.NodeFlags.BlockScoped) !== ts.NodeFlags.Const) {
            const keyword = list.flags & ts.NodeFlags.Let ? "let" : "var";
            for (const d of list.declarations)
              bad(PARSE.mutableBinding, d.name, [bindingNames(d.name).join(", "), keyword]);
          } else {
            for (const d of list.declarations) {
              if (d.initializer === undefined) bad(PARSE.helperBody, d, ["a const without a value"]);
            }
          }
          break;
        }
        case K.ReturnStatement:
          returned = true;
          break;
        case K.ForStatement:
        case K.ForInStatement:
        case K.ForOfStatement:
        case K.WhileStatement:
        case K.DoStatement: {
          const kw = k === K.WhileStatement ? "while" : k === K.DoStatement ? "do" : "for";
          bad(PARSE.loop, st, [kw], kw.length);
          break;
        }
        case K.ClassDeclaration:
          bad(PARSE.classUse, st, [(st as ts.ClassDeclaration).name?.text ?? "class"], "class".length);
          break;
        default:
          bad(PARSE.helperBody, st, [statementName(st)], statementHeadLength(mod.file, st));
      }
    }
    this.checkedBodies.set(block, ok);
    if (!ok) throw ABORT;
  }

  bindPattern(name: ts.BindingName, v: Value, scope: Scope): void {
    const vars = scope.vars as Map<string, unknown>;
    if (name.kind === K.Identifier) {
      vars.set(name.text, v);
      return;
    }
    if (name.kind === K.ObjectBindingPattern) {
      if (v === null || v === undefined)
        this.fail(PARSE.typeError, scope, name, [`cannot destructure ${describe(v)}`]);
      const taken: string[] = [];
      for (const el of name.elements) {
        if (el.dotDotDotToken) {
          if (!isRecord(v))
            this.fail(PARSE.typeError, scope, el, [`cannot collect the rest of ${describe(v)}`]);
          const rest: Record<string, EvalValue> = {};
          for (const k of Object.keys(v)) if (!taken.includes(k)) setKey(rest, k, v[k]);
          this.bindPattern(el.name, rest, scope);
          continue;
        }
        const key = el.propertyName
          ? this.propertyKey(el.propertyName, scope)
          : (el.name as ts.Identifier).text;
        taken.push(key);
        let pv = this.getProperty(v, key, scope, el);
        if (pv === undefined && el.initializer) pv = this.ev(el.initializer, scope);
        this.bindPattern(el.name, pv, scope);
      }
      return;
    }
    const items = Array.isArray(v) || typeof v === "string" ? this.iterable(v, scope, name) : undefined;
    if (items === undefined)
      return this.fail(PARSE.typeError, scope, name, [`cannot destructure ${describe(v)} as an array`]);
    let i = 0;
    for (const el of name.elements) {
      if (el.kind === K.OmittedExpression) {
        i++;
        continue;
      }
      if (el.dotDotDotToken) {
        this.bindPattern(el.name, items.slice(i), scope);
        continue;
      }
      let pv: Value = items[i];
      i++;
      if (pv === undefined && el.initializer) pv = this.ev(el.initializer, scope);
      this.bindPattern(el.name, pv, scope);
    }
  }

  // ---- DSL ------------------------------------------------------------------------------------

  private evalNew(node: ts.NewExpression, scope: Scope): Value {
    const callee = node.expression;
    let cls: Value;
    if (callee.kind === K.Identifier) {
      const v = this.lookup(callee as ts.Identifier, scope);
      if (v === NOT_FOUND) {
        const name = (callee as ts.Identifier).text;
        if (name === "Date") return this.fail(PARSE.clockAccess, scope, node, ["new Date()"]);
        if (KNOWN_GLOBALS.has(name)) return this.fail(PARSE.notDslClass, scope, callee, [name]);
        if (DSL_CLASS_VALUES.has(name)) return this.fail(PARSE.dslClassNotImported, scope, callee, [name]);
        if (isKnownForeignDslName(name) || !isFsopsExport(name)) {
          // Undeclared anywhere: a class the author expected fsops to have (Feast's, usually).
          return this.fail(PARSE.notPartOfFsops, scope, callee, [name, notInFsopsAdvice(name)]);
        }
        return this.fail(PARSE.unknownIdentifier, scope, callee, [name]);
      }
      cls = v;
    } else {
      cls = this.ev(callee, scope);
    }
    if (!(cls instanceof DslClassValue)) {
      return this.fail(PARSE.notDslClass, scope, callee, [calleeText(scope.mod.file, callee)]);
    }
    return this.construct(cls.name, node, scope);
  }

  private construct(className: DslClassName, node: ts.NewExpression, scope: Scope): DslObject {
    const file = scope.mod.file;
    const args: readonly ts.Expression[] = node.arguments ?? [];
    const outerIncomplete = this.incomplete;
    this.incomplete = false;
    let options: EvalRecord = {};
    let literal: ts.ObjectLiteralExpression | undefined;
    if (args.length > 1) {
      this.reporter.at(PARSE.badConstructorArguments, file, args[1] as ts.Node, [
        className,
        "takes one options object",
      ]);
      this.incomplete = true;
    }
    const first = args[0];
    if (first !== undefined) {
      const inner = skipTransparent(first);
      if (inner.kind === K.ObjectLiteralExpression) {
        literal = inner as ts.ObjectLiteralExpression;
        if (++this.steps > this.limits.maxSteps) this.outOfSteps(scope, inner);
        options = this.evalObject(literal, scope, true);
      } else if (first.kind === K.SpreadElement) {
        this.reporter.at(PARSE.badConstructorArguments, file, first, [
          className,
          "takes one options object, not a spread",
        ]);
        this.incomplete = true;
      } else {
        const depth = this.depth;
        const callDepth = this.callDepth;
        try {
          const v = this.ev(first, scope);
          if (isRecord(v)) {
            options = v;
          } else {
            this.reporter.at(PARSE.badConstructorArguments, file, first, [
              className,
              `expects an options object, not ${describe(v)}`,
            ]);
            this.incomplete = true;
          }
        } catch (e) {
          if (e !== ABORT) throw e;
          this.depth = depth;
          this.callDepth = callDepth;
          this.incomplete = true;
        }
      }
    }
    const obj = new LazyDslObject(className, options, file, nodeStart(file, node), literal);
    if (literal !== undefined && scope.vars !== undefined) obj.setOrigins(callSiteLocations(literal, scope));
    this.createdObjects.push(obj);
    this.createdIncomplete.push(this.incomplete);
    this.incomplete = outerIncomplete;
    return obj;
  }

  private select(view: DslObject, node: ts.CallExpression, scope: Scope): Projection {
    if (!SELECTABLE.has(view.$dsl)) {
      this.fail(PARSE.badSelect, scope, node, [`.select() is defined on feature views, not on ${view.$dsl}`]);
    }
    const args = node.arguments;
    const first = args[0];
    if (args.length !== 1 || first === undefined || first.kind === K.SpreadElement) {
      this.fail(PARSE.badSelect, scope, node, [".select() takes one array of feature names"]);
    }
    const features = this.store(this.ev(first, scope), scope, first);
    return { $projection: true, view, features, location: nodeLocation(scope.mod.file, node) };
  }
}

const EMPTY_LOCATIONS: Readonly<Record<string, SourceLocation>> = Object.freeze({});

/**
 * A DslObject built from an options literal. Its location and option locations are worked out
 * from the file's text when first read (a registered object, a validation error): a project of
 * 5,000 feature views has 60,000 constructions, most of them Fields nobody asks the place of, and
 * keeping the literal's syntax tree would keep the whole file's tree alive.
 */
class LazyDslObject implements DslObject {
  id = -1;
  /** File index in the high bits, offset of the `new` in the low 32: one number orders by both. */
  readonly sourceOrder: number;
  #location: SourceLocation | undefined;
  #computed: Readonly<Record<string, SourceLocation>> | undefined;
  readonly #file: ParsedFile;
  readonly #start: number;
  readonly #end: number;
  constructor(
    readonly $dsl: DslClassName,
    readonly options: EvalRecord,
    file: ParsedFile,
    at: number,
    literal: ts.ObjectLiteralExpression | undefined,
  ) {
    this.sourceOrder = file.index * 4294967296 + at;
    this.#file = file;
    // Options that are not a literal (a variable, a call) have no option locations of their own.
    this.#start = literal?.pos ?? 0;
    this.#end = literal?.end ?? 0;
    if (literal === undefined) this.#computed = EMPTY_LOCATIONS;
  }
  get location(): SourceLocation {
    this.#location ??= locationAt(this.#file, this.sourceOrder - this.#file.index * 4294967296);
    return this.#location;
  }
  #origins: Record<string, SourceLocation> | undefined;
  /** Options whose value a helper received as a parameter: located where the caller wrote it. */
  setOrigins(origins: Record<string, SourceLocation> | undefined): void {
    this.#origins = origins;
  }
  get optionLocations(): Readonly<Record<string, SourceLocation>> {
    if (this.#computed === undefined) {
      const locs = literalLocations(this.#file, this.#start, this.#end, this.options);
      for (const [key, at] of Object.entries(this.#origins ?? {})) {
        for (const k of Object.keys(locs)) if (k === key || k.startsWith(`${key}.`)) delete locs[k];
        locs[key] = at;
      }
      this.#computed = locs;
    }
    return this.#computed;
  }
  /** Serializes like a plain DslObject, locations included. */
  toJSON(): DslObject {
    const { $dsl, id, options, location, optionLocations } = this;
    return { $dsl, id, options, location, optionLocations };
  }
}

/** Where the value of `name` (a helper's parameter, in `scope` or around it) was written, if known. */
function originOfName(scope: Scope, name: string): ValueOrigin | undefined {
  for (let s: Scope | undefined = scope; s !== undefined && s.vars !== undefined; s = s.parent) {
    if (s.vars.has(name)) return s.origins?.get(name);
  }
  return undefined;
}

/**
 * The options of a literal written inside a helper whose value is one of the helper's
 * parameters (`{ name, dtype: dtype }`), located at the call site that gave it.
 */
function callSiteLocations(
  literal: ts.ObjectLiteralExpression,
  scope: Scope,
): Record<string, SourceLocation> | undefined {
  let out: Record<string, SourceLocation> | undefined;
  for (const p of literal.properties) {
    let key: string | undefined;
    let name: string | undefined;
    if (p.kind === K.ShorthandPropertyAssignment) {
      key = name = p.name.text;
    } else if (p.kind === K.PropertyAssignment && p.name.kind === K.Identifier) {
      const init = skipTransparent(p.initializer);
      if (init.kind !== K.Identifier) continue;
      key = p.name.text;
      name = (init as ts.Identifier).text;
    } else {
      continue;
    }
    const origin = originOfName(scope, name);
    if (origin !== undefined) (out ??= {})[key] = locationAt(origin.file, origin.start);
  }
  return out;
}

function firstIdentifier(node: ts.Node): ts.Node {
  let n: ts.Node = node;
  while (
    n.kind === K.PropertyAccessExpression ||
    n.kind === K.ElementAccessExpression ||
    n.kind === K.CallExpression
  ) {
    n = (n as ts.PropertyAccessExpression).expression;
  }
  return n;
}

function calleeText(file: ParsedFile, node: ts.Node): string {
  const text = file.text.slice(nodeStart(file, node), node.end).replace(/\s+/g, " ");
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function statementName(st: ts.Statement): string {
  switch (st.kind) {
    case K.ExpressionStatement:
      return "an expression statement";
    case K.IfStatement:
      return "an if statement";
    case K.SwitchStatement:
      return "a switch statement";
    case K.ThrowStatement:
      return "a throw statement";
    case K.TryStatement:
      return "a try statement";
    case K.Block:
      return "a block";
    case K.FunctionDeclaration:
      return "a function declaration (use const f = (x) => ...)";
    case K.LabeledStatement:
      return "a labeled statement";
    default:
      return "a statement that is not a const declaration or return";
  }
}

function statementHeadLength(file: ParsedFile, st: ts.Statement): number {
  const start = nodeStart(file, st);
  const text = file.text;
  let end = text.indexOf("\n", start);
  if (end < 0 || end > st.end) end = st.end;
  return Math.max(1, end - start);
}
