/**
 * One Feast Python module → one fsops TypeScript module. Every top-level statement becomes the
 * same `const` (same name), a comment, or a TODO: a finding with file:line, the original Python
 * kept as a comment, and a construct `fsops validate` rejects until a person finishes it.
 */
import { posix } from "node:path";
import {
  FEAST_CLASSES,
  FEAST_DECORATORS,
  FEAST_FILE_FORMATS,
  FEAST_FORMATS,
  FEAST_PRIMITIVE_TYPES,
  FEAST_VALUE_TYPES,
  LOGGING_CONFIG,
  LOGGING_DESTINATIONS,
} from "./feast-api.js";
import type { ClassSpec, Conversion } from "./feast-api.js";
import { formatDuration, timedeltaSeconds, TIMEDELTA_PARAMETERS } from "./durations.js";
import type { PyArg, PyExpr, PyModule, PyStmt, Span } from "./python.js";
import { printTs, propertyKey, quote, raw, str } from "./ts-print.js";
import type { Ts, TsEntry } from "./ts-print.js";

/** A place in a Python file the importer reports on. */
export interface Finding {
  /** Relative to the Feast repository, `/`-separated. */
  file: string;
  line: number;
  column: number;
  message: string;
}

/**
 * Left where a value could not be converted: a construction of a class fsops does not have, which
 * `fsops validate` reports where it is written ("… is not part of fsops"), wherever it stands —
 * inside an option or at the top level — so a file with a TODO can never validate.
 */
export const TODO_CLASS = "TODO_fsops_import";
export const TODO_MARKER = `new ${TODO_CLASS}()`;
/** Prefix of every TODO comment the importer writes. */
export const TODO_TAG = "TODO(fsops import)";

export interface ModuleFile {
  /** `features/driver.py` */
  path: string;
  /** `features/driver.ts` */
  outPath: string;
  /** Dotted module names it can be imported as (`features.driver`, `driver` …). */
  module: PyModule;
}

export type Binding =
  | { kind: "value"; stmt: PyStmt }
  | { kind: "view"; stmt: PyStmt } // a decorated on-demand / stream / batch view
  | { kind: "function"; stmt: PyStmt }
  | { kind: "import"; from: ModuleFile; name: string }
  | { kind: "namespace"; of: ModuleFile }
  | { kind: "feast"; symbol: string }
  | { kind: "datetime"; symbol: string }
  | { kind: "external"; module: string };

/** What the converter needs to know about the whole repository. */
export interface RepoIndex {
  bindings(file: ModuleFile): Map<string, Binding>;
  /** The module file and top-level name that finally define `name` as seen from `file`. */
  definition(file: ModuleFile, name: string): { file: ModuleFile; name: string } | null;
  /** Entities by their Feast name, for `entities=["driver"]`. */
  entityByName(name: string): { file: ModuleFile; name: string } | null;
  /** Whether the Python function `name` of `file` converts to a TypeScript helper. */
  helperOk(file: ModuleFile, name: string): boolean;
  /** The Feast repository as seen from the fsops project (`../feature_repo`), for relative file paths. */
  repoFromProject: string;
  /** The project's name in feature_store.yaml and in fsops.yaml (they differ when fsops's rules renamed it). */
  project: { feast: string; fsops: string };
}

export interface ConvertedModule {
  text: string;
  todos: Finding[];
  notes: Finding[];
  /** Top-level names that became TypeScript bindings. */
  exported: string[];
}

const TS_RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally " +
    "for function if import in instanceof new null return super switch this throw true try typeof var void " +
    "while with let static yield await implements interface package private protected public arguments eval " +
    "undefined NaN Infinity Object Array String Number Boolean Math JSON Date Symbol Promise Map Set"
  ).split(" "),
);

/** A Python name as a TypeScript binding: the same name unless TypeScript reserves it. */
export function tsName(name: string): string {
  return TS_RESERVED.has(name) ? `${name}_` : name;
}

class Todo extends Error {
  constructor(
    readonly at: Span,
    message: string,
  ) {
    super(message);
  }
}

interface Scope {
  /** Comprehension and lambda variables. */
  locals: Set<string>;
}

export function convertModule(file: ModuleFile, repo: RepoIndex): ConvertedModule {
  return new ModuleConverter(file, repo).run();
}

/** Whether a Python helper function converts (used for calls of it from other modules). */
export function helperConverts(file: ModuleFile, name: string, repo: RepoIndex): boolean {
  const b = repo.bindings(file).get(name);
  if (b?.kind !== "function" || b.stmt.t !== "def") return false;
  return new ModuleConverter(file, repo).helperCode(b.stmt) !== null;
}

class ModuleConverter {
  private readonly todos: Finding[] = [];
  private readonly notes: Finding[] = [];
  private readonly dsl = new Set<string>();
  /** outPath → names imported from it */
  private readonly imports = new Map<string, Map<string, string>>();
  private readonly namespaces = new Map<string, ModuleFile>();
  private readonly bindings: Map<string, Binding>;
  private readonly declared = new Set<string>();
  /** TODO messages of the statement being converted. */
  private stmtTodos: { at: Span; message: string }[] = [];
  /** More Python a TODO of the statement needs (the function a `udf=` names). */
  private stmtExtra: Span[] = [];
  private readonly mod: PyModule;

  constructor(
    private readonly file: ModuleFile,
    private readonly repo: RepoIndex,
  ) {
    this.mod = file.module;
    this.bindings = repo.bindings(file);
  }

  private finding(at: Span, message: string): Finding {
    const { line, column } = this.mod.position(at.from);
    return { file: this.file.path, line, column, message };
  }

  private note(at: Span, message: string): void {
    this.notes.push(this.finding(at, message));
  }

  /** Records a TODO for the current statement and returns the marker left in the output. */
  private todo(at: Span, message: string): Ts {
    this.stmtTodos.push({ at, message });
    return raw(TODO_MARKER);
  }

  private python(at: Span): string {
    return this.mod.text.slice(at.from, at.to);
  }

  run(): ConvertedModule {
    const body: string[] = [];
    const exported: string[] = [];
    for (const stmt of this.mod.statements) {
      this.stmtTodos = [];
      this.stmtExtra = [];
      const out = this.statement(stmt);
      const lines: string[] = [];
      for (const c of stmt.comments) lines.push(`// ${c}`.trimEnd());
      if (this.stmtTodos.length > 0) {
        for (const t of this.stmtTodos) {
          const f = this.finding(t.at, t.message);
          this.todos.push(f);
          lines.push(`// ${TODO_TAG}: ${f.file}:${f.line}: ${t.message}`);
        }
        lines.push("// Original Python:");
        for (const span of [...this.stmtExtra, stmtSpan(stmt)])
          for (const l of dedent(this.python(span)).split("\n")) lines.push(`//   ${l}`.trimEnd());
        const cut = stmt.to - stmtSpan(stmt).to;
        if (cut > 0) lines.push(`//   … (${cut} more characters)`);
      }
      if (out.code !== null) {
        lines.push(out.code);
        if (out.name) exported.push(out.name);
      } else if (this.stmtTodos.length > 0) {
        // Nothing to write in its place: the marker alone keeps fsops validate failing here.
        lines.push(`${TODO_MARKER};`);
      }
      if (lines.length > 0) body.push(lines.join("\n"));
    }
    if (this.mod.trailingComments.length > 0)
      body.push(this.mod.trailingComments.map((c) => `// ${c}`.trimEnd()).join("\n"));
    const header: string[] = [`// Converted from ${this.file.path} by \`fsops import feast\`.`];
    if (this.dsl.size > 0) header.push(importLine([...this.dsl].sort(), "fsops"));
    for (const [outPath, names] of [...this.imports].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const spec = importSpecifier(this.file.outPath, outPath);
      const list = [...names]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, local]) => (name === local ? name : `${name} as ${local}`));
      header.push(importLine(list, spec));
    }
    for (const [local, target] of [...this.namespaces].sort(([a], [b]) => (a < b ? -1 : 1)))
      header.push(`import * as ${local} from "${importSpecifier(this.file.outPath, target.outPath)}";`);
    const text = `${header.join("\n")}\n\n${body.join("\n\n")}\n`;
    return { text, todos: this.todos, notes: this.notes, exported };
  }

  // ------------------------------------------------------------------ statements

  private statement(stmt: PyStmt): { code: string | null; name?: string } {
    if (stmt.t === "too-deep") {
      this.todo(
        { from: stmt.at, to: stmt.at },
        `nesting too deep to convert (${stmt.why}): write this statement by hand`,
      );
      return { code: null };
    }
    if (stmt.broken) {
      this.todo(
        stmt,
        "this statement has a Python syntax error; fix it in the Feast repository or write it here",
      );
      return { code: null };
    }
    switch (stmt.t) {
      case "from":
      case "import":
        return { code: null };
      case "docstring":
        return {
          code: stmt.value.trim()
            ? stmt.value
                .trim()
                .split("\n")
                .map((l) => `// ${l.trim()}`.trimEnd())
                .join("\n")
            : null,
        };
      case "assign":
        if (stmt.target === "__all__") {
          this.note(stmt, "__all__ is Python's list of exports; every TypeScript const here is exported");
          return { code: null };
        }
        return this.assignment(stmt.target, stmt.value, stmt);
      case "def":
        return this.definition(stmt);
      case "other":
        return this.otherStatement(stmt);
    }
  }

  private declare(name: string, at: Span): string | null {
    const ts = tsName(name);
    if (this.declared.has(ts)) {
      this.todo(
        at,
        `"${name}" is assigned a second time; fsops definitions are constants: give each value its own name`,
      );
      return null;
    }
    this.declared.add(ts);
    if (ts !== name) this.note(at, `"${name}" is a reserved word in TypeScript; it is named "${ts}" here`);
    return ts;
  }

  private assignment(target: string, value: PyExpr, stmt: PyStmt): { code: string | null; name?: string } {
    const ts = this.declare(target, stmt);
    const converted = this.safe(value, { locals: new Set() });
    if (ts === null) return { code: null };
    return { code: `export const ${ts} = ${printTs(converted, 0, ts.length + 16)};`, name: ts };
  }

  private definition(stmt: PyStmt & { t: "def" }): { code: string | null; name?: string } {
    const decorator = stmt.decorators.map((d) => ({ d, cls: this.decoratorClass(d) })).find((x) => x.cls);
    if (!decorator || !decorator.cls) {
      if (stmt.decorators.length > 0) {
        this.todo(
          stmt,
          `the function "${stmt.name}" has decorators fsops does not know; write what it defines in TypeScript`,
        );
        return { code: null };
      }
      const code = this.repo.helperOk(this.file, stmt.name) ? this.helperCode(stmt) : null;
      if (code !== null) {
        const ts = this.declare(stmt.name, stmt);
        return ts === null ? { code: null } : { code, name: ts };
      }
      this.note(
        stmt,
        `function "${stmt.name}" is Python code and was not converted (definitions that call it are reported)`,
      );
      return { code: null };
    }
    const ts = this.declare(stmt.name, stmt);
    const call = decorator.d.t === "call" ? decorator.d : null;
    const spec = FEAST_CLASSES[decorator.cls] as ClassSpec;
    const scope: Scope = { locals: new Set() };
    let obj: Ts;
    try {
      obj = this.options(decorator.cls, spec, call?.args ?? [], decorator.d, scope, { name: stmt.name });
    } catch (err) {
      if (!(err instanceof Todo)) throw err;
      obj = this.todo(err.at, err.message);
    }
    if (obj.k === "call" && obj.args[0]?.k === "obj") {
      const entries = obj.args[0].entries;
      const transformable =
        decorator.cls === "OnDemandFeatureView" || (decorator.cls === "BatchFeatureView" && !stmt.identity);
      if (transformable) {
        const row = entries.some((en) => en.key === "singleton" && printTs(en.value) === "true");
        const what = decorator.cls === "OnDemandFeatureView" ? "on-demand view" : "batch view";
        this.stmtTodos.push({
          at: stmt,
          message: `the Python transformation of ${what} "${stmt.name}" must be rewritten as a TypeScript function (${row ? "one row in, one row out" : "columns in, columns out"})`,
        });
        entries.push({
          key: "transform",
          value: str(`${TODO_TAG}: rewrite the Python function ${stmt.name}() above in TypeScript`),
          comments: [],
        });
      } else if (!stmt.identity) {
        entries.push({
          key: "udf",
          value: this.todo(
            stmt,
            `the Python transformation of ${decorator.cls} "${stmt.name}" has no fsops equivalent (fsops registers the view's output schema only); move it upstream of the source, or drop it knowingly`,
          ),
          comments: [],
        });
      }
    }
    if (ts === null) return { code: null };
    return { code: `export const ${ts} = ${printTs(obj, 0, ts.length + 16)};`, name: ts };
  }

  private decoratorClass(d: PyExpr): string | null {
    const fn = d.t === "call" ? d.fn : d;
    const sym = this.feastSymbol(fn);
    return sym ? (FEAST_DECORATORS[sym] ?? null) : null;
  }

  private otherStatement(stmt: PyStmt & { t: "other" }): { code: string | null } {
    const text = this.python(stmt);
    if (/^if\s+__name__\s*==/.test(text)) {
      this.note(stmt, 'the `if __name__ == "__main__"` block is a script, not a definition; not converted');
      return { code: null };
    }
    // A statement that touches Feast objects or the module's own values could define or change
    // definitions: that is a TODO. Anything else (print, logging set-up) is not a definition.
    const touched = [...this.bindings].filter(
      ([name, b]) =>
        b.kind !== "external" &&
        b.kind !== "datetime" &&
        new RegExp(`\\b${escapeRegExp(name)}\\b`).test(text),
    );
    if (touched.length > 0) {
      this.todo(
        stmt,
        `${stmt.kind} that uses ${touched
          .slice(0, 3)
          .map(([n]) => `"${n}"`)
          .join(", ")} cannot be converted statically; write the objects it builds as TypeScript constants`,
      );
      return { code: `${TODO_MARKER};` };
    }
    this.note(stmt, `${stmt.kind} defines no Feast objects; not converted`);
    return { code: null };
  }

  // ------------------------------------------------------------------ expressions

  private safe(e: PyExpr, scope: Scope): Ts {
    try {
      return this.expr(e, scope);
    } catch (err) {
      if (err instanceof Todo) return this.todo(err.at, err.message);
      throw err;
    }
  }

  private feastSymbol(e: PyExpr): string | null {
    if (e.t === "name") {
      const b = this.bindings.get(e.id);
      return b?.kind === "feast" ? b.symbol : null;
    }
    if (e.t === "attr") {
      // feast.Entity, feast.types.Float32 …
      let root: PyExpr = e.obj;
      while (root.t === "attr") root = root.obj;
      if (root.t === "name") {
        const b = this.bindings.get(root.id);
        if (b?.kind === "external" && (b.module === "feast" || b.module.startsWith("feast."))) return e.name;
        if (b?.kind === "feast" && b.symbol === "ValueType") return null;
      }
    }
    return null;
  }

  private isTimedelta(e: PyExpr): boolean {
    if (e.t === "name") {
      const b = this.bindings.get(e.id);
      return b?.kind === "datetime" && b.symbol === "timedelta";
    }
    if (e.t === "attr" && e.name === "timedelta" && e.obj.t === "name") {
      const b = this.bindings.get(e.obj.id);
      return b?.kind === "external" && b.module === "datetime";
    }
    return false;
  }

  expr(e: PyExpr, scope: Scope): Ts {
    if (
      e.t === "call" ||
      e.t === "attr" ||
      e.t === "index" ||
      (e.t === "binop" && e.op === "/") ||
      (e.t === "name" && e.id === "__file__")
    ) {
      const p = this.pathValue(e, scope);
      if (p !== null) {
        const moved = posix.normalize(posix.join(this.repo.repoFromProject || ".", p));
        this.note(e, `${this.python(e)} is "${moved}" from the fsops project`);
        return str(moved);
      }
      if (e.t === "binop" && this.pathLike(e.left, scope)) {
        // A path joined with a value known only when a helper is called.
        return raw(`${printTs(this.expr(e.left, scope))} + "/" + ${printTs(this.expr(e.right, scope))}`);
      }
    }
    switch (e.t) {
      case "num": {
        if (/[jJ]$/.test(e.text)) throw new Todo(e, "complex numbers have no fsops equivalent");
        const n = Number(e.text.replace(/_/g, ""));
        if (!Number.isFinite(n)) throw new Todo(e, `the number ${e.text} cannot be converted`);
        return raw(String(n));
      }
      case "str":
        if (e.bytes) throw new Todo(e, "bytes literals have no fsops equivalent");
        return str(e.value);
      case "fstr": {
        let out = "`";
        for (const p of e.parts) {
          if (typeof p === "string") out += p.replace(/[`\\]/g, (c) => `\\${c}`).replace(/\$\{/g, "\\${");
          else out += "${" + printTs(this.expr(p, scope)) + "}";
        }
        return raw(out + "`");
      }
      case "bool":
        return raw(String(e.value));
      case "none":
        return raw("null");
      case "name":
        return this.name(e, scope);
      case "paren":
        return raw(`(${printTs(this.expr(e.inner, scope))})`);
      case "attr":
        if (this.python(e) === "os.environ")
          throw new Todo(
            e,
            "os.environ is read when Python runs; fsops definitions are static: write the value",
          );
        return this.attribute(e, scope);
      case "index": {
        if (e.index.t === "list" || e.index.t === "tuple") {
          // Feast's projection `view[["a", "b"]]` is fsops's `view.select(["a", "b"])`.
          return {
            k: "call",
            head: `${printTs(this.expr(e.obj, scope))}.select`,
            args: [this.expr(e.index, scope)],
          };
        }
        return raw(`${printTs(this.expr(e.obj, scope))}[${printTs(this.expr(e.index, scope))}]`);
      }
      case "call":
        return this.call(e, scope);
      case "list":
      case "tuple":
      case "set":
        return {
          k: "arr",
          items: e.items.map((i) =>
            i.t === "starred" ? raw(`...${printTs(this.expr(i.value, scope))}`) : this.expr(i, scope),
          ),
          comments: e.itemComments,
        };
      case "dict":
        return this.dict(e, scope);
      case "binop":
        return this.binop(e, scope);
      case "unop": {
        const operand = printTs(this.expr(e.operand, scope));
        if (e.op === "not") return raw(`!${operand}`);
        if (e.op === "-" || e.op === "+") return raw(`${e.op}${operand}`);
        throw new Todo(e, `the operator ${e.op} cannot be converted`);
      }
      case "cond":
        return raw(
          `${printTs(this.expr(e.test, scope))} ? ${printTs(this.expr(e.then, scope))} : ${printTs(this.expr(e.otherwise, scope))}`,
        );
      case "comp":
        return this.comprehension(e, scope);
      case "unsupported":
        throw new Todo(e, `${e.what} cannot be converted`);
    }
  }

  private name(e: PyExpr & { t: "name" }, scope: Scope): Ts {
    if (scope.locals.has(e.id)) return raw(tsName(e.id));
    const b = this.bindings.get(e.id);
    if (!b) {
      if (e.id === "__file__")
        throw new Todo(e, "paths built from __file__ depend on where Python runs; write the path");
      throw new Todo(e, `"${e.id}" is not defined in this file or imported from the repository`);
    }
    switch (b.kind) {
      case "value":
      case "view":
        return raw(tsName(e.id));
      case "function":
        if (this.repo.helperOk(this.file, e.id)) return raw(tsName(e.id));
        throw new Todo(
          e,
          `"${e.id}" is a Python function fsops cannot convert (a helper converts when it only assigns names and returns); write it as a TypeScript helper`,
        );
      case "import": {
        const def = this.repo.definition(this.file, e.id);
        if (!def) throw new Todo(e, `"${e.id}" is not defined in the module it is imported from`);
        if (
          this.repo.bindings(def.file).get(def.name)?.kind === "function" &&
          !this.repo.helperOk(def.file, def.name)
        )
          throw new Todo(
            e,
            `"${e.id}" is a Python function fsops cannot convert; write it as a TypeScript helper`,
          );
        const local = tsName(e.id);
        const names = this.imports.get(def.file.outPath) ?? new Map<string, string>();
        names.set(tsName(def.name), local);
        this.imports.set(def.file.outPath, names);
        return raw(local);
      }
      case "namespace":
        this.namespaces.set(e.id, b.of);
        return raw(e.id);
      case "feast": {
        const dtype = FEAST_PRIMITIVE_TYPES[b.symbol];
        if (dtype) return str(dtype);
        throw new Todo(e, `Feast's ${b.symbol} cannot be used as a value here`);
      }
      case "datetime":
      case "external":
        throw new Todo(
          e,
          `"${e.id}" comes from Python (${b.kind === "external" ? b.module : "datetime"}); fsops definitions cannot use it`,
        );
    }
  }

  /** `ValueType.INT64`, `feast.ValueType.INT64`, `fst.value_type.ValueType.INT64` → the member name. */
  private valueTypeMember(e: PyExpr): string | null {
    if (e.t !== "attr") return null;
    const o = e.obj;
    if (o.t === "name" && this.bindings.get(o.id)?.kind === "feast")
      return (this.bindings.get(o.id) as { symbol: string }).symbol === "ValueType" ? e.name : null;
    return o.t === "attr" && o.name === "ValueType" && this.feastSymbol(o) === "ValueType" ? e.name : null;
  }

  private attribute(e: PyExpr & { t: "attr" }, scope: Scope): Ts {
    const member = this.valueTypeMember(e);
    if (member !== null) {
      const v = FEAST_VALUE_TYPES[member];
      if (!v) throw new Todo(e, `ValueType.${member} has no fsops dtype`);
      return str(v);
    }
    if (e.obj.t === "name") {
      const b = this.bindings.get(e.obj.id);
      if (b?.kind === "feast" && b.symbol === "ValueType") {
        const v = FEAST_VALUE_TYPES[e.name];
        if (!v) throw new Todo(e, `ValueType.${e.name} has no fsops dtype`);
        return str(v);
      }
      if (b?.kind === "namespace") {
        this.namespaces.set(e.obj.id, b.of);
        return raw(`${e.obj.id}.${tsName(e.name)}`);
      }
      if (b?.kind === "external" && (b.module === "feast" || b.module.startsWith("feast."))) {
        const dtype = FEAST_PRIMITIVE_TYPES[e.name];
        if (dtype) return str(dtype);
      }
    }
    if (e.name === "name") return raw(`${printTs(this.expr(e.obj, scope))}.name`);
    throw new Todo(e, `the attribute .${e.name} cannot be converted`);
  }

  private dict(e: PyExpr & { t: "dict" }, scope: Scope): Ts {
    const entries: TsEntry[] = [];
    for (const entry of e.entries) {
      if ("spread" in entry) {
        entries.push({
          key: `...${printTs(this.expr(entry.spread, scope))}`,
          value: raw(""),
          comments: [],
          spread: true,
        });
        continue;
      }
      const k = entry.key;
      const key =
        k.t === "str" && !k.bytes
          ? propertyKey(k.value)
          : k.t === "num"
            ? JSON.stringify(String(Number(k.text)))
            : `[${printTs(this.expr(k, scope))}]`;
      entries.push({ key, value: this.expr(entry.value, scope), comments: [] });
    }
    return { k: "obj", entries };
  }

  private binop(e: PyExpr & { t: "binop" }, scope: Scope): Ts {
    const l = () => printTs(this.expr(e.left, scope));
    const r = () => printTs(this.expr(e.right, scope));
    const isText = (x: PyExpr) => x.t === "str" || x.t === "fstr";
    const isList = (x: PyExpr) => x.t === "list" || x.t === "tuple" || x.t === "comp";
    switch (e.op) {
      case "+":
        if (isList(e.left) || isList(e.right)) {
          // Python list concatenation → one array literal (spreading what is not a literal).
          const part = (x: PyExpr): Ts[] => {
            const t = this.expr(x, scope);
            return (x.t === "list" || x.t === "tuple") && t.k === "arr" ? t.items : [raw(`...${printTs(t)}`)];
          };
          return { k: "arr", items: [...part(e.left), ...part(e.right)] };
        }
        return raw(`${l()} + ${r()}`);
      case "-":
      case "/":
        return raw(`${l()} ${e.op} ${r()}`);
      case "*":
        if (isText(e.left) || isText(e.right) || isList(e.left) || isList(e.right))
          throw new Todo(e, "repeating a string or list with * cannot be converted");
        return raw(`${l()} * ${r()}`);
      case "%":
        if (isText(e.left)) throw new Todo(e, "%-formatting cannot be converted; use an f-string");
        return raw(`${l()} % ${r()}`);
      case "**":
        return raw(`${l()} ** ${r()}`);
      case "==":
        return raw(`${l()} === ${r()}`);
      case "!=":
        return raw(`${l()} !== ${r()}`);
      case "<":
      case ">":
      case "<=":
      case ">=":
        return raw(`${l()} ${e.op} ${r()}`);
      case "and":
        return raw(`${l()} && ${r()}`);
      case "or":
        return raw(`${l()} || ${r()}`);
      case "in":
        return raw(`${r()}.includes(${l()})`);
      case "not in":
        return raw(`!${r()}.includes(${l()})`);
      case "is":
        return raw(`${l()} === ${r()}`);
      case "is not":
        return raw(`${l()} !== ${r()}`);
      default:
        throw new Todo(e, `the operator ${e.op} cannot be converted`);
    }
  }

  private comprehension(e: PyExpr & { t: "comp" }, scope: Scope): Ts {
    const inner: Scope = { locals: new Set(scope.locals) };
    // Each clause: `iter.filter(p => c).map|flatMap(p => …)`.
    const parts: { iter: string; param: string; ifs: string[] }[] = [];
    for (const clause of e.clauses) {
      const iter = this.iterable(clause.iter, inner);
      for (const t of clause.targets) inner.locals.add(t);
      const param = clause.unpack
        ? `([${clause.targets.map(tsName).join(", ")}])`
        : `(${tsName(clause.targets[0] ?? "_")})`;
      const ifs = clause.ifs.map((c) => printTs(this.expr(c, inner)));
      parts.push({ iter, param, ifs });
    }
    let body =
      e.kind === "dict" && e.key
        ? `[${printTs(this.expr(e.key, inner))}, ${printTs(this.expr(e.elt, inner))}]`
        : printTs(this.expr(e.elt, inner), 2);
    for (let i = parts.length - 1; i >= 0; i--) {
      const p = parts[i] as (typeof parts)[number];
      const filtered = p.ifs.reduce((acc, c) => `${acc}.filter(${p.param} => ${c})`, p.iter);
      const method = i === parts.length - 1 ? "map" : "flatMap";
      body = `${filtered}.${method}(${p.param} => ${body.startsWith("{") ? `(${body})` : body})`;
    }
    return raw(e.kind === "dict" ? `Object.fromEntries(${body})` : body);
  }

  private iterable(e: PyExpr, scope: Scope): string {
    if (e.t === "call" && e.fn.t === "name" && !this.bindings.has(e.fn.id)) {
      const args = e.args.map((a) => {
        if (a.name || a.star)
          throw new Todo(
            a,
            `${e.fn.t === "name" ? e.fn.id : "this call"}() with keyword arguments cannot be converted`,
          );
        return printTs(this.expr(a.value, scope));
      });
      switch (e.fn.id) {
        case "range":
          if (args.length === 1) return `Array.from({ length: ${args[0]} }, (_, i) => i)`;
          if (args.length === 2)
            return `Array.from({ length: ${args[1]} - ${args[0]} }, (_, i) => i + ${args[0]})`;
          throw new Todo(e, "range() with a step cannot be converted");
        case "enumerate":
          if (args.length === 1) return `${args[0]}.map((v, i) => [i, v])`;
          break;
        case "zip":
          if (args.length === 2) return `${args[0]}.map((v, i) => [v, ${args[1]}[i]])`;
          break;
        case "sorted":
        case "list":
          if (args.length === 1) return `[...${args[0]}]${e.fn.id === "sorted" ? ".sort()" : ""}`;
          break;
      }
      throw new Todo(e, `${e.fn.id}(...) in a comprehension cannot be converted`);
    }
    if (e.t === "call" && e.fn.t === "attr" && e.args.length === 0) {
      const obj = printTs(this.expr(e.fn.obj, scope));
      if (e.fn.name === "items") return `Object.entries(${obj})`;
      if (e.fn.name === "keys") return `Object.keys(${obj})`;
      if (e.fn.name === "values") return `Object.values(${obj})`;
    }
    return printTs(this.expr(e, scope));
  }

  private call(e: PyExpr & { t: "call" }, scope: Scope): Ts {
    const callee = this.python(e.fn);
    if (/^os\.(environ|getenv)|^(getenv|environ)\b/.test(callee))
      throw new Todo(
        e,
        `${callee}(...) reads the environment when Python runs; fsops definitions are static: write the value (settings that vary belong in fsops.yaml as \${VAR})`,
      );
    const feast = this.feastSymbol(e.fn);
    if (feast) return this.feastCall(feast, e, scope);
    if (this.isTimedelta(e.fn)) return this.timedelta(e, scope);
    const helper = e.fn.t === "name" && !scope.locals.has(e.fn.id) ? this.helperDef(e.fn.id) : null;
    if (helper) return this.helperCall(e, helper, scope);
    if (e.fn.t === "name" && !this.bindings.has(e.fn.id) && !scope.locals.has(e.fn.id)) {
      const args = e.args;
      const one = args.length === 1 && !args[0]?.name && !args[0]?.star ? (args[0] as PyArg).value : null;
      switch (e.fn.id) {
        case "str":
          if (one && (one.t === "str" || one.t === "fstr" || this.pathLike(one, scope)))
            return this.expr(one, scope);
          if (one) return raw(`String(${printTs(this.expr(one, scope))})`);
          break;
        case "dict":
          if (args.every((a) => a.name && !a.star))
            return {
              k: "obj",
              entries: args.map((a) => ({
                key: propertyKey(a.name as string),
                value: this.expr(a.value, scope),
                comments: [],
              })),
            };
          break;
        case "list":
        case "tuple":
          if (one) return raw(`[...${printTs(this.expr(one, scope))}]`);
          break;
        case "len":
          if (one) return raw(`${printTs(this.expr(one, scope))}.length`);
          break;
      }
      throw new Todo(e, `the call ${e.fn.id}(...) cannot be converted`);
    }
    if (e.fn.t === "attr") {
      const method = STRING_METHODS[e.fn.name];
      if (method && !e.args.some((a) => a.name || a.star)) {
        // Python's whitespace split(), replace(a, b, count) and strip(chars) differ from JavaScript's.
        const arity: Record<string, number> = { split: 1, replace: 2, strip: 0, join: 1 };
        const want = arity[e.fn.name];
        if (want !== undefined && e.args.length !== want)
          throw new Todo(
            e,
            `.${e.fn.name}() with ${e.args.length} argument(s) behaves differently in TypeScript; write it out`,
          );
        const obj = this.expr(e.fn.obj, scope);
        const args = e.args.map((a) => printTs(this.expr(a.value, scope)));
        if (e.fn.name === "join") return raw(`${args[0]}.join(${printTs(obj)})`);
        if (e.fn.name === "items" || e.fn.name === "keys" || e.fn.name === "values")
          return raw(`Object.${method}(${printTs(obj)})`);
        return raw(`${printTs(obj)}.${method}(${args.join(", ")})`);
      }
      if (["with_name", "with_projection", "with_join_key_map"].includes(e.fn.name))
        throw new Todo(e, `.${e.fn.name}(...) (a renamed or re-keyed projection) has no fsops equivalent`);
    }
    throw new Todo(e, `the call ${this.python(e.fn)}(...) cannot be converted`);
  }

  /** The def statement of a helper function `name` refers to (here or imported). */
  private helperDef(name: string): (PyStmt & { t: "def" }) | null {
    const b = this.bindings.get(name);
    if (b?.kind === "function" && b.stmt.t === "def") return b.stmt;
    if (b?.kind === "import") {
      const def = this.repo.definition(this.file, name);
      const target = def ? this.repo.bindings(def.file).get(def.name) : undefined;
      if (target?.kind === "function" && target.stmt.t === "def") return target.stmt;
    }
    return null;
  }

  /** `make(name="x", days=7)` → `make("x", 7)`: keyword arguments placed by the helper's parameters. */
  private helperCall(e: PyExpr & { t: "call" }, def: PyStmt & { t: "def" }, scope: Scope): Ts {
    const fn = printTs(this.expr(e.fn, scope));
    const params = def.helper?.params ?? [];
    const slots: (Ts | undefined)[] = [];
    let next = 0;
    for (const a of e.args) {
      if (a.star)
        throw new Todo(a, `${a.star}${this.python(a.value)} cannot be passed to a helper statically`);
      const index = a.name ? params.findIndex((p) => p.name === a.name) : next++;
      if (index < 0 || index >= params.length)
        throw new Todo(a, `${def.name}() has no parameter ${a.name ? `"${a.name}"` : `number ${index + 1}`}`);
      slots[index] = this.expr(a.value, scope);
    }
    while (slots.length > 0 && slots[slots.length - 1] === undefined) slots.pop();
    const args = Array.from({ length: slots.length }, (_, i) => slots[i] ?? raw("undefined"));
    return { k: "call", head: fn, args };
  }

  /**
   * A Python helper as a TypeScript function declaration (params, consts, return), or null when
   * any part of it does not convert; then its callers are TODOs instead.
   */
  helperCode(stmt: PyStmt & { t: "def" }): string | null {
    const h = stmt.helper;
    if (!h || stmt.decorators.length > 0) return null;
    const saved = {
      todos: this.stmtTodos,
      dsl: new Set(this.dsl),
      imports: new Map([...this.imports].map(([k, v]) => [k, new Map(v)])),
      namespaces: new Map(this.namespaces),
    };
    this.stmtTodos = [];
    let code: string | null = null;
    try {
      const scope: Scope = { locals: new Set(h.params.map((p) => p.name)) };
      const params = h.params.map((p) =>
        p.default
          ? `${tsName(p.name)} = ${printTs(this.expr(p.default, { locals: new Set() }))}`
          : tsName(p.name),
      );
      const lines: string[] = [];
      for (const l of h.locals) {
        if (scope.locals.has(l.name)) throw new Todo(l.at, `"${l.name}" is assigned twice in ${stmt.name}()`);
        lines.push(
          `  const ${tsName(l.name)} = ${printTs(this.expr(l.value, scope), 1, l.name.length + 10)};`,
        );
        scope.locals.add(l.name);
      }
      lines.push(`  return ${printTs(this.expr(h.returns, scope), 1, 9)};`);
      if (this.stmtTodos.length === 0)
        code = `export function ${tsName(stmt.name)}(${params.join(", ")}) {\n${lines.join("\n")}\n}`;
    } catch (err) {
      if (!(err instanceof Todo)) throw err;
    }
    this.stmtTodos = saved.todos;
    if (code === null) {
      this.dsl.clear();
      for (const d of saved.dsl) this.dsl.add(d);
      this.imports.clear();
      for (const [k, v] of saved.imports) this.imports.set(k, v);
      this.namespaces.clear();
      for (const [k, v] of saved.namespaces) this.namespaces.set(k, v);
    }
    return code;
  }

  private timedelta(e: PyExpr & { t: "call" }, scope: Scope): Ts {
    const positional: number[] = [];
    const keywords: Record<string, number> = {};
    if (e.args.some((a) => !a.star && this.constantNumber(a.value, scope) === null))
      return this.timedeltaExpression(e, scope);
    for (const a of e.args) {
      if (a.star) throw new Todo(a, "timedelta(*args) cannot be converted");
      const n = this.constantNumber(a.value, scope);
      if (n === null) throw new Todo(a.value, "this duration is not a constant number");
      if (a.name) {
        if (!TIMEDELTA_PARAMETERS.includes(a.name))
          throw new Todo(a, `timedelta has no parameter "${a.name}"`);
        keywords[a.name] = n;
      } else positional.push(n);
    }
    const r = timedeltaSeconds(positional, keywords);
    if ("error" in r) throw new Todo(e, r.error);
    const d = formatDuration(r.seconds);
    return typeof d === "number" ? raw(String(d)) : str(d);
  }

  /**
   * A timedelta of values known only when a helper is called (`timedelta(days=days)`): the number
   * of seconds as an expression fsops evaluates (`days * 86400`).
   */
  private timedeltaExpression(e: PyExpr & { t: "call" }, scope: Scope): Ts {
    const units: Record<string, number> = {
      days: 86400,
      seconds: 1,
      microseconds: 1e-6,
      milliseconds: 1e-3,
      minutes: 60,
      hours: 3600,
      weeks: 604800,
    };
    const terms: string[] = [];
    e.args.forEach((a, i) => {
      if (a.star) throw new Todo(a, "timedelta(*args) cannot be converted");
      const name = a.name ?? TIMEDELTA_PARAMETERS[i];
      const unit = name ? units[name] : undefined;
      if (unit === undefined) throw new Todo(a, `timedelta has no parameter "${a.name ?? i + 1}"`);
      const value = printTs(this.expr(a.value, scope));
      const simple = /^[\w.]+$/.test(value) ? value : `(${value})`;
      terms.push(unit === 1 ? simple : `${simple} * ${unit}`);
    });
    return raw(terms.length === 0 ? "0" : terms.join(" + "));
  }

  /** Whether `e` is a pathlib / os.path value built from `__file__` (already moved to the project). */
  private pathLike(e: PyExpr, scope: Scope, file: ModuleFile = this.file, depth = 0): boolean {
    if (depth > 20) return false;
    if (this.pathValue(e, scope, file) !== null) return true;
    if (e.t === "binop" && e.op === "/") return this.pathLike(e.left, scope, file, depth + 1);
    if (e.t === "call" && e.fn.t === "name" && e.fn.id === "str" && e.args.length === 1 && !e.args[0]?.name)
      return this.pathLike((e.args[0] as PyArg).value, scope, file, depth + 1);
    if (e.t === "name" && !(file === this.file && scope.locals.has(e.id))) {
      const def = this.repo.definition(file, e.id);
      const b = def ? this.repo.bindings(def.file).get(def.name) : undefined;
      if (def && b?.kind === "value" && b.stmt.t === "assign")
        return this.pathLike(b.stmt.value, { locals: new Set() }, def.file, depth + 1);
    }
    return false;
  }

  /**
   * The repository-relative path a `__file__`-based expression names (`Path(__file__).parent /
   * "data"`, `os.path.join(os.path.dirname(__file__), "x")`, constants of those), or null.
   */
  private pathValue(e: PyExpr, scope: Scope, file: ModuleFile = this.file, depth = 0): string | null {
    if (depth > 30) return null;
    const sub = (x: PyExpr) => this.pathValue(x, scope, file, depth + 1);
    const bindings = this.repo.bindings(file);
    const external = (x: PyExpr, module: string, name: string) => {
      if (x.t === "name") {
        const b = bindings.get(x.id);
        return (
          (b?.kind === "external" && b.module === `${module}.${name}`) ||
          (x.id === name && b?.kind === "external" && b.module === module)
        );
      }
      return (
        x.t === "attr" && x.name === name && x.obj.t === "name" && bindings.get(x.obj.id)?.kind === "external"
      );
    };
    switch (e.t) {
      case "name": {
        if (e.id === "__file__") return file.path;
        if (file === this.file && scope.locals.has(e.id)) return null;
        const b = bindings.get(e.id);
        if (b?.kind === "value" && b.stmt.t === "assign")
          return this.pathValue(b.stmt.value, { locals: new Set() }, file, depth + 1);
        if (b?.kind === "import") {
          const def = this.repo.definition(file, e.id);
          const target = def ? this.repo.bindings(def.file).get(def.name) : undefined;
          if (def && target?.kind === "value" && target.stmt.t === "assign")
            return this.pathValue(target.stmt.value, { locals: new Set() }, def.file, depth + 1);
        }
        return null;
      }
      case "paren":
        return sub(e.inner);
      case "attr":
        if (e.name === "parent") {
          const p = sub(e.obj);
          return p === null ? null : posix.dirname(p);
        }
        return null;
      case "index": {
        // Path(__file__).parents[1]
        if (e.obj.t === "attr" && e.obj.name === "parents" && e.index.t === "num") {
          let p = sub(e.obj.obj);
          for (let i = 0; p !== null && i <= Number(e.index.text); i++) p = posix.dirname(p);
          return p;
        }
        return null;
      }
      case "binop": {
        if (e.op !== "/") return null;
        const left = sub(e.left);
        const right = left === null ? null : this.constantString(e.right, scope, file);
        return left === null || right === null ? null : posix.join(left, right);
      }
      case "call": {
        const args = e.args.filter((a) => !a.name && !a.star).map((a) => a.value);
        const fn = e.fn;
        if (fn.t === "attr" && ["resolve", "absolute", "expanduser"].includes(fn.name) && args.length === 0)
          return sub(fn.obj);
        if (
          fn.t === "name" &&
          (fn.id === "str" || fn.id === "Path" || fn.id === "PurePath") &&
          args.length === 1
        ) {
          const inner = args[0] as PyExpr;
          return sub(inner);
        }
        if (
          external(fn, "os.path", "dirname") ||
          (fn.t === "attr" && fn.name === "dirname" && this.python(fn.obj) === "os.path")
        ) {
          const p = args.length === 1 ? sub(args[0] as PyExpr) : null;
          return p === null ? null : posix.dirname(p);
        }
        if (
          fn.t === "attr" &&
          ["abspath", "realpath", "normpath"].includes(fn.name) &&
          this.python(fn.obj) === "os.path"
        )
          return args.length === 1 ? sub(args[0] as PyExpr) : null;
        if (fn.t === "attr" && fn.name === "join" && this.python(fn.obj) === "os.path" && args.length >= 1) {
          const first = sub(args[0] as PyExpr);
          if (first === null) return null;
          const rest = args.slice(1).map((a) => this.constantString(a, scope, file));
          return rest.some((r) => r === null) ? null : posix.join(first, ...(rest as string[]));
        }
        return null;
      }
      default:
        return null;
    }
  }

  /** A string the text states: literals, f-strings and + of those, and module constants of those. */
  private constantString(e: PyExpr, scope: Scope, file: ModuleFile = this.file, depth = 0): string | null {
    if (depth > 20) return null;
    switch (e.t) {
      case "str":
        return e.bytes ? null : e.value;
      case "paren":
        return this.constantString(e.inner, scope, file, depth + 1);
      case "binop": {
        if (e.op !== "+") return null;
        const a = this.constantString(e.left, scope, file, depth + 1);
        const b = a === null ? null : this.constantString(e.right, scope, file, depth + 1);
        return a === null || b === null ? null : a + b;
      }
      case "name": {
        if (file === this.file && scope.locals.has(e.id)) return null;
        const def = this.repo.definition(file, e.id);
        const b = def ? this.repo.bindings(def.file).get(def.name) : undefined;
        if (def && b?.kind === "value" && b.stmt.t === "assign")
          return this.constantString(b.stmt.value, { locals: new Set() }, def.file, depth + 1);
        return null;
      }
      default:
        return null;
    }
  }

  /** A number the text states: literals, arithmetic of literals, and module constants of those. */
  private constantNumber(e: PyExpr, scope: Scope, depth = 0): number | null {
    if (depth > 20) return null;
    switch (e.t) {
      case "num": {
        const n = Number(e.text.replace(/_/g, ""));
        return Number.isFinite(n) ? n : null;
      }
      case "paren":
        return this.constantNumber(e.inner, scope, depth + 1);
      case "unop": {
        const v = this.constantNumber(e.operand, scope, depth + 1);
        return v === null ? null : e.op === "-" ? -v : e.op === "+" ? v : null;
      }
      case "binop": {
        const a = this.constantNumber(e.left, scope, depth + 1);
        const b = this.constantNumber(e.right, scope, depth + 1);
        if (a === null || b === null) return null;
        switch (e.op) {
          case "+":
            return a + b;
          case "-":
            return a - b;
          case "*":
            return a * b;
          case "/":
            return a / b;
          case "//":
            return Math.floor(a / b);
          case "**":
            return a ** b;
        }
        return null;
      }
      case "name": {
        if (scope.locals.has(e.id)) return null;
        const b = this.bindings.get(e.id);
        if (b?.kind === "value" && b.stmt.t === "assign")
          return this.constantNumber(b.stmt.value, scope, depth + 1);
        return null;
      }
      default:
        return null;
    }
  }

  // ------------------------------------------------------------------ Feast classes

  private feastCall(symbol: string, e: PyExpr & { t: "call" }, scope: Scope): Ts {
    const spec = FEAST_CLASSES[symbol];
    if (spec) return this.options(symbol, spec, e.args, e, scope, {});
    if (symbol === "Array" || symbol === "Struct") return str(this.dtype(e, scope));
    if (FEAST_FORMATS[symbol]) return str(this.format(e, scope));
    if (symbol === LOGGING_CONFIG) return this.loggingConfig(e, scope);
    // Kept as a construction of the Feast class (fsops validate reports it as not part of fsops,
    // with advice), its arguments under their Python names.
    this.stmtTodos.push({
      at: e,
      message: `Feast's ${symbol} has no fsops equivalent; decide what it should become`,
    });
    const entries: TsEntry[] = [];
    for (const a of e.args) {
      const key = a.star
        ? `TODO_${a.star === "**" ? "kwargs" : "args"}`
        : (a.name ?? `arg${e.args.indexOf(a)}`);
      entries.push({ key: propertyKey(key), value: this.safe(a.value, scope), comments: a.comments });
    }
    return { k: "call", head: `new ${symbol}`, args: entries.length ? [{ k: "obj", entries }] : [] };
  }

  private options(
    symbol: string,
    spec: ClassSpec,
    args: readonly PyArg[],
    at: Span,
    scope: Scope,
    defaults: { name?: string },
  ): Ts {
    this.dsl.add(spec.dsl);
    const entries: TsEntry[] = [];
    const seen = new Set<string>();
    let positionalIndex = 0;
    for (const a of args) {
      if (a.star) {
        entries.push({
          key: a.star === "**" ? "TODO_kwargs" : "TODO_args",
          value: this.todo(
            a,
            `${a.star}${this.python(a.value)} passes arguments fsops cannot see statically; write them out`,
          ),
          comments: a.comments,
        });
        continue;
      }
      const pyName = a.name ?? spec.positional?.[positionalIndex++];
      if (!pyName) {
        entries.push({
          key: "TODO_positional",
          value: this.todo(a, `${symbol} takes no positional argument here`),
          comments: a.comments,
        });
        continue;
      }
      if (a.value.t === "none") continue; // Feast's default
      const opt = spec.options[pyName];
      if (!opt) {
        const why = spec.ignored?.[pyName];
        if (why) {
          this.note(a, `${symbol}(${pyName}=...) was dropped: ${why}`);
          continue;
        }
        if (UDF_ARGUMENTS.has(pyName)) {
          // The class form of a transformed view: the function is Python, like the decorator's.
          if (a.value.t === "name") {
            const fn = this.bindings.get(a.value.id);
            if (fn?.kind === "function" && fn.stmt.t === "def") this.stmtExtra.push(stmtSpan(fn.stmt));
          }
          if (!seen.has("transform")) {
            seen.add("transform");
            const transformable = spec.dsl === "OnDemandFeatureView" || spec.dsl === "BatchFeatureView";
            entries.push({
              key: transformable ? "transform" : "udf",
              value: transformable
                ? str(`${TODO_TAG}: rewrite the Python ${pyName} of this view in TypeScript`)
                : raw(TODO_MARKER),
              comments: a.comments,
            });
            this.stmtTodos.push({
              at: a,
              message: transformable
                ? `the Python transformation (${pyName}=${this.python(a.value)}) must be rewritten as a TypeScript function`
                : `the Python transformation of this ${symbol} has no fsops equivalent (fsops registers the view's output schema only)`,
            });
          }
          continue;
        }
        // Kept under its Python name: fsops reports it as an unknown option until someone decides.
        const hint = UNSUPPORTED_ARGUMENTS[pyName];
        this.stmtTodos.push({
          at: a,
          message: `${symbol} option "${pyName}" has no fsops equivalent${hint ? `: ${hint}` : ""}`,
        });
        entries.push({ key: propertyKey(pyName), value: this.safe(a.value, scope), comments: a.comments });
        continue;
      }
      if (opt.deprecated)
        this.note(a, `${symbol}(${pyName}=...) is deprecated in Feast; written as ${opt.to}`);
      if (seen.has(opt.to)) {
        entries.push({
          key: propertyKey(opt.to),
          value: this.todo(a, `${symbol} sets ${opt.to} twice (${pyName})`),
          comments: a.comments,
        });
        continue;
      }
      seen.add(opt.to);
      let value: Ts;
      try {
        value = this.convert(opt.conv ?? "value", a.value, scope);
      } catch (err) {
        if (!(err instanceof Todo)) throw err;
        value = this.todo(err.at, err.message);
      }
      entries.push({ key: opt.to, value, comments: a.comments });
    }
    if (spec.dsl === "OnDemandFeatureView") {
      // Feast's singleton=True is fsops's row mode; "batch" (from pandas/python) would contradict it.
      const singleton = entries.find((en) => en.key === "singleton");
      if (singleton && printTs(singleton.value) === "true") {
        const i = entries.findIndex((en) => en.key === "mode");
        if (i >= 0) entries.splice(i, 1);
      }
    }
    if (spec.dsl === "Project") {
      // Project(name=…) must be fsops.yaml's project, which fsops's naming rules may have changed.
      const name = entries.find((en) => en.key === "name");
      const { feast, fsops } = this.repo.project;
      if (name && feast !== fsops && printTs(name.value) === quote(feast)) {
        name.value = str(fsops);
        this.note(at, `Project "${feast}" is "${fsops}", the project of fsops.yaml`);
      }
    }
    if (spec.dsl === "FileSource" && !seen.has("name")) {
      // Feast names an unnamed file source after its path as written; the path may have been rewritten.
      const path = args.find((a) => a.name === "path");
      const written = path ? this.constantString(path.value, scope) : null;
      if (written !== null) entries.unshift({ key: "name", value: str(written), comments: [] });
    }
    if (["FeatureView", "BatchFeatureView", "StreamFeatureView"].includes(spec.dsl) && !seen.has("schema")) {
      // Feast reads the source's data at apply time to infer the features; fsops never reads data to plan.
      entries.push({
        key: "schema",
        value: this.todo(
          at,
          `Feast infers the features of ${symbol} from the source's data when no schema is given; list them as Fields`,
        ),
        comments: [],
      });
    }
    if (defaults.name !== undefined && !seen.has("name"))
      entries.unshift({ key: "name", value: str(defaults.name), comments: [] });
    return { k: "call", head: `new ${spec.dsl}`, args: [{ k: "obj", entries }] };
  }

  private convert(conv: Conversion, v: PyExpr, scope: Scope): Ts {
    switch (conv) {
      case "value":
        return this.expr(v, scope);
      case "duration":
        if (v.t === "num") {
          const n = Number(v.text);
          if (Number.isInteger(n) && n >= 0) return raw(String(n));
        }
        if (v.t === "call" && this.isTimedelta(v.fn)) return this.timedelta(v, scope);
        return this.expr(v, scope);
      case "dtype": {
        // A name of the repository (DEFAULT_TYPE = Float32) holds the converted dtype string.
        const b = v.t === "name" && !scope.locals.has(v.id) ? this.bindings.get(v.id) : undefined;
        if (b && (b.kind === "value" || b.kind === "import" || b.kind === "namespace"))
          return this.expr(v, scope);
        if (v.t === "attr" && v.obj.t === "name" && this.bindings.get(v.obj.id)?.kind === "namespace")
          return this.expr(v, scope);
        return str(this.dtype(v, scope));
      }
      case "format":
        return str(this.format(v, scope));
      case "list1":
        return { k: "arr", items: [this.expr(v, scope)] };
      case "requestSchema":
        // Feast before 0.21: RequestSource(schema={"val": ValueType.INT64}).
        if (v.t === "dict") {
          this.dsl.add("Field");
          return {
            k: "arr",
            items: v.entries.map((en) => {
              if ("spread" in en || en.key.t !== "str")
                throw new Todo(v, "a request schema mapping needs literal field names to be converted");
              return {
                k: "call",
                head: "new Field",
                args: [
                  {
                    k: "obj",
                    entries: [
                      { key: "name", value: str(en.key.value), comments: [] },
                      { key: "dtype", value: str(this.dtype(en.value, scope)), comments: [] },
                    ],
                  },
                ],
              } satisfies Ts;
            }),
          };
        }
        return this.expr(v, scope);
      case "lower":
        if (v.t === "str") return str(v.value.toLowerCase());
        return this.expr(v, scope);
      case "fileFormat": {
        if (v.t === "str") return str(v.value.toLowerCase());
        const sym = this.feastSymbol(v.t === "call" ? v.fn : v);
        const f = sym ? FEAST_FILE_FORMATS[sym] : undefined;
        if (!f)
          throw new Todo(
            v,
            `${this.python(v)} is not a file format fsops knows (ParquetFormat, DeltaFormat)`,
          );
        return str(f);
      }
      case "mode":
        // Both of Feast's pandas and python modes hand the transform whole columns: fsops's "batch".
        if (v.t === "str" && (v.value === "pandas" || v.value === "python")) return str("batch");
        if (v.t === "str")
          throw new Todo(
            v,
            `on-demand mode "${v.value}" has no fsops equivalent (fsops runs TypeScript transforms)`,
          );
        return this.expr(v, scope);
      case "path":
        return this.path(v, scope);
      case "entities":
        if (v.t !== "list" && v.t !== "tuple") return this.expr(v, scope);
        return {
          k: "arr",
          items: v.items.map((i) => {
            if (i.t === "str") {
              const def = this.repo.entityByName(i.value);
              if (!def) throw new Todo(i, `no Entity named "${i.value}" is defined in the repository`);
              return this.reference(def);
            }
            if (i.t === "starred") return raw(`...${printTs(this.expr(i.value, scope))}`);
            return this.expr(i, scope);
          }),
        };
      case "sources":
        // Old on-demand views: inputs={"name": view_or_request_source}.
        if (v.t === "dict")
          return {
            k: "arr",
            items: v.entries.map((en) => {
              if ("spread" in en) throw new Todo(v, "a spread in on-demand inputs cannot be converted");
              return this.expr(en.value, scope);
            }),
          };
        return this.expr(v, scope);
      case "features":
        return this.expr(v, scope);
    }
  }

  /**
   * A file path option. Feast reads a relative path from the repository folder and fsops from the
   * project folder, so a relative path is rewritten to name the same file; one built at run time
   * from a relative start gets the same prefix.
   */
  private path(v: PyExpr, scope: Scope): Ts {
    const prefix = this.repo.repoFromProject;
    if (!prefix || this.pathLike(v, scope)) return this.expr(v, scope);
    const moved = (p: string) => posix.normalize(posix.join(prefix, p));
    const constant = this.constantString(v, scope);
    if (constant !== null) {
      if (!isRelativePath(constant)) return this.expr(v, scope);
      const written = v.t === "str" ? `"${constant}"` : `${this.python(v)} ("${constant}")`;
      this.note(v, `the relative path ${written} is "${moved(constant)}" from the fsops project`);
      return str(moved(constant));
    }
    // Built at run time: rewrite its literal start when it has one.
    let head: PyExpr = v;
    while (head.t === "binop" && head.op === "+") head = head.left;
    const start =
      head.t === "str"
        ? head.value
        : head.t === "fstr" && typeof head.parts[0] === "string"
          ? head.parts[0]
          : "";
    if (start && isRelativePath(start)) {
      this.note(v, `the relative path ${this.python(v)} is read from the fsops project through "${prefix}/"`);
      return raw(`${quote(prefix + "/")} + ${printTs(this.expr(v, scope))}`);
    }
    if (start === "" && !(head.t === "str" && head.value === ""))
      this.note(
        v,
        "this path is computed when Python runs: if it is relative, it now reads from the fsops project folder, not the Feast repository",
      );
    return this.expr(v, scope);
  }

  private reference(def: { file: ModuleFile; name: string }): Ts {
    const local = tsName(def.name);
    if (def.file === this.file) return raw(local);
    const names = this.imports.get(def.file.outPath) ?? new Map<string, string>();
    names.set(local, local);
    this.imports.set(def.file.outPath, names);
    return raw(local);
  }

  dtype(e: PyExpr, scope: Scope): string {
    if (e.t === "str") return e.value;
    const member = this.valueTypeMember(e);
    if (member !== null) {
      const v = FEAST_VALUE_TYPES[member];
      if (v) return v;
      throw new Todo(e, `ValueType.${member} has no fsops dtype`);
    }
    if (e.t === "attr" && e.obj.t === "name" && this.bindings.get(e.obj.id)?.kind === "feast") {
      const sym = (this.bindings.get(e.obj.id) as { symbol: string }).symbol;
      if (sym === "ValueType") {
        const v = FEAST_VALUE_TYPES[e.name];
        if (v) return v;
        throw new Todo(e, `ValueType.${e.name} has no fsops dtype`);
      }
    }
    const sym = this.feastSymbol(e.t === "call" ? e.fn : e);
    if (sym && e.t !== "call") {
      const p = FEAST_PRIMITIVE_TYPES[sym];
      if (p) return p;
      throw new Todo(e, `Feast type ${sym} has no fsops dtype`);
    }
    if (sym === "Array" && e.t === "call" && e.args.length === 1) {
      return `${this.dtype((e.args[0] as PyArg).value, scope)}[]`;
    }
    if (sym === "Struct" && e.t === "call") {
      const fields = e.args.length === 1 && !e.args[0]?.name ? (e.args[0] as PyArg).value : null;
      if (fields?.t !== "dict")
        throw new Todo(e, "Struct(...) needs a literal {name: type} mapping to be converted");
      const parts = fields.entries.map((en) => {
        if ("spread" in en || en.key.t !== "str")
          throw new Todo(e, "Struct field names must be string literals");
        return `${en.key.value}:${this.dtype(en.value, scope)}`;
      });
      return `struct<${parts.join(",")}>`;
    }
    if (e.t === "name" && this.bindings.get(e.id)?.kind === "value") {
      const b = this.bindings.get(e.id) as { stmt: PyStmt };
      if (b.stmt.t === "assign") return this.dtype(b.stmt.value, scope);
    }
    throw new Todo(e, `${this.python(e)} is not a Feast type fsops knows`);
  }

  private format(e: PyExpr, scope: Scope): string {
    void scope;
    const sym = this.feastSymbol(e.t === "call" ? e.fn : e);
    const f = sym ? FEAST_FORMATS[sym] : undefined;
    if (!f)
      throw new Todo(
        e,
        `${this.python(e)} is not a message format fsops knows (JsonFormat, AvroFormat, ProtoFormat)`,
      );
    if (e.t === "call" && e.args.length > 0)
      this.note(e, `${sym}'s schema is not recorded by fsops (only the format "${f}")`);
    return f;
  }

  private loggingConfig(e: PyExpr & { t: "call" }, scope: Scope): Ts {
    const entries: TsEntry[] = [];
    for (const a of e.args) {
      const name = a.name ?? (a === e.args[0] ? "destination" : "sample_rate");
      if (name === "destination" && a.value.t === "call") {
        const sym = this.feastSymbol(a.value.fn);
        const type = sym ? LOGGING_DESTINATIONS[sym] : undefined;
        if (!type)
          throw new Todo(a.value, `${this.python(a.value.fn)} is not a logging destination fsops knows`);
        const dest: TsEntry[] = [{ key: "type", value: str(type), comments: [] }];
        for (const d of a.value.args) {
          if (!d.name || d.star)
            throw new Todo(d, "positional logging destination arguments cannot be converted");
          dest.push({
            key: propertyKey(camelCaseKey(d.name)),
            value: this.expr(d.value, scope),
            comments: [],
          });
        }
        entries.push({ key: "destination", value: { k: "obj", entries: dest }, comments: a.comments });
      } else if (name === "sample_rate") {
        entries.push({ key: "sampleRate", value: this.expr(a.value, scope), comments: a.comments });
      } else throw new Todo(a, `LoggingConfig(${name}=...) cannot be converted`);
    }
    return { k: "obj", entries };
  }
}

function isRelativePath(p: string): boolean {
  return (
    p !== "" &&
    !p.startsWith("/") &&
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(p) &&
    !p.includes("${") &&
    !p.includes("%")
  );
}

function camelCaseKey(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** Arguments that carry a Python transformation (class forms of the decorated views). */
const UDF_ARGUMENTS = new Set(["udf", "udf_string", "feature_transformation"]);

/** What to do instead, for Feast arguments fsops deliberately has no option for. */
const UNSUPPORTED_ARGUMENTS: Readonly<Record<string, string>> = {
  s3_endpoint_override:
    "fsops reads s3:// paths with the S3 settings of fsops.yaml's offline_store; set the endpoint there",
  enable_validation: "fsops does not validate feature values when serving; remove it",
  stream_source: "a view fed by a stream is a StreamFeatureView in fsops",
  logging_config: "only FeatureService takes a loggingConfig",
};

const STRING_METHODS: Readonly<Record<string, string>> = {
  lower: "toLowerCase",
  upper: "toUpperCase",
  strip: "trim",
  replace: "replaceAll",
  split: "split",
  join: "join",
  startswith: "startsWith",
  endswith: "endsWith",
  items: "entries",
  keys: "keys",
  values: "values",
};

function stmtSpan(stmt: PyStmt): Span {
  // A too-deep statement can be megabytes of brackets: its start is enough to find it.
  if (stmt.t === "too-deep") return { from: stmt.from, to: Math.min(stmt.to, stmt.from + QUOTE_DEEP_CHARS) };
  return { from: stmt.t === "def" ? Math.min(stmt.from, stmt.bodyFrom) : stmt.from, to: stmt.to };
}

/** How much of a too-deep statement the "Original Python" comment quotes. */
const QUOTE_DEEP_CHARS = 200;

function dedent(text: string): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  const indents = lines
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const min = indents.length ? Math.min(...indents) : 0;
  void min;
  return lines.join("\n");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** `import { a, b } from "x";`, one name a line when it would be longer than 100 characters. */
function importLine(names: readonly string[], from: string): string {
  const one = `import { ${names.join(", ")} } from "${from}";`;
  return one.length <= 100 ? one : `import {\n${names.map((n) => `  ${n},\n`).join("")}} from "${from}";`;
}

/** `./entities.js`, `../lib/fields.js`: how one output file imports another. */
export function importSpecifier(fromOut: string, toOut: string): string {
  const from = fromOut.split("/").slice(0, -1);
  const to = toOut.replace(/\.ts$/, ".js").split("/");
  let i = 0;
  while (i < from.length && i < to.length - 1 && from[i] === to[i]) i++;
  const up = from.length - i;
  const rest = to.slice(i).join("/");
  return up === 0 ? `./${rest}` : `${"../".repeat(up)}${rest}`;
}

export { quote };
