/** Real feature repositories for the Action's end-to-end tests, written to temp folders. */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const temps: string[] = [];

/** A temp folder removed by `removeTemps` (workspaces hold embedded Postgres data: tens of MB each). */
export function makeTemp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

export function removeTemps(): void {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Bundle the current src/ exactly as dist/ is built (scripts/build-action.mjs) into a temp folder. */
export function buildBundle(): string {
  const out = makeTemp("fsops-action-dist-");
  execFileSync(process.execPath, [join(REPO_ROOT, "scripts/build-action.mjs"), "--outdir", out], {
    cwd: REPO_ROOT,
    stdio: "pipe",
  });
  return join(out, "index.js");
}

export function tempWorkspace(): string {
  return makeTemp("fsops-action-ws-");
}

/** A copy of the examples (staging, production) without local state. */
export function copyExamples(workspace: string): void {
  for (const name of ["staging", "production"]) {
    cpSync(join(REPO_ROOT, "examples", name), join(workspace, "examples", name), {
      recursive: true,
      filter: (src) => !/[/\\](data|\.fsops)([/\\]|$)/.test(src.slice(join(REPO_ROOT, "examples").length)),
    });
  }
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** A registry-only project (no online store) with `views` feature views, 10 per file. */
export function generatedProject(dir: string, project: string, views: number): void {
  const files: Record<string, string> = {
    "fsops.yaml": `project: ${project}\nregistry: data/registry.json\n`,
    "base.ts": [
      'import { Entity, FileSource } from "fsops";',
      'export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });',
      'export const stats = new FileSource({ name: "stats", path: "s3://lake/stats/", timestampField: "event_timestamp" });',
      "",
    ].join("\n"),
  };
  for (let f = 0; f * 10 < views; f++) {
    const lines = [
      'import { FeatureView, Field } from "fsops";',
      'import { driver, stats } from "./base.js";',
      "",
    ];
    for (let i = f * 10; i < Math.min(views, f * 10 + 10); i++) {
      lines.push(
        `export const fv${i} = new FeatureView({`,
        `  name: "fv_${String(i).padStart(4, "0")}",`,
        "  entities: [driver],",
        "  source: stats,",
        '  ttl: "1d",',
        `  schema: [new Field({ name: "a_${i}", dtype: "float32" }), new Field({ name: "b_${i}", dtype: "int64" })],`,
        "});",
      );
    }
    files[`views_${String(f).padStart(3, "0")}.ts`] = lines.join("\n") + "\n";
  }
  writeFiles(dir, files);
}

/** The registry file of a project using the default `registry: data/registry.json`. */
export function registryBytes(projectDir: string): string | null {
  try {
    return readFileSync(join(projectDir, "data/registry.json"), "utf8");
  } catch {
    return null;
  }
}

/** The project's serial in a file registry (`{ projects: { <p>: { state, history } } }`), 0 when none. */
export function registrySerial(projectDir: string, project?: string): number {
  const text = registryBytes(projectDir);
  if (text === null) return 0;
  const file = JSON.parse(text) as {
    projects: Record<string, { state: { serial: number } | null; history: unknown[] }>;
  };
  const entries = Object.entries(file.projects).filter(([name]) => project === undefined || name === project);
  if (entries.length !== 1)
    throw new Error(`expected one project in ${projectDir}/data/registry.json, found ${entries.length}`);
  const [, entry] = entries[0]!;
  // Every apply appends one history entry: the serial and the history length move together.
  if ((entry.state?.serial ?? 0) !== entry.history.length) throw new Error("serial and history disagree");
  return entry.state?.serial ?? 0;
}
