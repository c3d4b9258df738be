/**
 * Runs a planned historical request: entity rows into DuckDB; views on PostgresSources joined in
 * one statement in the offline Postgres (entity rows moved there first, or `entitySql` run
 * there), views on FileSources joined by DuckDB `ASOF`; everything merged by row index in DuckDB,
 * in input order. The result is a DuckDB query the caller streams or copies to a file.
 */
import type pg from "pg";
import type { ProjectConfig } from "../model/config.js";
import type { RegistryState } from "../model/registry.js";
import { quoteIdent } from "../infra/sql.js";
import type { Duck } from "./engines.js";
import { duckIntoPg, openDuck, openPg, pgIntoDuck } from "./engines.js";
import type { EntityInput } from "./entities.js";
import { ENTITY_TABLE, loadEntities } from "./entities.js";
import type { TrainingPlan, ViewJoin } from "./request.js";
import { ENTITY_TIMESTAMP, ROW_INDEX, TrainingError } from "./request.js";
import type { DuckView, EntityTimes } from "./sql-duckdb.js";
import type { PgView, ViewColumns } from "./sql-postgres.js";
import { duckdbAsofJoin } from "./sql-duckdb.js";
import { duckdbFromPgText, duckdbType, pgType, postgresPitSql } from "./sql-postgres.js";
import { applyOnDemand } from "./on-demand.js";
import type { ViewSource } from "../offline/index.js";
import {
  checkColumns,
  duckRelation,
  isDummyKey,
  offlinePostgres,
  postgresRelation,
  resolveFileSource,
  sourceLocation,
  viewSource,
} from "../offline/index.js";

export interface TrainingContext {
  projectDir: string;
  config: ProjectConfig;
  state: RegistryState;
}

export interface PreparedResult {
  duck: Duck;
  /** The final query: entity columns then feature columns, ordered by input row. */
  sql: string;
  columns: string[];
  close(): Promise<void>;
}

const PG_ENTITIES = "fsops_entities";
const PG_FEATURES = "__pg_features";

export async function prepareResult(
  ctx: TrainingContext,
  plan: TrainingPlan,
  input: EntityInput,
): Promise<PreparedResult> {
  const pgViews = plan.views.filter((v) => v.source.spec.type === "postgres");
  const fileViews = plan.views.filter((v) => v.source.spec.type === "file");
  const needPg = pgViews.length > 0 || input.kind === "sql";
  const offline = { projectDir: ctx.projectDir, offlineStore: ctx.config.offlineStore };
  // Only the requested features are read (and must have a readable dtype); keys are always checked.
  const sources = new Map(
    plan.views.map((v) => [
      v.view,
      viewSource(
        ctx.state,
        v.view,
        v.features.map((f) => f.name),
      ),
    ]),
  );
  let connectionString: string | null = null;
  if (pgViews.length > 0) connectionString = offlinePostgres(offline, sources.get(pgViews[0]!.view)!);
  else if (input.kind === "sql") {
    if (ctx.config.offlineStore?.type !== "postgres")
      throw new TrainingError(
        "entitySql runs in the offline store, but fsops.yaml has no postgres offline_store",
        "add offline_store: { type: postgres, connection_string: ${FSOPS_OFFLINE_PG} }",
      );
    connectionString = ctx.config.offlineStore.connectionString;
  }
  const duck = await openDuck();
  const cleanups: (() => Promise<void>)[] = [];
  let client: pg.Client | null = null;
  const close = async () => {
    if (client) {
      await client.query("ROLLBACK").catch(() => undefined);
      await client.end().catch(() => undefined);
      client = null;
    }
    duck.close();
    for (const c of cleanups.splice(0)) await c().catch(() => undefined);
  };
  try {
    if (needPg) {
      client = await openPg(connectionString!);
      // One transaction: temp tables vanish with it, and the cursor needs it.
      await client.query("BEGIN");
    }
    // entitySql with Postgres views: the query runs once, into a temp table, so the join and the
    // entity columns see the same rows in the same order.
    let entitiesInPg = false;
    let entityInput = input;
    if (input.kind === "sql" && pgViews.length > 0) {
      await client!.query(
        `CREATE TEMP TABLE ${PG_ENTITIES} ON COMMIT DROP AS SELECT (row_number() OVER ()) - 1 AS ${quoteIdent(
          ROW_INDEX,
        )}, q.* FROM (${input.sql.trim().replace(/;\s*$/, "")}) AS q`,
      );
      entitiesInPg = true;
      entityInput = { kind: "sql", sql: `SELECT * FROM ${PG_ENTITIES} ORDER BY ${quoteIdent(ROW_INDEX)}` };
    } else if (input.kind === "sql") {
      entityInput = { kind: "sql", sql: input.sql.trim().replace(/;\s*$/, "") };
    }
    const entities = await loadEntities(duck, entityInput, plan, client);
    const collisions = plan.outputs.filter((o) => entities.columns.includes(o.output));
    if (collisions.length)
      throw new TrainingError(
        `feature column ${collisions[0]!.output} has the name of an entity column`,
        "rename the entity column or set fullFeatureNames",
      );

    const asofJoins: string[] = [];
    const featureExpr = new Map<string, string>();

    if (pgViews.length > 0) {
      const c = client!;
      if (!entitiesInPg) {
        const keys = uniqueKeys(pgViews);
        const defs = [
          `${quoteIdent(ROW_INDEX)} bigint`,
          ...keys.map((k) => `${quoteIdent(k.name)} ${pgType(k.dtype)}`),
          `${quoteIdent(ENTITY_TIMESTAMP)} timestamptz`,
        ];
        await c.query(`CREATE TEMP TABLE ${PG_ENTITIES} (${defs.join(", ")}) ON COMMIT DROP`);
        const cols = [ROW_INDEX, ...keys.map((k) => k.name), ENTITY_TIMESTAMP];
        await duckIntoPg(
          duck,
          `SELECT ${cols.map((n) => `CAST(${quoteIdent(n)} AS VARCHAR)`).join(", ")} FROM ${ENTITY_TABLE} ORDER BY ${quoteIdent(ROW_INDEX)}`,
          c,
          PG_ENTITIES,
          ["bigint", ...keys.map((k) => pgType(k.dtype)), "timestamptz"],
        );
        await c.query(`ANALYZE ${PG_ENTITIES}`);
      }
      const views: PgView[] = [];
      for (const v of pgViews) {
        const vs = sources.get(v.view)!;
        const relation = postgresRelation(
          vs.source.spec as Extract<ViewSource["source"]["spec"], { type: "postgres" }>,
        );
        const columns = viewColumns(v, vs);
        await checkPgColumns(c, relation, v, vs, columns);
        views.push({ relation, columns, ttl: v.ttl });
      }
      const sql = postgresPitSql(PG_ENTITIES, views, plan.createdBefore);
      await pgIntoDuck(c, sql, duck, PG_FEATURES);
      for (const v of pgViews)
        for (const f of v.features)
          featureExpr.set(f.internal, duckdbFromPgText(`p.${quoteIdent(f.internal)}`, f.dtype));
      await c.query("COMMIT");
    }

    const entityTimes = fileViews.length > 0 ? await timeRange(duck) : null;
    for (const [i, v] of fileViews.entries()) {
      const vs = sources.get(v.view)!;
      const files = await resolveFileSource(
        v.source.spec.type === "file" ? v.source.spec.path : "",
        ctx.projectDir,
        ctx.config.offlineStore?.s3 ?? null,
      ).catch((e: unknown) => {
        throw locate(vs, e);
      });
      cleanups.push(files.cleanup);
      const relation = duckRelation(files.files, files.format);
      const columns = viewColumns(v, vs);
      await checkDuckColumns(duck, relation, v, vs, columns);
      const view: DuckView = { relation, columns, ttl: v.ttl, columnar: files.format === "parquet" };
      const { join, exprs } = duckdbAsofJoin(view, `d${i}`, plan.createdBefore, entityTimes);
      asofJoins.push(join);
      for (const [internal, expr] of exprs) featureExpr.set(internal, expr);
    }

    // One statement: the entity rows, every file view's ASOF join, the Postgres results by row.
    const row = quoteIdent(ROW_INDEX);
    const from = [
      `${ENTITY_TABLE} AS e`,
      ...asofJoins,
      ...(pgViews.length > 0 ? [`LEFT JOIN ${PG_FEATURES} AS p ON p.${row} = e.${row}`] : []),
    ].join(" ");
    const entityCols = entities.columns.map((n) => `e.${quoteIdent(n)}`);
    let sql: string;
    if (plan.onDemand.length > 0) {
      // Every fetched feature (outputs and transform inputs) kept by row index for the runner.
      const internalSelect = [
        `e.${row}`,
        ...entityCols,
        ...[...featureExpr].map(([internal, expr]) => `${expr} AS ${quoteIdent(internal)}`),
      ];
      await duck.conn.run(`CREATE TABLE __joined AS SELECT ${internalSelect.join(", ")} FROM ${from}`);
      await applyOnDemand(ctx.state, plan, duck, "__joined");
      const outputs = plan.outputs.map(
        (o) => `CAST(j.${quoteIdent(o.internal)} AS ${duckdbType(o.dtype)}) AS ${quoteIdent(o.output)}`,
      );
      sql = `SELECT ${[...entities.columns.map((n) => `j.${quoteIdent(n)}`), ...outputs].join(", ")} FROM __joined AS j ORDER BY j.${row}`;
    } else {
      const outputs = plan.outputs.map(
        (o) => `CAST(${featureExpr.get(o.internal)} AS ${duckdbType(o.dtype)}) AS ${quoteIdent(o.output)}`,
      );
      sql = `SELECT ${[...entityCols, ...outputs].join(", ")} FROM ${from} ORDER BY e.${row}`;
    }
    return { duck, sql, columns: [...entities.columns, ...plan.outputs.map((o) => o.output)], close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** The entity rows' earliest and latest times, null when no row has one. */
async function timeRange(duck: Duck): Promise<EntityTimes | null> {
  const ts = quoteIdent(ENTITY_TIMESTAMP);
  const r = await duck.conn.runAndReadAll(
    `SELECT CAST(min(${ts}) AS VARCHAR) AS lo, CAST(max(${ts}) AS VARCHAR) AS hi FROM ${ENTITY_TABLE}`,
  );
  const row = r.getRowObjectsJS()[0];
  return row?.lo == null || row.hi == null ? null : { min: String(row.lo), max: String(row.hi) };
}

function uniqueKeys(views: ViewJoin[]) {
  const seen = new Map<string, ViewJoin["joinKeys"][number]>();
  for (const v of views) for (const k of v.joinKeys) if (!seen.has(k.name)) seen.set(k.name, k);
  return [...seen.values()];
}

/** The source columns of the requested features of `v` (offline stage's mapping). */
function viewColumns(v: ViewJoin, vs: ViewSource): ViewColumns {
  return {
    keys: vs.keys.filter((k) => !isDummyKey(k)).map((k) => ({ name: k.name, column: k.column })),
    features: v.features.map((f) => ({
      internal: f.internal,
      column: vs.features.find((m) => m.name === f.name)!.column,
      dtype: f.dtype,
    })),
    eventTs: vs.eventTimestamp,
    created: vs.createdTimestamp,
  };
}

/** An offline-stage error, prefixed with where the source is defined when it is not yet. */
function locate(vs: ViewSource, e: unknown): unknown {
  if (!(e instanceof Error) || e.message.startsWith(sourceLocation(vs))) return e;
  const hint = (e as { hint?: string }).hint;
  return new TrainingError(
    `${sourceLocation(vs)}source ${vs.source.name} of view ${vs.view}: ${e.message}`,
    hint,
  );
}

const PG_INT = ["int2", "int4", "int8"];
const PG_KEY_TYPES: Record<string, string[]> = {
  int32: PG_INT,
  int64: PG_INT,
  float32: [...PG_INT, "float4", "float8", "numeric"],
  float64: [...PG_INT, "float4", "float8", "numeric"],
  string: ["text", "varchar", "bpchar", "name", "citext"],
  bool: ["bool"],
  bytes: ["bytea"],
  unix_timestamp: ["timestamptz", "timestamp", "date"],
};

/** Every column the view reads exists in the relation, and join keys have comparable types. */
async function checkPgColumns(
  client: pg.Client,
  relation: string,
  v: ViewJoin,
  vs: ViewSource,
  columns: ViewColumns,
) {
  let fields: { name: string; dataTypeID: number }[];
  await client.query("SAVEPOINT fsops_check");
  try {
    fields = (await client.query(`SELECT * FROM ${relation} AS s LIMIT 0`)).fields;
    await client.query("RELEASE SAVEPOINT fsops_check");
  } catch (e) {
    await client.query("ROLLBACK TO SAVEPOINT fsops_check");
    throw new TrainingError(
      `${sourceLocation(vs)}source ${vs.source.name} of view ${v.view}: cannot read it in the offline store: ${(e as Error).message}`,
      "check the table name or run the query by hand against the offline store",
    );
  }
  const spec = vs.source.spec as Extract<ViewSource["source"]["spec"], { type: "postgres" }>;
  checkColumns(
    vs,
    fields.map((f) => f.name),
    spec.table !== null ? `table ${spec.table}` : "its query",
  );
  const types = await client.query<{ oid: number; typname: string }>(
    "SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1::oid[])",
    [fields.map((f) => f.dataTypeID)],
  );
  const typname = new Map(types.rows.map((r) => [r.oid, r.typname]));
  const have = new Map(fields.map((f) => [f.name, typname.get(f.dataTypeID) ?? "?"]));
  checkKeyTypes(v, vs, columns, have, (dtype, t) => PG_KEY_TYPES[dtype]?.includes(t) ?? false);
}

const DUCK_INT = [
  "TINYINT",
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "HUGEINT",
  "UTINYINT",
  "USMALLINT",
  "UINTEGER",
  "UBIGINT",
];
const DUCK_KEY_TYPES: Record<string, (t: string) => boolean> = {
  int32: (t) => DUCK_INT.includes(t),
  int64: (t) => DUCK_INT.includes(t),
  float32: (t) => DUCK_INT.includes(t) || ["FLOAT", "DOUBLE"].includes(t) || t.startsWith("DECIMAL"),
  float64: (t) => DUCK_INT.includes(t) || ["FLOAT", "DOUBLE"].includes(t) || t.startsWith("DECIMAL"),
  string: (t) => t === "VARCHAR",
  bool: (t) => t === "BOOLEAN",
  bytes: (t) => t === "BLOB",
  unix_timestamp: (t) => t.startsWith("TIMESTAMP") || t === "DATE",
};

async function checkDuckColumns(
  duck: Duck,
  relation: string,
  v: ViewJoin,
  vs: ViewSource,
  columns: ViewColumns,
) {
  let rows: Record<string, unknown>[];
  try {
    rows = (await duck.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowObjectsJS();
  } catch (e) {
    throw new TrainingError(
      `${sourceLocation(vs)}source ${vs.source.name} of view ${v.view}: cannot read its files: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  const have = new Map(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  const spec = vs.source.spec as Extract<ViewSource["source"]["spec"], { type: "file" }>;
  checkColumns(vs, [...have.keys()], `the files of ${spec.path}`);
  checkKeyTypes(v, vs, columns, have, (dtype, t) => DUCK_KEY_TYPES[dtype]?.(t) ?? false);
}

function checkKeyTypes(
  v: ViewJoin,
  vs: ViewSource,
  columns: ViewColumns,
  have: Map<string, string>,
  keyFits: (dtype: string, type: string) => boolean,
) {
  for (const k of columns.keys) {
    const t = have.get(k.column)!;
    const key = v.joinKeys.find((j) => j.name === k.name)!;
    if (!keyFits(key.dtype, t))
      throw new TrainingError(
        `${sourceLocation(vs)}source ${vs.source.name}: mismatched key type: column ${JSON.stringify(k.column)} is ${t}, but join key ${key.name} of entity ${key.entity} is ${key.dtype}`,
        "make the column's type match the entity's valueType (or the entity's valueType the column's)",
      );
  }
}
