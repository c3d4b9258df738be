/**
 * `fsops validate` without the CLI around it: discover the files, evaluate them statically,
 * build the validated desired-state graph. Exactly what `loadDefinitions` (src/commands) does.
 */
import type { Diagnostic } from "../../src/model/diagnostic.js";
import type { DslObject } from "../../src/model/evaluated.js";
import { buildDesiredState } from "../../src/validate/index.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  project: string;
}

interface ParseApi {
  discoverSourceFiles(dir: string): Promise<{ path: string; text: string }[]>;
  parseProject(files: { path: string; text: string }[]): { objects: DslObject[]; diagnostics: Diagnostic[] };
}

interface Prepared extends Args {
  parse: ParseApi;
}

/** src/parse is loaded by path so this file type-checks before that module exists. */
async function loadParseApi(): Promise<ParseApi> {
  const index = "../../src/parse/index.js";
  const discover = "../../src/parse/discover.js";
  const a = (await import(index)) as Partial<ParseApi>;
  const b = (await import(discover)) as Partial<ParseApi>;
  const parseProject = a.parseProject;
  const discoverSourceFiles = a.discoverSourceFiles ?? b.discoverSourceFiles;
  if (!parseProject || !discoverSourceFiles) {
    throw new Error("src/parse must export parseProject (index.ts) and discoverSourceFiles (discover.ts)");
  }
  return { parseProject, discoverSourceFiles };
}

const workload: Workload<Prepared> = {
  async prepare(args: JsonValue) {
    return { ...(args as unknown as Args), parse: await loadParseApi() };
  },
  async run({ dir, project, parse }) {
    const files = await parse.discoverSourceFiles(dir);
    const parsed = parse.parseProject(files);
    const { state, diagnostics } = buildDesiredState(project, parsed);
    const all = [...parsed.diagnostics, ...diagnostics];
    const counts: Record<string, number> = {};
    for (const o of state.objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    const errors = all.filter((d) => d.severity === "error");
    return {
      files: files.length,
      counts,
      edges: state.edges.length,
      errors: errors.length,
      firstErrors: errors.slice(0, 3).map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`),
    };
  },
};

export default workload;
