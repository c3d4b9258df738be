import { describe, expect, it } from "vitest";
import type { Json } from "../../src/model/json.js";
import type { InfraAction } from "../../src/model/plan.js";
import type { ActualTable, PostgresInfraState } from "../../src/infra/infra-state.js";
import { parseInfraRecord } from "../../src/infra/layout.js";
import { onlineTableName } from "../../src/infra/naming.js";
import { planDestroy, planInfra } from "../../src/infra/plan-infra.js";
import { tableColumns } from "../../src/infra/postgres-ddl.js";
import { desiredState, driverStats, entity, featureView, onDemandView, streamView } from "./fixtures.js";

const P = "drivers";

function empty(schema = "public", schemaExists = true): PostgresInfraState {
  return { store: "postgres", schema, schemaExists, tables: [] };
}

/** The store as it is after `record` was applied (tables exactly as planned, marked). */
function storeAfter(record: Json, schema = "public"): PostgresInfraState {
  const parsed = parseInfraRecord(record);
  if (parsed?.store !== "postgres") throw new Error("not a postgres record");
  const tables: ActualTable[] = Object.entries(parsed.tables).map(([view, t]) => ({
    name: t.table,
    markedView: view,
    columns: tableColumns(t),
    primaryKey: t.keys.map((k) => k.name),
  }));
  tables.sort((a, b) => (a.name < b.name ? -1 : 1));
  return { store: "postgres", schema, schemaExists: true, tables };
}

function plan(objects: Parameters<typeof desiredState>[1], recorded: Json = null, actual = empty()) {
  return planInfra(P, desiredState(P, objects), recorded, actual, "postgres", { schema: actual.schema });
}

/** Record of `objects` once applied, and the store holding it. */
function applied(objects: Parameters<typeof desiredState>[1]): { record: Json; actual: PostgresInfraState } {
  const { record } = plan(objects);
  return { record, actual: storeAfter(record) };
}

const summary = (actions: InfraAction[]) =>
  actions.map((a) => `${a.action} ${a.target} ${a.impact}: ${a.reason}`);

describe("planInfra (postgres)", () => {
  it("creates a typed table for a new online view with the exact DDL", () => {
    const { actions } = plan(driverStats());
    expect(actions).toEqual([
      {
        store: "postgres",
        action: "create_table",
        target: "public.drivers__driver_stats",
        object: "feature_view:driver_stats",
        impact: "safe",
        reason: "new view",
        statements: [
          'CREATE TABLE IF NOT EXISTS "public"."drivers__driver_stats" (\n' +
            '  "driver_id" bigint,\n' +
            '  "conv_rate" real,\n' +
            '  "acc_rate" real,\n' +
            '  "event_ts" timestamptz,\n' +
            '  "created_ts" timestamptz,\n' +
            '  PRIMARY KEY ("driver_id")\n' +
            ");",
          `COMMENT ON TABLE "public"."drivers__driver_stats" IS 'fsops:drivers:driver_stats';`,
        ],
      },
    ]);
  });

  it("maps every dtype, lists to arrays, and puts every join key first", () => {
    const { actions } = plan([
      entity("driver", ["driver_id"], "int64"),
      entity("city", ["country", "city_code"], "string"),
      featureView("everything", ["driver", "city"], {
        a: "int32",
        b: "int64",
        c: "float32",
        d: "float64",
        e: "string",
        f: "bytes",
        g: "bool",
        h: "unix_timestamp",
        i: "float32[]",
        j: "unix_timestamp[]",
      }),
    ]);
    const create = actions[0]?.statements[0] ?? "";
    expect(create.split("\n").slice(1, -2)).toEqual([
      '  "driver_id" bigint,',
      '  "country" text,',
      '  "city_code" text,',
      '  "a" integer,',
      '  "b" bigint,',
      '  "c" real,',
      '  "d" double precision,',
      '  "e" text,',
      '  "f" bytea,',
      '  "g" boolean,',
      '  "h" timestamptz,',
      '  "i" real[],',
      '  "j" timestamptz[],',
      '  "event_ts" timestamptz,',
      '  "created_ts" timestamptz,',
    ]);
    expect(create).toContain('PRIMARY KEY ("driver_id", "country", "city_code")');
  });

  it("gives stream views a table and on-demand and offline-only views none", () => {
    const { actions, record } = plan([
      entity("driver", ["driver_id"]),
      streamView("trips_stream", ["driver"], { trips: "int64" }),
      onDemandView("derived", { x: "float64" }),
      featureView("offline_only", ["driver"], { y: "float32" }, { online: false }),
    ]);
    expect(summary(actions)).toEqual(["create_table public.drivers__trips_stream safe: new view"]);
    expect(actions[0]?.object).toBe("stream_feature_view:trips_stream");
    expect(Object.keys((record as { tables: object }).tables)).toEqual(["trips_stream"]);
  });

  it("keys a view with no entities on a dummy key column", () => {
    const { actions } = plan([featureView("global_stats", [], { total: "int64" })]);
    expect(actions[0]?.statements[0]).toContain('"__dummy_id" text');
    expect(actions[0]?.statements[0]).toContain('PRIMARY KEY ("__dummy_id")');
  });

  it("plans nothing once the store holds what was applied", () => {
    const { record, actual } = applied(driverStats());
    const again = plan(driverStats(), record, actual);
    expect(again.actions).toEqual([]);
    expect(again.record).toEqual(record);
  });

  it("adds a column for a new feature (safe) and drops one for a removed feature (destructive), drops first", () => {
    const { record, actual } = applied(driverStats());
    const { actions } = plan(driverStats({}, { conv_rate: "float32", trips_today: "int32" }), record, actual);
    expect(summary(actions)).toEqual([
      "drop_column public.drivers__driver_stats.acc_rate destructive: feature acc_rate removed",
      "add_column public.drivers__driver_stats.trips_today safe: feature trips_today added",
    ]);
    expect(actions.map((a) => a.statements)).toEqual([
      ['ALTER TABLE "public"."drivers__driver_stats" DROP COLUMN IF EXISTS "acc_rate";'],
      ['ALTER TABLE "public"."drivers__driver_stats" ADD COLUMN IF NOT EXISTS "trips_today" integer;'],
    ]);
  });

  it("adds several new features in schema order", () => {
    const { record, actual } = applied(driverStats());
    const { actions } = plan(
      driverStats({}, { conv_rate: "float32", acc_rate: "float32", z: "bool", a: "bytes" }),
      record,
      actual,
    );
    expect(actions.map((a) => a.target)).toEqual([
      "public.drivers__driver_stats.z",
      "public.drivers__driver_stats.a",
    ]);
  });

  it("rebuilds the table when a feature's dtype changes", () => {
    const { record, actual } = applied(driverStats());
    const { actions } = plan(driverStats({}, { conv_rate: "float64", acc_rate: "float32" }), record, actual);
    expect(summary(actions)).toEqual([
      "rebuild_table public.drivers__driver_stats rebuild: dtype of conv_rate float32 → float64",
    ]);
    expect(actions[0]?.statements[0]).toBe('DROP TABLE IF EXISTS "public"."drivers__driver_stats";');
    expect(actions[0]?.statements[1]).toContain('"conv_rate" double precision');
  });

  it("rebuilds the table when the join keys, their type, or the entities change", () => {
    const { record, actual } = applied(driverStats());
    const schema = { conv_rate: "float32", acc_rate: "float32" } as const;
    const keys = plan(
      [entity("driver", ["driver_id", "shift"]), featureView("driver_stats", ["driver"], schema)],
      record,
      actual,
    );
    expect(summary(keys.actions)).toEqual([
      "rebuild_table public.drivers__driver_stats rebuild: join keys driver_id → driver_id, shift",
    ]);
    const type = plan(
      [entity("driver", ["driver_id"], "string"), featureView("driver_stats", ["driver"], schema)],
      record,
      actual,
    );
    expect(summary(type.actions)).toEqual([
      "rebuild_table public.drivers__driver_stats rebuild: dtype of join key driver_id int64 → string",
    ]);
    const ent = plan(
      [entity("rider", ["driver_id"]), featureView("driver_stats", ["rider"], schema)],
      record,
      actual,
    );
    expect(summary(ent.actions)).toEqual([
      "rebuild_table public.drivers__driver_stats rebuild: entities driver → rider",
    ]);
  });

  it("drops the table for online: false and for a deleted view (destructive)", () => {
    const { record, actual } = applied(driverStats());
    const offline = plan(driverStats({ online: false }), record, actual);
    expect(summary(offline.actions)).toEqual([
      "drop_table public.drivers__driver_stats destructive: online: false",
    ]);
    expect(offline.actions[0]?.statements).toEqual([
      'DROP TABLE IF EXISTS "public"."drivers__driver_stats";',
    ]);
    const deleted = plan([entity("driver", ["driver_id"])], record, actual);
    expect(summary(deleted.actions)).toEqual([
      "drop_table public.drivers__driver_stats destructive: view deleted",
    ]);
    expect(deleted.record).toEqual({ formatVersion: 1, schema: "public", store: "postgres", tables: {} });
  });

  it("plans no DDL for tag, description, owner, ttl or source changes", () => {
    const { record, actual } = applied(driverStats());
    const changed = driverStats({
      tags: { team: "other" },
      description: "new words",
      owner: "someone@example.com",
      ttl: 5,
      source: "another_source",
      offline: true,
    });
    expect(plan(changed, record, actual).actions).toEqual([]);
  });

  it("creates the schema first when it is missing, quoting a schema name with a quote character", () => {
    const actual = empty('we"ird schema', false);
    const { actions } = plan(driverStats(), null, actual);
    expect(actions.map((a) => a.action)).toEqual(["create_schema", "create_table"]);
    expect(actions[0]?.statements).toEqual(['CREATE SCHEMA IF NOT EXISTS "we""ird schema";']);
    expect(actions[1]?.statements[0]).toContain(
      'CREATE TABLE IF NOT EXISTS "we""ird schema"."drivers__driver_stats"',
    );
  });

  it("shortens a table name over 63 characters with a stable hash suffix", () => {
    const project = "p".repeat(40);
    const view = "v".repeat(28);
    const name = onlineTableName(project, view);
    expect(`${project}__${view}`).toHaveLength(70);
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^p{40}__v{12}_[0-9a-f]{8}$/);
    expect(onlineTableName(project, view)).toBe(name);
    expect(onlineTableName(project, `${view}x`)).not.toBe(name);
    expect(onlineTableName(project, view.slice(0, 21))).toBe(`${project}__${view.slice(0, 21)}`);
  });

  describe("drift", () => {
    it("recreates a table dropped by hand (safe)", () => {
      const { record } = applied(driverStats());
      const { actions } = plan(driverStats(), record, empty());
      expect(summary(actions)).toEqual([
        "create_table public.drivers__driver_stats safe: drift: table missing",
      ]);
    });

    it("adds back a missing column and drops an extra one", () => {
      const { record, actual } = applied(driverStats());
      const table = actual.tables[0]!;
      table.columns = [
        ...table.columns.filter((c) => c.name !== "acc_rate"),
        { name: "by_hand", type: "text" },
      ];
      const { actions } = plan(driverStats(), record, actual);
      expect(summary(actions)).toEqual([
        "drop_column public.drivers__driver_stats.by_hand destructive: drift: extra column by_hand",
        "add_column public.drivers__driver_stats.acc_rate safe: drift: column acc_rate missing",
      ]);
    });

    it("rebuilds a table whose column type or primary key was changed by hand", () => {
      const { record, actual } = applied(driverStats());
      const table = actual.tables[0]!;
      table.columns = table.columns.map((c) => (c.name === "conv_rate" ? { ...c, type: "numeric" } : c));
      table.primaryKey = [];
      const { actions } = plan(driverStats(), record, actual);
      expect(summary(actions)).toEqual([
        "rebuild_table public.drivers__driver_stats rebuild: drift: no primary key, expected (driver_id); drift: column conv_rate is numeric, expected real",
      ]);
    });

    it("folds the intended column changes into a drift rebuild of the same table", () => {
      const { record, actual } = applied(driverStats());
      actual.tables[0]!.columns = actual.tables[0]!.columns.map((c) =>
        c.name === "driver_id" ? { ...c, type: "text" } : c,
      );
      const { actions } = plan(
        driverStats({}, { conv_rate: "float32", acc_rate: "float32", z: "bool" }),
        record,
        actual,
      );
      expect(summary(actions)).toEqual([
        "rebuild_table public.drivers__driver_stats rebuild: feature z added; drift: column driver_id is text, expected bigint",
      ]);
    });

    it("drops a table carrying this project's marker that the registry does not know", () => {
      const { record, actual } = applied(driverStats());
      actual.tables.push({ name: "drivers__old_view", markedView: "old_view", columns: [], primaryKey: [] });
      const { actions } = plan(driverStats(), record, actual);
      expect(summary(actions)).toEqual([
        "drop_table public.drivers__old_view destructive: drift: table not in registry",
      ]);
    });

    it("never names a table without this project's marker that nothing recorded", () => {
      const { record, actual } = applied(driverStats());
      actual.tables.push({ name: "drivers__someone_elses", markedView: null, columns: [], primaryKey: [] });
      expect(plan(driverStats(), record, actual).actions).toEqual([]);
      expect(planDestroy(P, record, actual).map((a) => a.target)).toEqual(["public.drivers__driver_stats"]);
    });

    it("re-plans the same actions after a crash between DDL and registry commit", () => {
      const before = applied(driverStats());
      const next = driverStats({}, { conv_rate: "float64", trips: "int64" });
      const first = plan(next, before.record, before.actual);
      // The DDL committed, the registry did not: the store holds the new layout, the record the old one.
      const afterDdl = storeAfter(first.record);
      const second = plan(next, before.record, afterDdl);
      expect(second).toEqual(first);
      // And once the registry commit happens, nothing is left to do.
      expect(plan(next, first.record, afterDdl).actions).toEqual([]);
    });
  });

  it("plans CREATE SCHEMA only while the schema is missing (so a crash right after creating it changes the plan)", () => {
    const first = plan(driverStats(), null, empty("online", false));
    const afterCrash = plan(driverStats(), null, {
      ...storeAfter(first.record, "online"),
      schemaExists: true,
    });
    // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when the schema exists, so it
    // cannot be planned unconditionally; the re-plan after such a crash lacks it.
    expect(first.actions.map((a) => a.action)).toEqual(["create_schema", "create_table"]);
    expect(afterCrash.actions).toEqual(first.actions.slice(1));
  });

  it("orders actions by view name whatever the definition order", () => {
    const objects = [
      entity("driver", ["driver_id"]),
      featureView("zeta", ["driver"], { a: "int32" }),
      featureView("alpha", ["driver"], { a: "int32" }),
      featureView("mid", ["driver"], { a: "int32" }),
    ];
    const a = plan(objects);
    const b = plan([...objects].reverse());
    expect(a).toEqual(b);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.actions.map((x) => x.target)).toEqual([
      "public.drivers__alpha",
      "public.drivers__mid",
      "public.drivers__zeta",
    ]);
  });

  it("ignores tables recorded under another schema (the config moved the store)", () => {
    const { record } = applied(driverStats());
    const actual = empty("online", true);
    const { actions } = plan(driverStats(), record, actual);
    expect(summary(actions)).toEqual(["create_table online.drivers__driver_stats safe: new view"]);
  });

  it("refuses a layout that cannot be a table", () => {
    expect(() =>
      plan([entity("driver", ["driver_id"]), featureView("v", ["driver"], { event_ts: "int64" })]),
    ).toThrow(/collides/);
    expect(() => plan([featureView("v", ["ghost"], { a: "int64" })])).toThrow(/entity ghost/);
  });

  it("destroy drops every recorded or marked table of the project, and nothing else", () => {
    const { record, actual } = applied([
      entity("driver", ["driver_id"]),
      featureView("b", ["driver"], { a: "int32" }),
      featureView("a", ["driver"], { a: "int32" }),
    ]);
    actual.tables.push({ name: "drivers__orphan", markedView: "orphan", columns: [], primaryKey: [] });
    actual.tables.push({ name: "other__a", markedView: null, columns: [], primaryKey: [] });
    const actions = planDestroy(P, record, actual);
    expect(summary(actions)).toEqual([
      "drop_table public.drivers__a destructive: destroy project",
      "drop_table public.drivers__b destructive: destroy project",
      "drop_table public.drivers__orphan destructive: destroy project",
    ]);
  });
});
