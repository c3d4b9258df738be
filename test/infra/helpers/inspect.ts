import type { SqlSession } from "../../../src/infra/sql-executor.js";

/**
 * What information_schema says about a table, read independently of the provisioner's own
 * introspection (data_type as Postgres spells it, arrays by element udt).
 */
export async function describeTable(
  sql: SqlSession,
  schema: string,
  table: string,
): Promise<{ columns: string[]; primaryKey: string[]; comment: string | null } | null> {
  const cols = await sql.query<{ column_name: string; data_type: string; udt_name: string }>(
    `SELECT column_name, data_type, udt_name FROM information_schema.columns
      WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  if (cols.rows.length === 0) return null;
  const pk = await sql.query<{ column_name: string }>(
    `SELECT kcu.column_name FROM information_schema.table_constraints tc
       JOIN information_schema.key_column_usage kcu
         ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema AND kcu.table_name = tc.table_name
      WHERE tc.table_schema = $1 AND tc.table_name = $2 AND tc.constraint_type = 'PRIMARY KEY'
      ORDER BY kcu.ordinal_position`,
    [schema, table],
  );
  const comment = await sql.query<{ c: string | null }>(
    `SELECT obj_description(format('%I.%I', $1::text, $2::text)::regclass, 'pg_class') AS c`,
    [schema, table],
  );
  return {
    columns: cols.rows.map(
      (c) => `${c.column_name} ${c.data_type === "ARRAY" ? `${c.udt_name.slice(1)}[]` : c.data_type}`,
    ),
    primaryKey: pk.rows.map((r) => r.column_name),
    comment: comment.rows[0]?.c ?? null,
  };
}

export async function tablesIn(sql: SqlSession, schema: string): Promise<string[]> {
  const r = await sql.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name",
    [schema],
  );
  return r.rows.map((x) => x.table_name);
}

export async function rowCount(sql: SqlSession, schema: string, table: string): Promise<number> {
  const r = await sql.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${[schema, table].map((s) => `"${s.replaceAll('"', '""')}"`).join(".")}`,
  );
  return r.rows[0]?.n ?? -1;
}
