/**
 * On-demand views on a training set: the same transform runner the server uses
 * (`createTransformRunner(state).run(view, columns)` from src/serving/transforms.ts), fed the
 * joined rows a chunk at a time, so training and serving compute the same values and memory stays
 * bounded. Results go back into DuckDB as JSON text and are cast to the view's dtypes there.
 */
import type { RegistryState } from "../model/registry.js";
import { quoteIdent } from "../infra/sql.js";
import type { Duck } from "./engines.js";
import type { TrainingPlan } from "./request.js";
import { ROW_INDEX, TrainingError } from "./request.js";
import { duckdbType } from "./sql-postgres.js";
import { toJsValue } from "./values.js";

/** The contract serve's src/serving/transforms.ts implements. */
export interface TransformRunner {
  run(viewName: string, inputs: Record<string, unknown[]>): Record<string, unknown[]>;
}
type RunnerFactory = (state: RegistryState) => TransformRunner;

// A variable specifier: the serving module is loaded only when a request has on-demand views.
const TRANSFORMS_MODULE = "../serving/transforms.js";

async function loadRunner(state: RegistryState): Promise<TransformRunner> {
  let mod: { createTransformRunner?: RunnerFactory };
  try {
    mod = (await import(TRANSFORMS_MODULE)) as { createTransformRunner?: RunnerFactory };
  } catch {
    mod = {};
  }
  if (typeof mod.createTransformRunner !== "function")
    throw new TrainingError(
      "on-demand views need the serving module's transform runner, missing in this build",
    );
  return mod.createTransformRunner(state);
}

const CHUNK_ROWS = 10_000;

export async function applyOnDemand(
  state: RegistryState,
  plan: TrainingPlan,
  duck: Duck,
  table: string,
): Promise<void> {
  const runner = await loadRunner(state);
  const outCols = plan.onDemand.flatMap((od) =>
    od.outputs.map((o) => ({ od, o, internal: `od_${od.view}__${o.name}` })),
  );
  await duck.conn.run(
    `CREATE TABLE __od (${[`${quoteIdent(ROW_INDEX)} BIGINT`, ...outCols.map((c) => `${quoteIdent(c.internal)} VARCHAR`)].join(", ")})`,
  );
  const appender = await duck.conn.createAppender("__od");
  try {
    const result = await duck.conn.stream(`SELECT * FROM ${table} ORDER BY ${quoteIdent(ROW_INDEX)}`);
    const names = result.columnNames();
    let chunk: Record<string, unknown>[] = [];
    const flush = () => {
      if (chunk.length === 0) return;
      const computed = new Map<string, unknown[]>();
      for (const od of plan.onDemand) {
        const inputs: Record<string, unknown[]> = {};
        for (const i of od.inputs) inputs[i.name] = chunk.map((r) => r[i.internal] ?? null);
        for (const f of od.requestFields) inputs[f] = chunk.map((r) => r[f] ?? null);
        const out = runner.run(od.view, inputs);
        for (const o of od.outputs) computed.set(`od_${od.view}__${o.name}`, out[o.name] ?? []);
      }
      chunk.forEach((r, i) => {
        appender.appendBigInt(BigInt(r[ROW_INDEX] as number));
        for (const c of outCols) {
          const v = computed.get(c.internal)![i];
          if (v === null || v === undefined) appender.appendNull();
          else appender.appendVarchar(JSON.stringify(v instanceof Date ? v.toISOString() : v));
        }
        appender.endRow();
      });
      chunk = [];
    };
    for await (const rows of result.yieldRowsJs()) {
      for (const row of rows) {
        const obj: Record<string, unknown> = {};
        names.forEach((n, i) => (obj[n] = toJsValue(row[i])));
        chunk.push(obj);
        if (chunk.length >= CHUNK_ROWS) flush();
      }
    }
    flush();
  } finally {
    appender.closeSync();
  }
  const casts = outCols.map(({ o, internal }) => {
    const q = `od.${quoteIdent(internal)}`;
    const t = duckdbType(o.dtype);
    const expr =
      o.dtype === "string" || o.dtype === "unix_timestamp"
        ? `CAST(json_extract_string(${q}, '$') AS ${t})`
        : `CAST(CAST(${q} AS JSON) AS ${t})`;
    return `${expr} AS ${quoteIdent(internal)}`;
  });
  await duck.conn.run(
    `CREATE TABLE __joined_od AS SELECT j.*, ${casts.join(", ")} FROM ${table} AS j JOIN __od AS od USING (${quoteIdent(
      ROW_INDEX,
    )}) ORDER BY j.${quoteIdent(ROW_INDEX)}`,
  );
  await duck.conn.run(`DROP TABLE ${table}`);
  await duck.conn.run("DROP TABLE __od");
  await duck.conn.run(`ALTER TABLE __joined_od RENAME TO ${table}`);
}
