/**
 * `fsops plan` of one project folder without the CLI around it (`planProject`: load fsops.yaml,
 * discover, parse, validate, read the registry, diff), against a registry filled beforehand.
 */
import { planProject } from "../../src/commands/plan.js";
import type { CommandContext } from "../../src/commands/types.js";
import { treeCpuMs } from "../lib/proc-cpu.js";
import type { RegistryTarget } from "../lib/registry-target.js";
import { useS3Credentials } from "../lib/registry-target.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  target: RegistryTarget;
  /** The registry the project's fsops.yaml reads (see registry-target.ts). */
  env: Record<string, string>;
  /** The registry server's processes (none for a file registry). */
  serverPids: number[];
}

const workload: Workload<Args> = {
  prepare(args: JsonValue) {
    const a = args as unknown as Args;
    useS3Credentials(a.target);
    return a;
  },
  async run({ dir, env }): Promise<JsonValue> {
    const ctx: CommandContext = { env, who: "bench", commit: null };
    const out = await planProject(dir, ctx);
    if (out.status !== "planned") {
      return {
        status: out.status,
        error: "message" in out ? out.message : `${out.diagnostics.length} diagnostics`,
      };
    }
    return {
      status: out.status,
      ...out.plan.summary,
      unchanged: out.plan.unchanged,
      infra: out.plan.infra.length,
      serial: out.plan.registry.serial,
    };
  },
  externalCpuMs: ({ serverPids }) => (serverPids.length > 0 ? treeCpuMs(serverPids) : 0),
};

export default workload;
