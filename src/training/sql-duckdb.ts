/**
 * The point-in-time join in DuckDB: `ASOF LEFT JOIN` of the entity rows against each view's
 * files. ASOF picks, per entity row, the feature row with the greatest event timestamp ≤ the
 * entity's; it has no tie-break of its own, so the feature rows are first reduced to one per
 * (join keys, event timestamp) — the latest created — and the ttl is checked on the match (if the
 * greatest timestamp ≤ t is older than t − ttl, no row inside the window exists).
 */
import { quoteIdent, quoteLiteral } from "../infra/sql.js";
import { ENTITY_TIMESTAMP, ROW_INDEX } from "./request.js";
import type { ViewColumns } from "./sql-postgres.js";
import { duckdbType } from "./sql-postgres.js";

export interface DuckView {
  /** A relation DuckDB reads: `read_parquet([...])`, `read_csv([...])`, or a table name. */
  relation: string;
  columns: ViewColumns;
  ttl: number;
}

/** `SELECT row index, features (internal names) FROM entities ASOF LEFT JOIN (one row per ts) …`. */
export function duckdbPitSql(entityTable: string, view: DuckView, createdBefore: Date | null): string {
  const { columns } = view;
  const ts = "__fsops_ts";
  const created = "__fsops_created";
  const inner = [
    ...columns.keys.map((k) => `${quoteIdent(k.column)} AS ${quoteIdent(`__k_${k.name}`)}`),
    `CAST(${quoteIdent(columns.eventTs)} AS TIMESTAMPTZ) AS ${ts}`,
    columns.created === null
      ? `CAST(NULL AS TIMESTAMPTZ) AS ${created}`
      : `CAST(${quoteIdent(columns.created)} AS TIMESTAMPTZ) AS ${created}`,
    ...columns.features.map(
      (f) => `CAST(${quoteIdent(f.column)} AS ${duckdbType(f.dtype)}) AS ${quoteIdent(f.internal)}`,
    ),
  ];
  const filters = [
    `${ts} IS NOT NULL`,
    ...(createdBefore && columns.created !== null
      ? [
          `(${created} IS NULL OR ${created} <= CAST(${quoteLiteral(createdBefore.toISOString())} AS TIMESTAMPTZ))`,
        ]
      : []),
  ];
  const partition = [...columns.keys.map((k) => quoteIdent(`__k_${k.name}`)), ts].join(", ");
  const features = `SELECT * FROM (SELECT ${inner.join(", ")} FROM ${view.relation}) WHERE ${filters.join(
    " AND ",
  )} QUALIFY row_number() OVER (PARTITION BY ${partition} ORDER BY ${created} DESC NULLS LAST) = 1`;
  const at = `e.${quoteIdent(ENTITY_TIMESTAMP)}`;
  const on = [
    ...columns.keys.map((k) => `e.${quoteIdent(k.name)} = f.${quoteIdent(`__k_${k.name}`)}`),
    `${at} >= f.${ts}`,
  ];
  const inWindow = view.ttl > 0 ? `f.${ts} >= ${at} - INTERVAL ${view.ttl} SECOND` : null;
  const selects = [
    `e.${quoteIdent(ROW_INDEX)}`,
    ...columns.features.map((f) =>
      inWindow
        ? `CASE WHEN ${inWindow} THEN f.${quoteIdent(f.internal)} END AS ${quoteIdent(f.internal)}`
        : `f.${quoteIdent(f.internal)}`,
    ),
  ];
  return `SELECT ${selects.join(", ")} FROM ${entityTable} AS e ASOF LEFT JOIN (${features}) AS f ON ${on.join(
    " AND ",
  )}`;
}
