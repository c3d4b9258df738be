/**
 * Per-file symbol tables (top-level bindings, imports, exports) and module resolution over the
 * in-memory file set. This replaces the type checker: a definition file only needs to know what
 * each top-level name is bound to, and modules resolve among the project's own files; "fsops" is
 * the DSL itself, resolved by fsops (a feature repository has no node_modules).
 *
 * A module is parsed when first needed (`load`) and its syntax tree is let go once its
 * definitions are evaluated (`release`): the tables stay, and so do the subtrees still needed
 * (helper functions, declarations not evaluated yet).
 */
import { posix } from "node:path";
import ts from "./typescript.cjs";
import type { DslClassName } from "../model/kinds.js";
import { DSL_CLASSES } from "../model/kinds.js";
import { skipTransparent } from "./locations.js";
import type { ParsedFile, SyntaxProblem } from "./source.js";
import { parseFile, skipTrivia, syntaxProblems } from "./source.js";

export const FSOPS_MODULE = "fsops";
/** Re-exports followed for one name before giving up (the resolution is recursive). */
const MAX_REEXPORT_CHAIN = 500;
const DSL_CLASS_SET: ReadonlySet<string> = new Set(DSL_CLASSES);

/** Evaluation state of a declaration: not yet, under way (a cycle if reached again), done, failed. */
export type MemoState = "new" | "busy" | "done" | "failed";

/** A top-level `const` declaration or an `export default <expression>`: evaluated once, on demand. */
export interface DeclRecord {
  readonly mod: ModuleRecord;
  /** The declaration; undefined once evaluated and its module released. */
  node: ts.VariableDeclaration | ts.ExportAssignment | undefined;
  init: ts.Expression | undefined;
  /** Set when the declaration destructures (`const { a, b } = x`). */
  pattern: ts.BindingPattern | undefined;
  /** How messages name it. */
  readonly label: string;
  /** `const k = keys` / `= obj.list`: the binding this one aliases (mutating one mutates the other). */
  readonly alias: { readonly name: string; readonly member: string | undefined } | undefined;
  state: MemoState;
  value: unknown;
  names: Map<string, unknown> | undefined;
  /** Read while evaluating a definition: mutating it anywhere is then an error. */
  used: boolean;
  /** Its evaluation created or referenced a function (only then can its value hold one). */
  touchedFunctions: boolean;
}

/** An import (or re-export) of a package other than "fsops": never loaded. */
export interface ForeignImport {
  /** Span of the import declaration, for the warning. */
  readonly start: number;
  readonly length: number;
  readonly specifier: string;
  used: boolean;
}

export interface ImportBinding {
  readonly specifier: string;
  /** Exported name, "default", or "*" for a namespace import. */
  readonly imported: string;
  readonly foreign: ForeignImport | undefined;
  resolved: Target | undefined;
}

export type TopBinding =
  | { readonly kind: "const"; readonly name: string; readonly rec: DeclRecord }
  | { readonly kind: "function"; readonly name: string; readonly node: ts.FunctionDeclaration }
  | { readonly kind: "import"; readonly name: string; readonly imp: ImportBinding }
  | { readonly kind: "mutable"; readonly name: string; readonly keyword: "let" | "var" }
  | { readonly kind: "class"; readonly name: string }
  | { readonly kind: "other"; readonly name: string; readonly what: string };

type ExportEntry =
  | { readonly kind: "local"; readonly local: string }
  | {
      readonly kind: "reexport";
      readonly specifier: string;
      readonly imported: string;
      readonly foreign: ForeignImport | undefined;
    }
  | { readonly kind: "target"; readonly target: Target };

/** What a name resolves to, following imports and re-exports. */
export type Target =
  | { readonly t: "const"; readonly rec: DeclRecord; readonly name: string }
  | { readonly t: "function"; readonly node: ts.FunctionDeclaration; readonly mod: ModuleRecord }
  | { readonly t: "dsl"; readonly name: DslClassName }
  | { readonly t: "namespace"; readonly mod: ModuleRecord }
  | { readonly t: "fsops" }
  | { readonly t: "foreign"; readonly specifier: string; readonly foreign: ForeignImport | undefined }
  | { readonly t: "mutable"; readonly binding: Extract<TopBinding, { kind: "mutable" }> }
  | { readonly t: "class"; readonly name: string }
  | { readonly t: "other"; readonly what: string }
  | { readonly t: "broken"; readonly mod: ModuleRecord }
  | { readonly t: "unresolved"; readonly specifier: string; readonly why: string }
  | { readonly t: "missing"; readonly name: string; readonly module: string }
  | {
      readonly t: "ambiguous";
      readonly name: string;
      readonly module: string;
      readonly first: string;
      readonly second: string;
    };

export interface ModuleRecord {
  readonly file: ParsedFile;
  readonly scope: Map<string, TopBinding>;
  readonly exports: Map<string, ExportEntry>;
  readonly stars: { specifier: string; foreign: ForeignImport | undefined }[];
  readonly foreign: ForeignImport[];
  /** Relative specifiers of its imports and re-exports, in source order. */
  readonly dependencies: string[];
  readonly exportCache: Map<string, Target | null>;
  /** Where each specifier written in this module leads (resolved once). */
  readonly specifierCache: Map<string, Resolved>;
  /** The record of each top-level const declaration and `export default` expression. */
  readonly decls: DeclRecord[];
  /** unloaded → loaded (tables built) → released (tables only); `sf` is set while loaded. */
  phase: "unloaded" | "loaded" | "released";
  sf: ts.SourceFile | undefined;
}

function isRelative(spec: string): boolean {
  return spec === "." || spec === ".." || spec.startsWith("./") || spec.startsWith("../");
}

function isForeignSpecifier(spec: string): boolean {
  return spec !== FSOPS_MODULE && !isRelative(spec) && !spec.startsWith("/");
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  const mods = (node as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers;
  if (mods === undefined) return false;
  for (let i = 0; i < mods.length; i++) if ((mods[i] as ts.ModifierLike).kind === kind) return true;
  return false;
}

function moduleNameText(name: ts.ModuleExportName): string {
  return name.text;
}

export function bindingNames(name: ts.BindingName, out: string[] = []): string[] {
  if (name.kind === ts.SyntaxKind.Identifier) {
    out.push(name.text);
  } else {
    for (const el of name.elements) {
      if (el.kind !== ts.SyntaxKind.OmittedExpression) bindingNames(el.name, out);
    }
  }
  return out;
}

function emptyModule(file: ParsedFile): ModuleRecord {
  return {
    file,
    scope: new Map(),
    exports: new Map(),
    stars: [],
    foreign: [],
    dependencies: [],
    exportCache: new Map(),
    specifierCache: new Map(),
    decls: [],
    phase: "unloaded",
    sf: undefined,
  };
}

/** The binding an initializer merely aliases: `x`, `x.y`, `x[0]` (not a call: that is a new value). */
function aliasOf(init: ts.Expression | undefined): DeclRecord["alias"] {
  let n = init === undefined ? undefined : skipTransparent(init);
  let member: string | undefined;
  while (n !== undefined) {
    switch (n.kind) {
      case ts.SyntaxKind.Identifier:
        return { name: (n as ts.Identifier).text, member };
      case ts.SyntaxKind.PropertyAccessExpression:
        member = (n as ts.PropertyAccessExpression).name.text;
        n = skipTransparent((n as ts.PropertyAccessExpression).expression);
        break;
      case ts.SyntaxKind.ElementAccessExpression: {
        const arg = (n as ts.ElementAccessExpression).argumentExpression;
        member = arg.kind === ts.SyntaxKind.StringLiteral ? (arg as ts.StringLiteral).text : undefined;
        n = skipTransparent((n as ts.ElementAccessExpression).expression);
        break;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

function buildTables(mod: ModuleRecord, sf: ts.SourceFile): void {
  const bind = (b: TopBinding): void => {
    if (!mod.scope.has(b.name)) mod.scope.set(b.name, b);
  };
  const foreignFor = (
    node: ts.ImportDeclaration | ts.ExportDeclaration,
    spec: string,
    valueImport: boolean,
  ): ForeignImport | undefined => {
    if (isRelative(spec)) mod.dependencies.push(spec);
    if (!isForeignSpecifier(spec)) return undefined;
    const start = skipTrivia(sf.text, node.pos);
    const f: ForeignImport = { start, length: node.end - start, specifier: spec, used: false };
    if (valueImport) mod.foreign.push(f);
    return f;
  };

  const statements = sf.statements;
  for (let s = 0; s < statements.length; s++) {
    const st = statements[s] as ts.Statement;
    switch (st.kind) {
      case ts.SyntaxKind.ImportDeclaration: {
        const d = st as ts.ImportDeclaration;
        if (d.moduleSpecifier.kind !== ts.SyntaxKind.StringLiteral) break;
        const spec = (d.moduleSpecifier as ts.StringLiteral).text;
        const clause = d.importClause;
        if (clause === undefined) {
          foreignFor(d, spec, true);
          break;
        }
        if (clause.phaseModifier === ts.SyntaxKind.TypeKeyword) break;
        const values: { name: string; imported: string }[] = [];
        if (clause.name) values.push({ name: clause.name.text, imported: "default" });
        const nb = clause.namedBindings;
        if (nb?.kind === ts.SyntaxKind.NamespaceImport) {
          values.push({ name: nb.name.text, imported: "*" });
        } else if (nb) {
          for (const el of nb.elements) {
            if (el.isTypeOnly) continue;
            values.push({ name: el.name.text, imported: moduleNameText(el.propertyName ?? el.name) });
          }
        }
        const foreign = foreignFor(d, spec, values.length > 0);
        for (const v of values) {
          bind({
            kind: "import",
            name: v.name,
            imp: { specifier: spec, imported: v.imported, foreign, resolved: undefined },
          });
        }
        break;
      }
      case ts.SyntaxKind.ExportDeclaration: {
        const d = st as ts.ExportDeclaration;
        if (d.isTypeOnly) break;
        const spec =
          d.moduleSpecifier?.kind === ts.SyntaxKind.StringLiteral
            ? (d.moduleSpecifier as ts.StringLiteral).text
            : undefined;
        const clause = d.exportClause;
        if (spec === undefined) {
          if (clause?.kind === ts.SyntaxKind.NamedExports) {
            for (const el of clause.elements) {
              if (el.isTypeOnly) continue;
              const local = moduleNameText(el.propertyName ?? el.name);
              mod.exports.set(moduleNameText(el.name), { kind: "local", local });
            }
          }
          break;
        }
        const foreign = foreignFor(d, spec, true);
        if (clause === undefined) {
          mod.stars.push({ specifier: spec, foreign });
        } else if (clause.kind === ts.SyntaxKind.NamespaceExport) {
          mod.exports.set(moduleNameText(clause.name), {
            kind: "reexport",
            specifier: spec,
            imported: "*",
            foreign,
          });
        } else {
          for (const el of clause.elements) {
            if (el.isTypeOnly) continue;
            mod.exports.set(moduleNameText(el.name), {
              kind: "reexport",
              specifier: spec,
              imported: moduleNameText(el.propertyName ?? el.name),
              foreign,
            });
          }
        }
        break;
      }
      case ts.SyntaxKind.ExportAssignment: {
        const d = st as ts.ExportAssignment;
        if (d.isExportEquals) break;
        const rec = newDecl(mod, d, d.expression, undefined, "default export");
        mod.exports.set("default", { kind: "target", target: { t: "const", rec, name: "default" } });
        break;
      }
      case ts.SyntaxKind.VariableStatement: {
        const d = st as ts.VariableStatement;
        const exported = hasModifier(d, ts.SyntaxKind.ExportKeyword);
        const declared = hasModifier(d, ts.SyntaxKind.DeclareKeyword);
        const flags = d.declarationList.flags;
        const isConst = (flags & ts.NodeFlags.BlockScoped) === ts.NodeFlags.Const;
        const keyword = flags & ts.NodeFlags.Let ? "let" : flags & ts.NodeFlags.Const ? "using" : "var";
        const decls = d.declarationList.declarations;
        for (let k = 0; k < decls.length; k++) {
          const decl = decls[k] as ts.VariableDeclaration;
          const names = bindingNames(decl.name);
          if (declared) {
            for (const n of names) bind({ kind: "other", name: n, what: `declare ${n}` });
          } else if (isConst) {
            const pattern = decl.name.kind === ts.SyntaxKind.Identifier ? undefined : decl.name;
            const rec = newDecl(
              mod,
              decl,
              decl.initializer,
              pattern,
              names.length === 1 ? (names[0] as string) : names.join(", "),
            );
            for (const n of names) bind({ kind: "const", name: n, rec });
          } else if (keyword === "using") {
            for (const n of names) bind({ kind: "other", name: n, what: "a using declaration" });
          } else {
            for (const n of names) bind({ kind: "mutable", name: n, keyword });
          }
          if (exported) for (const n of names) mod.exports.set(n, { kind: "local", local: n });
        }
        break;
      }
      case ts.SyntaxKind.FunctionDeclaration: {
        const d = st as ts.FunctionDeclaration;
        if (d.body === undefined) break; // an overload signature
        const isDefault = hasModifier(d, ts.SyntaxKind.DefaultKeyword);
        const exported = hasModifier(d, ts.SyntaxKind.ExportKeyword);
        if (d.name) {
          bind({ kind: "function", name: d.name.text, node: d });
          if (exported)
            mod.exports.set(isDefault ? "default" : d.name.text, { kind: "local", local: d.name.text });
        } else if (exported && isDefault) {
          mod.exports.set("default", { kind: "target", target: { t: "function", node: d, mod } });
        }
        break;
      }
      case ts.SyntaxKind.ClassDeclaration: {
        const d = st as ts.ClassDeclaration;
        if (hasModifier(d, ts.SyntaxKind.DeclareKeyword)) break;
        const isDefault = hasModifier(d, ts.SyntaxKind.DefaultKeyword);
        const exported = hasModifier(d, ts.SyntaxKind.ExportKeyword);
        const name = d.name?.text;
        if (name !== undefined) bind({ kind: "class", name });
        if (exported) {
          const key = isDefault ? "default" : name;
          if (key !== undefined) {
            mod.exports.set(key, { kind: "target", target: { t: "class", name: name ?? "default export" } });
          }
        }
        break;
      }
      case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.ModuleDeclaration:
      case ts.SyntaxKind.ImportEqualsDeclaration: {
        const d = st as ts.EnumDeclaration | ts.ModuleDeclaration | ts.ImportEqualsDeclaration;
        if (d.name.kind !== ts.SyntaxKind.Identifier) break;
        if (hasModifier(d, ts.SyntaxKind.DeclareKeyword)) break;
        const what =
          st.kind === ts.SyntaxKind.EnumDeclaration
            ? `enum ${d.name.text}`
            : st.kind === ts.SyntaxKind.ModuleDeclaration
              ? `namespace ${d.name.text}`
              : `import ${d.name.text} = ...`;
        bind({ kind: "other", name: d.name.text, what });
        if (hasModifier(d, ts.SyntaxKind.ExportKeyword)) {
          mod.exports.set(d.name.text, { kind: "target", target: { t: "other", what } });
        }
        break;
      }
      default:
        break;
    }
  }
}

function newDecl(
  mod: ModuleRecord,
  node: ts.VariableDeclaration | ts.ExportAssignment,
  init: ts.Expression | undefined,
  pattern: ts.BindingPattern | undefined,
  label: string,
): DeclRecord {
  const rec: DeclRecord = {
    mod,
    node,
    init,
    pattern,
    label,
    alias: aliasOf(init),
    state: "new",
    value: undefined,
    names: undefined,
    used: false,
    touchedFunctions: false,
  };
  mod.decls.push(rec);
  return rec;
}

const dslTargets = new Map<string, Target>(DSL_CLASSES.map((n) => [n, { t: "dsl", name: n }]));
const FSOPS_TARGET: Target = { t: "fsops" };

type Resolved =
  | { readonly kind: "module"; readonly mod: ModuleRecord }
  | { readonly kind: "fsops" }
  | { readonly kind: "foreign" }
  | { readonly kind: "unresolved"; readonly why: string };

/** What loading a module found, for the caller to report and scan. */
export interface LoadHooks {
  syntaxErrors(mod: ModuleRecord, problems: readonly SyntaxProblem[]): void;
  unparsable(mod: ModuleRecord, reason: string): void;
  /** Called with the fresh syntax tree of a module without syntax errors. */
  loaded(mod: ModuleRecord, sf: ts.SourceFile): void;
}

/** All files of a project, their tables, and name resolution between them. */
export class ModuleGraph {
  readonly modules: readonly ModuleRecord[];
  private readonly byPath = new Map<string, ModuleRecord>();

  constructor(
    files: readonly ParsedFile[],
    private readonly hooks: LoadHooks,
  ) {
    this.modules = files.map(emptyModule);
    for (const m of this.modules) this.byPath.set(m.file.path, m);
  }

  /** Parses a module and builds its tables, once. */
  load(mod: ModuleRecord): void {
    if (mod.phase !== "unloaded") return;
    mod.phase = "loaded";
    let sf: ts.SourceFile;
    try {
      sf = parseFile(mod.file.path, mod.file.text);
    } catch (e) {
      // The parser itself can overflow the stack on absurdly nested input.
      mod.file.broken = true;
      const reason =
        e instanceof RangeError ? "it is nested too deeply" : e instanceof Error ? e.message : String(e);
      this.hooks.unparsable(mod, reason);
      return;
    }
    const problems = syntaxProblems(sf);
    if (problems.length > 0) {
      mod.file.broken = true;
      this.hooks.syntaxErrors(mod, problems);
      return;
    }
    mod.sf = sf;
    buildTables(mod, sf);
    this.hooks.loaded(mod, sf);
  }

  /**
   * Lets go of a module's syntax tree once its definitions are evaluated. Declarations evaluated
   * since drop their nodes too; those not evaluated yet, and functions, keep their own subtrees.
   */
  release(mod: ModuleRecord): void {
    mod.sf = undefined;
    if (mod.phase === "loaded") mod.phase = "released";
    for (const rec of mod.decls) {
      if (rec.state === "done" || rec.state === "failed") {
        rec.node = undefined;
        rec.init = undefined;
        rec.pattern = undefined;
      }
    }
  }

  /** The project modules `mod` imports or re-exports from, in source order. */
  dependencies(mod: ModuleRecord): ModuleRecord[] {
    const out: ModuleRecord[] = [];
    for (const spec of mod.dependencies) {
      const r = this.resolveSpecifier(mod, spec);
      if (r.kind === "module" && !out.includes(r.mod)) out.push(r.mod);
    }
    return out;
  }

  /** Where an import specifier written in `from` leads. */
  resolveSpecifier(from: ModuleRecord, spec: string): Resolved {
    let r = from.specifierCache.get(spec);
    if (r === undefined) {
      r = this.resolveSpecifierUncached(from, spec);
      from.specifierCache.set(spec, r);
    }
    return r;
  }

  private resolveSpecifierUncached(from: ModuleRecord, spec: string): Resolved {
    if (spec === FSOPS_MODULE) return { kind: "fsops" };
    if (isForeignSpecifier(spec)) return { kind: "foreign" };
    if (!isRelative(spec)) return { kind: "unresolved", why: "absolute paths are not supported" };
    const joined = posix.normalize(posix.join(posix.dirname(from.file.path), spec));
    if (joined === ".." || joined.startsWith("../")) {
      return { kind: "unresolved", why: "it is outside the project folder" };
    }
    const base = joined === "." ? "" : joined.replace(/\/$/, "");
    const candidates: string[] = [];
    if (spec.endsWith("/") || spec === "." || spec === "..") {
      candidates.push(base === "" ? "index.ts" : `${base}/index.ts`);
    } else if (/\.(js|mjs|cjs|jsx)$/.test(base)) {
      candidates.push(base.replace(/\.(js|mjs|cjs|jsx)$/, ".ts"));
    } else if (base.endsWith(".ts")) {
      candidates.push(base);
    } else {
      candidates.push(`${base}.ts`, `${base}/index.ts`);
    }
    for (const c of candidates) {
      const mod = this.byPath.get(c);
      if (mod) return { kind: "module", mod };
    }
    return { kind: "unresolved", why: `no project file ${candidates.join(" or ")}` };
  }

  /** What an imported name refers to (cached on the binding). */
  resolveImport(from: ModuleRecord, imp: ImportBinding): Target {
    if (imp.resolved === undefined) {
      imp.resolved = this.resolveFrom(from, imp.specifier, imp.imported, imp.foreign, new Set());
    }
    return imp.resolved;
  }

  /** What a top-level name of `mod` refers to, or undefined when `mod` declares no such value. */
  resolveTop(mod: ModuleRecord, name: string): Target | undefined {
    const b = mod.scope.get(name);
    if (b === undefined) return undefined;
    if (b.kind === "import" && b.imp.resolved !== undefined) return b.imp.resolved;
    return this.targetOfBinding(mod, b, new Set());
  }

  /** The export `name` of `mod`. */
  resolveExport(mod: ModuleRecord, name: string): Target {
    this.load(mod);
    return this.exportOf(mod, name, new Set()) ?? { t: "missing", name, module: mod.file.path };
  }

  private targetOfBinding(mod: ModuleRecord, b: TopBinding, seen: Set<string>): Target {
    switch (b.kind) {
      case "const":
        return { t: "const", rec: b.rec, name: b.name };
      case "function":
        return { t: "function", node: b.node, mod };
      case "import":
        if (b.imp.resolved === undefined) {
          b.imp.resolved = this.resolveFrom(mod, b.imp.specifier, b.imp.imported, b.imp.foreign, seen);
        }
        return b.imp.resolved;
      case "mutable":
        return { t: "mutable", binding: b };
      case "class":
        return { t: "class", name: b.name };
      case "other":
        return { t: "other", what: b.what };
    }
  }

  private resolveFrom(
    from: ModuleRecord,
    spec: string,
    imported: string,
    foreign: ForeignImport | undefined,
    seen: Set<string>,
  ): Target {
    const r = this.resolveSpecifier(from, spec);
    switch (r.kind) {
      case "fsops":
        if (imported === "*") return FSOPS_TARGET;
        return dslTargets.get(imported) ?? { t: "missing", name: imported, module: FSOPS_MODULE };
      case "foreign":
        return { t: "foreign", specifier: spec, foreign };
      case "unresolved":
        return { t: "unresolved", specifier: spec, why: r.why };
      case "module":
        this.load(r.mod);
        if (r.mod.file.broken) return { t: "broken", mod: r.mod };
        if (imported === "*") return { t: "namespace", mod: r.mod };
        return this.exportOf(r.mod, imported, seen) ?? { t: "missing", name: imported, module: spec };
    }
  }

  /** undefined: not exported (the caller decides the message). */
  private exportOf(mod: ModuleRecord, name: string, seen: Set<string>): Target | undefined {
    const cached = mod.exportCache.get(name);
    if (cached !== undefined) return cached ?? undefined;
    const key = `${mod.file.path}\0${name}`;
    if (seen.has(key)) return undefined; // a re-export cycle exports nothing
    if (seen.size >= MAX_REEXPORT_CHAIN) {
      return {
        t: "unresolved",
        specifier: mod.file.path,
        why: `"${name}" is re-exported through too many modules`,
      };
    }
    seen.add(key);
    const result = this.computeExport(mod, name, seen);
    seen.delete(key);
    mod.exportCache.set(name, result ?? null);
    return result;
  }

  private computeExport(mod: ModuleRecord, name: string, seen: Set<string>): Target | undefined {
    const e = mod.exports.get(name);
    if (e !== undefined) {
      switch (e.kind) {
        case "local": {
          const b = mod.scope.get(e.local);
          return b === undefined ? undefined : this.targetOfBinding(mod, b, seen);
        }
        case "reexport":
          return this.resolveFrom(mod, e.specifier, e.imported, e.foreign, seen);
        case "target":
          return e.target;
      }
    }
    if (name === "default") return undefined; // `export *` never re-exports a default
    let found: { target: Target; via: string } | undefined;
    for (const star of mod.stars) {
      const r = this.resolveSpecifier(mod, star.specifier);
      let t: Target | undefined;
      if (r.kind === "fsops") t = dslTargets.get(name);
      else if (r.kind === "foreign") t = { t: "foreign", specifier: star.specifier, foreign: star.foreign };
      else if (r.kind === "module")
        t = r.mod.file.broken ? { t: "broken", mod: r.mod } : this.exportOf(r.mod, name, seen);
      if (t === undefined) continue;
      if (found === undefined) {
        found = { target: t, via: star.specifier };
      } else if (t.t !== "foreign" && found.target.t !== "foreign" && !sameTarget(found.target, t)) {
        return { t: "ambiguous", name, module: mod.file.path, first: found.via, second: star.specifier };
      } else if (found.target.t === "foreign" && t.t !== "foreign") {
        // A project file's export is known; a foreign package's names are not.
        found = { target: t, via: star.specifier };
      }
    }
    return found?.target;
  }
}

function sameTarget(a: Target, b: Target): boolean {
  if (a.t === "const" && b.t === "const") return a.rec === b.rec && a.name === b.name;
  if (a.t === "function" && b.t === "function") return a.node === b.node;
  if (a.t === "dsl" && b.t === "dsl") return a.name === b.name;
  if (a.t === "namespace" && b.t === "namespace") return a.mod === b.mod;
  return a === b;
}

export function isDslClassName(name: string): name is DslClassName {
  return DSL_CLASS_SET.has(name);
}
