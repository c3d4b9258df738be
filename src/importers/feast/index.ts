/**
 * `fsops import feast`: a Feast feature repository (its `.py` files and `feature_store.yaml`,
 * read as text, never run) → an fsops project (fsops.yaml and one `.ts` file per `.py` file).
 * Pure: the CLI reads the files and writes the result.
 */
import { convertFeatureStoreYaml } from "./convert-config.js";
import { convertModule, helperConverts, tsName } from "./convert-module.js";
import type { Binding, Finding, ModuleFile, RepoIndex } from "./convert-module.js";
import { FEAST_CLASSES, FEAST_DECORATORS } from "./feast-api.js";
import { parsePython } from "./python.js";
import type { PyExpr, PyStmt } from "./python.js";

export type { Finding } from "./convert-module.js";
export { TODO_CLASS, TODO_MARKER, TODO_TAG } from "./convert-module.js";

export interface FeastRepoInput {
  /** The repository's Python files: paths relative to it, `/`-separated. */
  files: readonly { path: string; text: string }[];
  /** feature_store.yaml's text. */
  featureStoreYaml: string;
  /** The repository folder's name (`from feature_repo.entities import driver`). */
  repoName: string;
  /**
   * The repository as seen from the fsops project, `/`-separated (`../feature_repo`): relative
   * FileSource paths are rewritten with it so they name the same files. Empty: left as written.
   */
  repoFromProject?: string;
}

export interface FeastImportResult {
  /** fsops project name (from feature_store.yaml); null with `error`. */
  project: string | null;
  /** What to write: `fsops.yaml` and the `.ts` files, sorted by path. */
  files: { path: string; text: string }[];
  /** What a person must finish; each is also a TODO comment in the output. Sorted. */
  todos: Finding[];
  /** What was converted with a difference worth knowing, or deliberately not converted. Sorted. */
  notes: Finding[];
  /** Not a usable Feast repository (no project in feature_store.yaml, …). */
  error?: string;
}

/** The project name feature_store.yaml gives (as fsops spells it), or null. */
export function feastProjectName(featureStoreYaml: string): string | null {
  return convertFeatureStoreYaml(featureStoreYaml).project;
}

export function importFeastRepo(input: FeastRepoInput): FeastImportResult {
  const config = convertFeatureStoreYaml(input.featureStoreYaml);
  if (config.text === null) return { project: null, files: [], todos: [], notes: [], error: config.error };
  const todos: Finding[] = [...config.todos];
  const notes: Finding[] = [...config.notes];
  const files: { path: string; text: string }[] = [{ path: "fsops.yaml", text: config.text }];

  const modules: ModuleFile[] = [...input.files]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((f) => ({ path: f.path, outPath: outPathOf(f.path), module: parsePython(f.text) }));
  // A package's __init__.py becomes index.ts, unless the package also has an index.py.
  const taken = new Set(modules.filter((m) => !m.path.endsWith("__init__.py")).map((m) => m.outPath));
  for (const m of modules)
    if (m.path.endsWith("__init__.py") && taken.has(m.outPath)) m.outPath = m.path.replace(/\.py$/, ".ts");
  const repo = new Repo(modules, input.repoName, input.repoFromProject ?? "", {
    feast: config.feastProject ?? config.project ?? "",
    fsops: config.project ?? "",
  });
  for (const m of modules) {
    const converted = convertModule(m, repo);
    todos.push(...converted.todos);
    notes.push(...converted.notes);
    if (converted.exported.length === 0 && converted.todos.length === 0) {
      notes.push({
        file: m.path,
        line: 1,
        column: 1,
        message: "defines no Feast objects; no .ts file written",
      });
      continue;
    }
    files.push({ path: m.outPath, text: converted.text });
  }
  return {
    project: config.project,
    files: files.sort((a, b) =>
      a.path === "fsops.yaml" ? -1 : b.path === "fsops.yaml" ? 1 : a.path < b.path ? -1 : 1,
    ),
    todos: todos.sort(compareFindings),
    notes: notes.sort(compareFindings),
  };
}

function compareFindings(a: Finding, b: Finding): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

/** `features/driver.py` → `features/driver.ts`; a package's `__init__.py` → its `index.ts`. */
export function outPathOf(pyPath: string): string {
  return pyPath.replace(/(^|\/)__init__\.py$/, "$1index.ts").replace(/\.py$/, ".ts");
}

function dottedName(pyPath: string): string {
  return pyPath
    .replace(/(^|\/)__init__\.py$/, "")
    .replace(/\.py$/, "")
    .split("/")
    .filter(Boolean)
    .join(".");
}

class Repo implements RepoIndex {
  private readonly byDotted = new Map<string, ModuleFile>();
  private readonly bindingMemo = new Map<ModuleFile, Map<string, Binding>>();
  private readonly inProgress = new Set<ModuleFile>();
  private entities: Map<string, { file: ModuleFile; name: string }> | null = null;
  private readonly helpers = new Map<string, boolean>();

  constructor(
    private readonly modules: readonly ModuleFile[],
    private readonly repoName: string,
    readonly repoFromProject: string,
    readonly project: { feast: string; fsops: string },
  ) {
    for (const m of modules) this.byDotted.set(dottedName(m.path), m);
  }

  /** The project module `from X import …` / `import X` names, as seen from `from`. */
  private resolveModule(from: ModuleFile, dotted: string, level: number): ModuleFile | null {
    const dir = from.path.split("/").slice(0, -1);
    if (level > 0) {
      const base = dir.slice(0, Math.max(0, dir.length - (level - 1)));
      return this.byDotted.get([...base, ...(dotted ? dotted.split(".") : [])].join(".")) ?? null;
    }
    const direct = this.byDotted.get(dotted);
    if (direct) return direct;
    const parts = dotted.split(".");
    // `from feature_repo.entities import x` run from the folder above the repository.
    if (parts[0] === this.repoName && parts.length > 1) {
      const m = this.byDotted.get(parts.slice(1).join("."));
      if (m) return m;
    }
    // A sibling module of a file in a sub-folder.
    return this.byDotted.get([...dir, ...parts].join(".")) ?? null;
  }

  bindings(file: ModuleFile): Map<string, Binding> {
    const memo = this.bindingMemo.get(file);
    if (memo) return memo;
    const out = new Map<string, Binding>();
    if (this.inProgress.has(file)) return out; // a star-import cycle: Python would fail too
    this.inProgress.add(file);
    for (const stmt of file.module.statements) this.bind(file, stmt, out);
    this.inProgress.delete(file);
    this.bindingMemo.set(file, out);
    return out;
  }

  private bind(file: ModuleFile, stmt: PyStmt, out: Map<string, Binding>): void {
    switch (stmt.t) {
      case "from": {
        const isFeast = stmt.level === 0 && (stmt.module === "feast" || stmt.module.startsWith("feast."));
        if (isFeast) {
          const names =
            stmt.names === "*"
              ? Object.keys(FEAST_CLASSES).map((n) => ({ name: n, asName: null }))
              : stmt.names;
          for (const n of names) out.set(n.asName ?? n.name, { kind: "feast", symbol: n.name });
          return;
        }
        if (stmt.level === 0 && stmt.module === "datetime") {
          if (stmt.names !== "*")
            for (const n of stmt.names) out.set(n.asName ?? n.name, { kind: "datetime", symbol: n.name });
          return;
        }
        const target = this.resolveModule(file, stmt.module, stmt.level);
        if (!target) {
          // `from . import entities`: the names are modules.
          if (stmt.names !== "*")
            for (const n of stmt.names) {
              const sub = this.resolveModule(
                file,
                stmt.module ? `${stmt.module}.${n.name}` : n.name,
                stmt.level,
              );
              out.set(
                n.asName ?? n.name,
                sub ? { kind: "namespace", of: sub } : { kind: "external", module: stmt.module },
              );
            }
          return;
        }
        if (stmt.names === "*") {
          for (const [name, b] of this.bindings(target)) {
            if (name.startsWith("_") || b.kind === "external" || b.kind === "datetime") continue;
            out.set(name, b.kind === "feast" ? b : { kind: "import", from: target, name });
          }
          return;
        }
        for (const n of stmt.names) {
          const targetBinding = this.bindings(target).get(n.name);
          if (!targetBinding) {
            const sub = this.resolveModule(
              file,
              stmt.module ? `${stmt.module}.${n.name}` : n.name,
              stmt.level,
            );
            if (sub) {
              out.set(n.asName ?? n.name, { kind: "namespace", of: sub });
              continue;
            }
          }
          if (targetBinding?.kind === "feast") out.set(n.asName ?? n.name, targetBinding);
          else out.set(n.asName ?? n.name, { kind: "import", from: target, name: n.name });
        }
        return;
      }
      case "import":
        for (const m of stmt.modules) {
          const target = this.resolveModule(file, m.module, 0);
          const local = m.asName ?? (m.module.split(".")[0] as string);
          if (target && (m.asName || !m.module.includes(".")))
            out.set(local, { kind: "namespace", of: target });
          else out.set(local, { kind: "external", module: m.asName ? m.module : local });
        }
        return;
      case "assign":
        out.set(stmt.target, { kind: "value", stmt });
        return;
      case "def": {
        const isView = stmt.decorators.some((d) => {
          const fn = d.t === "call" ? d.fn : d;
          const name = fn.t === "name" ? fn.id : fn.t === "attr" ? fn.name : "";
          return name in FEAST_DECORATORS;
        });
        out.set(stmt.name, { kind: isView ? "view" : "function", stmt });
        return;
      }
      default:
        return;
    }
  }

  definition(file: ModuleFile, name: string, depth = 0): { file: ModuleFile; name: string } | null {
    if (depth > 50) return null;
    const b = this.bindings(file).get(name);
    if (!b) return null;
    if (b.kind === "value" || b.kind === "view" || b.kind === "function") return { file, name };
    if (b.kind === "import") return this.definition(b.from, b.name, depth + 1);
    return null;
  }

  helperOk(file: ModuleFile, name: string): boolean {
    const key = `${file.path}\0${name}`;
    const known = this.helpers.get(key);
    if (known !== undefined) return known;
    this.helpers.set(key, false); // a helper that reaches itself is not convertible
    const ok = helperConverts(file, name, this);
    this.helpers.set(key, ok);
    return ok;
  }

  entityByName(name: string): { file: ModuleFile; name: string } | null {
    if (!this.entities) {
      this.entities = new Map();
      for (const m of this.modules) {
        const bindings = this.bindings(m);
        for (const stmt of m.module.statements) {
          if (stmt.t !== "assign" || stmt.value.t !== "call") continue;
          const fn = stmt.value.fn;
          const b = fn.t === "name" ? bindings.get(fn.id) : undefined;
          if (!(b?.kind === "feast" && b.symbol === "Entity") && !(fn.t === "attr" && fn.name === "Entity"))
            continue;
          const nameArg =
            stmt.value.args.find((a) => a.name === "name") ?? stmt.value.args.find((a) => !a.name && !a.star);
          const v: PyExpr | undefined = nameArg?.value;
          if (v?.t === "str" && !this.entities.has(v.value))
            this.entities.set(v.value, { file: m, name: stmt.target });
        }
      }
    }
    const found = this.entities.get(name);
    return found
      ? { file: found.file, name: tsName(found.name) === found.name ? found.name : found.name }
      : null;
  }
}
