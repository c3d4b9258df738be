import { resolve } from "node:path";
import { destroyProject } from "../commands/destroy.js";
import { forceUnlock, readHistory, showRegistry } from "../commands/inspect.js";
import { loadConfig } from "../commands/load-project.js";
import { describeError } from "../commands/errors.js";
import type { ProjectConfig } from "../model/config.js";
import { renderDiagnostics } from "../render/diagnostics.js";
import { commandContext } from "./context.js";
import type { Output } from "./io.js";
import { confirmYes } from "./prompt.js";

type Env = Readonly<Record<string, string | undefined>>;

async function withConfig(
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
    const { message, hint } = describeError(err, loaded.config.secrets);
    io.err(`error: ${message}${hint ? `\n  hint: ${hint}` : ""}`);
    return 1;
  }
}

export function runShow(dirArg: string | undefined, flags: { json?: boolean }, env: Env, io: Output) {
  return withConfig(dirArg, env, io, async (config) => {
    const { location, state } = await showRegistry(config);
    // Loaded only here: plan/apply never pay for the data plane.
    const freshness =
      state === null
        ? []
        : await (await import("../materialize/index.js")).readMaterializations(config, state);
    const now = Date.now();
    const lagSeconds = (end: string | null) =>
      end === null ? null : Math.max(0, Math.round((now - Date.parse(end)) / 1000));
    if (flags.json) {
      io.out(
        JSON.stringify(
          state === null
            ? null
            : {
                ...state,
                materializations: freshness.map((f) => ({ ...f, lagSeconds: lagSeconds(f.lastEnd) })),
              },
          null,
          2,
        ),
      );
      return 0;
    }
    if (!state) {
      io.out(`${config.project}: nothing applied yet (registry ${location})`);
      return 0;
    }
    io.out(
      `${state.project} — serial ${state.serial}, lineage ${state.lineage}\n` +
        `  registry: ${location}\n  last apply: ${state.updatedAt} by ${state.appliedBy}\n`,
    );
    for (const o of state.objects)
      io.out(`  ${o.kind.padEnd(24)} ${o.name}${o.file ? `  (${o.file}:${o.line})` : ""}`);
    if (freshness.length > 0) {
      const width = Math.max(24, ...freshness.map((f) => f.view.length));
      io.out(`\n  ${"online view".padEnd(width)} ${"last materialized end".padEnd(27)} lag`);
      for (const f of freshness) {
        const lag = lagSeconds(f.lastEnd);
        io.out(
          `  ${f.view.padEnd(width)} ${(f.lastEnd ?? "never").padEnd(27)} ${lag === null ? "-" : formatLag(lag)}`,
        );
      }
    }
    return 0;
  });
}

/** `93784` → `1d2h3m`. */
export function formatLag(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const parts = [d ? `${d}d` : "", h ? `${h}h` : "", m ? `${m}m` : ""].join("");
  return parts || `${seconds}s`;
}

export function runHistory(dirArg: string | undefined, flags: { json?: boolean }, env: Env, io: Output) {
  return withConfig(dirArg, env, io, async (config) => {
    const history = await readHistory(config);
    if (flags.json) {
      io.out(JSON.stringify(history, null, 2));
      return 0;
    }
    if (history.length === 0) {
      io.out(`${config.project}: no applies yet`);
      return 0;
    }
    for (const h of history) {
      const counts = new Map<string, number>();
      for (const c of h.changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
      const summary = [...counts].map(([a, n]) => `${n} ${a}`).join(", ") || "no object changes";
      io.out(
        `#${h.serial}  ${h.time}  ${h.who}${h.commit ? `  ${h.commit.slice(0, 12)}` : ""}  ${summary}  (plan ${h.fingerprint.slice(0, 12)})`,
      );
    }
    return 0;
  });
}

export function runForceUnlock(lockId: string, dirArg: string | undefined, env: Env, io: Output) {
  return withConfig(dirArg, env, io, async (config) => {
    const info = await forceUnlock(config, lockId);
    io.out(
      `Removed lock ${info.id} of ${config.project}, held by ${info.who}@${info.host} (pid ${info.pid}) since ${info.time}.`,
    );
    return 0;
  });
}

export function runDestroy(
  dirArg: string | undefined,
  flags: { autoApprove?: boolean },
  env: Env,
  io: Output,
  interactive: boolean,
) {
  return withConfig(dirArg, env, io, async (config, dir) => {
    if (!flags.autoApprove && !interactive) {
      io.err("error: no terminal to confirm on: pass --auto-approve to destroy without a prompt");
      return 1;
    }
    const outcome = await destroyProject(config, commandContext(env, dir, { withCommit: true }), {
      confirm: flags.autoApprove
        ? undefined
        : async (actions, objects) => {
            io.out(
              `fsops will delete the registry state of ${config.project} (${objects} objects; history is kept)`,
            );
            for (const a of actions)
              io.out(`  - ${a.action} ${a.target}\n${a.statements.map((s) => `      ${s}`).join("\n")}`);
            return confirmYes(`\nDestroy ${config.project}? This cannot be undone.`);
          },
    });
    switch (outcome.status) {
      case "destroyed":
        for (const a of outcome.actions) io.out(`  - ${a.action} ${a.target}`);
        io.out(`Destroyed ${outcome.project}: online store cleaned, registry state deleted (history kept).`);
        return 0;
      case "nothing":
        io.out(`${outcome.project}: nothing to destroy.`);
        return 0;
      case "cancelled":
        io.err("Destroy cancelled; nothing was changed.");
        return 1;
      default:
        io.err(`error: ${outcome.message}${outcome.hint ? `\n  hint: ${outcome.hint}` : ""}`);
        return 1;
    }
  });
}
