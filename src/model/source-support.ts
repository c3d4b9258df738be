import type { DataSourceSpec } from "./spec.js";
import { REGISTRY_ONLY_SOURCE_TYPES } from "./spec.js";

const LABEL: Readonly<Record<(typeof REGISTRY_ONLY_SOURCE_TYPES)[number], string>> = {
  bigquery: "BigQuery",
  snowflake: "Snowflake",
  redshift: "Redshift",
  spark: "Spark",
  trino: "Trino",
  kinesis: "Kinesis",
};

export function isRegistryOnlySource(spec: Pick<DataSourceSpec, "type">): boolean {
  return (REGISTRY_ONLY_SOURCE_TYPES as readonly string[]).includes(spec.type);
}

/**
 * What a command that must read data (materialize, training data, --check-sources) says about a
 * source fsops registers but cannot read, or null when fsops can read it. One wording everywhere.
 */
export function unreadableSourceMessage(name: string, spec: Pick<DataSourceSpec, "type">): string | null {
  if (!isRegistryOnlySource(spec)) return null;
  const label = LABEL[spec.type as keyof typeof LABEL];
  return (
    `source ${name} is a ${label} source: fsops registers and plans it but cannot read its data ` +
    `(it reads PostgresSource and FileSource); point the view at a PostgresSource or FileSource ` +
    `holding the data, or write its online values with a push`
  );
}
