/**
 * `fsops validate` without the CLI around it: discover the files, evaluate them statically,
 * build the validated desired-state graph. Exactly what `loadDefinitions` (src/commands) does.
 */
import { discoverSourceFiles } from "../../src/parse/discover.js";
import { parseProject } from "../../src/parse/index.js";
import { buildDesiredState } from "../../src/validate/index.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  project: string;
}

const workload: Workload<Args> = {
  prepare: (args: JsonValue) => args as unknown as Args,
  async run({ dir, project }) {
    const files = await discoverSourceFiles(dir);
    const parsed = parseProject(files);
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
