import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Json } from "../model/json.js";
import type { InfraAction } from "../model/plan.js";
import type { DesiredState } from "../model/spec.js";
import { OnlineStoreError } from "./errors.js";
import type { PostgresInfraState } from "./infra-state.js";
import type { InfraPlan } from "./plan-infra.js";
import { DEFAULT_SCHEMA, planDestroy, planInfra } from "./plan-infra.js";
import type { OnlineStoreProvisioner } from "./provisioner.js";

/**
 * Whether `dir` holds an embedded (PGlite) database: Postgres writes `PG_VERSION` at the top of
 * every data directory, so a missing or empty folder (a fresh checkout) says no.
 */
export async function embeddedStoreExists(dir: string): Promise<boolean> {
  try {
    return (await stat(join(dir, "PG_VERSION"))).isFile();
  } catch {
    return false;
  }
}

/**
 * The embedded store as `fsops plan` sees it before the first apply: the empty database apply
 * will create, planned without creating it (a plan creates nothing, and opening PGlite costs
 * ~1 s and hundreds of MB). A fresh database has only the `public` schema, which is where the
 * embedded store keeps its tables, so this answers exactly what introspecting a new one would.
 */
export class MissingEmbeddedStore implements OnlineStoreProvisioner {
  readonly store = "postgres" as const;

  constructor(readonly location: string) {}

  get note(): string {
    return `the embedded online store ${this.location} does not exist yet: planned as empty; fsops apply will create it`;
  }

  introspect(): Promise<PostgresInfraState> {
    return Promise.resolve({ store: "postgres", schema: DEFAULT_SCHEMA, schemaExists: true, tables: [] });
  }

  async plan(project: string, desired: DesiredState, recorded: Json): Promise<InfraPlan> {
    return planInfra(project, desired, recorded, await this.introspect(), "postgres", {
      schema: DEFAULT_SCHEMA,
    });
  }

  apply(_project: string, actions: readonly InfraAction[]): Promise<void> {
    if (actions.length === 0) return Promise.resolve();
    return Promise.reject(
      new OnlineStoreError(
        `internal: the embedded online store ${this.location} was opened for planning only`,
      ),
    );
  }

  async planDestroy(project: string, recorded: Json): Promise<InfraAction[]> {
    return planDestroy(project, recorded, await this.introspect());
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
