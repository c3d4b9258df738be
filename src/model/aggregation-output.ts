import { formatDuration } from "../validate/duration.js";
import type { AggregationSpec } from "./spec.js";

/**
 * The feature an aggregation of a stream feature view produces: its `name` when written; else
 * its column when the column is itself a field of the view's schema (Feast's convention: the
 * schema names the aggregated columns); else `<column>_<function>_<window>` like
 * `amount_sum_1h`. The view's schema lists every output (validation checks it). Several unnamed
 * aggregations of one schema column all feed that column, as before aggregations had names.
 */
export function aggregationOutputName(
  a: Pick<AggregationSpec, "column" | "function" | "timeWindow" | "name">,
  schemaNames: readonly string[],
): string {
  if (a.name !== undefined) return a.name;
  if (schemaNames.includes(a.column)) return a.column;
  return `${a.column}_${a.function}_${formatDuration(a.timeWindow)}`;
}
