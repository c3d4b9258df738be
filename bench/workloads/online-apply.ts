/**
 * Apply of new online feature views on a Postgres online store by fsops' provisioner: before
 * each run (untimed) a fresh database and the provisioner's plan against it (introspection of
 * the empty schema + planInfra); timed: connect, run every statement in one transaction
 * (`PostgresProvisioner.apply`), disconnect, as `psql -1 -f` does in the floor.
 */
import { openOnlineStore } from "../../src/infra/open-online-store.js";
import type { InfraAction } from "../../src/model/plan.js";
import type { DesiredState } from "../../src/model/spec.js";
import { countTables, createDatabase, sha256 } from "../lib/admin.js";
import { desiredStateOf } from "../lib/desired.js";
import { treeCpuMs } from "../lib/proc-cpu.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  project: string;
  adminUrl: string;
  serverPids: number[];
}

interface Prepared extends Args {
  desired: DesiredState;
  url: string | null;
  actions: InfraAction[];
}

let made = 0;

const workload: Workload<Prepared> = {
  async prepare(args: JsonValue) {
    const a = args as unknown as Args;
    return { ...a, desired: await desiredStateOf(a.dir, a.project), url: null, actions: [] };
  },
  async reset(p) {
    p.url = await createDatabase(p.adminUrl, `online_fsops_${process.pid}_${made++}`);
    const store = await openOnlineStore({ type: "postgres", connectionString: p.url, schema: "public" });
    try {
      p.actions = (await store.plan(p.project, p.desired, null)).actions;
    } finally {
      await store.close();
    }
  },
  async run(p) {
    const store = await openOnlineStore({ type: "postgres", connectionString: p.url!, schema: "public" });
    try {
      await store.apply(p.project, p.actions);
    } finally {
      await store.close();
    }
    return null;
  },
  async check(p) {
    const statements = p.actions.flatMap((a) => a.statements);
    return {
      actions: p.actions.length,
      createTable: p.actions.filter((a) => a.action === "create_table").length,
      statements: statements.length,
      ddlSha256: sha256(statements),
      tables: await countTables(p.url!),
    };
  },
  externalCpuMs: ({ serverPids }) => treeCpuMs(serverPids),
};

export default workload;
