import type { LayoutColumn, ViewLayout } from "./infra-state.js";
import { CREATED_TS_COLUMN, EVENT_TS_COLUMN, pgType } from "./layout.js";
import { tableMarker } from "./naming.js";
import { qualifiedName, quoteIdent, quoteLiteral } from "./sql.js";

/**
 * The exact DDL fsops runs on a Postgres online store. Every statement is idempotent, so
 * re-running any prefix of a plan after a crash converges to the same tables.
 */

/** Every column of a view's table, in table order, with its Postgres type. */
export function tableColumns(layout: ViewLayout): { name: string; type: string }[] {
  return [
    ...layout.keys.map(typed),
    ...layout.features.map(typed),
    { name: EVENT_TS_COLUMN, type: "timestamptz" },
    { name: CREATED_TS_COLUMN, type: "timestamptz" },
  ];
}

function typed(c: LayoutColumn): { name: string; type: string } {
  return { name: c.name, type: pgType(c.dtype) };
}

export function createSchemaStatement(schema: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)};`;
}

/** CREATE TABLE plus the ownership comment that lets introspection and destroy find the table. */
export function createTableStatements(
  schema: string,
  table: string,
  project: string,
  view: string,
  layout: ViewLayout,
): string[] {
  const name = qualifiedName(schema, table);
  const lines = tableColumns(layout).map((c) => `  ${quoteIdent(c.name)} ${c.type}`);
  lines.push(`  PRIMARY KEY (${layout.keys.map((k) => quoteIdent(k.name)).join(", ")})`);
  return [
    `CREATE TABLE IF NOT EXISTS ${name} (\n${lines.join(",\n")}\n);`,
    `COMMENT ON TABLE ${name} IS ${quoteLiteral(tableMarker(project, view))};`,
  ];
}

export function dropTableStatement(schema: string, table: string): string {
  return `DROP TABLE IF EXISTS ${qualifiedName(schema, table)};`;
}

export function addColumnStatement(schema: string, table: string, column: string, type: string): string {
  return `ALTER TABLE ${qualifiedName(schema, table)} ADD COLUMN IF NOT EXISTS ${quoteIdent(column)} ${type};`;
}

export function dropColumnStatement(schema: string, table: string, column: string): string {
  return `ALTER TABLE ${qualifiedName(schema, table)} DROP COLUMN IF EXISTS ${quoteIdent(column)};`;
}

/** The session setting apply runs under, so a held lock fails the apply instead of hanging it. */
export function lockTimeoutStatement(timeout: string): string {
  return `SET LOCAL lock_timeout = ${quoteLiteral(timeout)};`;
}
