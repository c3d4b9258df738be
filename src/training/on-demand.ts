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
import { ROW_INDEX } from "./request.js";
import { duckdbType } from "./sql-postgres.js";
import { toJsValue } from "./values.js";
import { normalizeValue } from "../serving/values.js";
import type { Dtype } from "../model/kinds.js";

async function loadRunner(state: RegistryState) {
  // Loaded only when a request has on-demand views: the runner brings the compiler with it.
  const { createTransformRunner } = await import("../serving/transforms.js");
  return createTransformRunner(state);
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
        // As the server passes them: each feature by name and by view__name.
        for (const i of od.inputs) {
          const column = chunk.map((r) => normalizeValue(r[i.internal] ?? null, i.dtype));
          inputs[i.name] = column;
          inputs[`${i.view}__${i.name}`] = column;
        }
        for (const f of od.requestFields)
          inputs[f.name] = chunk.map((r) => normalizeValue(r[f.name] ?? null, f.dtype));
        const out = runner.run(od.view, inputs);
        for (const o of od.outputs) computed.set(`od_${od.view}__${o.name}`, out[o.name] ?? []);
      }
      chunk.forEach((r, i) => {
        appender.appendBigInt(BigInt(r[ROW_INDEX] as number));
        for (const c of outCols) {
          const v = computed.get(c.internal)![i];
          if (v === null || v === undefined) appender.appendNull();
          else appender.appendVarchar(encode(v, c.o.dtype));
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
      o.dtype === "bytes"
        ? `from_hex(${q})`
        : o.dtype.endsWith("[]")
          ? `CAST(CAST(${q} AS JSON) AS ${t})`
          : `CAST(${q} AS ${t})`;
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

/** A transform's output value as text DuckDB casts to the dtype (lists as JSON, bytes as hex). */
function encode(v: unknown, dtype: Dtype): string {
  const scalar = (x: unknown): string =>
    x instanceof Date
      ? x.toISOString()
      : x instanceof Uint8Array
        ? Buffer.from(x).toString("hex")
        : String(x);
  if (dtype.endsWith("[]"))
    return JSON.stringify(v, (_k, x: unknown) =>
      typeof x === "bigint" ? Number(x) : x instanceof Date ? x.toISOString() : x,
    );
  return scalar(v);
}
