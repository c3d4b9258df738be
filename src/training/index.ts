/**
 * Point-in-time correct training sets: `getHistoricalFeatures(ctx, req)` (called by
 * `FeatureStore.getHistoricalFeatures` in fsops/serving and by `fsops get-historical-features`).
 *
 * For each entity row and each requested view: the feature row with the greatest event timestamp
 * ≤ the row's `event_timestamp` (and ≥ it minus the view's ttl, when it has one), ties broken by
 * the latest created timestamp, only rows created at or before `createdBefore` when given; no
 * such row → null. Every entity row comes out once, in input order, with its other columns.
 */
import { randomBytes } from "node:crypto";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { quoteLiteral } from "../infra/sql.js";
import type { EntityInput } from "./entities.js";
import type { HistoricalRequest, TrainingPlan } from "./request.js";
import { TrainingError, planRequest } from "./request.js";
import type { PreparedResult, TrainingContext } from "./run.js";
import { prepareResult } from "./run.js";
import { toJsValue } from "./values.js";

export type { HistoricalRequest } from "./request.js";
export { TrainingError } from "./request.js";
export type { TrainingContext } from "./run.js";

export interface HistoricalFeatures {
  /** Result columns: the entity columns, then the features. Known once the request ran. */
  readonly plan: TrainingPlan;
  /** Rows as objects, in input order, a DuckDB chunk at a time. */
  stream(): AsyncIterable<Record<string, unknown>>;
  toArray(): Promise<Record<string, unknown>[]>;
  /** Parquet or CSV by extension; written to a temp file beside `file` and renamed. */
  writeFile(file: string): Promise<{ rows: number }>;
}

/**
 * Plan the request now (unknown features, services and malformed options fail here), run it when
 * the result is read. `entityFile` is the CLI's way in: a CSV/Parquet/JSONL path.
 */
export async function getHistoricalFeatures(
  ctx: TrainingContext,
  req: HistoricalRequest & { entityFile?: string },
): Promise<HistoricalFeatures> {
  const { entityFile, ...rest } = req;
  const plan = planRequest(ctx.state, entityFile !== undefined ? { ...rest, entityRows: [] } : rest);
  const input: EntityInput =
    entityFile !== undefined
      ? { kind: "file", path: entityFile }
      : rest.entitySql !== undefined
        ? { kind: "sql", sql: rest.entitySql }
        : { kind: "rows", rows: rest.entityRows! };
  const run = () => prepareResult(ctx, plan, input);
  return {
    plan,
    stream: () => streamRows(run),
    async toArray() {
      const rows: Record<string, unknown>[] = [];
      for await (const r of streamRows(run)) rows.push(r);
      return rows;
    },
    writeFile: (file) => writeResult(run, file),
  };
}

async function* streamRows(run: () => Promise<PreparedResult>): AsyncGenerator<Record<string, unknown>> {
  const prepared = await run();
  try {
    const result = await prepared.duck.conn.stream(prepared.sql);
    const names = result.columnNames();
    for await (const rows of result.yieldRowsJs()) {
      for (const row of rows) {
        const obj: Record<string, unknown> = {};
        names.forEach((n, i) => (obj[n] = toJsValue(row[i])));
        yield obj;
      }
    }
  } finally {
    await prepared.close();
  }
}

export function outputFormat(file: string): "parquet" | "csv" {
  if (/\.parquet$/i.test(file)) return "parquet";
  if (/\.csv$/i.test(file)) return "csv";
  throw new TrainingError(`--out ${file}: unknown format`, "end the file name in .parquet or .csv");
}

async function writeResult(run: () => Promise<PreparedResult>, file: string): Promise<{ rows: number }> {
  const format = outputFormat(file);
  const target = path.resolve(file);
  // Same folder, so the rename is atomic and nothing partial is ever at `file`.
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString("hex")}.tmp`,
  );
  const prepared = await run();
  try {
    const options = format === "parquet" ? "FORMAT parquet, COMPRESSION zstd" : "FORMAT csv, HEADER true";
    const r = await prepared.duck.conn.runAndReadAll(
      `COPY (${prepared.sql}) TO ${quoteLiteral(tmp)} (${options})`,
    );
    const rows = Number(r.getRowsJS()[0]?.[0] ?? 0);
    await rename(tmp, target);
    return { rows };
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    await prepared.close();
  }
}
