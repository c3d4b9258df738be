/**
 * Online retrieval for one request, on one registry version: check the entity rows, read every
 * needed view in one round trip per store, apply ttl at read time, compute on-demand views, and
 * assemble rows with a status and an event timestamp per value.
 */
import { DUMMY_ENTITY_KEY } from "../infra/layout.js";
import type { Dtype } from "../model/kinds.js";
import type { Catalog, KeyColumn, ReadPlan, StoredView } from "./catalog.js";
import { planRead, ServingRequestError } from "./catalog.js";
import type { OnlineReader, ReadResult, StoredRow, ViewRead } from "./online-reader.js";
import type { TransformRunner } from "./transforms.js";
import { entityKeyString, feastTimestamp, keyValue, normalizeValue, toJsonText } from "./values.js";

/** The value of the dummy key (src/offline/view-source.ts writes rows of entity-less views under it). */
const DUMMY_ENTITY_VALUE = "";

export type FieldStatus = "PRESENT" | "NULL_VALUE" | "NOT_FOUND" | "OUTSIDE_MAX_AGE";

export interface OnlineFeaturesRequest {
  /** `"view:feature"` names. */
  features?: string[];
  featureService?: string;
  /** One object per entity: join keys (and request fields, as Feast allows). */
  entityRows: Record<string, unknown>[];
  /** Request data for on-demand views: field → one value per entity row. */
  requestContext?: Record<string, unknown[]>;
  /** Name features `view__feature` instead of `feature`. */
  fullFeatureNames?: boolean;
}

export interface OnlineFeaturesResponse {
  /** Join keys first (as given in the entity rows), then the features in request order. */
  featureNames: string[];
  /** One per entity row: name → value (int64 as bigint; null when not PRESENT). */
  rows: Record<string, unknown>[];
  statuses: Record<string, FieldStatus>[];
  /** The value's event time; null for join keys, computed values and missing rows. */
  eventTimestamps: Record<string, Date | null>[];
  /** The registry serial the request ran on. */
  serial: number;
}

export interface RetrievalContext {
  catalog: Catalog;
  reader: OnlineReader;
  transforms: () => TransformRunner;
  now?: () => Date;
}

/**
 * The answer column by column, as it is computed and as Feast's server writes it: one column per
 * name in `featureNames`, `values[j][i]` = entity row i. The HTTP server encodes this directly;
 * the SDK turns it into rows (`rowsOf`).
 */
export interface OnlineColumns {
  featureNames: string[];
  values: unknown[][];
  statuses: FieldStatus[][];
  eventTimestamps: (Date | null)[][];
  serial: number;
}

export async function getOnlineColumns(
  ctx: RetrievalContext,
  request: OnlineFeaturesRequest,
): Promise<OnlineColumns> {
  const { catalog } = ctx;
  const plan = planRead(catalog, request);
  const entityRows = request.entityRows;
  if (!Array.isArray(entityRows)) throw new ServingRequestError("entities must be given", "entities");
  const n = entityRows.length;
  const joinKeyNames = outputKeys(entityRows, plan);

  // Per entity row, its normalized value of every join key the plan needs, per dtype: two views
  // may type the same key name differently (int64 in one, string in another), and each view's
  // key is encoded with its own type (Redis key text, Postgres parameter).
  const keyColumns = new Map<string, (string | number | bigint)[]>();
  const keyColumn = (k: KeyColumn): (string | number | bigint)[] => {
    const id = `${k.name}\u0000${k.dtype}`;
    let column = keyColumns.get(id);
    if (column !== undefined) return column;
    column = [];
    for (let i = 0; i < n; i++) {
      const row = entityRows[i] as Record<string, unknown>;
      if (k.name === DUMMY_ENTITY_KEY) {
        // A view without entities stores its one row under the dummy key (Feast's convention).
        column.push(DUMMY_ENTITY_VALUE);
        continue;
      }
      if (!(k.name in row) || row[k.name] === undefined) {
        throw new ServingRequestError(
          `entities: missing join key ${k.name} (needed by ${viewsNeeding(catalog, plan, k.name).join(", ")})`,
          `entities.${k.name}`,
        );
      }
      column.push(keyValue(row[k.name], k.dtype, `entities.${k.name}[${i}]`));
    }
    keyColumns.set(id, column);
    return column;
  };
  // The value returned for a join key: as the first view needing it types it.
  const keyValues = new Map<string, (string | number | bigint)[]>();
  for (const k of plan.keys) keyValues.set(k.name, keyColumn(k));

  const reads: ViewRead[] = [];
  const rowKeys = new Map<string, string[]>(); // view → key string per entity row
  for (const [viewName, features] of plan.reads) {
    const view = catalog.views.get(viewName) as StoredView;
    const perRow: string[] = [];
    const distinct = new Map<string, (string | number | bigint)[]>();
    const columns = view.keys.map(keyColumn);
    for (let i = 0; i < n; i++) {
      const tuple = columns.map((column) => column[i] as string | number | bigint);
      const key = entityKeyString(tuple);
      perRow.push(key);
      if (!distinct.has(key)) distinct.set(key, tuple);
    }
    rowKeys.set(viewName, perRow);
    reads.push({ view, features: [...features], keys: [...distinct.values()] });
  }

  const requestColumns = requestFields(plan, request, n);
  const result: ReadResult = reads.length > 0 ? await ctx.reader.read(catalog, reads) : new Map();
  const now = (ctx.now?.() ?? new Date()).getTime();

  const values: unknown[][] = [];
  const statuses: FieldStatus[][] = [];
  const times: (Date | null)[][] = [];
  for (const k of joinKeyNames) {
    const needed = keyValues.get(k);
    const column: unknown[] = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      column[i] = needed !== undefined ? needed[i] : ((entityRows[i] as Record<string, unknown>)[k] ?? null);
    }
    values.push(column);
    statuses.push(new Array<FieldStatus>(n).fill("PRESENT"));
    times.push(new Array<Date | null>(n).fill(null));
  }

  /** The value of stored `view.feature` for row i, with its status, ttl applied. */
  const readOf = new Map(reads.map((r) => [r.view.name, r]));
  /** Stored `view.feature` for every entity row, ttl applied; lookups hoisted out of the row loop. */
  const storedColumn = (viewName: string, feature: string) => {
    const read = readOf.get(viewName) as ViewRead;
    const found = result.get(viewName);
    const keys = rowKeys.get(viewName) as string[];
    const f = read.features.indexOf(feature);
    const dtype = dtypeOf(read.view, feature);
    const oldest = read.view.ttl > 0 ? now - read.view.ttl * 1000 : -Infinity;
    const values: unknown[] = new Array<unknown>(n);
    const status: FieldStatus[] = new Array<FieldStatus>(n);
    const ts: (Date | null)[] = new Array<Date | null>(n);
    for (let i = 0; i < n; i++) {
      const row: StoredRow | undefined = found?.get(keys[i] as string);
      if (row === undefined) {
        values[i] = null;
        status[i] = "NOT_FOUND";
        ts[i] = null;
        continue;
      }
      ts[i] = row.eventTs;
      if (row.eventTs !== null && row.eventTs.getTime() < oldest) {
        values[i] = null;
        status[i] = "OUTSIDE_MAX_AGE";
        continue;
      }
      const value = normalizeValue(row.values[f], dtype);
      values[i] = value;
      status[i] = value === null ? "NULL_VALUE" : "PRESENT";
    }
    return { values, status, ts };
  };

  const computed = new Map<string, Record<string, unknown[]>>();
  for (const name of plan.onDemand) {
    const odfv = catalog.onDemand.get(name);
    if (odfv === undefined) continue;
    const inputs: Record<string, unknown[]> = {};
    for (const source of odfv.spec.sources) {
      if (source.type === "request_source") {
        for (const f of catalog.requestSources.get(source.name) ?? []) {
          inputs[f.name] = requestColumns.get(f.name) ?? new Array<unknown>(n).fill(null);
        }
        continue;
      }
      const view = catalog.views.get(source.name) as StoredView;
      for (const f of source.features ?? view.features.map((x) => x.name)) {
        const column = storedColumn(source.name, f).values;
        inputs[f] = column;
        inputs[`${source.name}__${f}`] = column;
      }
    }
    computed.set(name, ctx.transforms().run(name, inputs));
  }

  for (const feature of plan.features) {
    if (feature.onDemand) {
      const column = computed.get(feature.view)?.[feature.feature] ?? [];
      const out: unknown[] = new Array<unknown>(n);
      const status: FieldStatus[] = new Array<FieldStatus>(n);
      for (let i = 0; i < n; i++) {
        const value = column[i] ?? null;
        out[i] = value;
        status[i] = value === null ? "NULL_VALUE" : "PRESENT";
      }
      values.push(out);
      statuses.push(status);
      times.push(new Array<Date | null>(n).fill(null));
      continue;
    }
    const got = storedColumn(feature.view, feature.feature);
    values.push(got.values);
    statuses.push(got.status);
    times.push(got.ts);
  }
  return {
    featureNames: [...joinKeyNames, ...plan.features.map((f) => f.outputName)],
    values,
    statuses,
    eventTimestamps: times,
    serial: catalog.serial,
  };
}

/** The SDK's shape: one object per entity row (name → value, status, event time). */
export function rowsOf(columns: OnlineColumns): OnlineFeaturesResponse {
  const { featureNames } = columns;
  const n = columns.values[0]?.length ?? 0;
  const rows: Record<string, unknown>[] = [];
  const statuses: Record<string, FieldStatus>[] = [];
  const times: Record<string, Date | null>[] = [];
  for (let i = 0; i < n; i++) {
    const row: Record<string, unknown> = {};
    const status: Record<string, FieldStatus> = {};
    const time: Record<string, Date | null> = {};
    for (let j = 0; j < featureNames.length; j++) {
      const name = featureNames[j] as string;
      row[name] = (columns.values[j] as unknown[])[i];
      status[name] = (columns.statuses[j] as FieldStatus[])[i] as FieldStatus;
      time[name] = (columns.eventTimestamps[j] as (Date | null)[])[i] ?? null;
    }
    rows.push(row);
    statuses.push(status);
    times.push(time);
  }
  return { featureNames, rows, statuses, eventTimestamps: times, serial: columns.serial };
}

const dtypeCache = new WeakMap<StoredView, Map<string, Dtype>>();

function dtypeOf(view: StoredView, feature: string): Dtype {
  let map = dtypeCache.get(view);
  if (map === undefined) dtypeCache.set(view, (map = new Map(view.features.map((f) => [f.name, f.dtype]))));
  return map.get(feature) ?? "string";
}

/** The join keys returned: those the entity rows carry, minus request fields, in given order. */
function outputKeys(entityRows: readonly Record<string, unknown>[], plan: ReadPlan): string[] {
  const requestNames = new Set(plan.requestFields.map((f) => f.name));
  const first = entityRows[0];
  const names = first === undefined ? plan.keys.map((k) => k.name) : Object.keys(first);
  return names.filter((k) => !requestNames.has(k) && k !== DUMMY_ENTITY_KEY);
}

function viewsNeeding(catalog: Catalog, plan: ReadPlan, key: string): string[] {
  return [...plan.reads.keys()].filter((v) =>
    (catalog.views.get(v) as StoredView).keys.some((k: KeyColumn) => k.name === key),
  );
}

function requestFields(plan: ReadPlan, request: OnlineFeaturesRequest, n: number): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const f of plan.requestFields) {
    const fromContext = request.requestContext?.[f.name];
    let column: unknown[];
    if (fromContext !== undefined) {
      if (!Array.isArray(fromContext) || fromContext.length !== n) {
        throw new ServingRequestError(
          `request_context.${f.name}: expected an array of ${n} values (one per entity row)`,
          `request_context.${f.name}`,
        );
      }
      column = fromContext;
    } else if (request.entityRows.every((r) => f.name in r)) {
      column = request.entityRows.map((r) => r[f.name]);
    } else {
      throw new ServingRequestError(
        `request_context.${f.name}: missing; the on-demand views asked for need this request field (${f.dtype})`,
        `request_context.${f.name}`,
      );
    }
    out.set(f.name, column);
  }
  return out;
}

const QUOTED_STATUS: Record<FieldStatus, string> = {
  PRESENT: '"PRESENT"',
  NULL_VALUE: '"NULL_VALUE"',
  NOT_FOUND: '"NOT_FOUND"',
  OUTSIDE_MAX_AGE: '"OUTSIDE_MAX_AGE"',
};

/** `toFeastJson` of the columns, without building rows first (the server's path). */
export function columnsToFeastJson(columns: Omit<OnlineColumns, "serial">): string {
  // The features of one stored row share its event time, and rows written together share theirs:
  // format each distinct time once.
  const stamps = new Map<number, string>();
  const epoch = `"${feastTimestamp(null)}"`;
  const results: string[] = new Array<string>(columns.featureNames.length);
  for (let j = 0; j < results.length; j++) {
    const values = columns.values[j] as unknown[];
    const statuses = columns.statuses[j] as FieldStatus[];
    const ts = columns.eventTimestamps[j] as (Date | null)[];
    const n = values.length;
    const v: string[] = new Array<string>(n);
    const s: string[] = new Array<string>(n);
    const t: string[] = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      v[i] = toJsonText(values[i]);
      s[i] = QUOTED_STATUS[statuses[i] as FieldStatus];
      const d = ts[i] ?? null;
      if (d === null) t[i] = epoch;
      else {
        const ms = d.getTime();
        let text = stamps.get(ms);
        if (text === undefined) stamps.set(ms, (text = `"${feastTimestamp(d)}"`));
        t[i] = text;
      }
    }
    results[j] =
      `{"values":[${v.join(",")}],"statuses":[${s.join(",")}],"event_timestamps":[${t.join(",")}]}`;
  }
  return `{"metadata":{"feature_names":${JSON.stringify(columns.featureNames)}},"results":[${results.join(",")}]}`;
}

/**
 * The response as Feast's feature server writes it: column-oriented, one `results` entry per
 * name in `metadata.feature_names`, `values[i]` = entity row i.
 */
export function toFeastJson(response: OnlineFeaturesResponse): string {
  return columnsToFeastJson({
    featureNames: response.featureNames,
    values: response.featureNames.map((name) => response.rows.map((r) => r[name])),
    statuses: response.featureNames.map((name) => response.statuses.map((s) => s[name] as FieldStatus)),
    eventTimestamps: response.featureNames.map((name) =>
      response.eventTimestamps.map((t) => t[name] ?? null),
    ),
  });
}
