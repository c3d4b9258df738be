import { loadProjectConfig } from "../config/index.js";
import { maskConfigText } from "../config/redact.js";
import { hasErrors } from "../model/diagnostic.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ProjectConfig } from "../model/config.js";
import type { DesiredState } from "../model/spec.js";
import type { LoadedDefinitions } from "./load-definitions.js";
import type { CommandContext, InvalidDefinitions } from "./types.js";

export type LoadedConfig =
  | {
      status: "ok";
      config: ProjectConfig;
      /** warnings */ diagnostics: Diagnostic[];
      sources: Map<string, string>;
    }
  | ({ status: "invalid" } & InvalidDefinitions);

/** fsops.yaml alone: for commands that read or unlock the registry without the definitions. */
export async function loadConfig(
  dir: string,
  ctx: Pick<CommandContext, "env" | "onSecrets">,
): Promise<LoadedConfig> {
  const result = await loadProjectConfig(dir, ctx.env);
  if (result.config) ctx.onSecrets?.(result.config.secrets);
  // The text travels with the diagnostics so they can be shown with a code frame; a password
  // written in it is masked there, as everywhere.
  const sources = new Map<string, string>();
  if (result.text !== null) sources.set(result.file, maskConfigText(result.text));
  if (!result.config || hasErrors(result.diagnostics)) {
    return { status: "invalid", diagnostics: result.diagnostics, sources };
  }
  return { status: "ok", config: result.config, diagnostics: result.diagnostics, sources };
}

export type LoadedProject =
  | { status: "loaded"; dir: string; config: ProjectConfig; definitions: LoadedDefinitions }
  | ({
      status: "invalid";
      dir: string;
      project: string | null;
      /** The objects that did validate (null when fsops.yaml itself is invalid). */
      desired: DesiredState | null;
    } & InvalidDefinitions);

/** fsops.yaml + definitions of one project folder; any error in either makes it "invalid". */
export async function loadProject(
  dir: string,
  ctx: Pick<CommandContext, "env" | "onSecrets">,
): Promise<LoadedProject> {
  const loaded = await loadConfig(dir, ctx);
  if (loaded.status === "invalid") {
    return { ...loaded, dir, project: null, desired: null };
  }
  const { config } = loaded;
  // Imported here, not at the top: reading definitions loads the TypeScript compiler, which the
  // commands that only need fsops.yaml (show, history, force-unlock, destroy) never pay for.
  const { loadDefinitions } = await import("./load-definitions.js");
  const definitions = await loadDefinitions(dir, config.project);
  for (const [file, text] of loaded.sources) definitions.sources.set(file, text);
  definitions.diagnostics.unshift(...loaded.diagnostics);
  if (!definitions.ok) {
    return {
      status: "invalid",
      dir,
      project: config.project,
      desired: definitions.desired,
      diagnostics: definitions.diagnostics,
      sources: definitions.sources,
    };
  }
  return { status: "loaded", dir, config, definitions };
}
