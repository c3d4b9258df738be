import { loadProjectConfig } from "../config/index.js";
import { hasErrors } from "../model/diagnostic.js";
import type { ProjectConfig } from "../model/config.js";
import { loadDefinitions } from "./load-definitions.js";
import type { LoadedDefinitions } from "./load-definitions.js";
import type { CommandContext, InvalidDefinitions } from "./types.js";

export type LoadedProject =
  | { status: "loaded"; dir: string; config: ProjectConfig; definitions: LoadedDefinitions }
  | ({ status: "invalid"; dir: string; project: string | null } & InvalidDefinitions);

/** fsops.yaml + definitions of one project folder; any error in either makes it "invalid". */
export async function loadProject(dir: string, ctx: CommandContext): Promise<LoadedProject> {
  const configResult = await loadProjectConfig(dir, ctx.env);
  const configSources = new Map<string, string>();
  if (configResult.text !== null) configSources.set(configResult.file, configResult.text);
  if (!configResult.config || hasErrors(configResult.diagnostics)) {
    return {
      status: "invalid",
      dir,
      project: configResult.config?.project ?? null,
      diagnostics: configResult.diagnostics,
      sources: configSources,
    };
  }
  const config = configResult.config;
  const definitions = await loadDefinitions(dir, config.project);
  for (const [file, text] of configSources) definitions.sources.set(file, text);
  definitions.diagnostics.unshift(...configResult.diagnostics);
  if (!definitions.ok) {
    return {
      status: "invalid",
      dir,
      project: config.project,
      diagnostics: definitions.diagnostics,
      sources: definitions.sources,
    };
  }
  return { status: "loaded", dir, config, definitions };
}
