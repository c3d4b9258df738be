import { resolve } from "node:path";
import { hasErrors } from "../model/diagnostic.js";
import type { Diagnostic } from "../model/diagnostic.js";
import { loadProject } from "../commands/load-project.js";
import { renderDiagnostics } from "../render/diagnostics.js";
import { renderGraph } from "../render/graph.js";
import type { DesiredState } from "../model/spec.js";
import type { Output } from "./io.js";

interface Validated {
  project: string | null;
  desired: DesiredState | null;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

/** fsops.yaml (only `project` matters here) and the definitions, with every diagnostic. */
async function validateDir(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
  io: Output,
): Promise<Validated> {
  const loaded = await loadProject(dir, { env, onSecrets: (secrets) => io.addSecrets(secrets) });
  if (loaded.status === "invalid") return loaded;
  const { config, definitions } = loaded;
  return { project: config.project, ...definitions };
}

function diagnosticJson(d: Diagnostic) {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.file,
    line: d.line,
    column: d.column,
  };
}

export async function runValidate(
  dirArg: string | undefined,
  opts: { json?: boolean },
  env: Readonly<Record<string, string | undefined>>,
  io: Output,
): Promise<number> {
  const dir = resolve(dirArg ?? ".");
  const v = await validateDir(dir, env, io);
  const failed = hasErrors(v.diagnostics);
  if (opts.json) {
    const payload = {
      project: v.project,
      objects: (v.desired?.objects ?? []).map((o) => ({
        kind: o.kind,
        name: o.name,
        file: o.location.file,
        line: o.location.line,
        spec: o.spec,
      })),
      diagnostics: v.diagnostics.map(diagnosticJson),
    };
    io.out(JSON.stringify(payload, null, 2));
    return failed ? 1 : 0;
  }
  if (v.diagnostics.length > 0) io.err(renderDiagnostics(v.diagnostics, v.sources, { color: io.color }));
  if (!failed) {
    const n = v.desired?.objects.length ?? 0;
    io.out(`${v.project}: ${n} object${n === 1 ? "" : "s"} valid (${dirArg ?? "."})`);
  }
  return failed ? 1 : 0;
}

export async function runGraph(
  dirArg: string | undefined,
  opts: { format?: string; json?: boolean },
  env: Readonly<Record<string, string | undefined>>,
  io: Output,
): Promise<number> {
  const format = opts.json ? "json" : (opts.format ?? "mermaid");
  if (format !== "mermaid" && format !== "dot" && format !== "json") {
    io.err(`error: --format must be mermaid, dot or json (got "${format}")`);
    return 2;
  }
  const v = await validateDir(resolve(dirArg ?? "."), env, io);
  if (hasErrors(v.diagnostics) || !v.desired) {
    io.err(renderDiagnostics(v.diagnostics, v.sources, { color: io.color }));
    return 1;
  }
  io.out(renderGraph(v.desired, format));
  return 0;
}
