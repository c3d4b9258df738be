import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Json } from "../../src/model/json.js";
import type { InfraAction } from "../../src/model/plan.js";
import type { DesiredObject } from "../../src/model/spec.js";
import { OnlineStoreError } from "../../src/infra/errors.js";
import { onlineTableName } from "../../src/infra/naming.js";
import { openPgExecutor } from "../../src/infra/pg-executor.js";
import { PostgresProvisioner } from "../../src/infra/postgres-provisioner.js";
import { hasService } from "../services/index.js";
import type { OpenBackend, PostgresBackend } from "./helpers/backends.js";
import { embeddedBackend, serverBackend } from "./helpers/backends.js";
import { describeTable, rowCount, tablesIn } from "./helpers/inspect.js";
import { desiredState, driverStats, entity, featureView } from "./fixtures.js";

const P = "drivers";
const backends: PostgresBackend[] = [...(hasService("postgres") ? [serverBackend] : []), embeddedBackend];
let schemaCounter = 0;

describe.each(backends)("Postgres online store ($name)", (backend) => {
  let b: OpenBackend;
  beforeAll(async () => {
    b = await backend.open();
  });
  afterAll(async () => {
    await b?.teardown();
  });

  /** A provisioner on a schema of its own: tests share the database, never a schema. */
  function store(schema = `s${++schemaCounter}`): PostgresProvisioner {
    return new PostgresProvisioner(b.sql, { schema, lockTimeout: "2s" });
  }

  async function converge(
    s: PostgresProvisioner,
    objects: DesiredObject[],
    recorded: Json = null,
    project = P,
  ) {
    const plan = await s.plan(project, desiredState(project, objects), recorded);
    await s.apply(project, plan.actions);
    return plan;
  }

  async function insertDriver(s: PostgresProvisioner, id: number): Promise<void> {
    await b.sql.query(
      `INSERT INTO "${s.schema}"."drivers__driver_stats" (driver_id, conv_rate, acc_rate, event_ts) VALUES ($1, 0.5, 0.25, now())`,
      [id],
    );
  }

  it("creates the table with typed columns, primary key and ownership comment; then plans nothing", async () => {
    const s = store();
    const first = await converge(s, driverStats());
    expect(first.actions.map((a) => a.action)).toEqual(["create_schema", "create_table"]);
    expect(await describeTable(b.sql, s.schema, "drivers__driver_stats")).toEqual({
      columns: [
        "driver_id bigint",
        "conv_rate real",
        "acc_rate real",
        "event_ts timestamp with time zone",
        "created_ts timestamp with time zone",
      ],
      primaryKey: ["driver_id"],
      comment: "fsops:drivers:driver_stats",
    });
    const again = await s.plan(P, desiredState(P, driverStats()), first.record);
    expect(again.actions).toEqual([]);
  });

  it("maps every dtype (lists as arrays) as information_schema reports it", async () => {
    const s = store();
    await converge(s, [
      entity("city", ["country", "code"], "string"),
      featureView("all_types", ["city"], {
        a: "int32",
        b: "int64",
        c: "float32",
        d: "float64",
        e: "string",
        f: "bytes",
        g: "bool",
        h: "unix_timestamp",
        i: "float64[]",
        j: "string[]",
      }),
    ]);
    const t = await describeTable(b.sql, s.schema, "drivers__all_types");
    expect(t?.columns).toEqual([
      "country text",
      "code text",
      "a integer",
      "b bigint",
      "c real",
      "d double precision",
      "e text",
      "f bytea",
      "g boolean",
      "h timestamp with time zone",
      "i float8[]",
      "j text[]",
      "event_ts timestamp with time zone",
      "created_ts timestamp with time zone",
    ]);
    expect(t?.primaryKey).toEqual(["country", "code"]);
  });

  it("adds and drops columns in place, keeping the rows", async () => {
    const s = store();
    const v1 = await converge(s, driverStats());
    await insertDriver(s, 1);
    const v2 = await converge(s, driverStats({}, { conv_rate: "float32", trips: "int64" }), v1.record);
    expect(v2.actions.map((a) => `${a.action} ${a.impact}`)).toEqual([
      "drop_column destructive",
      "add_column safe",
    ]);
    const t = await describeTable(b.sql, s.schema, "drivers__driver_stats");
    expect(t?.columns).toEqual([
      "driver_id bigint",
      "conv_rate real",
      "event_ts timestamp with time zone",
      "created_ts timestamp with time zone",
      "trips bigint",
    ]);
    expect(await rowCount(b.sql, s.schema, "drivers__driver_stats")).toBe(1);
    expect(
      (await s.plan(P, desiredState(P, driverStats({}, { conv_rate: "float32", trips: "int64" })), v2.record))
        .actions,
    ).toEqual([]);
  });

  it("rebuilds the table on a dtype change (rows dropped, to be re-materialized)", async () => {
    const s = store();
    const v1 = await converge(s, driverStats());
    await insertDriver(s, 1);
    const v2 = await converge(s, driverStats({}, { conv_rate: "float64", acc_rate: "float32" }), v1.record);
    expect(v2.actions.map((a) => `${a.action} ${a.impact} ${a.reason}`)).toEqual([
      "rebuild_table rebuild dtype of conv_rate float32 → float64",
    ]);
    expect((await describeTable(b.sql, s.schema, "drivers__driver_stats"))?.columns[1]).toBe(
      "conv_rate double precision",
    );
    expect(await rowCount(b.sql, s.schema, "drivers__driver_stats")).toBe(0);
  });

  it("rebuilds the table on a join-key change", async () => {
    const s = store();
    const v1 = await converge(s, driverStats());
    const schema = { conv_rate: "float32", acc_rate: "float32" } as const;
    await converge(
      s,
      [entity("driver", ["driver_id", "day"], "string"), featureView("driver_stats", ["driver"], schema)],
      v1.record,
    );
    const t = await describeTable(b.sql, s.schema, "drivers__driver_stats");
    expect(t?.primaryKey).toEqual(["driver_id", "day"]);
    expect(t?.columns.slice(0, 2)).toEqual(["driver_id text", "day text"]);
  });

  it("drops the table for online: false and a deleted view, leaving another project's tables", async () => {
    const s = store();
    const other = await converge(s, driverStats(), null, "other_project");
    const v1 = await converge(s, [...driverStats(), featureView("trips", ["driver"], { n: "int64" })]);
    expect(await tablesIn(b.sql, s.schema)).toEqual([
      "drivers__driver_stats",
      "drivers__trips",
      "other_project__driver_stats",
    ]);
    const v2 = await converge(
      s,
      [entity("driver", ["driver_id"]), featureView("trips", ["driver"], { n: "int64" }, { online: false })],
      v1.record,
    );
    expect(v2.actions.map((a) => `${a.action} ${a.target} ${a.reason}`)).toEqual([
      `drop_table ${s.schema}.drivers__driver_stats view deleted`,
      `drop_table ${s.schema}.drivers__trips online: false`,
    ]);
    expect(await tablesIn(b.sql, s.schema)).toEqual(["other_project__driver_stats"]);
    expect(
      (await s.plan("other_project", desiredState("other_project", driverStats()), other.record)).actions,
    ).toEqual([]);
  });

  it("repairs drift: a table dropped by hand, a column added by hand, a column type changed by hand", async () => {
    const s = store();
    const v1 = await converge(s, driverStats());
    const desired = desiredState(P, driverStats());
    const q = `"${s.schema}"."drivers__driver_stats"`;

    await b.sql.exec(`DROP TABLE ${q}`);
    const missing = await s.plan(P, desired, v1.record);
    expect(missing.actions.map((a) => `${a.action} ${a.impact}: ${a.reason}`)).toEqual([
      "create_table safe: drift: table missing",
    ]);
    await s.apply(P, missing.actions);

    await b.sql.exec(`ALTER TABLE ${q} ADD COLUMN by_hand text; ALTER TABLE ${q} DROP COLUMN acc_rate`);
    const columns = await s.plan(P, desired, v1.record);
    expect(columns.actions.map((a) => `${a.action} ${a.impact}: ${a.reason}`)).toEqual([
      "drop_column destructive: drift: extra column by_hand",
      "add_column safe: drift: column acc_rate missing",
    ]);
    await s.apply(P, columns.actions);

    await b.sql.exec(`ALTER TABLE ${q} ALTER COLUMN conv_rate TYPE numeric`);
    const type = await s.plan(P, desired, v1.record);
    expect(type.actions.map((a) => `${a.action} ${a.impact}: ${a.reason}`)).toEqual([
      "rebuild_table rebuild: drift: column conv_rate is numeric, expected real",
    ]);
    await s.apply(P, type.actions);

    expect((await s.plan(P, desired, v1.record)).actions).toEqual([]);
    expect((await describeTable(b.sql, s.schema, "drivers__driver_stats"))?.columns).toEqual([
      "driver_id bigint",
      "conv_rate real",
      "acc_rate real",
      "event_ts timestamp with time zone",
      "created_ts timestamp with time zone",
    ]);
  });

  it("drops a table of this project the registry does not know (marked by its comment)", async () => {
    const s = store();
    const v1 = await converge(s, [...driverStats(), featureView("old", ["driver"], { x: "int32" })]);
    // As if the registry never recorded "old" (e.g. it was committed by a run that crashed).
    const recorded = JSON.parse(JSON.stringify(v1.record)) as { tables: Record<string, unknown> };
    delete recorded.tables["old"];
    const plan = await s.plan(P, desiredState(P, driverStats()), recorded as unknown as Json);
    expect(plan.actions.map((a) => `${a.action} ${a.target}: ${a.reason}`)).toEqual([
      `drop_table ${s.schema}.drivers__old: drift: table not in registry`,
    ]);
  });

  it("is idempotent: the same actions applied twice leave the same store", async () => {
    const s = store();
    const v1 = await converge(s, driverStats());
    const plan = await s.plan(
      P,
      desiredState(P, driverStats({}, { conv_rate: "float32", z: "bool" })),
      v1.record,
    );
    await s.apply(P, plan.actions);
    const once = await describeTable(b.sql, s.schema, "drivers__driver_stats");
    await s.apply(P, plan.actions);
    expect(await describeTable(b.sql, s.schema, "drivers__driver_stats")).toEqual(once);
    const create = await s.plan(P, desiredState(P, driverStats()), null);
    await s.apply(P, create.actions);
    await s.apply(P, create.actions);
  });

  it("converges when half the statements already ran, and after a crash between DDL and registry commit", async () => {
    const s = store();
    const v1 = await converge(s, driverStats());
    const next = desiredState(P, [
      ...driverStats({}, { conv_rate: "float32", a: "int32", b: "int64" }),
      featureView("n1", ["driver"], { x: "int32" }),
      featureView("n2", ["driver"], { x: "int32" }),
    ]);
    const plan = await s.plan(P, next, v1.record);
    expect(plan.actions.length).toBeGreaterThanOrEqual(5);
    // A first run that got half way and committed that half.
    await s.apply(P, plan.actions.slice(0, Math.ceil(plan.actions.length / 2)));
    const rerun = await s.plan(P, next, v1.record);
    expect(rerun.actions).toEqual(plan.actions); // intent actions do not depend on the store
    await s.apply(P, rerun.actions);
    // The registry commit never happened: the re-plan still equals the reviewed plan, and applying it again converges.
    expect(await s.plan(P, next, v1.record)).toEqual(plan);
    await s.apply(P, plan.actions);
    expect((await s.plan(P, next, plan.record)).actions).toEqual([]);
  });

  it("quotes a schema name containing a double quote, end to end", async () => {
    const s = store(`we"ird ${++schemaCounter}`);
    const v1 = await converge(s, driverStats());
    expect(v1.actions[0]?.statements[0]).toBe(`CREATE SCHEMA IF NOT EXISTS "we""ird ${schemaCounter}";`);
    expect(await tablesIn(b.sql, s.schema)).toEqual(["drivers__driver_stats"]);
    expect((await s.plan(P, desiredState(P, driverStats()), v1.record)).actions).toEqual([]);
    const v2 = await converge(s, driverStats({}, { conv_rate: "float32" }), v1.record);
    expect(v2.actions.map((a) => a.action)).toEqual(["drop_column"]);
    const teardown = await s.planDestroy(P, v2.record);
    expect(teardown).toHaveLength(1);
    await s.apply(P, teardown);
    expect(await tablesIn(b.sql, s.schema)).toEqual([]);
  });

  it("shortens a 70-character table name with a hash suffix and still works", async () => {
    const s = store();
    const project = "p".repeat(40);
    const view = "v".repeat(28);
    const table = onlineTableName(project, view);
    const objects = [entity("driver", ["driver_id"]), featureView(view, ["driver"], { x: "int32" })];
    const v1 = await converge(s, objects, null, project);
    expect(await tablesIn(b.sql, s.schema)).toEqual([table]);
    expect(table).toHaveLength(63);
    const v2 = await converge(
      s,
      [entity("driver", ["driver_id"]), featureView(view, ["driver"], { x: "int32", y: "bool" })],
      v1.record,
      project,
    );
    expect(v2.actions.map((a) => a.action)).toEqual(["add_column"]);
    expect(
      (await s.plan(project, desiredState(project, []), v2.record)).actions.map((a) => a.target),
    ).toEqual([`${s.schema}.${table}`]);
  });

  it("rolls back everything when a statement fails, naming the statement", async () => {
    const s = store();
    const plan = await s.plan(P, desiredState(P, driverStats()), null);
    const bad: InfraAction = {
      ...plan.actions[1]!,
      statements: ['ALTER TABLE "nowhere"."missing" ADD COLUMN IF NOT EXISTS "x" int;'],
    };
    const err = await s.apply(P, [...plan.actions, bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OnlineStoreError);
    expect((err as Error).message).toMatch(/apply failed.*rolled back, nothing changed/);
    expect((err as Error).message).toContain("nowhere");
    expect(await tablesIn(b.sql, s.schema)).toEqual([]);
  });

  it("destroy drops exactly this project's tables", async () => {
    const s = store();
    await converge(s, driverStats(), null, "keep_me");
    const v1 = await converge(s, [...driverStats(), featureView("b", ["driver"], { x: "int32" })]);
    await b.sql.exec(`CREATE TABLE "${s.schema}"."drivers__not_ours" (x int)`);
    const planned = await s.planDestroy(P, v1.record);
    expect(planned.map((a) => a.target)).toEqual([
      `${s.schema}.drivers__b`,
      `${s.schema}.drivers__driver_stats`,
    ]);
    await s.apply(P, planned);
    expect(await tablesIn(b.sql, s.schema)).toEqual(["drivers__not_ours", "keep_me__driver_stats"]);
    const again = await s.planDestroy(P, v1.record);
    expect(again).toHaveLength(2); // idempotent: DROP … IF EXISTS
    await s.apply(P, again);
  });

  it("converges after the applying process is killed (SIGKILL) inside its transaction", async () => {
    const s = store();
    const objects = [
      entity("driver", ["driver_id"]),
      ...Array.from({ length: 40 }, (_, i) => featureView(`v${i}`, ["driver"], { x: "int32" })),
    ];
    const plan = await s.plan(P, desiredState(P, objects), null);
    const dir = await mkdtemp(join(tmpdir(), "fsops-crash-"));
    try {
      const file = join(dir, "actions.json");
      await writeFile(file, JSON.stringify(plan.actions));
      await b.close(); // embedded: the child needs the directory
      const reached = await runAndKill([JSON.stringify(b.target), s.schema, file], 10);
      expect(reached).toBeGreaterThanOrEqual(10);
      expect(reached).toBeLessThan(plan.actions.length * 2);
      const sql = await b.reopen();
      // The transaction died with the process: nothing of it is visible.
      expect(await tablesIn(sql, s.schema)).toEqual([]);
      const s2 = new PostgresProvisioner(sql, { schema: s.schema, lockTimeout: "10s" });
      const rerun = await s2.plan(P, desiredState(P, objects), null);
      expect(rerun.actions).toEqual(plan.actions);
      await s2.apply(P, rerun.actions);
      expect(await tablesIn(sql, s.schema)).toHaveLength(40);
      expect((await s2.plan(P, desiredState(P, objects), rerun.record)).actions).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it("keeps committed DDL when the process is killed (SIGKILL) after apply, before closing the store", async () => {
    const s = store();
    // An existing schema (the usual case): a schema fsops creates is planned only while missing.
    await b.sql.exec(`CREATE SCHEMA "${s.schema}"`);
    const plan = await s.plan(P, desiredState(P, driverStats()), null);
    expect(plan.actions.map((a) => a.action)).toEqual(["create_table"]);
    const dir = await mkdtemp(join(tmpdir(), "fsops-crash-"));
    try {
      const file = join(dir, "actions.json");
      await writeFile(file, JSON.stringify(plan.actions));
      await b.close();
      await runAndKill([JSON.stringify(b.target), s.schema, file, "--hang-after-commit"], "done");
      const sql = await b.reopen();
      const s2 = new PostgresProvisioner(sql, { schema: s.schema });
      // The registry commit never happened: the re-plan is the reviewed plan, and it is a no-op now.
      expect(await s2.plan(P, desiredState(P, driverStats()), null)).toEqual(plan);
      expect((await s2.plan(P, desiredState(P, driverStats()), plan.record)).actions).toEqual([]);
      expect(await describeTable(sql, s.schema, "drivers__driver_stats")).not.toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(hasService("postgres"))("Postgres online store (server only)", () => {
  it("fails fast with a lock hint when another session holds the table, changing nothing", async () => {
    const b = await serverBackend.open();
    const other = await openPgExecutor(b.target.type === "postgres" ? b.target.url : "");
    try {
      const s = new PostgresProvisioner(b.sql, { schema: "locked", lockTimeout: "300ms" });
      const v1 = await s.plan(P, desiredState(P, driverStats()), null);
      await s.apply(P, v1.actions);
      const v2 = await s.plan(
        P,
        desiredState(P, driverStats({}, { conv_rate: "float32", z: "int32" })),
        v1.record,
      );
      let failure: unknown;
      await other.transaction(async (tx) => {
        await tx.exec('LOCK TABLE "locked"."drivers__driver_stats" IN ACCESS EXCLUSIVE MODE');
        failure = await s.apply(P, v2.actions).catch((e: unknown) => e);
      });
      expect(failure).toBeInstanceOf(OnlineStoreError);
      expect((failure as OnlineStoreError).code).toBe("55P03");
      expect((failure as OnlineStoreError).hint).toMatch(/holds a lock/);
      expect((await describeTable(b.sql, "locked", "drivers__driver_stats"))?.columns).not.toContain(
        "z integer",
      );
    } finally {
      await other.close();
      await b.teardown();
    }
  });
});

/**
 * Start apply-child and SIGKILL it once it reports `after` statements (or, with `after` =
 * "done", once apply returned); resolves with the last statement count seen.
 */
function runAndKill(args: string[], after: number | "done"): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "helpers/apply-child.ts"), ...args],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let seen = 0;
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      for (const m of d.toString().matchAll(/statement (\d+)/g)) seen = Number(m[1]);
      const done = d.toString().includes("done");
      if (after === "done") {
        if (done) child.kill("SIGKILL");
      } else if (done) reject(new Error("apply finished before it could be killed"));
      else if (seen >= after && child.exitCode === null) child.kill("SIGKILL");
    });
    child.on("exit", (_code, signal) => {
      if (signal === "SIGKILL") resolve(seen);
      else reject(new Error(`apply-child exited without being killed: ${stderr}`));
    });
  });
}
