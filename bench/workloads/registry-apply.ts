/**
 * `fsops apply --allow-destroy` of one project folder without the CLI around it
 * (`applyProject`: load, lock, read, plan, commit serial+1 with a history entry, unlock). Each
 * run applies to an empty registry of its own, made untimed beforehand, unless `env` names one
 * (how the plan benchmark fills its registry once).
 */
import pg from "pg";
import { applyProject } from "../../src/commands/apply.js";
import type { CommandContext } from "../../src/commands/types.js";
import { treeCpuMs } from "../lib/proc-cpu.js";
import type { RegistryTarget } from "../lib/registry-target.js";
import { freshRegistry, useS3Credentials } from "../lib/registry-target.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  target: RegistryTarget;
  /** A given registry (no fresh one per run). */
  env?: Record<string, string>;
  serverPids: number[];
}

interface Prepared extends Args {
  current: Record<string, string> | null;
}

const workload: Workload<Prepared> = {
  prepare(args: JsonValue) {
    const a = args as unknown as Args;
    useS3Credentials(a.target);
    return { ...a, current: a.env ?? null };
  },
  async reset(p) {
    if (!p.env) p.current = await freshRegistry(p.target, "apply");
  },
  async run(p): Promise<JsonValue> {
    if (!p.current) throw new Error("no registry to apply to");
    const ctx: CommandContext = { env: p.current, who: "bench", commit: null };
    const out = await applyProject(p.dir, ctx, { allowDestroy: true });
    if (out.status !== "applied") {
      return {
        status: out.status,
        error: "message" in out ? out.message : out.status,
      };
    }
    return {
      status: out.status,
      ...out.plan.summary,
      unchanged: out.plan.unchanged,
      infra: out.plan.infra.length,
      serial: out.serial,
    };
  },
  /**
   * Postgres: the state row and the history row must come from one transaction (the same
   * xmin), i.e. the whole apply committed at once.
   */
  async check(p, summary) {
    if (p.target.backend !== "postgres" || !p.current) return summary;
    const client = new pg.Client({ connectionString: p.current.FSOPS_BENCH_REGISTRY });
    await client.connect();
    try {
      const r = await client.query<{ state: string[]; history: string[] }>(
        `SELECT (SELECT array_agg(xmin::text) FROM public.fsops_state) AS state,
                (SELECT array_agg(xmin::text) FROM public.fsops_history) AS history`,
      );
      const xids = new Set([...(r.rows[0]?.state ?? []), ...(r.rows[0]?.history ?? [])]);
      return { ...(summary as Record<string, JsonValue>), transactions: xids.size };
    } finally {
      await client.end();
    }
  },
  externalCpuMs: ({ serverPids }) => (serverPids.length > 0 ? treeCpuMs(serverPids) : 0),
};

export default workload;
