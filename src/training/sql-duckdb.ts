/**
 * The point-in-time join in DuckDB: `ASOF LEFT JOIN` of the entity rows against each view's
 * files. ASOF picks, per entity row, the feature row with the greatest event timestamp ≤ the
 * entity's; it has no tie-break of its own, so the feature rows are first reduced to one per
 * (join keys, event timestamp) — the latest created — and the ttl is checked on the match (if the
 * greatest timestamp ≤ t is older than t − ttl, no row inside the window exists).
 */
import { quoteIdent, quoteLiteral } from "../infra/sql.js";
import { ENTITY_TIMESTAMP } from "./request.js";
import type { ViewColumns } from "./sql-postgres.js";
import { duckdbType } from "./sql-postgres.js";

/** The earliest and latest entity times (DuckDB text of TIMESTAMPTZ values). */
export interface EntityTimes {
  min: string;
  max: string;
}

export interface DuckView {
  /** A relation DuckDB reads: `read_parquet([...])`, `read_csv([...])`, or a table name. */
  relation: string;
  columns: ViewColumns;
  ttl: number;
}

/**
 * `ASOF LEFT JOIN (the view's rows, one per key and time) AS alias ON keys AND e.ts >= ts` on the
 * entity table aliased `e`, and the expression of each feature (null outside the ttl). Every
 * view joins the same entity rows in one statement, as a hand-written query would.
 */
export function duckdbAsofJoin(
  view: DuckView,
  alias: string,
  createdBefore: Date | null,
  entityTimes: EntityTimes | null,
): { join: string; exprs: [string, string][] } {
  const { columns } = view;
  const ts = "__fsops_ts";
  const created = "__fsops_created";
  const inner = [
    ...columns.keys.map((k) => `${quoteIdent(k.column)} AS ${quoteIdent(`__k_${k.name}`)}`),
    `CAST(${quoteIdent(columns.eventTs)} AS TIMESTAMPTZ) AS ${ts}`,
    ...(columns.created === null
      ? []
      : [`CAST(${quoteIdent(columns.created)} AS TIMESTAMPTZ) AS ${created}`]),
    ...columns.features.map(
      (f) => `CAST(${quoteIdent(f.column)} AS ${duckdbType(f.dtype)}) AS ${quoteIdent(f.internal)}`,
    ),
  ];
  const time = (t: string) => `CAST(${quoteLiteral(t)} AS TIMESTAMPTZ)`;
  const filters = [
    `${ts} IS NOT NULL`,
    // Rows after the last entity time can never match, nor, with a ttl, rows before the first
    // entity time minus the ttl: the scan drops them (whole row groups by their statistics) and
    // the ASOF sorts only what can count. A filter, not a change of result: a match it removes
    // was outside every window (null either way).
    ...(entityTimes ? [`${ts} <= ${time(entityTimes.max)}`] : []),
    ...(entityTimes && view.ttl > 0
      ? [`${ts} >= ${time(entityTimes.min)} - INTERVAL ${view.ttl} SECOND`]
      : []),
    ...(createdBefore && columns.created !== null
      ? [
          `(${created} IS NULL OR ${created} <= CAST(${quoteLiteral(createdBefore.toISOString())} AS TIMESTAMPTZ))`,
        ]
      : []),
  ];
  const at = `e.${quoteIdent(ENTITY_TIMESTAMP)}`;
  // The created tie-break folded into the ASOF inequality: {event, created} compared as one
  // struct (field by field), so ASOF's "greatest ≤" picks the latest event and, among equal
  // events, the latest created (a missing created timestamp ranks below any: -infinity). The
  // entity side takes +infinity. Measured at 100k × 1M rows: a window de-duplication first
  // cost +0.8× the whole join, a 128-bit (event µs, created µs) number +0.25×, this +0.15×.
  let order: { feature: string; entity: string } | null = null;
  if (columns.created !== null) {
    inner.push(`{'t': ${ts}, 'c': coalesce(${created}, CAST('-infinity' AS TIMESTAMPTZ))} AS __fsops_order`);
    order = {
      feature: `${alias}.__fsops_order`,
      entity: `{'t': ${at}, 'c': CAST('infinity' AS TIMESTAMPTZ)}`,
    };
  }
  const rows = `SELECT * FROM (SELECT ${inner.join(", ")} FROM ${view.relation}) WHERE ${filters.join(" AND ")}`;
  const on = [
    ...columns.keys.map((k) => `e.${quoteIdent(k.name)} = ${alias}.${quoteIdent(`__k_${k.name}`)}`),
    order ? `${order.entity} >= ${order.feature}` : `${at} >= ${alias}.${ts}`,
  ];
  // Whether the match counts: inside the ttl window, and, with the struct order, only for an
  // entity row with a time (DuckDB's ASOF matches a struct whose time is NULL, unlike a NULL
  // timestamp). Checked on the joined rows rather than as an extra ASOF equality on a constant
  // column, which every feature row paid for in the sort and in memory (measured at 100k × 1M,
  // one thread: ~5 % less CPU; within the noise at two).
  const conditions = [
    ...(order ? [`${at} IS NOT NULL`] : []),
    ...(view.ttl > 0 ? [`${alias}.${ts} >= ${at} - INTERVAL ${view.ttl} SECOND`] : []),
  ];
  const inWindow = conditions.length ? conditions.join(" AND ") : null;
  return {
    join: `ASOF LEFT JOIN (${rows}) AS ${alias} ON ${on.join(" AND ")}`,
    exprs: columns.features.map((f) => [
      f.internal,
      inWindow
        ? `CASE WHEN ${inWindow} THEN ${alias}.${quoteIdent(f.internal)} END`
        : `${alias}.${quoteIdent(f.internal)}`,
    ]),
  };
}
