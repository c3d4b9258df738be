import type { Json } from "../model/json.js";
import type { Impact, InfraAction } from "../model/plan.js";
import { OnlineStoreConflictError } from "./errors.js";
import type {
  ActualColumn,
  ActualTable,
  PostgresInfraRecord,
  PostgresInfraState,
  ViewLayout,
} from "./infra-state.js";
import { INFRA_RECORD_VERSION } from "./infra-state.js";
import { compareStrings, layoutJson, rebuildReasons, sameList } from "./layout.js";
import { onlineTableName, parseAnyTableMarker } from "./naming.js";
import {
  addColumnStatement,
  createSchemaStatement,
  createTableStatements,
  dropColumnStatement,
  dropTableStatement,
  tableColumns,
} from "./postgres-ddl.js";

type PgActionKind = "create_table" | "add_column" | "drop_column" | "rebuild_table" | "drop_table";

const IMPACT: Record<PgActionKind, Impact> = {
  create_table: "safe",
  add_column: "safe",
  drop_column: "destructive",
  rebuild_table: "rebuild",
  drop_table: "destructive",
};

/**
 * Execution order within one view. Table-level actions come first (a rebuild or create makes
 * column actions moot); then column drops before column adds, so a renamed feature reads as
 * "drop old, add new" and a reviewer meets the destructive line first.
 */
const RANK: Record<PgActionKind, number> = {
  drop_table: 0,
  rebuild_table: 1,
  create_table: 2,
  drop_column: 3,
  add_column: 4,
};

/** A table as the simulation sees it: columns in order and the primary key. */
interface Shape {
  columns: ActualColumn[];
  primaryKey: string[];
}

interface Draft {
  kind: PgActionKind;
  table: string;
  column: ActualColumn | null;
  layout: ViewLayout | null;
  reasons: string[];
  drift: boolean;
}

export interface PostgresPlanInput {
  project: string;
  schema: string;
  /** Online views of the desired state (view name → layout). */
  layouts: ReadonlyMap<string, ViewLayout>;
  /** Names of every feature view / stream feature view in the desired state, online or not. */
  viewNames: ReadonlySet<string>;
  recorded: PostgresInfraRecord | null;
  actual: PostgresInfraState;
}

/**
 * Plan the DDL that takes the store from what it holds to the desired layout.
 *
 * Actions come in two layers. Intent actions are the difference between what the registry
 * recorded and what is desired: they are what the reviewer approves, and they do not depend on
 * the store, so after a crash between DDL and registry commit the re-plan is the same plan
 * (its statements are idempotent no-ops then). Drift repairs are whatever is still needed after
 * simulating the intent actions on what introspection found; their reasons start with "drift:".
 */
export function planPostgres(input: PostgresPlanInput): { actions: InfraAction[]; record: Json } {
  const { project, schema, layouts, viewNames, actual } = input;
  // Tables recorded under another schema are not where this plan looks; start afresh there.
  const recordedTables = input.recorded?.schema === schema ? input.recorded.tables : {};

  const sim = new Map<string, Shape | null>();
  for (const t of actual.tables) sim.set(t.name, { columns: t.columns, primaryKey: t.primaryKey });
  const shapeOf = (table: string): Shape | null => sim.get(table) ?? null;

  const views = new Set<string>([...layouts.keys(), ...Object.keys(recordedTables)]);
  for (const t of actual.tables) if (t.markedView !== null) views.add(t.markedView);

  const drafts = new Map<string, Draft[]>();
  const push = (view: string, d: Draft): void => {
    const list = drafts.get(view) ?? [];
    list.push(d);
    drafts.set(view, list);
    simulate(sim, d);
  };

  // Layer 1: intent (recorded → desired).
  for (const view of views) {
    const want = layouts.get(view) ?? null;
    const had = recordedTables[view] ?? null;
    const table = want === null ? null : onlineTableName(project, view);
    if (had !== null && had.table !== table) {
      const reason =
        want !== null ? `table renamed to ${table}` : viewNames.has(view) ? "online: false" : "view deleted";
      push(view, draft("drop_table", had.table, null, null, [reason], false));
    }
    if (want === null || table === null) continue;
    if (had === null || had.table !== table) {
      push(view, draft("create_table", table, null, want, ["new view"], false));
      continue;
    }
    const rebuild = rebuildReasons(had, want);
    if (rebuild.length > 0) {
      push(view, draft("rebuild_table", table, null, want, rebuild, false));
      continue;
    }
    const wantNames = new Set(want.features.map((f) => f.name));
    const hadNames = new Set(had.features.map((f) => f.name));
    for (const f of had.features) {
      if (!wantNames.has(f.name)) {
        push(
          view,
          draft("drop_column", table, { name: f.name, type: "" }, want, [`feature ${f.name} removed`], false),
        );
      }
    }
    for (const c of tableColumns(want)) {
      if (want.features.some((f) => f.name === c.name) && !hadNames.has(c.name)) {
        push(view, draft("add_column", table, c, want, [`feature ${c.name} added`], false));
      }
    }
  }

  // Layer 2: drift (what the store holds after the intent actions, compared with the desired).
  for (const [view, want] of layouts) {
    const table = onlineTableName(project, view);
    const shape = shapeOf(table);
    if (shape === null) {
      push(view, draft("create_table", table, null, want, ["drift: table missing"], true));
      continue;
    }
    const wantColumns = tableColumns(want);
    const keyNames = want.keys.map((k) => k.name);
    const rebuild: string[] = [];
    if (!sameList(shape.primaryKey, keyNames)) {
      rebuild.push(
        shape.primaryKey.length === 0
          ? `drift: no primary key, expected (${keyNames.join(", ")})`
          : `drift: primary key (${shape.primaryKey.join(", ")}), expected (${keyNames.join(", ")})`,
      );
    }
    for (const c of wantColumns) {
      const found = shape.columns.find((a) => a.name === c.name);
      if (found !== undefined && found.type !== c.type) {
        rebuild.push(`drift: column ${c.name} is ${found.type}, expected ${c.type}`);
      }
    }
    if (rebuild.length > 0) {
      // One rebuild replaces every other action on this table; keep the reasons of both layers.
      const list = drafts.get(view) ?? [];
      const onTable = list.filter((d) => d.table === table);
      drafts.set(
        view,
        list.filter((d) => d.table !== table),
      );
      const reasons = [...onTable.flatMap((d) => d.reasons), ...rebuild];
      push(view, draft("rebuild_table", table, null, want, reasons, true));
      continue;
    }
    const wantNames = new Set(wantColumns.map((c) => c.name));
    for (const a of shape.columns) {
      if (!wantNames.has(a.name)) {
        push(view, draft("drop_column", table, a, want, [`drift: extra column ${a.name}`], true));
      }
    }
    for (const c of wantColumns) {
      if (!shape.columns.some((a) => a.name === c.name)) {
        push(view, draft("add_column", table, c, want, [`drift: column ${c.name} missing`], true));
      }
    }
  }

  // Layer 2, orphans: tables marked as this project's that nothing desired or recorded accounts for.
  const desiredTables = new Set([...layouts.keys()].map((v) => onlineTableName(project, v)));
  for (const t of actual.tables) {
    if (t.markedView === null || desiredTables.has(t.name) || shapeOf(t.name) === null) continue;
    push(t.markedView, draft("drop_table", t.name, null, null, ["drift: table not in registry"], true));
  }

  const conflicts = findConflicts(project, schema, layouts, drafts, actual);
  if (conflicts.length > 0) throw new OnlineStoreConflictError(conflicts);

  const actions: InfraAction[] = [];
  const ordered = [...drafts.keys()].sort(compareStrings);
  const creates = ordered.some((v) =>
    (drafts.get(v) ?? []).some((d) => d.kind === "create_table" || d.kind === "rebuild_table"),
  );
  if (creates && !actual.schemaExists) {
    actions.push({
      store: "postgres",
      action: "create_schema",
      target: schema,
      object: null,
      impact: "safe",
      reason: "schema missing",
      statements: [createSchemaStatement(schema)],
    });
  }
  for (const view of ordered) {
    const list = [...(drafts.get(view) ?? [])].sort((a, b) => RANK[a.kind] - RANK[b.kind]);
    const object = layouts.get(view)?.object ?? recordedTables[view]?.object ?? null;
    for (const d of list) actions.push(render(d, schema, project, view, object));
  }
  return { actions, record: postgresRecord(project, schema, layouts) };
}

/**
 * Tables the plan would touch that are not this view's (by their ownership comment), and views
 * whose table names collide. Sorted, one line per table.
 */
function findConflicts(
  project: string,
  schema: string,
  layouts: ReadonlyMap<string, ViewLayout>,
  drafts: ReadonlyMap<string, Draft[]>,
  actual: PostgresInfraState,
): string[] {
  const out = new Map<string, string>();
  const byTable = new Map<string, string>();
  for (const view of [...layouts.keys()].sort(compareStrings)) {
    const table = onlineTableName(project, view);
    const other = byTable.get(table);
    if (other !== undefined) {
      out.set(table, `views ${other} and ${view} both map to table ${schema}.${table}`);
    } else byTable.set(table, view);
  }
  const found = new Map(actual.tables.map((t) => [t.name, t]));
  // A desired table held by someone else is a conflict even when no action would touch it: the
  // registry would record it as this view's, and serve (and later drop) a table fsops does not own.
  for (const [table, view] of byTable) {
    const t = found.get(table);
    if (t !== undefined && t.markedView !== view && !out.has(table)) {
      out.set(table, `table ${schema}.${table} (for view ${view}) ${ownerOf(project, t)}`);
    }
  }
  for (const [view, list] of drafts) {
    for (const d of list) {
      const t = found.get(d.table);
      if (t === undefined || t.markedView === view || out.has(d.table)) continue;
      out.set(d.table, `table ${schema}.${d.table} (for view ${view}) ${ownerOf(project, t)}`);
    }
  }
  return [...out.keys()].sort(compareStrings).map((k) => out.get(k) ?? "");
}

function ownerOf(project: string, t: ActualTable): string {
  if (t.markedView !== null) return `belongs to view ${t.markedView} of this project`;
  const marker = parseAnyTableMarker(t.comment ?? null);
  if (marker !== null) return `belongs to view ${marker.view} of project ${marker.project}`;
  return "exists and is not owned by fsops (no fsops ownership comment)";
}

function draft(
  kind: PgActionKind,
  table: string,
  column: ActualColumn | null,
  layout: ViewLayout | null,
  reasons: string[],
  drift: boolean,
): Draft {
  return { kind, table, column, layout, reasons, drift };
}

/** Apply an action to the simulated store, as its idempotent SQL would. */
function simulate(sim: Map<string, Shape | null>, d: Draft): void {
  const shape = sim.get(d.table) ?? null;
  switch (d.kind) {
    case "drop_table":
      sim.set(d.table, null);
      return;
    case "rebuild_table":
      sim.set(d.table, layoutShape(d.layout));
      return;
    case "create_table":
      if (shape === null) sim.set(d.table, layoutShape(d.layout));
      return;
    case "add_column":
      if (shape !== null && d.column !== null && !shape.columns.some((c) => c.name === d.column?.name)) {
        sim.set(d.table, { ...shape, columns: [...shape.columns, d.column] });
      }
      return;
    case "drop_column":
      if (shape !== null && d.column !== null) {
        const name = d.column.name;
        sim.set(d.table, {
          columns: shape.columns.filter((c) => c.name !== name),
          // Postgres drops the primary key constraint with any of its columns.
          primaryKey: shape.primaryKey.includes(name) ? [] : shape.primaryKey,
        });
      }
      return;
  }
}

function layoutShape(layout: ViewLayout | null): Shape | null {
  if (layout === null) return null;
  return { columns: tableColumns(layout), primaryKey: layout.keys.map((k) => k.name) };
}

function render(d: Draft, schema: string, project: string, view: string, object: string | null): InfraAction {
  const statements = ((): string[] => {
    switch (d.kind) {
      case "create_table":
        return createTableStatements(schema, d.table, project, view, required(d.layout));
      case "rebuild_table":
        return [
          dropTableStatement(schema, d.table),
          ...createTableStatements(schema, d.table, project, view, required(d.layout)),
        ];
      case "drop_table":
        return [dropTableStatement(schema, d.table)];
      case "add_column": {
        const c = required(d.column);
        return [addColumnStatement(schema, d.table, c.name, c.type)];
      }
      case "drop_column":
        return [dropColumnStatement(schema, d.table, required(d.column).name)];
    }
  })();
  return {
    store: "postgres",
    action: d.kind,
    target: `${schema}.${d.table}${d.column === null ? "" : `.${d.column.name}`}`,
    object,
    impact: IMPACT[d.kind],
    reason: d.reasons.join("; "),
    statements,
  };
}

function required<T>(v: T | null): T {
  if (v === null) throw new Error("internal: action without its layout");
  return v;
}

/** The new `RegistryState.infra`: what the store holds once the plan is applied. */
export function postgresRecord(
  project: string,
  schema: string,
  layouts: ReadonlyMap<string, ViewLayout>,
): Json {
  const tables: { [view: string]: Json } = {};
  for (const view of [...layouts.keys()].sort(compareStrings)) {
    const layout = layouts.get(view);
    if (layout === undefined) continue;
    tables[view] = { ...layoutJson(layout), table: onlineTableName(project, view) };
  }
  return { formatVersion: INFRA_RECORD_VERSION, schema, store: "postgres", tables };
}
