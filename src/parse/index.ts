/**
 * The parse stage: feature-definition files → every DSL construction with its evaluated options,
 * plus diagnostics. Pure: reads only the texts it is given, never the disk, and never runs them.
 */
import { PARSE } from "./codes.js";
import { Reporter } from "./diagnostics.js";
import { isStackOverflow, limitsFrom } from "./budget.js";
import { Evaluator } from "./evaluator.js";
import { ModuleGraph } from "./modules.js";
import type { DeclRecord, ModuleRecord } from "./modules.js";
import { MutationScanner } from "./mutation.js";
import type { MutationTarget } from "./mutation.js";
import { RootFinder } from "./roots.js";
import { reportNamesNotInFsops } from "./not-in-fsops.js";
import { sourceText } from "./source.js";
import { DEFAULT_SIZE_BUDGET, defaultStepBudget } from "./types.js";
import type { ParseOptions, ParseResult, SourceFileInput } from "./types.js";

export type { ParseOptions, ParseResult, SourceFileInput } from "./types.js";
export { DEFAULT_SIZE_BUDGET, defaultStepBudget } from "./types.js";
export { PARSE, PARSE_CODE_DESCRIPTIONS } from "./codes.js";

/** `a\b.ts`, `./a/b.ts` → `a/b.ts`: paths are compared and resolved in one form. */
function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const seg of path.replace(/\\/g, "/").split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") parts.pop();
    else parts.push(seg);
  }
  return parts.join("/");
}

/**
 * Statically evaluates a project's definition files. The result does not depend on the order of
 * `files`: they are sorted by path, and objects are ordered by file, position, then evaluation order.
 */
export function parseProject(files: readonly SourceFileInput[], options: ParseOptions = {}): ParseResult {
  const inputs = files.map((f) => ({ path: normalizePath(f.path), text: f.text }));
  inputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < inputs.length; i++) {
    if (inputs[i]?.path === inputs[i - 1]?.path) {
      throw new Error(`parseProject: the file ${inputs[i]?.path} is given twice`);
    }
  }
  const totalChars = inputs.reduce((n, f) => n + f.text.length, 0);
  const limits = limitsFrom(
    options.stepBudget ?? defaultStepBudget(totalChars),
    options.sizeBudget ?? DEFAULT_SIZE_BUDGET,
  );

  const reporter = new Reporter();
  const mutations = new MutationScanner();
  const graph = new ModuleGraph(
    inputs.map((input, index) => sourceText(input.path, index, input.text)),
    {
      syntaxErrors(mod, problems) {
        for (const p of problems) reporter.atPos(PARSE.syntaxError, mod.file, p.start, p.length, [p.message]);
      },
      unparsable(mod, reason) {
        reporter.atPos(PARSE.unparsableFile, mod.file, 0, 0, [reason]);
      },
      loaded(mod, sf) {
        mutations.scanModule(mod, sf);
        reportNamesNotInFsops(mod, sf, reporter);
      },
    },
  );
  const evaluator = new Evaluator(graph, reporter, limits);
  const finder = new RootFinder(graph, reporter);

  // Each module after the modules it imports, one at a time, so that its syntax tree can be let
  // go as soon as its definitions are evaluated.
  forEachDependencyFirst(graph, (mod) => {
    try {
      for (const root of finder.findRoots(mod)) {
        if (root.kind === "decl") evaluator.evaluateDecl(root.rec);
        else evaluator.evaluateExpression(root.mod, root.node);
      }
      finder.beforeRelease(mod);
    } catch (e) {
      // Evaluation reports its own failures; this is the net under the analysis around it.
      const what = isStackOverflow(e)
        ? "its references are nested too deeply to analyse"
        : e instanceof Error
          ? e.message
          : String(e);
      reporter.atPos(PARSE.internalError, mod.file, 0, 0, [what]);
    }
    graph.release(mod);
  });

  const used = (t: MutationTarget): boolean =>
    "state" in t ? (t as DeclRecord).used : evaluator.usedFunctions.has(t);
  const label = (t: MutationTarget): string =>
    "state" in t ? (t as DeclRecord).label : (t.name?.text ?? "default");
  for (const site of mutations.resolveAll(graph)) {
    // A mutation inside a definition was already reported where evaluation met it.
    if (reporter.hasAt(PARSE.mutationInDefinition.code, site.mod.file, site.start)) continue;
    for (const t of site.targets) {
      if (used(t))
        reporter.atPos(PARSE.mutation, site.mod.file, site.start, site.length, [label(t), site.how]);
    }
  }

  for (const mod of graph.modules) {
    for (const f of mod.foreign) {
      if (!f.used) reporter.atPos(PARSE.foreignImportIgnored, mod.file, f.start, f.length, [f.specifier]);
    }
  }

  const { objects, incomplete } = evaluator.finish();
  return { objects, diagnostics: reporter.finish(), incomplete };
}

/**
 * Calls `visit` once per module, in sorted order except that a module's dependencies come first
 * (import cycles are cut where they close). Iterative: a long import chain is not a deep stack.
 */
function forEachDependencyFirst(graph: ModuleGraph, visit: (mod: ModuleRecord) => void): void {
  const state = new Map<ModuleRecord, "active" | "done">();
  for (const start of graph.modules) {
    if (state.has(start)) continue;
    const stack: { mod: ModuleRecord; deps: ModuleRecord[] | undefined; next: number }[] = [
      { mod: start, deps: undefined, next: 0 },
    ];
    state.set(start, "active");
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as (typeof stack)[number];
      if (top.deps === undefined) {
        graph.load(top.mod);
        top.deps = graph.dependencies(top.mod);
      }
      const dep = top.deps[top.next];
      if (dep !== undefined) {
        top.next++;
        if (!state.has(dep)) {
          state.set(dep, "active");
          stack.push({ mod: dep, deps: undefined, next: 0 });
        }
        continue;
      }
      stack.pop();
      visit(top.mod);
      state.set(top.mod, "done");
    }
  }
}
