/**
 * Which source column each canonical column of a view comes from (join keys, features, event and
 * created timestamps), honouring `fieldMapping` (source column → feature or key name).
 */
import type { ViewJoin } from "./request.js";

export interface ViewColumns {
  keys: { name: string; column: string }[];
  features: { internal: string; column: string; dtype: ViewJoin["features"][number]["dtype"] }[];
  eventTs: string;
  created: string | null;
}

export function viewColumns(join: ViewJoin): ViewColumns {
  const mapping = join.source.spec.fieldMapping;
  const columnOf = (name: string): string => Object.keys(mapping).find((c) => mapping[c] === name) ?? name;
  return {
    keys: join.joinKeys.map((k) => ({ name: k.name, column: columnOf(k.name) })),
    features: join.features.map((f) => ({ internal: f.internal, column: columnOf(f.name), dtype: f.dtype })),
    eventTs: join.source.spec.timestampField,
    created: join.source.spec.createdTimestampColumn,
  };
}
