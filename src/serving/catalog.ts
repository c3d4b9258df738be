/**
 * What serving needs to know about one registry version, worked out once per version: every
 * servable view with its join keys, features, ttl and where its rows live, every on-demand
 * view and every feature service. Pure: a function of the registry state (never the local
 * definitions: serving serves what was reviewed and applied).
 */
import type { Dtype } from "../model/kinds.js";
import type { RegistryState } from "../model/registry.js";
import type {
  EntitySpec,
  FeatureServiceSpec,
  FeatureViewSpec,
  FieldSpec,
  OnDemandFeatureViewSpec,
  StreamFeatureViewSpec,
} from "../model/spec.js";
import { DUMMY_ENTITY_KEY, joinKeyDtype, parseInfraRecord } from "../infra/layout.js";
import { onlineTableName } from "../infra/naming.js";
import { DEFAULT_SCHEMA } from "../infra/plan-infra.js";

/** A user mistake in a request (unknown feature, missing key …): the server answers 400. */
export class ServingRequestError extends Error {
  constructor(
    message: string,
    /** The request field it is about (`features[2]`, `entities.driver_id[0]`), when one is. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "ServingRequestError";
  }
}

export interface KeyColumn {
  name: string;
  dtype: Dtype;
}

export interface StoredView {
  kind: "feature_view" | "stream_feature_view";
  name: string;
  keys: KeyColumn[];
  /** Every feature of the view, in schema order. */
  features: FieldSpec[];
  /** Seconds; 0 = no expiry. */
  ttl: number;
  online: boolean;
  /** Postgres location (from the registry's infra record, else the naming rule). */
  table: { schema: string; name: string };
}

export interface OnDemandView {
  name: string;
  spec: OnDemandFeatureViewSpec;
}

export interface Catalog {
  project: string;
  serial: number;
  lineage: string;
  views: Map<string, StoredView>;
  onDemand: Map<string, OnDemandView>;
  services: Map<string, FeatureServiceSpec>;
  /** Request-source name → its fields. */
  requestSources: Map<string, FieldSpec[]>;
}

export function buildCatalog(state: RegistryState, defaultSchema: string = DEFAULT_SCHEMA): Catalog {
  const entities = new Map<string, EntitySpec>();
  const requestSources = new Map<string, FieldSpec[]>();
  for (const o of state.objects) {
    if (o.kind === "entity") entities.set(o.name, o.spec as EntitySpec);
    if (o.kind === "data_source" && (o.spec as { type: string }).type === "request") {
      requestSources.set(o.name, (o.spec as { schema: FieldSpec[] }).schema);
    }
  }
  const record = parseInfraRecord(state.infra);
  const views = new Map<string, StoredView>();
  const onDemand = new Map<string, OnDemandView>();
  const services = new Map<string, FeatureServiceSpec>();
  for (const o of state.objects) {
    if (o.kind === "feature_view" || o.kind === "stream_feature_view") {
      const spec = o.spec as FeatureViewSpec | StreamFeatureViewSpec;
      const keys: KeyColumn[] = [];
      for (const e of spec.entities) {
        const entity = entities.get(e);
        if (entity === undefined) continue;
        for (const k of entity.joinKeys) {
          if (!keys.some((x) => x.name === k)) keys.push({ name: k, dtype: joinKeyDtype(spec, k, entity) });
        }
      }
      if (keys.length === 0) keys.push({ name: DUMMY_ENTITY_KEY, dtype: "string" });
      const recorded = record?.store === "postgres" ? record.tables[o.name] : undefined;
      const schema = record?.store === "postgres" ? record.schema : defaultSchema;
      views.set(o.name, {
        kind: o.kind,
        name: o.name,
        keys,
        features: spec.schema,
        ttl: spec.ttl,
        online: spec.online,
        table: { schema, name: recorded?.table ?? onlineTableName(state.project, o.name) },
      });
    } else if (o.kind === "on_demand_feature_view") {
      onDemand.set(o.name, { name: o.name, spec: o.spec as OnDemandFeatureViewSpec });
    } else if (o.kind === "feature_service") {
      services.set(o.name, o.spec as FeatureServiceSpec);
    }
  }
  return {
    project: state.project,
    serial: state.serial,
    lineage: state.lineage,
    views,
    onDemand,
    services,
    requestSources,
  };
}

/** One output feature: which view it comes from and the name it is returned under. */
export interface RequestedFeature {
  view: string;
  feature: string;
  dtype: Dtype;
  onDemand: boolean;
  /** `feature` or `view__feature`. */
  outputName: string;
}

/** What a request reads: output features in order, and per stored view the features to fetch. */
export interface ReadPlan {
  features: RequestedFeature[];
  /** Stored view → feature names to read (requested ones and those on-demand views need). */
  reads: Map<string, Set<string>>;
  /** On-demand views to compute, in first-requested order. */
  onDemand: string[];
  /** Join keys every entity row must carry, with the type the views expect. */
  keys: KeyColumn[];
  /** Request-context fields on-demand views need. */
  requestFields: FieldSpec[];
}

export interface FeatureSelection {
  features?: readonly string[];
  featureService?: string;
  fullFeatureNames?: boolean;
}

export function planRead(catalog: Catalog, selection: FeatureSelection): ReadPlan {
  const refs: { view: string; feature: string; field: string }[] = [];
  if (selection.featureService !== undefined) {
    if (selection.features !== undefined && selection.features.length > 0) {
      throw new ServingRequestError("give either features or feature_service, not both", "features");
    }
    const service = catalog.services.get(selection.featureService);
    if (service === undefined) {
      throw new ServingRequestError(
        `unknown feature service ${JSON.stringify(selection.featureService)}${known(catalog.services.keys())}`,
        "feature_service",
      );
    }
    for (const ref of service.features) {
      const all = viewFeatures(catalog, ref.view);
      if (all === null) {
        throw new ServingRequestError(
          `feature service ${selection.featureService} names view ${ref.view}, which is not in the registry`,
          "feature_service",
        );
      }
      for (const f of ref.features ?? all.map((x) => x.name)) {
        refs.push({ view: ref.view, feature: f, field: "feature_service" });
      }
    }
  } else if (selection.features !== undefined && selection.features.length > 0) {
    for (const [i, text] of selection.features.entries()) {
      const colon = text.indexOf(":");
      if (colon <= 0 || colon === text.length - 1) {
        throw new ServingRequestError(
          `features[${i}]: ${JSON.stringify(text)} is not "view:feature"`,
          `features[${i}]`,
        );
      }
      refs.push({ view: text.slice(0, colon), feature: text.slice(colon + 1), field: `features[${i}]` });
    }
  } else {
    throw new ServingRequestError('give features ("view:feature" names) or feature_service', "features");
  }

  const features: RequestedFeature[] = [];
  const reads = new Map<string, Set<string>>();
  const onDemand: string[] = [];
  const seenOutput = new Map<string, string>();
  const addRead = (view: string, feature: string) => {
    let set = reads.get(view);
    if (set === undefined) reads.set(view, (set = new Set()));
    set.add(feature);
  };
  for (const ref of refs) {
    const all = viewFeatures(catalog, ref.view);
    if (all === null) {
      throw new ServingRequestError(
        `${ref.field}: unknown feature view ${JSON.stringify(ref.view)}${known(allViewNames(catalog))}`,
        ref.field,
      );
    }
    const field = all.find((f) => f.name === ref.feature);
    if (field === undefined) {
      throw new ServingRequestError(
        `${ref.field}: view ${ref.view} has no feature ${JSON.stringify(ref.feature)}${known(all.map((f) => f.name))}`,
        ref.field,
      );
    }
    const stored = catalog.views.get(ref.view);
    if (stored !== undefined && !stored.online) {
      throw new ServingRequestError(
        `${ref.field}: view ${ref.view} is not online (online: false), so it has no online values`,
        ref.field,
      );
    }
    const outputName = selection.fullFeatureNames ? `${ref.view}__${ref.feature}` : ref.feature;
    const previous = seenOutput.get(outputName);
    const qualified = `${ref.view}:${ref.feature}`;
    if (previous !== undefined) {
      if (previous === qualified) continue; // asked twice: returned once
      throw new ServingRequestError(
        `${ref.field}: two features are both named ${outputName} (${previous}, ${qualified}); ask with full_feature_names: true`,
        ref.field,
      );
    }
    seenOutput.set(outputName, qualified);
    const isOnDemand = stored === undefined;
    features.push({
      view: ref.view,
      feature: ref.feature,
      dtype: field.dtype,
      onDemand: isOnDemand,
      outputName,
    });
    if (!isOnDemand) addRead(ref.view, ref.feature);
    else if (!onDemand.includes(ref.view)) onDemand.push(ref.view);
  }

  const requestFields: FieldSpec[] = [];
  for (const name of onDemand) {
    const odfv = catalog.onDemand.get(name) as OnDemandView;
    for (const source of odfv.spec.sources) {
      if (source.type === "request_source") {
        for (const f of catalog.requestSources.get(source.name) ?? []) {
          if (!requestFields.some((r) => r.name === f.name)) requestFields.push(f);
        }
        continue;
      }
      const view = catalog.views.get(source.name);
      if (view === undefined) {
        throw new ServingRequestError(
          `on-demand view ${name} reads ${source.name}, which is not a stored view in the registry`,
        );
      }
      for (const f of source.features ?? view.features.map((x) => x.name)) addRead(source.name, f);
    }
  }

  const keys: KeyColumn[] = [];
  for (const view of reads.keys()) {
    for (const k of (catalog.views.get(view) as StoredView).keys) {
      const had = keys.find((x) => x.name === k.name);
      if (had === undefined) keys.push(k);
    }
  }
  return { features, reads, onDemand, keys, requestFields };
}

function viewFeatures(catalog: Catalog, view: string): FieldSpec[] | null {
  return catalog.views.get(view)?.features ?? catalog.onDemand.get(view)?.spec.schema ?? null;
}

function allViewNames(catalog: Catalog): string[] {
  return [...catalog.views.keys(), ...catalog.onDemand.keys()];
}

function known(names: Iterable<string>): string {
  const list = [...names].sort();
  if (list.length === 0) return " (the registry has none)";
  const shown = list.slice(0, 10).join(", ");
  return ` (known: ${shown}${list.length > 10 ? ", …" : ""})`;
}
