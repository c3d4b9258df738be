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
import { viewColumns } from "./source-columns.js";
import type { DuckView } from "./sql-duckdb.js";
import type { PgView } from "./sql-postgres.js";
import { duckdbPitSql } from "./sql-duckdb.js";
import { duckdbFromPgText, duckdbType, pgRelation, pgType, postgresPitSql } from "./sql-postgres.js";
import { resolveFileSource } from "./files.js";
import { applyOnDemand } from "./on-demand.js";

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
  if (needPg && !ctx.config.offlineStore) {
    const why = pgViews[0]
      ? `view ${pgViews[0].view} reads PostgresSource ${pgViews[0].source.name}`
      : "entitySql runs in the offline store";
    throw new TrainingError(
      `${why}, but fsops.yaml has no offline_store`,
      "add offline_store: { type: postgres, connection_string: … }",
    );
  }
  const duck = await openDuck();
  let client: pg.Client | null = null;
  const close = async () => {
    if (client) {
      await client.query("ROLLBACK").catch(() => undefined);
      await client.end().catch(() => undefined);
      client = null;
    }
    duck.close();
  };
  try {
    if (needPg) {
      client = await openPg(ctx.config.offlineStore!.connectionString);
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

    const joined: { alias: string; relation: string }[] = [];
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
        const spec = v.source.spec as Extract<ViewJoin["source"]["spec"], { type: "postgres" }>;
        const relation = pgRelation(spec);
        const columns = viewColumns(v);
        await checkPgColumns(c, relation, v, columns);
        views.push({ relation, columns, ttl: v.ttl });
      }
      const sql = postgresPitSql(PG_ENTITIES, views, plan.createdBefore);
      await pgIntoDuck(c, sql, duck, PG_FEATURES);
      joined.push({ alias: "p", relation: PG_FEATURES });
      for (const v of pgViews)
        for (const f of v.features)
          featureExpr.set(f.internal, duckdbFromPgText(`p.${quoteIdent(f.internal)}`, f.dtype));
      await c.query("COMMIT");
    }

    for (const [i, v] of fileViews.entries()) {
      const spec = v.source.spec as Extract<ViewJoin["source"]["spec"], { type: "file" }>;
      const relation = await resolveFileSource(ctx, v.source.name, spec, v.source.where);
      const columns = viewColumns(v);
      await checkDuckColumns(duck, relation, v, columns);
      const view: DuckView = { relation, columns, ttl: v.ttl };
      const table = `__duck_${i}`;
      await duck.conn.run(`CREATE TABLE ${table} AS ${duckdbPitSql(ENTITY_TABLE, view, plan.createdBefore)}`);
      const alias = `d${i}`;
      joined.push({ alias, relation: table });
      for (const f of v.features) featureExpr.set(f.internal, `${alias}.${quoteIdent(f.internal)}`);
    }

    const entityCols = entities.columns.map((n) => `e.${quoteIdent(n)}`);
    const joins = joined
      .map(
        (j) =>
          `LEFT JOIN ${j.relation} AS ${j.alias} ON ${j.alias}.${quoteIdent(ROW_INDEX)} = e.${quoteIdent(ROW_INDEX)}`,
      )
      .join(" ");
    const internalSelect = [
      `e.${quoteIdent(ROW_INDEX)}`,
      ...entityCols,
      ...[...featureExpr].map(([internal, expr]) => `${expr} AS ${quoteIdent(internal)}`),
    ];
    // Every feature fetched (outputs and on-demand inputs) by row index, then the outputs.
    await duck.conn.run(
      `CREATE TABLE __joined AS SELECT ${internalSelect.join(", ")} FROM ${ENTITY_TABLE} AS e ${joins} ORDER BY e.${quoteIdent(
        ROW_INDEX,
      )}`,
    );
    for (const j of joined) await duck.conn.run(`DROP TABLE ${j.relation}`);
    if (plan.onDemand.length > 0) await applyOnDemand(ctx.state, plan, duck, "__joined");
    const outputs = plan.outputs.map((o) => {
      const src =
        featureExpr.has(o.internal) || plan.onDemand.length > 0 ? `j.${quoteIdent(o.internal)}` : "NULL";
      return `CAST(${src} AS ${duckdbType(o.dtype)}) AS ${quoteIdent(o.output)}`;
    });
    const sql = `SELECT ${[...entities.columns.map((n) => `j.${quoteIdent(n)}`), ...outputs].join(
      ", ",
    )} FROM __joined AS j ORDER BY j.${quoteIdent(ROW_INDEX)}`;
    return { duck, sql, columns: [...entities.columns, ...plan.outputs.map((o) => o.output)], close };
  } catch (e) {
    await close();
    throw e;
  }
}

function uniqueKeys(views: ViewJoin[]) {
  const seen = new Map<string, ViewJoin["joinKeys"][number]>();
  for (const v of views) for (const k of v.joinKeys) if (!seen.has(k.name)) seen.set(k.name, k);
  return [...seen.values()];
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
  columns: ReturnType<typeof viewColumns>,
) {
  let fields: { name: string; dataTypeID: number }[];
  await client.query("SAVEPOINT fsops_check");
  try {
    fields = (await client.query(`SELECT * FROM ${relation} AS s LIMIT 0`)).fields;
    await client.query("RELEASE SAVEPOINT fsops_check");
  } catch (e) {
    await client.query("ROLLBACK TO SAVEPOINT fsops_check");
    throw new TrainingError(
      `source ${v.source.name} (${v.source.where}) of view ${v.view}: cannot read it in the offline store: ${(e as Error).message}`,
    );
  }
  const types = await client.query<{ oid: number; typname: string }>(
    "SELECT oid::int AS oid, typname FROM pg_type WHERE oid = ANY($1::oid[])",
    [fields.map((f) => f.dataTypeID)],
  );
  const typname = new Map(types.rows.map((r) => [r.oid, r.typname]));
  const have = new Map(fields.map((f) => [f.name, typname.get(f.dataTypeID) ?? "?"]));
  checkColumns(v, columns, have, (dtype, t) => PG_KEY_TYPES[dtype]?.includes(t) ?? false);
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
  columns: ReturnType<typeof viewColumns>,
) {
  let rows: Record<string, unknown>[];
  try {
    rows = (await duck.conn.runAndReadAll(`DESCRIBE SELECT * FROM ${relation}`)).getRowObjectsJS();
  } catch (e) {
    throw new TrainingError(
      `source ${v.source.name} (${v.source.where}) of view ${v.view}: cannot read its files: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  const have = new Map(rows.map((r) => [String(r.column_name), String(r.column_type)]));
  checkColumns(v, columns, have, (dtype, t) => DUCK_KEY_TYPES[dtype]?.(t) ?? false);
}

function checkColumns(
  v: ViewJoin,
  columns: ReturnType<typeof viewColumns>,
  have: Map<string, string>,
  keyFits: (dtype: string, type: string) => boolean,
) {
  const at = `source ${v.source.name} (${v.source.where})`;
  const need: [string, string][] = [
    [columns.eventTs, "timestampField"],
    ...(columns.created ? [[columns.created, "createdTimestampColumn"] as [string, string]] : []),
    ...columns.keys.map((k): [string, string] => [k.column, `join key ${k.name}`]),
    ...v.features.map((f, i): [string, string] => [
      columns.features[i]!.column,
      `feature ${v.view}:${f.name}`,
    ]),
  ];
  for (const [col, use] of need)
    if (!have.has(col))
      throw new TrainingError(
        `${at}: column ${JSON.stringify(col)} (${use}) is missing; it has ${[...have.keys()].join(", ")}`,
        "fix the source's columns or its fieldMapping (source column → feature name), then apply",
      );
  for (const [i, k] of columns.keys.entries()) {
    const t = have.get(k.column)!;
    const key = v.joinKeys[i]!;
    if (!keyFits(key.dtype, t))
      throw new TrainingError(
        `${at}: mismatched key type: column ${JSON.stringify(k.column)} is ${t}, but join key ${key.name} of entity ${key.entity} is ${key.dtype}`,
        "make the column's type match the entity's valueType",
      );
  }
}
