import { discoverSourceFiles } from "../parse/discover.js";
import { parseProject } from "../parse/index.js";
import { buildDesiredState } from "../validate/index.js";
import { compareDiagnostics, hasErrors } from "../model/diagnostic.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { DesiredState } from "../model/spec.js";

export interface LoadedDefinitions {
  desired: DesiredState;
  /** Parse + validation diagnostics, sorted. */
  diagnostics: Diagnostic[];
  /** file → text, for code frames. */
  sources: Map<string, string>;
  ok: boolean;
}

/** Read a project's definitions statically (never executing them) and validate them. */
export async function loadDefinitions(dir: string, project: string): Promise<LoadedDefinitions> {
  const files = await discoverSourceFiles(dir);
  const parsed = parseProject(files);
  const { state, diagnostics } = buildDesiredState(project, parsed);
  const all = [...parsed.diagnostics, ...diagnostics].sort(compareDiagnostics);
  return {
    desired: state,
    diagnostics: all,
    sources: new Map(files.map((f) => [f.path, f.text])),
    ok: !hasErrors(all),
  };
}
