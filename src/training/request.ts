/**
 * Which views, features and join keys a historical request needs, resolved against the registry's
 * applied state (never the local definitions). Pure: no I/O, so every "unknown feature" mistake is
 * reported before any engine is touched.
 */
import { CommandError } from "../commands/errors.js";
import type { Dtype } from "../model/kinds.js";
import type { RegistryObject, RegistryState } from "../model/registry.js";
import type {
  DataSourceSpec,
  EntitySpec,
  FeatureServiceSpec,
  FeatureViewSpec,
  FileSourceSpec,
  OnDemandFeatureViewSpec,
  PostgresSourceSpec,
  StreamFeatureViewSpec,
} from "../model/spec.js";
import { joinKeyDtype } from "../infra/layout.js";
import { isReadableDtype, unreadableDtypeMessage } from "../offline/view-source.js";

/** What `getHistoricalFeatures` is asked for (contract shared with `fsops/serving`). */
export interface HistoricalRequest {
  entityRows?: Record<string, unknown>[];
  entitySql?: string;
  features?: string[];
  featureService?: string;
  fullFeatureNames?: boolean;
  createdBefore?: Date | string;
}

/** A mistake in the request or the data it names: printed as message + hint, never a stack. */
export class TrainingError extends CommandError {}

/** The entity column that carries each row's point in time. */
export const ENTITY_TIMESTAMP = "event_timestamp";
/** Internal row index column: every entity row comes out once, in input order. */
export const ROW_INDEX = "__fsops_row";

export interface JoinKey {
  name: string;
  dtype: Dtype;
  entity: string;
}

export interface WantedFeature {
  /** Feature name in the view's schema. */
  name: string;
  dtype: Dtype;
  /** Name of the column in the result; null when only an on-demand view needs it. */
  output: string | null;
  /** Internal column name in engine queries (`f<view>_<n>`), free of any collision. */
  internal: string;
}

export type BatchSourceSpec = PostgresSourceSpec | FileSourceSpec;

export interface ViewJoin {
  view: string;
  ttl: number;
  joinKeys: JoinKey[];
  features: WantedFeature[];
  /** The batch source the view is read from (a push source's batch source, for push views). */
  source: { name: string; spec: BatchSourceSpec; where: string };
  where: string;
}

export interface OnDemandJoin {
  view: string;
  spec: OnDemandFeatureViewSpec;
  /** Features of the on-demand view that go to the result. */
  outputs: { name: string; dtype: Dtype; output: string }[];
  /** Inputs of the transform: feature views' features (by internal column) and request fields. */
  inputs: { view: string; name: string; internal: string; dtype: Dtype }[];
  requestFields: { name: string; dtype: Dtype }[];
}

export interface TrainingPlan {
  views: ViewJoin[];
  onDemand: OnDemandJoin[];
  /** Every join key any view needs, first-seen order. */
  joinKeys: JoinKey[];
  /** Request fields on-demand views read from the entity rows. */
  requestFields: string[];
  /** Result feature columns in request order: `output` name and where the value comes from. */
  outputs: { output: string; internal: string; dtype: Dtype }[];
  createdBefore: Date | null;
}

const where = (o: RegistryObject): string => (o.file ? `${o.file}${o.line ? `:${o.line}` : ""}` : o.name);
/** `file:line: ` of an object's definition, or "" when the registry does not know it. */
const at = (o: RegistryObject): string => (o.file ? `${where(o)}: ` : "");

/** Resolve a request against the applied registry state. Throws `TrainingError` naming what is wrong. */
export function planRequest(state: RegistryState, req: HistoricalRequest): TrainingPlan {
  const byId = new Map(state.objects.map((o) => [`${o.kind}:${o.name}`, o]));
  const viewObject = (name: string): RegistryObject | undefined =>
    byId.get(`feature_view:${name}`) ??
    byId.get(`stream_feature_view:${name}`) ??
    byId.get(`on_demand_feature_view:${name}`);

  if ((req.features === undefined) === (req.featureService === undefined))
    throw new TrainingError(
      "give exactly one of features or featureService",
      'e.g. features: ["driver_stats:conv_rate"] or featureService: "model_v1"',
    );
  if ((req.entityRows === undefined) === (req.entitySql === undefined))
    throw new TrainingError("give exactly one of entityRows or entitySql");

  // (view, feature) pairs in request order.
  const refs: { view: string; feature: string }[] = [];
  if (req.features !== undefined) {
    if (req.features.length === 0) throw new TrainingError("features is empty", 'list "view:feature" names');
    for (const [i, f] of req.features.entries()) {
      const m = /^([^:]+):([^:]+)$/.exec(f.trim());
      if (!m)
        throw new TrainingError(
          `feature ${JSON.stringify(f)} (features[${i}]) is not of the form view:feature`,
          'write "driver_stats:conv_rate"',
        );
      refs.push({ view: m[1]!, feature: m[2]! });
    }
  } else {
    const svc = byId.get(`feature_service:${req.featureService}`);
    if (!svc) {
      const known = state.objects.filter((o) => o.kind === "feature_service").map((o) => o.name);
      throw new TrainingError(
        `unknown feature service ${JSON.stringify(req.featureService)} in project ${state.project}`,
        known.length ? `applied services: ${known.join(", ")}` : "no feature service is applied",
      );
    }
    for (const ref of (svc.spec as FeatureServiceSpec).features) {
      const vo = viewObject(ref.view);
      const schema = vo ? (vo.spec as FeatureViewSpec).schema : [];
      for (const name of ref.features ?? schema.map((f) => f.name))
        refs.push({ view: ref.view, feature: name });
    }
  }

  const views: ViewJoin[] = [];
  const viewIndex = new Map<string, ViewJoin>();
  const onDemand = new Map<string, OnDemandJoin>();
  const joinKeys = new Map<string, JoinKey>();
  const requestFields: string[] = [];
  const outputs: TrainingPlan["outputs"] = [];
  const outputNames = new Map<string, string>();

  const batchView = (name: string, context: string): ViewJoin => {
    const existing = viewIndex.get(name);
    if (existing) return existing;
    const vo = viewObject(name);
    if (!vo || vo.kind === "on_demand_feature_view") throw unknownView(state, name, context);
    const spec = vo.spec as FeatureViewSpec | StreamFeatureViewSpec;
    const keys: JoinKey[] = [];
    for (const entityName of spec.entities) {
      const eo = byId.get(`entity:${entityName}`);
      if (!eo)
        throw new TrainingError(`view ${name} uses entity ${entityName}, which is not in the registry`);
      const es = eo.spec as EntitySpec;
      for (const k of es.joinKeys) {
        const key = { name: k, dtype: joinKeyDtype(spec, k, es), entity: entityName };
        if (!isReadableDtype(key.dtype))
          throw new TrainingError(
            `${at(vo)}${unreadableDtypeMessage(name, "join key", k, key.dtype)}`,
            "give the key one of the supported dtypes",
          );
        const seen = joinKeys.get(k);
        if (seen && seen.dtype !== key.dtype)
          throw new TrainingError(
            `join key ${k} is ${seen.dtype} for entity ${seen.entity} but ${key.dtype} for entity ${entityName}`,
            "one join key name must have one type across the requested views",
          );
        if (!seen) joinKeys.set(k, key);
        keys.push(key);
      }
    }
    const source = batchSourceOf(byId, spec.source, name);
    const join: ViewJoin = {
      view: name,
      ttl: spec.ttl,
      joinKeys: keys,
      features: [],
      source,
      where: where(vo),
    };
    views.push(join);
    viewIndex.set(name, join);
    return join;
  };

  const featureOf = (join: ViewJoin, feature: string, context: string): WantedFeature => {
    const have = join.features.find((f) => f.name === feature);
    if (have) return have;
    const vo = viewObject(join.view)!;
    const spec = vo.spec as FeatureViewSpec;
    const field = spec.schema.find((f) => f.name === feature);
    if (!field)
      throw new TrainingError(
        `unknown feature ${join.view}:${feature} (${context})`,
        `features of ${join.view}: ${spec.schema.map((f) => f.name).join(", ")}`,
      );
    if (!isReadableDtype(field.dtype))
      throw new TrainingError(
        `${at(vo)}${unreadableDtypeMessage(join.view, "feature", feature, field.dtype)} (${context})`,
        "request the view's other features, or give this one a supported dtype",
      );
    const wanted: WantedFeature = {
      name: feature,
      dtype: field.dtype,
      output: null,
      internal: `f${views.indexOf(join)}_${join.features.length}`,
    };
    join.features.push(wanted);
    return wanted;
  };

  const claimOutput = (output: string, ref: string) => {
    const prior = outputNames.get(output);
    if (prior !== undefined)
      throw new TrainingError(
        `features ${prior} and ${ref} would both be the column ${output}`,
        "set fullFeatureNames: true (CLI: the names are view__feature) or request only one of them",
      );
    outputNames.set(output, ref);
  };

  for (const { view, feature } of refs) {
    const ref = `${view}:${feature}`;
    const vo = viewObject(view);
    if (!vo) throw unknownView(state, view, `feature ${ref}`);
    const output = req.fullFeatureNames ? `${view}__${feature}` : feature;
    if (vo.kind === "on_demand_feature_view") {
      const spec = vo.spec as OnDemandFeatureViewSpec;
      const field = spec.schema.find((f) => f.name === feature);
      if (!field)
        throw new TrainingError(
          `unknown feature ${ref}`,
          `features of ${view}: ${spec.schema.map((f) => f.name).join(", ")}`,
        );
      let od = onDemand.get(view);
      if (!od) {
        od = { view, spec, outputs: [], inputs: [], requestFields: [] };
        for (const src of spec.sources) {
          if (src.type === "request_source") {
            const rs = byId.get(`data_source:${src.name}`)?.spec as DataSourceSpec | undefined;
            if (rs?.type !== "request")
              throw new TrainingError(
                `on-demand view ${view} reads request source ${src.name}, which is not applied`,
              );
            for (const f of rs.schema) {
              od.requestFields.push({ name: f.name, dtype: f.dtype });
              if (!requestFields.includes(f.name)) requestFields.push(f.name);
            }
          } else {
            const join = batchView(src.name, `source of on-demand view ${view}`);
            const schema = (viewObject(src.name)!.spec as FeatureViewSpec).schema;
            for (const name of src.features ?? schema.map((f) => f.name)) {
              const wf = featureOf(join, name, `source of on-demand view ${view}`);
              od.inputs.push({ view: src.name, name, internal: wf.internal, dtype: wf.dtype });
            }
          }
        }
        onDemand.set(view, od);
      }
      if (od.outputs.some((o) => o.name === feature)) continue;
      claimOutput(output, ref);
      od.outputs.push({ name: feature, dtype: field.dtype, output });
      outputs.push({ output, internal: `od_${view}__${feature}`, dtype: field.dtype });
      continue;
    }
    const join = batchView(view, `feature ${ref}`);
    const wf = featureOf(join, feature, `requested as ${ref}`);
    if (wf.output !== null) continue;
    claimOutput(output, ref);
    wf.output = output;
    outputs.push({ output, internal: wf.internal, dtype: wf.dtype });
  }

  return {
    views,
    onDemand: [...onDemand.values()],
    joinKeys: [...joinKeys.values()],
    requestFields,
    outputs,
    createdBefore: parseCreatedBefore(req.createdBefore),
  };
}

function unknownView(state: RegistryState, name: string, context: string): TrainingError {
  const known = state.objects
    .filter((o) => ["feature_view", "stream_feature_view", "on_demand_feature_view"].includes(o.kind))
    .map((o) => o.name);
  return new TrainingError(
    `unknown feature view ${JSON.stringify(name)} (${context}) in project ${state.project}`,
    known.length ? `applied views: ${known.join(", ")}` : "no feature view is applied: run fsops apply first",
  );
}

function batchSourceOf(
  byId: Map<string, RegistryObject>,
  sourceName: string,
  view: string,
): ViewJoin["source"] {
  let name = sourceName;
  for (let hops = 0; hops < 4; hops++) {
    const so = byId.get(`data_source:${name}`);
    if (!so) throw new TrainingError(`view ${view} reads source ${name}, which is not in the registry`);
    const spec = so.spec as DataSourceSpec;
    if (spec.type === "postgres" || spec.type === "file") return { name, spec, where: where(so) };
    if (spec.type === "push" || spec.type === "kafka") {
      name = spec.batchSource;
      continue;
    }
    break;
  }
  throw new TrainingError(
    `view ${view} has no batch source (PostgresSource or FileSource) to read history from`,
    "give its push or Kafka source a batchSource",
  );
}

export function parseCreatedBefore(value: Date | string | undefined): Date | null {
  if (value === undefined) return null;
  const d = value instanceof Date ? value : parseTime(value);
  if (d === null || Number.isNaN(d.getTime()))
    throw new TrainingError(
      `createdBefore ${JSON.stringify(String(value))} is not a time`,
      "use ISO 8601, e.g. 2024-01-31T00:00:00Z (no zone = UTC)",
    );
  return d;
}

/** ISO 8601 date or date-time; without a zone it is UTC (never the machine's zone). */
export function parseTime(text: string): Date | null {
  const t = text.trim();
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      t,
    );
  if (!m) return null;
  const zone = m[8] ?? "Z";
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}${m[7] ?? ""}${
    zone.toUpperCase() === "Z"
      ? "Z"
      : zone.length === 3
        ? `${zone}:00`
        : zone.includes(":")
          ? zone
          : `${zone.slice(0, 3)}:${zone.slice(3)}`
  }`;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}
