import { relative } from "node:path";
import { connectionSecrets } from "../config/redact.js";
import { loadConfig } from "../commands/load-project.js";
import type { Diagnostic } from "../model/diagnostic.js";
import type { ProjectConfig } from "../model/config.js";
import { openRegistryStore } from "../registry/open-store.js";
import type { ProjectSnapshot } from "./catalog.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** fsops.yaml of every folder the browser shows; the registries are read on every refresh. */
export interface UiProject {
  /** As given on the command line, relative to the working folder (a label for the overview). */
  label: string;
  config: ProjectConfig;
}

export type LoadedUiProjects =
  | { status: "ok"; projects: UiProject[]; secrets: string[] }
  | { status: "invalid"; diagnostics: Diagnostic[]; sources: Map<string, string> };

export async function loadUiProjects(
  dirs: readonly string[],
  cwd: string,
  env: Env,
): Promise<LoadedUiProjects> {
  const projects: UiProject[] = [];
  const secrets = new Set<string>();
  for (const dir of dirs) {
    const loaded = await loadConfig(dir, { env });
    if (loaded.status === "invalid")
      return { status: "invalid", diagnostics: loaded.diagnostics, sources: loaded.sources };
    const { config } = loaded;
    for (const s of configSecrets(config)) secrets.add(s);
    projects.push({ label: relative(cwd, config.dir) || ".", config });
  }
  return { status: "ok", projects, secrets: [...secrets] };
}

/**
 * Everything in a project's configuration that must never reach a page: interpolated values,
 * and passwords written straight into connection strings (the registry location is masked by
 * the store, but a source query or a description could still quote one).
 */
function configSecrets(config: ProjectConfig): string[] {
  const out = [...config.secrets];
  const urls = [
    config.registry.type === "postgres" ? config.registry.connectionString : null,
    config.onlineStore && config.onlineStore.type !== "embedded" ? config.onlineStore.connectionString : null,
    config.offlineStore && "connectionString" in config.offlineStore
      ? config.offlineStore.connectionString
      : null,
  ];
  for (const url of urls) if (url) out.push(...connectionSecrets(url));
  return out.filter((s) => s.length > 0);
}

/** Reads each project's registry state and history (one store connection per project, closed after). */
export async function readSnapshots(projects: readonly UiProject[]): Promise<ProjectSnapshot[]> {
  return Promise.all(projects.map(readSnapshot));
}

async function readSnapshot({ label, config }: UiProject): Promise<ProjectSnapshot> {
  const store = openRegistryStore(config.registry);
  try {
    const { state } = await store.read(config.project);
    const history = await store.history(config.project);
    // Freshness comes from the materialization records kept beside the registry state.
    const { readMaterializations } = await import("../materialize/index.js");
    const materializedUntil: Record<string, string> = {};
    for (const f of state ? await readMaterializations(config, state) : []) {
      if (f.lastEnd !== null) materializedUntil[f.view] = f.lastEnd;
    }
    return {
      dir: label,
      project: config.project,
      location: store.location,
      onlineStore: config.onlineStore?.type ?? null,
      state,
      history,
      materializedUntil,
    };
  } finally {
    await store.close();
  }
}
