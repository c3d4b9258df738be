/** The validated desired state of a generated repo (untimed input of the online-store workloads). */
import { discoverSourceFiles } from "../../src/parse/discover.js";
import { parseProject } from "../../src/parse/index.js";
import type { DesiredState } from "../../src/model/spec.js";
import { buildDesiredState } from "../../src/validate/index.js";

export async function desiredStateOf(dir: string, project: string): Promise<DesiredState> {
  const parsed = parseProject(await discoverSourceFiles(dir));
  const { state, diagnostics } = buildDesiredState(project, parsed);
  const errors = [...parsed.diagnostics, ...diagnostics].filter((d) => d.severity === "error");
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new Error(`${dir}: ${errors.length} errors, first ${first.file}:${first.line} ${first.message}`);
  }
  return state;
}
