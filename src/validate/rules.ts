/**
 * Rules that look at more than one value: uniqueness inside lists, join keys against features,
 * projections and aggregation columns against the schema they refer to, table/query exclusivity.
 *
 * They run on whatever passed its schema (see Analysis.options), even when another option of the
 * same object was rejected, so one run reports every mistake. A rule that needs a complete list
 * (every field name of a view) is skipped when part of it was rejected: the rejection is already
 * reported, and "no such feature" would only be its echo.
 */
import type { Diagnostic } from "../model/diagnostic.js";
import type { DslObject } from "../model/evaluated.js";
import { isDslObject } from "../model/evaluated.js";
import type { DslClassName } from "../model/kinds.js";
import type { Analysis, FieldEntry, SchemaFields } from "./analyze.js";
import { optionRejected } from "./analyze.js";
import { CODES } from "./codes.js";
import type { ValidationCode } from "./codes.js";
import type { OptionPath } from "./describe.js";
import { locate, quote } from "./describe.js";
import { diagnosticAt, diagnosticAtLocation } from "./issues.js";
import { nameProblem, nearest } from "./names.js";
import { aggregationOutputName } from "../model/aggregation-output.js";
import type { AggregationSpec } from "../model/spec.js";
import { onDemandSourceOf, selectionOf } from "./schemas.js";
import type { OptionsOf, ViewSelection } from "./schemas.js";
import { formatDuration } from "./duration.js";
import { CREATED_TS_COLUMN, EVENT_TS_COLUMN } from "../model/kinds.js";

/** Columns the online store adds to every feature-view table (DESIGN.md, "Online store layout"). */
const RESERVED_COLUMNS: ReadonlySet<string> = new Set([EVENT_TS_COLUMN, CREATED_TS_COLUMN]);

export interface RuleContext {
  analysisOf(obj: DslObject): Analysis | undefined;
  /** A schema Field of `view` that names one of its join keys (it types the key). */
  isJoinKeyField(view: DslObject, field: DslObject): boolean;
  diagnostics: Diagnostic[];
}

/** Reports against `a` and marks it invalid. */
class Reporter {
  constructor(
    private readonly ctx: RuleContext,
    private readonly a: Analysis,
  ) {}
  at(path: OptionPath, code: ValidationCode, message: string, hint?: string | null): void {
    this.ctx.diagnostics.push(diagnosticAt(this.a.obj, path, code, message, hint));
    this.a.valid = false;
  }
  atObject(other: DslObject, path: OptionPath, code: ValidationCode, message: string, hint?: string | null) {
    this.ctx.diagnostics.push(diagnosticAtLocation(this.a.obj, locate(other, path), code, message, hint));
    this.a.valid = false;
  }
}

function typed<C extends DslClassName>(a: Analysis, _cls: C): Partial<OptionsOf<C>> {
  return a.options as Partial<OptionsOf<C>>;
}

function nameOf(ctx: RuleContext, obj: DslObject): string | undefined {
  const name = (ctx.analysisOf(obj)?.options as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

export function runRules(ctx: RuleContext, a: Analysis): void {
  // Fields, most of the objects, have no rules of their own: no reporter is made for them.
  if (a.obj.$dsl === "Field") return;
  const r = new Reporter(ctx, a);
  switch (a.obj.$dsl) {
    case "Entity":
      entityRules(typed(a, "Entity"), a, r);
      break;
    case "PostgresSource":
      tableOrQuery(a, r);
      break;
    case "BigQuerySource":
    case "SnowflakeSource":
    case "RedshiftSource":
    case "SparkSource":
    case "TrinoSource":
      warehouseRules(a, r);
      break;
    case "RequestSource":
      schemaRules(ctx, a, r, false);
      break;
    case "FeatureView":
    case "BatchFeatureView":
    case "StreamFeatureView":
      schemaRules(ctx, a, r, true);
      entityAndJoinKeyRules(ctx, a, r);
      if (a.obj.$dsl === "StreamFeatureView") aggregationRules(ctx, a, r);
      break;
    case "OnDemandFeatureView":
      schemaRules(ctx, a, r, false);
      selectionRules(ctx, a, r, "sources");
      onDemandModeRules(a, r);
      if (Array.isArray(a.obj.options.entities)) entityAndJoinKeyRules(ctx, a, r);
      break;
    case "FeatureService":
      selectionRules(ctx, a, r, "features");
      break;
    default:
      break;
  }
}

const NO_DUPLICATES: readonly [number, number][] = [];

/** `[index, index of its first occurrence]` for every repeated key (allocates only when found). */
function duplicateIndexes<T>(
  items: readonly T[],
  key: (t: T) => string | undefined,
): readonly [number, number][] {
  let out: [number, number][] | null = null;
  if (items.length <= 16) {
    // Schemas and entity lists are short: a nested loop beats building a map for each view.
    for (let i = 1; i < items.length; i++) {
      const k = key(items[i]!);
      if (k === undefined) continue;
      for (let j = 0; j < i; j++) {
        if (key(items[j]!) === k) {
          (out ??= []).push([i, j]);
          break;
        }
      }
    }
    return out ?? NO_DUPLICATES;
  }
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    if (k === undefined) return;
    const f = first.get(k);
    if (f === undefined) first.set(k, i);
    else (out ??= []).push([i, f]);
  });
  return out ?? NO_DUPLICATES;
}

function entityRules(o: Partial<OptionsOf<"Entity">>, a: Analysis, r: Reporter): void {
  if (o.joinKeys) {
    for (const [i, f] of duplicateIndexes(o.joinKeys, (k) => k)) {
      r.at(
        ["joinKeys", i],
        CODES.duplicateEntry,
        `join key ${quote(o.joinKeys[i]!)} is listed twice (also joinKeys[${f}])`,
      );
    }
    o.joinKeys.forEach((k, i) => {
      if (RESERVED_COLUMNS.has(k)) {
        r.at(
          ["joinKeys", i],
          CODES.reservedName,
          `join key ${quote(k)} is a column the online store reserves`,
          "rename the join key",
        );
      }
    });
  } else if (!optionRejected(a, "joinKeys") && o.name !== undefined && RESERVED_COLUMNS.has(o.name)) {
    r.at(
      ["name"],
      CODES.reservedName,
      `the default join key ${quote(o.name)} (the entity's name) is a column the online store reserves`,
      "set joinKeys to another column name",
    );
  } else if (!optionRejected(a, "joinKeys") && o.name !== undefined) {
    // The name is the join key, so it becomes a column: the column rule applies to it.
    const problem = nameProblem(o.name, "column");
    if (problem !== null) {
      r.at(
        ["name"],
        CODES.invalidName,
        `the default join key ${quote(o.name)} (the entity's name) ${problem}`,
        "set joinKeys to a shorter column name",
      );
    }
  }
}

/** Feast's warehouse sources: table, query (and Spark's path) exclusive; a name or a table. */
function warehouseRules(a: Analysis, r: Reporter): void {
  const given = (["table", "query", "path"] as const).filter((k) => a.obj.options[k] !== undefined);
  const allowed = a.obj.$dsl === "SparkSource" ? "table, query or path" : "table or query";
  if (given.length > 1) {
    r.at(
      [given[1]!],
      CODES.tableOrQuery,
      `sets both ${given[0]} and ${given[1]}`,
      `keep exactly one of ${allowed}`,
    );
  } else if (given.length === 0) {
    r.at(
      [],
      CODES.tableOrQuery,
      `needs a ${allowed}`,
      'add table: "project.dataset.table" or query: "select …"',
    );
  }
  if (a.obj.options.name === undefined && a.obj.options.table === undefined && given.length === 1) {
    r.at(
      [],
      CODES.missingOption,
      `name is required when there is no table (Feast names a source after its table)`,
      'add name: "…"',
    );
  }
}

/** `singleton: true` is Feast's spelling of mode "row". */
function onDemandModeRules(a: Analysis, r: Reporter): void {
  const o = typed(a, "OnDemandFeatureView");
  if (o.singleton === true && o.mode === "batch") {
    r.at(
      ["singleton"],
      CODES.conflictingOptions,
      'singleton: true calls the transform one row at a time, but mode is "batch"',
      'remove singleton, or write mode: "row"',
    );
  }
  if (o.entities !== undefined && o.entities.length > 0 && o.writeToOnlineStore !== true) {
    r.at(
      ["entities"],
      CODES.conflictingOptions,
      "entities key the stored outputs, but writeToOnlineStore is not true",
      "remove entities, or set writeToOnlineStore: true",
    );
  }
}

function tableOrQuery(a: Analysis, r: Reporter): void {
  const hasTable = a.obj.options.table !== undefined;
  const hasQuery = a.obj.options.query !== undefined;
  if (hasTable && hasQuery) {
    r.at(["query"], CODES.tableOrQuery, "sets both table and query", "keep exactly one of table and query");
  } else if (!hasTable && !hasQuery) {
    r.at([], CODES.tableOrQuery, "needs a table or a query", 'add table: "my_table" or query: "select …"');
  }
}

/** The Fields of `a.options.schema` as written (cached on the analysis). */
function schemaFields(ctx: RuleContext, a: Analysis): SchemaFields {
  return (a.schemaFields ??= readSchemaFields(ctx, a));
}

function readSchemaFields(ctx: RuleContext, a: Analysis): SchemaFields {
  const raw = a.obj.options.schema;
  if (!Array.isArray(raw) || raw.length === 0) return { fields: [], complete: false };
  const fields: FieldEntry[] = [];
  // An option the parser could not evaluate is left out whole, so a present schema is complete.
  let complete = true;
  raw.forEach((el, index) => {
    if (!isDslObject(el) || el.$dsl !== "Field") {
      complete = false;
      return;
    }
    const name = nameOf(ctx, el);
    if (name === undefined) complete = false;
    fields.push({ index, obj: el, name });
  });
  return { fields, complete };
}

function schemaRules(ctx: RuleContext, a: Analysis, r: Reporter, storedOnline: boolean): void {
  const { fields } = schemaFields(ctx, a);
  for (const [i, f] of duplicateIndexes(fields, (e) => e.name)) {
    const entry = fields[i]!;
    r.at(
      ["schema", entry.index],
      CODES.duplicateField,
      `field ${quote(entry.name!)} is defined twice in schema (also schema[${fields[f]!.index}])`,
      "remove or rename one of them",
    );
  }
  if (!storedOnline) return;
  for (const f of fields) {
    if (f.name !== undefined && RESERVED_COLUMNS.has(f.name)) {
      r.at(
        ["schema", f.index],
        CODES.reservedName,
        `feature ${quote(f.name)} is a column the online store reserves (event_ts, created_ts)`,
        "rename the feature",
      );
    }
  }
}

/** Join keys of an entity, or undefined when they are not known (rejected name or joinKeys). */
function joinKeysOf(ctx: RuleContext, entity: DslObject): string[] | undefined {
  const a = ctx.analysisOf(entity);
  if (!a || optionRejected(a, "joinKeys")) return undefined;
  const o = typed(a, "Entity");
  if (o.joinKeys) return o.joinKeys;
  return o.name === undefined ? undefined : [o.name];
}

function entityAndJoinKeyRules(ctx: RuleContext, a: Analysis, r: Reporter): void {
  const raw = a.obj.options.entities;
  if (!Array.isArray(raw)) return;
  const owner = new Map<string, string>(); // join key → entity name
  const seen = new Map<string, number>(); // entity name → index
  raw.forEach((el, i) => {
    if (!isDslObject(el) || el.$dsl !== "Entity") return;
    const name = nameOf(ctx, el);
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined) {
      r.at(
        ["entities", i],
        CODES.duplicateEntry,
        `entity ${quote(name)} is listed twice (also entities[${first}])`,
      );
      return;
    }
    seen.set(name, i);
    for (const key of joinKeysOf(ctx, el) ?? []) {
      const other = owner.get(key);
      if (other !== undefined) {
        r.at(
          ["entities", i],
          CODES.joinKeyClash,
          `entities ${quote(other)} and ${quote(name)} both have the join key ${quote(key)}`,
          "give one of the entities a different join key",
        );
      } else {
        owner.set(key, name);
      }
    }
  });
  // A schema Field named like a join key types that key (Feast's idiom; join-keys.ts checks the
  // type against the entity): it is not a feature, so it is no longer an error (FS213).
}

/**
 * An aggregation's column is a column of the source (Feast does not require it in the schema);
 * its output (aggregationOutputName) must be a feature of the schema, and no two aggregations may
 * produce the same output.
 */
function aggregationRules(ctx: RuleContext, a: Analysis, r: Reporter): void {
  const raw = a.obj.options.aggregations;
  if (!Array.isArray(raw)) return;
  const { fields, complete } = schemaFields(ctx, a);
  const names = fields.filter((f) => !ctx.isJoinKeyField(a.obj, f.obj)).map((f) => f.name!);
  const seen = new Map<string, number>();
  const outputs = new Map<string, number>();
  raw.forEach((el, i) => {
    if (!isDslObject(el) || el.$dsl !== "Aggregation") return;
    const agg = ctx.analysisOf(el);
    if (!agg) return;
    const o = typed(agg, "Aggregation");
    if (o.column === undefined || o.function === undefined || o.timeWindow === undefined) return;
    const key = `${o.column}\u0000${o.function}\u0000${o.timeWindow}\u0000${o.slideInterval ?? ""}\u0000${o.name ?? ""}`;
    const first = seen.get(key);
    if (first !== undefined) {
      r.at(
        ["aggregations", i],
        CODES.duplicateEntry,
        `aggregation ${o.function}(${o.column}) over ${formatDuration(o.timeWindow)} is listed twice (also aggregations[${first}])`,
      );
      return;
    }
    seen.set(key, i);
    if (!complete || optionRejected(agg, "name")) return;
    const output = aggregationOutputName(o as AggregationSpec, names);
    // Unnamed aggregations of a schema column all feed that column (Feast's older convention,
    // and fsops' before aggregations had names): only distinct outputs must not collide.
    const feedsColumn = o.name === undefined && output === o.column;
    const other = feedsColumn ? undefined : outputs.get(output);
    if (other !== undefined) {
      r.atObject(
        el,
        o.name !== undefined ? ["name"] : [],
        CODES.aggregationOutput,
        `aggregations[${other}] and aggregations[${i}] both produce the feature ${quote(output)}`,
        `give each its own name: new Aggregation({ …, name: "${o.column}_${o.function}_${formatDuration(o.timeWindow)}" })`,
      );
      return;
    }
    if (!feedsColumn) outputs.set(output, i);
    if (!names.includes(output)) {
      const near = nearest(output, names);
      r.atObject(
        el,
        o.name !== undefined ? ["name"] : [],
        CODES.aggregationOutput,
        `aggregation ${o.function}(${o.column}) over ${formatDuration(o.timeWindow)} produces the feature ${quote(output)}, which is not in the schema (the schema lists the view's outputs)`,
        near !== null && o.name !== undefined
          ? `did you mean ${quote(near)}?`
          : `add new Field({ name: ${JSON.stringify(output)}, dtype: … }) to the schema${o.name === undefined ? ", or give the aggregation a name" : ""}`,
      );
    }
  });
}

/** Feature service `features` and on-demand `sources`: projections, and nothing listed twice. */
function selectionRules(ctx: RuleContext, a: Analysis, r: Reporter, key: "features" | "sources"): void {
  const raw = a.obj.options[key];
  if (!Array.isArray(raw)) return;
  const seen = new Map<string, number>();
  raw.forEach((el, i) => {
    let selection: ViewSelection | null = null;
    let id: string | undefined;
    if (key === "features") {
      // What the schema rejects it reports itself (FS2xx); nothing more to check here.
      selection = selectionOf(el);
      if (selection === null) return;
      const name = nameOf(ctx, selection.view);
      id = name === undefined ? undefined : `view:${name}`;
    } else {
      const s = onDemandSourceOf(el);
      if (s === null) return;
      if (s.type === "feature_view") selection = s;
      const target = s.type === "feature_view" ? s.view : s.source;
      const name = nameOf(ctx, target);
      id = name === undefined ? undefined : `${s.type}:${name}`;
    }
    if (id !== undefined) {
      const first = seen.get(id);
      if (first !== undefined) {
        const what = selection
          ? `feature view ${quote(id.slice(id.indexOf(":") + 1))}`
          : `request source ${quote(id.slice(id.indexOf(":") + 1))}`;
        r.at(
          [key, i],
          CODES.duplicateEntry,
          `${what} is listed twice in ${key} (also ${key}[${first}])`,
          selection ? "select every feature you need in one .select([...])" : null,
        );
      } else {
        seen.set(id, i);
      }
    }
    if (selection?.features) projectionRules(ctx, r, selection, [key, i]);
  });
}

function projectionRules(ctx: RuleContext, r: Reporter, s: ViewSelection, at: OptionPath): void {
  const features = s.features!;
  for (const [j, f] of duplicateIndexes(features, (x) => x)) {
    r.at(
      [...at, "features", j],
      CODES.duplicateEntry,
      `feature ${quote(features[j]!)} is selected twice (also position ${f + 1})`,
    );
  }
  const view = ctx.analysisOf(s.view);
  if (!view) return;
  const { fields, complete } = schemaFields(ctx, view);
  if (!complete) return;
  const names = fields.filter((f) => !ctx.isJoinKeyField(s.view, f.obj)).map((f) => f.name!);
  const viewName = nameOf(ctx, s.view) ?? "?";
  features.forEach((f, j) => {
    if (names.includes(f)) return;
    const near = nearest(f, names);
    r.at(
      [...at, "features", j],
      CODES.unknownFeature,
      `${s.view.$dsl} ${quote(viewName)} has no feature ${quote(f)}`,
      near
        ? `did you mean ${quote(near)}?`
        : `its features: ${names.slice(0, 12).join(", ")}${names.length > 12 ? ", …" : ""}`,
    );
  });
}
