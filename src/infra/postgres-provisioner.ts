import type { Json } from "../model/json.js";
import type { InfraAction } from "../model/plan.js";
import type { DesiredState } from "../model/spec.js";
import { OnlineStoreError } from "./errors.js";
import type { ActualTable, PostgresInfraState } from "./infra-state.js";
import { canonicalUdtType, desiredLayouts, parseInfraRecord } from "./layout.js";
import { onlineTableName, parseTableMarker, tableMarker } from "./naming.js";
import type { InfraPlan } from "./plan-infra.js";
import { planDestroy, planInfra } from "./plan-infra.js";
import { lockTimeoutStatement } from "./postgres-ddl.js";
import type { IntrospectOptions, OnlineStoreProvisioner } from "./provisioner.js";
import { escapeLike, PG_IDENTIFIER_MAX_BYTES, utf8Length } from "./sql.js";
import type { SqlExecutor, SqlSession } from "./sql-executor.js";
import { SqlError } from "./sql-executor.js";

export interface PostgresProvisionerOptions {
  schema: string;
  /** `lock_timeout` for apply: a lock held elsewhere fails the apply instead of hanging it. */
  lockTimeout?: string;
  /** Statements sent per round trip (they still run in the one transaction). */
  statementsPerBatch?: number;
}

export const DEFAULT_LOCK_TIMEOUT = "10s";

/** Postgres online store over any `SqlExecutor`: the `pg` server client or embedded PGlite. */
export class PostgresProvisioner implements OnlineStoreProvisioner {
  readonly store = "postgres" as const;
  readonly schema: string;
  private readonly lockTimeout: string;
  private readonly perBatch: number;

  constructor(
    private readonly sql: SqlExecutor,
    options: PostgresProvisionerOptions,
  ) {
    if (options.schema.length === 0 || utf8Length(options.schema) > PG_IDENTIFIER_MAX_BYTES) {
      // Postgres would silently truncate a longer name, and introspection would miss the schema.
      throw new OnlineStoreError(
        `online store schema ${JSON.stringify(options.schema)} must be 1 to ${PG_IDENTIFIER_MAX_BYTES} bytes long`,
      );
    }
    this.schema = options.schema;
    this.lockTimeout = options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT;
    this.perBatch = options.statementsPerBatch ?? 500;
  }

  get location(): string {
    return this.sql.location;
  }

  async introspect(project: string, options: IntrospectOptions = {}): Promise<PostgresInfraState> {
    return this.guard("introspect the online store", () =>
      introspectPostgres(this.sql, this.schema, project, options.tables ?? []),
    );
  }

  async plan(project: string, desired: DesiredState, recorded: Json): Promise<InfraPlan> {
    const names = new Set([...desiredLayouts(desired).keys()].map((v) => onlineTableName(project, v)));
    for (const t of recordedTables(recorded)) names.add(t);
    const actual = await this.introspect(project, { tables: [...names] });
    return planInfra(project, desired, recorded, actual, "postgres", { schema: this.schema });
  }

  async apply(_project: string, actions: readonly InfraAction[]): Promise<void> {
    const statements: string[] = [];
    for (const a of actions) {
      if (a.store !== "postgres")
        throw new OnlineStoreError(`internal: a ${a.store} action given to a Postgres store`);
      statements.push(...a.statements);
    }
    if (statements.length === 0) return;
    const batches: string[][] = [];
    for (let i = 0; i < statements.length; i += this.perBatch)
      batches.push(statements.slice(i, i + this.perBatch));
    let done = 0;
    try {
      await this.sql.transaction(async (tx: SqlSession) => {
        await tx.exec(lockTimeoutStatement(this.lockTimeout));
        for (const batch of batches) {
          await tx.exec(batch.join("\n"));
          done += batch.length;
        }
      });
    } catch (e) {
      if (!(e instanceof SqlError)) throw e;
      const batch = batches[Math.floor(done / this.perBatch)] ?? [];
      const failed = e.position === undefined ? null : statementAt(batch, e.position);
      const where =
        failed === null ? "" : ` at statement ${done + failed.index + 1} (${firstLine(failed.text)})`;
      throw new OnlineStoreError(
        `online store apply failed${where}: ${e.message}; the transaction was rolled back, nothing changed`,
        e.code === "55P03"
          ? `another session holds a lock on the table (lock_timeout ${this.lockTimeout}); retry when it is done`
          : undefined,
        e.code,
      );
    }
  }

  async planDestroy(project: string, recorded: Json): Promise<InfraAction[]> {
    const actual = await this.introspect(project, { tables: recordedTables(recorded) });
    return planDestroy(project, recorded, actual);
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof SqlError)
        throw new OnlineStoreError(`cannot ${what} (${this.location}): ${e.message}`, undefined, e.code);
      throw e;
    }
  }
}

function recordedTables(recorded: Json): string[] {
  const record = parseInfraRecord(recorded);
  return record?.store === "postgres" ? Object.values(record.tables).map((t) => t.table) : [];
}

/** Which statement of `batch` (joined by "\n") holds the 1-based character `position`. */
function statementAt(batch: readonly string[], position: number): { index: number; text: string } | null {
  let start = 1;
  for (const [index, text] of batch.entries()) {
    const end = start + text.length;
    if (position >= start && position <= end) return { index, text };
    start = end + 1;
  }
  return null;
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? "";
  return line.endsWith("(") ? line.slice(0, -2) : line;
}

/** Read a project's tables from the catalog: ownership comment, columns, primary key. */
export async function introspectPostgres(
  sql: SqlSession,
  schema: string,
  project: string,
  tables: readonly string[],
): Promise<PostgresInfraState> {
  const ns = await sql.query<{ exists: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS exists",
    [schema],
  );
  const schemaExists = ns.rows[0]?.exists === true;
  if (!schemaExists) return { store: "postgres", schema, schemaExists, tables: [] };

  const found = await sql.query<{ name: string; comment: string | null }>(
    `SELECT c.relname AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS comment
       FROM pg_catalog.pg_class c
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1
        AND c.relkind IN ('r', 'p')
        AND (c.relname = ANY($2::text[]) OR pg_catalog.obj_description(c.oid, 'pg_class') LIKE $3 ESCAPE '\\')
      ORDER BY c.relname`,
    [schema, [...tables], `${escapeLike(tableMarker(project, ""))}%`],
  );
  const names = found.rows.map((r) => r.name);
  if (names.length === 0) return { store: "postgres", schema, schemaExists, tables: [] };

  const columns = await sql.query<{ table_name: string; column_name: string; udt_name: string }>(
    `SELECT table_name, column_name, udt_name
       FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = ANY($2::text[])
      ORDER BY table_name, ordinal_position`,
    [schema, names],
  );
  const keys = await sql.query<{ table_name: string; column_name: string }>(
    `SELECT tc.table_name, kcu.column_name
       FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu
         ON kcu.constraint_schema = tc.constraint_schema
        AND kcu.constraint_name = tc.constraint_name
        AND kcu.table_schema = tc.table_schema
        AND kcu.table_name = tc.table_name
      WHERE tc.table_schema = $1 AND tc.table_name = ANY($2::text[]) AND tc.constraint_type = 'PRIMARY KEY'
      ORDER BY tc.table_name, kcu.ordinal_position`,
    [schema, names],
  );
  const byName = new Map<string, ActualTable>();
  for (const r of found.rows) {
    byName.set(r.name, {
      name: r.name,
      markedView: parseTableMarker(project, r.comment),
      comment: r.comment,
      columns: [],
      primaryKey: [],
    });
  }
  for (const c of columns.rows)
    byName.get(c.table_name)?.columns.push({ name: c.column_name, type: canonicalUdtType(c.udt_name) });
  for (const k of keys.rows) byName.get(k.table_name)?.primaryKey.push(k.column_name);
  return { store: "postgres", schema, schemaExists, tables: [...byName.values()] };
}
