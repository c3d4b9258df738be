import { resolve } from "node:path";
import { renderDiagnostics } from "../render/diagnostics.js";
import { describeError } from "../commands/errors.js";
import { ExportError, exportSite } from "../ui/export.js";
import { loadUiProjects, readSnapshots } from "../ui/read-projects.js";
import type { Env, UiProject } from "../ui/read-projects.js";
import { startUiServer } from "../ui/server.js";
import { buildSite } from "../ui/site.js";
import type { Output } from "./io.js";

export interface UiFlags {
  host?: string;
  port?: string;
  export?: string;
  refresh?: string;
}

/**
 * `fsops ui [DIR…]`: the registry browser. Serves it (until SIGINT/SIGTERM) or, with
 * `--export OUT`, writes it as static files and exits.
 */
export async function runUi(dirs: string[], flags: UiFlags, env: Env, io: Output): Promise<number> {
  const folders = dirs.length > 0 ? dirs : ["."];
  const loaded = await loadUiProjects(
    folders.map((d) => resolve(d)),
    process.cwd(),
    env,
  );
  if (loaded.status === "invalid") {
    io.err(renderDiagnostics(loaded.diagnostics, loaded.sources, { color: io.color }));
    return 1;
  }
  const { projects, secrets } = loaded;
  io.addSecrets(secrets);
  const names = new Set<string>();
  for (const p of projects) {
    if (names.has(p.config.project)) {
      io.err(`error: project ${p.config.project} is given twice (${p.label}); give each project folder once`);
      return 2;
    }
    names.add(p.config.project);
  }

  try {
    if (flags.export !== undefined) {
      const site = buildSite(await readSnapshots(projects), secrets, false);
      const { files, dir } = exportSite(site, flags.export);
      io.out(`Wrote ${files} files to ${dir} (${projects.map((p) => p.config.project).join(", ")}).`);
      return 0;
    }
    const port = parseNumber(flags.port ?? "8888", 0, 65535);
    const refreshSeconds = parseNumber(flags.refresh ?? "5", 0, 86400);
    if (port === null || refreshSeconds === null) {
      io.err("error: --port takes 0–65535 and --refresh a number of seconds (0: never)");
      return 2;
    }
    const server = await startUiServer({
      host: flags.host ?? "127.0.0.1",
      port,
      read: () => readSnapshots(projects),
      render: (snapshots) => buildSite(snapshots, secrets, true),
      refreshMs: refreshSeconds * 1000,
      watch: refreshSeconds > 0 ? (changed) => watchRegistries(projects, changed, io) : undefined,
      warn: (m) => io.err(`warning: ${m}`),
    });
    io.out(
      `fsops ui: serving ${projects.map((p) => p.config.project).join(", ")} at ${server.url} (Ctrl-C to stop)`,
    );
    await new Promise<void>((done) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        done();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await server.close();
    return 0;
  } catch (err) {
    if (err instanceof ExportError) {
      io.err(`error: ${err.message}`);
      return 1;
    }
    const { message, hint } = describeError(err, secrets);
    io.err(`error: ${message}${hint ? `\n  hint: ${hint}` : ""}`);
    return 1;
  }
}

/**
 * The serving stage's registry watchers (Postgres LISTEN/NOTIFY, a file watch): an apply shows
 * within a second. S3 registries, and materialization records, are caught by the poll.
 */
async function loadWatchers() {
  return import("../serving/registry-watch.js");
}

function watchRegistries(projects: UiProject[], changed: () => void, io: Output): { close(): Promise<void> } {
  const closers: Promise<{ close(): Promise<void> } | null>[] = projects.map(async ({ config }) => {
    if (config.registry.type === "s3") return null;
    const { watchRegistry } = await loadWatchers();
    return watchRegistry(config.registry, config.project, {
      onChange: changed,
      onError: (e) => io.err(`warning: registry watch: ${e instanceof Error ? e.message : String(e)}`),
    });
  });
  return {
    close: async () => {
      for (const w of await Promise.all(closers)) await w?.close();
    },
  };
}

function parseNumber(text: string, min: number, max: number): number | null {
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}
