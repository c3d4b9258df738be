/**
 * `fsops materialize`, `fsops materialize-incremental` and `fsops push`: read argv-level flags,
 * call src/materialize, print a progress bar per view on a terminal (stderr), one summary line
 * per view (stdout) or JSON, and return the exit code (1 when any view failed).
 */
import { readFile } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { loadConfig } from "../commands/load-project.js";
import type { ProjectConfig } from "../model/config.js";
import { renderDiagnostics } from "../render/diagnostics.js";
import type { MaterializeContext, ProgressEvent, ViewResult } from "../materialize/index.js";
import { describeFailure } from "../materialize/failure.js";
import { commandContext } from "./context.js";
import type { Output } from "./io.js";

type Env = Readonly<Record<string, string | undefined>>;
const USAGE = 2;

export interface MaterializeFlags {
  start?: string;
  end?: string;
  views?: string;
  due?: boolean;
  json?: boolean;
}

/** ISO 8601 → Date, or null when it is not one (a date alone means midnight UTC). */
export function parseTime(text: string): Date | null {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/i.test(t)) return null;
  const withZone = /^\d{4}-\d{2}-\d{2}$/.test(t)
    ? `${t}T00:00:00Z`
    : /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(t)
      ? t
      : `${t}Z`;
  const ms = Date.parse(withZone.replace(" ", "T"));
  return Number.isNaN(ms) ? null : new Date(ms);
}

function viewList(views: string | undefined): string[] | undefined {
  if (views === undefined) return undefined;
  return views
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

async function withProject(
  dirArg: string | undefined,
  env: Env,
  io: Output,
  fn: (config: ProjectConfig, dir: string) => Promise<number>,
): Promise<number> {
  const dir = resolve(dirArg ?? ".");
  const loaded = await loadConfig(dir, { env });
  if (loaded.status === "invalid") {
    io.err(renderDiagnostics(loaded.diagnostics, loaded.sources, { color: io.color }));
    return 1;
  }
  io.addSecrets(loaded.config.secrets);
  try {
    return await fn(loaded.config, dir);
  } catch (err) {
    const { message, hint } = describeFailure(err, loaded.config.secrets);
    io.err(`error: ${message}${hint ? `\n  hint: ${hint}` : ""}`);
    return 1;
  }
}

/** A progress bar per view on a terminal (stderr, so stdout stays the summary). */
async function progressReporter(
  enabled: boolean,
): Promise<{ onProgress: ((e: ProgressEvent) => void) | undefined; stop(): void }> {
  // No callback at all off a terminal: materialize then skips the row-count estimates.
  if (!enabled) return { onProgress: undefined, stop: () => undefined };
  const { default: progress } = await import("cli-progress");
  const bars = new progress.MultiBar(
    {
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
      format: " {view} |{bar}| {value} rows | {rate} rows/s | ETA {eta_formatted}",
    },
    progress.Presets.shades_classic,
  );
  const live = new Map<string, { bar: ReturnType<typeof bars.create>; started: number }>();
  return {
    onProgress(e) {
      if (e.type === "start") {
        const bar = bars.create(e.estimate ?? 0, 0, { view: e.view.padEnd(24), rate: "0" });
        live.set(e.view, { bar, started: Date.now() });
      } else if (e.type === "rows") {
        const b = live.get(e.view);
        if (b === undefined) return;
        const seconds = Math.max((Date.now() - b.started) / 1000, 0.001);
        if (b.bar.getTotal() < e.rows) b.bar.setTotal(e.rows);
        b.bar.update(e.rows, { rate: Math.round(e.rows / seconds).toLocaleString("en-US") });
      } else {
        const b = live.get(e.view);
        if (b !== undefined) bars.remove(b.bar);
        live.delete(e.view);
      }
    },
    stop: () => bars.stop(),
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

/** One line per view: what was written, skipped, or why it failed. */
export function summaryLine(r: ViewResult): string {
  const window = `(${r.start ?? "beginning"}, ${r.end}]`;
  switch (r.status) {
    case "ok":
      return `✓ ${r.view}  ${window}  ${r.rows.toLocaleString("en-US")} rows  ${seconds(r.durationMs)}  ${r.mode}`;
    case "skipped":
      return `- ${r.view}  skipped: ${r.reason ?? ""}`;
    case "failed":
      return `✗ ${r.view}  failed: ${r.error?.message ?? "unknown error"}${r.error?.hint ? `\n    hint: ${r.error.hint}` : ""}`;
  }
}

async function report(
  project: string,
  results: ViewResult[],
  flags: MaterializeFlags,
  io: Output,
): Promise<number> {
  const failed = results.filter((r) => r.status === "failed").length;
  if (flags.json) {
    io.out(JSON.stringify({ project, ok: failed === 0, results }, null, 2));
  } else {
    for (const r of results) (r.status === "failed" ? io.err.bind(io) : io.out.bind(io))(summaryLine(r));
    if (results.length === 0) io.out(`${project}: no online views to materialize`);
  }
  return failed > 0 ? 1 : 0;
}

async function materializeCommand(
  dirArg: string | undefined,
  flags: MaterializeFlags,
  env: Env,
  io: Output,
  incremental: boolean,
): Promise<number> {
  const end = flags.end === undefined ? new Date() : parseTime(flags.end);
  if (end === null) {
    io.err(`error: --end ${JSON.stringify(flags.end)} is not an ISO 8601 time (e.g. 2025-01-31T00:00:00Z)`);
    return USAGE;
  }
  let start: Date | null = null;
  if (!incremental) {
    if (flags.start === undefined) {
      io.err("error: --start is required (ISO 8601); or use fsops materialize-incremental");
      return USAGE;
    }
    start = parseTime(flags.start);
    if (start === null) {
      io.err(`error: --start ${JSON.stringify(flags.start)} is not an ISO 8601 time (e.g. 2025-01-01)`);
      return USAGE;
    }
  }
  return withProject(dirArg, env, io, async (config, dir) => {
    const bars = await progressReporter(!flags.json && Boolean(process.stderr.isTTY));
    const ctx: MaterializeContext = {
      config,
      who: commandContext(env, dir).who,
      dirLabel: dirArg ?? ".",
      onProgress: bars.onProgress,
    };
    const m = await import("../materialize/index.js");
    let results: ViewResult[];
    try {
      results = incremental
        ? await m.materializeIncremental(ctx, { end, views: viewList(flags.views), due: flags.due })
        : await m.materialize(ctx, { start, end, views: viewList(flags.views) });
    } finally {
      bars.stop();
    }
    return report(config.project, results, flags, io);
  });
}

export function runMaterialize(dir: string | undefined, flags: MaterializeFlags, env: Env, io: Output) {
  return materializeCommand(dir, flags, env, io, false);
}

export function runMaterializeIncremental(
  dir: string | undefined,
  flags: MaterializeFlags,
  env: Env,
  io: Output,
) {
  return materializeCommand(dir, flags, env, io, true);
}

export interface PushFlags {
  file?: string;
  to?: string;
  json?: boolean;
}

/** `fsops push [DIR] SOURCE --file rows.(jsonl|csv) [--to …]`. */
export async function runPush(args: string[], flags: PushFlags, env: Env, io: Output): Promise<number> {
  if (args.length < 1 || args.length > 2) {
    io.err(
      "error: usage: fsops push [DIR] SOURCE --file rows.jsonl|rows.csv [--to online|offline|online_and_offline]",
    );
    return USAGE;
  }
  const [dirArg, source] = args.length === 2 ? [args[0], args[1]!] : [undefined, args[0]!];
  if (flags.file === undefined) {
    io.err("error: --file is required (a .jsonl or .csv file of rows)");
    return USAGE;
  }
  const to = flags.to ?? "online";
  if (to !== "online" && to !== "offline" && to !== "online_and_offline") {
    io.err(`error: --to must be online, offline or online_and_offline, got ${JSON.stringify(to)}`);
    return USAGE;
  }
  const ext = extname(flags.file).toLowerCase();
  const format = ext === ".csv" ? "csv" : ext === ".jsonl" || ext === ".ndjson" ? "jsonl" : null;
  if (format === null) {
    io.err(`error: --file ${flags.file}: expected a .jsonl or .csv file`);
    return USAGE;
  }
  const file = flags.file;
  return withProject(dirArg, env, io, async (config, dir) => {
    const push = await import("../materialize/push.js");
    let text: string;
    try {
      text = await readFile(resolve(file), "utf8");
    } catch (e) {
      io.err(`error: cannot read ${file}: ${(e as Error).message}`);
      return 1;
    }
    let parsed;
    try {
      parsed = push.parsePushFile(text, format);
    } catch (e) {
      const { message, hint } = describeFailure(e, config.secrets);
      io.err(`error: ${file}: ${message}${hint ? `\n  hint: ${hint}` : ""}\nnothing was written`);
      return 1;
    }
    try {
      const result = await push.pushRows(
        { config, who: commandContext(env, dir).who, dirLabel: dirArg ?? "." },
        { source, rows: parsed.rows, rowNumbers: parsed.rowNumbers, to },
      );
      if (flags.json) io.out(JSON.stringify(result, null, 2));
      else
        io.out(
          `✓ pushed ${result.rows.toLocaleString("en-US")} rows of ${source} to ${to.replaceAll("_", " ")} (views: ${result.views.join(", ")})`,
        );
      return 0;
    } catch (e) {
      const { message, hint } = describeFailure(e, config.secrets);
      const bad = e instanceof push.PushValidationError;
      io.err(
        `error: ${bad ? `${file}: ` : ""}${message}${hint ? `\n  hint: ${hint}` : ""}${bad ? "\nnothing was written" : ""}`,
      );
      return 1;
    }
  });
}
