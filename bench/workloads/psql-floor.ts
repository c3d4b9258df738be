/**
 * The floor of the online-store apply: the same DDL file run by `psql -1 -f` (one transaction,
 * stop at the first error) against a fresh database of the same server. psql's own CPU (a
 * reaped child) and the server's are counted, as for fsops.
 */
import { spawn } from "node:child_process";
import { countTables, createDatabase } from "../lib/admin.js";
import { reapedChildrenCpuMs, treeCpuMs } from "../lib/proc-cpu.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  file: string;
  psql: string;
  adminUrl: string;
  serverPids: number[];
}

interface Prepared extends Args {
  url: string | null;
}

let made = 0;

function runPsql(psql: string, file: string, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", file, url], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${err.trim().slice(0, 300)}`)),
    );
  });
}

const workload: Workload<Prepared> = {
  prepare: (args: JsonValue) => ({ ...(args as unknown as Args), url: null }),
  async reset(p) {
    p.url = await createDatabase(p.adminUrl, `online_psql_${process.pid}_${made++}`);
  },
  async run(p) {
    await runPsql(p.psql, p.file, p.url!);
    return null;
  },
  async check(p) {
    return { tables: await countTables(p.url!) };
  },
  externalCpuMs: ({ serverPids }) => reapedChildrenCpuMs() + treeCpuMs(serverPids),
};

export default workload;
