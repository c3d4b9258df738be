import type { Json } from "../model/json.js";
import type { InfraAction } from "../model/plan.js";
import type { DesiredState } from "../model/spec.js";
import type { InfraState } from "./infra-state.js";
import type { InfraPlan, OnlineStoreKind } from "./plan-infra.js";

/**
 * One online store (Postgres server, embedded PGlite, Redis, Redis Cluster). Planning is pure
 * (`planInfra`); this interface is the I/O around it: look at the store, run approved actions.
 * Expected failures are `OnlineStoreError`s with redacted messages.
 */
export interface OnlineStoreProvisioner {
  /** Which planner and statements this store takes. Embedded Postgres is "postgres". */
  readonly store: OnlineStoreKind;
  /** Where the store is, safe to print (password masked). */
  readonly location: string;
  /** Something to say beside a plan of this store (e.g. that apply will create it), if any. */
  readonly note?: string;

  /**
   * What the store holds for `project`. Postgres: the configured schema's tables carrying this
   * project's ownership comment plus any `tables` named (columns, types, primary key, from
   * information_schema). Redis: the meta hash and, unless `scanKeys` is false, which views have
   * keys (a SCAN of `fsops:<project>:*` on every master: O(keys in the database)).
   */
  introspect(project: string, options?: IntrospectOptions): Promise<InfraState>;

  /** introspect + `planInfra`: the actions for `desired` and the record to commit after them. */
  plan(project: string, desired: DesiredState, recorded: Json): Promise<InfraPlan>;

  /**
   * Run the actions of a plan. Postgres: every statement in one transaction under
   * `SET LOCAL lock_timeout`; on any failure nothing changed. Redis: in order, keys deleted with
   * SCAN + UNLINK in batches on every master, then the meta hash written. Every statement is
   * idempotent, so re-running after a crash at any point converges.
   */
  apply(project: string, actions: readonly InfraAction[]): Promise<void>;

  /** The actions that remove everything `project` owns in this store (see `planDestroy`). */
  planDestroy(project: string, recorded: Json): Promise<InfraAction[]>;

  close(): Promise<void>;
}

export interface IntrospectOptions {
  /** Postgres: also look at these table names (desired and recorded ones). */
  tables?: readonly string[];
  /** Redis: scan keys to find views that have some (default true). */
  scanKeys?: boolean;
}
