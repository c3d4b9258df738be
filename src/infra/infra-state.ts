/**
 * What the online store really holds for one project (from introspection), and what the
 * registry records it was provisioned with (`RegistryState.infra`, owned by this stage).
 */

/** One column as introspected, `type` in the canonical spelling of `pgType` (`real[]`, `timestamptz`). */
export interface ActualColumn {
  name: string;
  type: string;
}

export interface ActualTable {
  name: string;
  /** The view named by the table's fsops ownership comment for this project, or null. */
  markedView: string | null;
  /** The table's comment as found (another project's marker, a user's text), when introspected. */
  comment?: string | null;
  /** In table order. */
  columns: ActualColumn[];
  /** Primary-key column names in key order; empty when the table has none. */
  primaryKey: string[];
}

export interface PostgresInfraState {
  store: "postgres";
  schema: string;
  schemaExists: boolean;
  /** Sorted by name. */
  tables: ActualTable[];
}

export interface RedisInfraState {
  store: "redis";
  /** Fields of `fsops:<project>:__meta`: view → the schema JSON it was applied with (raw). */
  meta: Record<string, string>;
  /** Views with at least one key, sorted; null when keys were not scanned. */
  viewsWithKeys: string[] | null;
}

export type InfraState = PostgresInfraState | RedisInfraState;

/** A column of the layout: the spec dtype and the Postgres type it maps to. */
export interface LayoutColumn {
  name: string;
  dtype: string;
}

/**
 * The online layout of one view, as planned and as recorded. Stored in the registry (Postgres:
 * per table; Redis: per view, and also written to the meta hash), so it is plain JSON.
 */
export interface ViewLayout {
  /** `kind:name` of the view. */
  object: string;
  entities: string[];
  /** Join-key columns, in key order. */
  keys: LayoutColumn[];
  /** Feature columns, in schema order. */
  features: LayoutColumn[];
}

export interface RecordedTable extends ViewLayout {
  table: string;
}

export const INFRA_RECORD_VERSION = 1;

export interface PostgresInfraRecord {
  formatVersion: typeof INFRA_RECORD_VERSION;
  store: "postgres";
  schema: string;
  /** view name → table. */
  tables: Record<string, RecordedTable>;
}

export interface RedisInfraRecord {
  formatVersion: typeof INFRA_RECORD_VERSION;
  store: "redis";
  /** view name → layout. */
  views: Record<string, ViewLayout>;
}

export type InfraRecord = PostgresInfraRecord | RedisInfraRecord;
