/** The Postgres floor: a hand-written LATERAL point-in-time query run by psql, rows to a CSV file. */
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import path from "node:path";
import { handWrittenPostgres } from "../lib/training-data.js";
import { reapedChildrenCpuMs, treeCpuMs } from "../lib/proc-cpu.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Args {
  dir: string;
  url: string;
  psql: string;
  serverPids: number[];
}

const workload: Workload<Args> = {
  prepare: (args: JsonValue) => args as unknown as Args,
  async run(a) {
    const out = path.join(a.dir, `floor-${process.pid}.csv`);
    const sql = `\\copy (${handWrittenPostgres().replace(/\s+/g, " ")}) TO '${out}' WITH (FORMAT csv, HEADER)`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(a.psql, ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, a.url], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let text = "";
      child.stdout.on("data", (d: Buffer) => (text += d.toString()));
      child.stderr.on("data", (d: Buffer) => (text += d.toString()));
      child.on("error", reject);
      child.on("close", (code) =>
        code === 0 ? resolve(text) : reject(new Error(`psql exited ${code}: ${text.slice(0, 300)}`)),
      );
    });
    await rm(out, { force: true });
    return { psql: output.trim() };
  },
  externalCpuMs: ({ serverPids }) => reapedChildrenCpuMs() + treeCpuMs(serverPids),
};

export default workload;
