/**
 * Run by crash tests in a child process (`node --import tsx`), to be killed with SIGKILL while
 * apply is inside its transaction, or after it committed but before the store was closed.
 * Usage: apply-child.ts <target json> <schema> <actions file> [--hang-after-commit].
 * Prints `statement <n>` after each statement (then pauses briefly, so a kill lands mid-way),
 * and `done` once apply returned.
 */
import { readFile } from "node:fs/promises";
import type { InfraAction } from "../../../src/model/plan.js";
import { openPgExecutor } from "../../../src/infra/pg-executor.js";
import { openPgliteExecutor } from "../../../src/infra/pglite-executor.js";
import { PostgresProvisioner } from "../../../src/infra/postgres-provisioner.js";
import type { SqlExecutor, SqlSession } from "../../../src/infra/sql-executor.js";
import type { StoreTarget } from "./backends.js";

const [targetJson, schema, actionsFile, flag] = process.argv.slice(2);
if (targetJson === undefined || schema === undefined || actionsFile === undefined) {
  throw new Error("usage: apply-child.ts <target json> <schema> <actions file>");
}
const target = JSON.parse(targetJson) as StoreTarget;
const actions = JSON.parse(await readFile(actionsFile, "utf8")) as InfraAction[];
const inner =
  target.type === "postgres" ? await openPgExecutor(target.url) : await openPgliteExecutor(target.path);

let n = 0;
const slow = (tx: SqlSession): SqlSession => ({
  query: (text, params) => tx.query(text, params),
  exec: async (script) => {
    await tx.exec(script);
    process.stdout.write(`statement ${++n}\n`);
    await new Promise((r) => setTimeout(r, 25));
  },
  copyFrom: (text, data) => tx.copyFrom(text, data),
});
const sql: SqlExecutor = {
  location: inner.location,
  query: (text, params) => inner.query(text, params),
  exec: (script) => inner.exec(script),
  copyFrom: (text, data) => inner.copyFrom(text, data),
  transaction: (fn) => inner.transaction((tx) => fn(slow(tx))),
  close: () => inner.close(),
};
const store = new PostgresProvisioner(sql, { schema, statementsPerBatch: 1 });
await store.apply("crash", actions);
process.stdout.write("done\n");
if (flag === "--hang-after-commit") await new Promise(() => setInterval(() => undefined, 1000));
await store.close();
