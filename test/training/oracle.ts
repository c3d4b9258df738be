/**
 * The point-in-time join written as plainly as possible: for every entity row, for every view,
 * look at every feature row. Engines are checked against this, row for row.
 */

export interface OracleFeatureRow {
  keys: unknown[];
  ts: Date | null;
  created: Date | null;
  values: Record<string, unknown>;
}

export interface OracleView {
  /** Entity columns holding this view's join keys, in the order of `OracleFeatureRow.keys`. */
  keyColumns: string[];
  ttlSeconds: number;
  rows: OracleFeatureRow[];
  /** feature name in `values` → output column. */
  outputs: { feature: string; output: string }[];
}

export function oracleJoin(
  entityRows: { ts: Date | null; columns: Record<string, unknown> }[],
  views: OracleView[],
  createdBefore: Date | null,
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const entity of entityRows) {
    const row: Record<string, unknown> = { ...entity.columns };
    for (const view of views) {
      let best: OracleFeatureRow | null = null;
      for (const candidate of view.rows) {
        let sameKeys = true;
        for (let k = 0; k < view.keyColumns.length; k++) {
          const want = entity.columns[view.keyColumns[k]!];
          const have = candidate.keys[k];
          if (want === null || want === undefined || have === null || have === undefined || want !== have)
            sameKeys = false;
        }
        if (!sameKeys) continue;
        if (entity.ts === null || candidate.ts === null) continue;
        if (candidate.ts.getTime() > entity.ts.getTime()) continue;
        if (view.ttlSeconds > 0 && candidate.ts.getTime() < entity.ts.getTime() - view.ttlSeconds * 1000)
          continue;
        if (
          createdBefore !== null &&
          candidate.created !== null &&
          candidate.created.getTime() > createdBefore.getTime()
        )
          continue;
        if (best === null) {
          best = candidate;
          continue;
        }
        if (candidate.ts.getTime() > best.ts!.getTime()) {
          best = candidate;
          continue;
        }
        if (candidate.ts.getTime() === best.ts!.getTime()) {
          // A row with a created timestamp is newer than one without.
          const c = candidate.created === null ? -Infinity : candidate.created.getTime();
          const b = best.created === null ? -Infinity : best.created.getTime();
          if (c > b) best = candidate;
        }
      }
      for (const o of view.outputs) row[o.output] = best === null ? null : (best.values[o.feature] ?? null);
    }
    out.push(row);
  }
  return out;
}
