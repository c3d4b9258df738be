/**
 * The parse stage: feature-definition files → every DSL construction with its evaluated options,
 * plus diagnostics. Pure: reads only the texts it is given, never the disk, and never runs them.
 */
import { PARSE } from "./codes.js";
import { Reporter } from "./diagnostics.js";
import { limitsFrom } from "./budget.js";
import { Evaluator } from "./evaluator.js";
import { ModuleGraph } from "./modules.js";
import type { DeclRecord } from "./modules.js";
import { findMutations } from "./mutation.js";
import type { MutationTarget } from "./mutation.js";
import { RootFinder } from "./roots.js";
import { parseFile, syntaxProblems } from "./source.js";
import type { ParsedFile } from "./source.js";
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
  const totalChars = inputs.reduce((n, f) => n + f.text.length, 0);
  const limits = limitsFrom(
    options.stepBudget ?? defaultStepBudget(totalChars),
    options.sizeBudget ?? DEFAULT_SIZE_BUDGET,
  );
  inputs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (let i = 1; i < inputs.length; i++) {
    if (inputs[i]?.path === inputs[i - 1]?.path) {
      throw new Error(`parseProject: the file ${inputs[i]?.path} is given twice`);
    }
  }

  const reporter = new Reporter();
  const parsed: ParsedFile[] = inputs.map((input, index) => {
    try {
      const sf = parseFile(input.path, input.text);
      const problems = syntaxProblems(sf);
      const file: ParsedFile = { path: input.path, index, sf, broken: problems.length > 0 };
      for (const p of problems) reporter.atPos(PARSE.syntaxError, file, p.start, p.length, [p.message]);
      return file;
    } catch (e) {
      // The parser itself can overflow the stack on absurdly nested input.
      const file: ParsedFile = { path: input.path, index, sf: parseFile(input.path, ""), broken: true };
      const reason =
        e instanceof RangeError ? "it is nested too deeply" : e instanceof Error ? e.message : String(e);
      reporter.atPos(PARSE.unparsableFile, file, 0, 0, [reason]);
      return file;
    }
  });

  const graph = new ModuleGraph(parsed);
  const evaluator = new Evaluator(graph, reporter, limits);
  const finder = new RootFinder(graph, reporter);
  for (const mod of graph.modules) {
    for (const root of finder.findRoots(mod)) {
      if (root.kind === "decl") evaluator.evaluateDecl(root.rec);
      else evaluator.evaluateExpression(root.mod, root.node);
    }
  }

  const used = (t: MutationTarget): boolean =>
    "state" in t ? (t as DeclRecord).used : evaluator.usedFunctions.has(t);
  const label = (t: MutationTarget): string =>
    "state" in t ? (t as DeclRecord).label : (t.name?.text ?? "default");
  for (const site of findMutations(graph)) {
    // A mutation inside a definition was already reported where evaluation met it.
    if (reporter.hasAt(PARSE.mutationInDefinition.code, site.mod.file, site.node.getStart(site.mod.file.sf)))
      continue;
    for (const t of site.targets) {
      if (used(t)) reporter.at(PARSE.mutation, site.mod.file, site.node, [label(t), site.how]);
    }
  }

  for (const mod of graph.modules) {
    for (const f of mod.foreign) {
      if (!f.used) reporter.at(PARSE.foreignImportIgnored, mod.file, f.node, [f.specifier]);
    }
  }

  const { objects, incomplete } = evaluator.finish();
  return { objects, diagnostics: reporter.finish(), incomplete };
}
