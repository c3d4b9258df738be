/**
 * Reading feature rows from the online store: one round trip per store per request. Postgres:
 * one `= ANY($1)` statement per table (issued together on the pool, so they overlap); Redis: one
 * pipeline of HMGETs; PGlite: the same statements on the embedded database.
 */
import type { Catalog, StoredView } from "./catalog.js";

export interface ViewRead {
  view: StoredView;
  /** Feature names to fetch. */
  features: string[];
  /** Distinct entity keys, each the key values in the view's key order (normalized). */
  keys: (string | number | bigint)[][];
}

export interface StoredRow {
  /** One per requested feature, as the driver gave them (normalized later). */
  values: unknown[];
  eventTs: Date | null;
}

/** view name → entity key string (`entityKeyString`) → row; a missing key = not found. */
export type ReadResult = Map<string, Map<string, StoredRow>>;

export interface OnlineReader {
  readonly store: "postgres" | "embedded" | "redis";
  read(catalog: Catalog, reads: readonly ViewRead[]): Promise<ReadResult>;
  /** Throws when the store does not answer (for /health). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
