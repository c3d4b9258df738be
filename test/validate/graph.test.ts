/** Graph rules: names across objects, references, projections, join keys, aggregations, edges. */
import { describe, expect, it } from "vitest";
import type { DslObject, EvalValue } from "../../src/model/evaluated.js";
import { buildDesiredState } from "../../src/validate/index.js";
import { CODES } from "../../src/validate/codes.js";
import { Defs, at, codes, loc } from "./helpers.js";

function validate(d: Defs) {
  return buildDesiredState("proj", d.result());
}
function ids(d: Defs): string[] {
  return validate(d).state.objects.map((o) => `${o.kind}:${o.name}`);
}

function driverProject(d: Defs) {
  const driver = d.entity("driver", { joinKeys: ["driver_id"], valueType: "int64" });
  const src = d.fileSource("driver_source");
  const conv = d.field("conv_rate");
  const acc = d.field("acc_rate");
  const fv = d.featureView("driver_stats", [driver], [conv, acc], src);
  return { driver, src, conv, acc, fv };
}

describe("duplicate definitions", () => {
  it("an identical object defined twice merges silently, at its first location", () => {
    const d = new Defs();
    const e1 = d.entity("driver", { joinKeys: ["driver_id"] }, { file: "a.ts", line: 3 });
    const e2 = d.entity("driver", { joinKeys: ["driver_id"] }, { file: "b.ts", line: 7 });
    const src = d.fileSource("s");
    // Each view references a different instance: both resolve to the one entity.
    d.featureView("v1", [e2], [d.field("f")], src);
    d.featureView("v2", [e1], [d.field("g")], src);
    const { state, diagnostics } = validate(d);
    expect(diagnostics).toEqual([]);
    const entities = state.objects.filter((o) => o.kind === "entity");
    expect(entities).toHaveLength(1);
    expect(entities[0]!.location).toEqual(e1.location);
    expect(state.edges.filter((e) => e.to === "entity:driver").map((e) => e.from)).toEqual([
      "feature_view:v1",
      "feature_view:v2",
    ]);
  });

  it("the merge does not depend on which one comes first in the input", () => {
    const d = new Defs();
    d.entity("driver", {}, { file: "b.ts", line: 7 });
    const first = d.entity("driver", {}, { file: "a.ts", line: 3 });
    const { state } = validate(d);
    expect(state.objects.map((o) => o.location)).toEqual([first.location]);
  });

  it("a different object with the same kind and name is an error naming both locations", () => {
    const d = new Defs();
    const e1 = d.entity("driver", { joinKeys: ["driver_id"] }, { file: "entities.ts", line: 3 });
    const e2 = d.entity("driver", { joinKeys: ["id"] }, { file: "more/entities.ts", line: 12 });
    const src = d.fileSource("s");
    d.featureView("v", [e1], [d.field("f")], src);
    const { state, diagnostics } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: CODES.conflictingDefinition, ...at(loc(e2)) }),
    ]);
    expect(diagnostics[0]!.message).toBe(
      'Entity "driver": defined twice with different specs, at entities.ts:3 and more/entities.ts:12 (they differ in joinKeys)',
    );
    // Neither wins, and what depends on the name is left out rather than planned half-way.
    expect(state.objects.map((o) => `${o.kind}:${o.name}`)).toEqual(["data_source:s"]);
  });

  it("two data source classes with one name conflict (one kind)", () => {
    const d = new Defs();
    d.fileSource("s", {}, { file: "a.ts", line: 1 });
    const pg = d.make(
      "PostgresSource",
      { name: "s", table: "t", timestampField: "ts" },
      { file: "b.ts", line: 1 },
    );
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([expect.objectContaining({ code: CODES.conflictingDefinition, ...at(loc(pg)) })]);
    expect(ds[0]!.message).toContain("a.ts:1 and b.ts:1");
  });

  it("three variants: each later one is reported against the first", () => {
    const d = new Defs();
    d.entity("e", { valueType: "int64" }, { file: "a.ts", line: 1 });
    const b = d.entity("e", { valueType: "int32" }, { file: "b.ts", line: 1 });
    const c = d.entity("e", { valueType: "bytes" }, { file: "c.ts", line: 1 });
    d.entity("e", { valueType: "int64" }, { file: "d.ts", line: 1 });
    const ds = validate(d).diagnostics;
    expect(ds.map((x) => [x.code, x.file])).toEqual([
      [CODES.conflictingDefinition, b.location.file],
      [CODES.conflictingDefinition, c.location.file],
    ]);
  });

  it("same name in different kinds is fine outside the feature-view namespace", () => {
    const d = new Defs();
    const driver = d.entity("driver");
    const src = d.fileSource("driver");
    d.featureView("driver_fv", [driver], [d.field("x")], src);
    d.make("FeatureService", { name: "driver", features: [d.objects[3]!] });
    expect(validate(d).diagnostics).toEqual([]);
    expect(ids(d)).toEqual([
      "entity:driver",
      "data_source:driver",
      "feature_view:driver_fv",
      "feature_service:driver",
    ]);
  });

  it("feature views of different kinds share one namespace (FS211)", () => {
    const d = new Defs();
    const { driver, fv } = driverProject(d);
    const kafka = d.make("KafkaSource", {
      name: "k",
      bootstrapServers: "b",
      topic: "t",
      timestampField: "ts",
      messageFormat: "json",
      batchSource: d.objects[1]!,
    });
    const sfv = d.make("StreamFeatureView", {
      name: "driver_stats",
      entities: [driver],
      schema: [d.field("x")],
      source: kafka,
    });
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: CODES.featureViewNameClash, ...at(loc(sfv)) }),
    ]);
    expect(diagnostics[0]!.message).toContain(`a FeatureView at ${fv.location.file}:${fv.location.line}`);
    expect(diagnostics[0]!.message).toContain(
      `a StreamFeatureView at ${sfv.location.file}:${sfv.location.line}`,
    );
    expect(state.objects.some((o) => o.name === "driver_stats")).toBe(false);
  });
});

describe("references", () => {
  it("a view whose dependency is invalid is left out without a second diagnostic", () => {
    const d = new Defs();
    const bad = d.entity("driver", { valueType: "long" });
    const src = d.fileSource("s");
    const fv = d.featureView("v", [bad], [d.field("f")], src);
    d.make("FeatureService", { name: "svc", features: [fv] });
    const other = d.entity("customer");
    const { diagnostics, state } = validate(d);
    expect(codes(diagnostics)).toEqual([CODES.invalidDtype]);
    expect(state.objects.map((o) => o.name)).toEqual([other.options.name, "s"]);
  });

  it("a referenced object that only appears nested is still validated and registered", () => {
    const d = new Defs();
    const driver = d.entity("driver");
    const src = d.fileSource("inline_source");
    d.featureView("v", [driver], [d.field("f")], src);
    const parsed = d.result();
    // The parse stage lists every construction; validation also finds one it did not list.
    const onlyTop = { objects: parsed.objects.filter((o) => o.$dsl === "FeatureView"), diagnostics: [] };
    const { state, diagnostics } = buildDesiredState("proj", onlyTop);
    expect(diagnostics).toEqual([]);
    expect(state.objects.map((o) => `${o.kind}:${o.name}`)).toEqual([
      "entity:driver",
      "data_source:inline_source",
      "feature_view:v",
    ]);
  });
});

describe("projections (FS212)", () => {
  it("names each missing feature at its location and hints the nearest one", () => {
    const d = new Defs();
    const { fv } = driverProject(d);
    const p = d.select(fv, ["conv_rate", "conv_rat", "driver_id", "zzz"]);
    d.make("FeatureService", { name: "svc", features: [p] });
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.unknownFeature,
        ...at(p.location),
        message: 'FeatureService "svc": FeatureView "driver_stats" has no feature "conv_rat"',
        hint: 'did you mean "conv_rate"?',
      }),
      expect.objectContaining({
        code: CODES.unknownFeature,
        message: 'FeatureService "svc": FeatureView "driver_stats" has no feature "driver_id"',
        hint: "its features: conv_rate, acc_rate",
      }),
      expect.objectContaining({ code: CODES.unknownFeature, message: expect.stringContaining('"zzz"') }),
    ]);
    expect(state.objects.some((o) => o.kind === "feature_service")).toBe(false);
  });

  it("points at the feature inside the select when the parser recorded it", () => {
    const d = new Defs();
    const { fv } = driverProject(d);
    const p = d.select(fv, ["conv_rate", "nope"]);
    const svc = d.make("FeatureService", { name: "svc", features: [p] }, { locations: false });
    // A projection bound to a const elsewhere: only the projection's own location is known.
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.unknownFeature, ...at(p.location) }),
    ]);
    expect(svc.optionLocations).toEqual({});

    const d2 = new Defs();
    const x = driverProject(d2);
    const svc2 = d2.make("FeatureService", {
      name: "svc",
      features: [d2.select(x.fv, ["acc_rate", "nope"])],
    });
    const located = {
      ...svc2,
      optionLocations: {
        ...svc2.optionLocations,
        "features.0.features.1": { file: "f.ts", line: 99, column: 42 },
      },
    };
    const parsed = { objects: d2.objects.map((o) => (o === svc2 ? located : o)), diagnostics: [] };
    expect(buildDesiredState("p", parsed).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.unknownFeature, file: "f.ts", line: 99, column: 42 }),
    ]);
  });

  it("a feature selected twice (FS215) and an empty select (FS218)", () => {
    const d = new Defs();
    const { fv } = driverProject(d);
    const twice = d.select(fv, ["acc_rate", "acc_rate"]);
    d.make("FeatureService", { name: "svc", features: [twice] });
    const empty = d.select(fv, []);
    d.make("FeatureService", { name: "svc2", features: [empty] });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.duplicateEntry, ...at(twice.location) }),
      expect.objectContaining({ code: CODES.emptyValue, ...at(empty.location) }),
    ]);
  });

  it("projections of on-demand and stream views, and inside on-demand sources", () => {
    const d = new Defs();
    const { driver, src, fv } = driverProject(d);
    const req = d.make("RequestSource", { name: "req", schema: [d.field("val", "int64")] });
    const inOdfv = d.select(fv, ["conv_rate", "nope"]);
    const odfv = d.make("OnDemandFeatureView", {
      name: "odfv",
      sources: [inOdfv, req],
      schema: [d.field("out")],
      transform: d.transform("(x) => x"),
    });
    const push = d.make("PushSource", { name: "push", batchSource: src });
    const sfv = d.make("StreamFeatureView", {
      name: "sfv",
      entities: [driver],
      schema: [d.field("s")],
      source: push,
    });
    const ofOdfv = d.select(odfv, ["outt"]);
    d.make("FeatureService", {
      name: "svc",
      features: [d.select(sfv, ["s"]), d.select(fv, ["conv_rate"]), ofOdfv],
    });
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([
      expect.objectContaining({ code: CODES.unknownFeature, ...at(inOdfv.location) }),
      expect.objectContaining({
        code: CODES.unknownFeature,
        ...at(ofOdfv.location),
        hint: 'did you mean "out"?',
      }),
    ]);
  });

  it("a feature service listing one view twice (FS215)", () => {
    const d = new Defs();
    const { fv } = driverProject(d);
    const svc = d.make("FeatureService", { name: "svc", features: [fv, d.select(fv, ["acc_rate"])] });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.duplicateEntry, ...at(loc(svc, "features.1")) }),
    ]);
  });

  it("an on-demand view listing one source twice (FS215)", () => {
    const d = new Defs();
    const req = d.make("RequestSource", { name: "req", schema: [d.field("val", "int64")] });
    const o = d.make("OnDemandFeatureView", {
      name: "o",
      sources: [req, req],
      schema: [d.field("out")],
      transform: d.transform("(x) => x"),
    });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.duplicateEntry, ...at(loc(o, "sources.1")) }),
    ]);
  });
});

describe("join keys and features", () => {
  it("a schema Field named like a join key types it; disagreeing with the entity's valueType is FS220", () => {
    const d = new Defs();
    const driver = d.entity("driver", { joinKeys: ["driver_id"] });
    const src = d.fileSource("s");
    const fv = d.featureView("v", [driver], [d.field("conv_rate"), d.field("driver_id", "int64")], src);
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.joinKeyTypeConflict,
        ...at(loc(fv, "schema.1")),
        message:
          'FeatureView "v": join key "driver_id" is typed "int64" here, but entity "driver" has valueType "string" (features.ts:1)',
        hint: 'make them agree: dtype: "string" here, or change the entity\'s valueType',
      }),
    ]);
    expect(state.objects.map((o) => o.kind)).toEqual(["entity", "data_source"]);
  });

  it("the default join key is the entity name, and a Field of that name types it", () => {
    const d = new Defs();
    const driver = d.entity("driver", { valueType: undefined });
    const src = d.fileSource("s");
    d.featureView("v", [driver], [d.field("driver", "int64"), d.field("x")], src);
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([]);
    expect(state.objects.find((o) => o.kind === "entity")!.spec).toMatchObject({ valueType: "int64" });
    expect(state.objects.find((o) => o.kind === "feature_view")!.spec).toMatchObject({
      schema: [{ name: "x", dtype: "float32" }],
      entityColumns: [{ name: "driver", dtype: "int64" }],
    });
  });

  it("join keys of a view's entities must differ (FS217); an entity listed twice (FS215)", () => {
    const d = new Defs();
    const a = d.entity("a", { joinKeys: ["id"] });
    const b = d.entity("b", { joinKeys: ["id"] });
    const src = d.fileSource("s");
    const fv = d.featureView("v", [a, b, a], [d.field("x")], src);
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.joinKeyClash, ...at(loc(fv, "entities.1")) }),
      expect.objectContaining({ code: CODES.duplicateEntry, ...at(loc(fv, "entities.2")) }),
    ]);
  });

  it("an entity's join key listed twice (FS215)", () => {
    const d = new Defs();
    const e = d.entity("e", { joinKeys: ["a", "b", "a"] });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.duplicateEntry, ...at(loc(e, "joinKeys.2")) }),
    ]);
  });

  it("a join key shared by two entities in different views is fine", () => {
    const d = new Defs();
    const a = d.entity("a", { joinKeys: ["id"] });
    const b = d.entity("b", { joinKeys: ["id"] });
    const src = d.fileSource("s");
    d.featureView("v1", [a], [d.field("x")], src);
    d.featureView("v2", [b], [d.field("x")], src);
    expect(validate(d).diagnostics).toEqual([]);
  });
});

describe("schemas", () => {
  it("field names are unique within a view (FS214), also for request sources and on-demand views", () => {
    const d = new Defs();
    const driver = d.entity("driver");
    const src = d.fileSource("s");
    const x = d.field("x");
    const fv = d.featureView("v", [driver], [x, d.field("y"), d.field("x", "int64")], src);
    const req = d.make("RequestSource", { name: "req", schema: [d.field("a"), d.field("a")] });
    const o = d.make("OnDemandFeatureView", {
      name: "o",
      sources: [req],
      schema: [x, x],
      transform: d.transform("(x) => x"),
    });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.duplicateField,
        ...at(loc(fv, "schema.2")),
        message: 'FeatureView "v": field "x" is defined twice in schema (also schema[0])',
      }),
      expect.objectContaining({ code: CODES.duplicateField, ...at(loc(req, "schema.1")) }),
      expect.objectContaining({ code: CODES.duplicateField, ...at(loc(o, "schema.1")) }),
    ]);
  });

  it("reserved online-store columns (FS219): features, join keys, an entity's default join key", () => {
    const d = new Defs();
    const e1 = d.entity("e1", { joinKeys: ["created_ts"] });
    const e2 = d.entity("event_ts");
    const driver = d.entity("driver");
    const src = d.fileSource("s");
    const fv = d.featureView("v", [driver], [d.field("event_ts", "unix_timestamp")], src);
    // A request source is not stored: its fields may use these names.
    d.make("RequestSource", { name: "req", schema: [d.field("event_ts")] });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.reservedName, ...at(loc(e1, "joinKeys.0")) }),
      expect.objectContaining({ code: CODES.reservedName, ...at(loc(e2, "name")) }),
      expect.objectContaining({ code: CODES.reservedName, ...at(loc(fv, "schema.0")) }),
    ]);
  });
});

describe("aggregations (FS223, FS215)", () => {
  function stream(d: Defs, schema: DslObject[], aggregations: DslObject[]) {
    const driver = d.entity("driver");
    const src = d.fileSource("s");
    const push = d.make("PushSource", { name: "push", batchSource: src });
    return d.make("StreamFeatureView", {
      name: "sfv",
      entities: [driver],
      schema,
      source: push,
      aggregations,
    });
  }

  it("the column is a column of the source; the output must be in the schema (FS223), reported at the aggregation", () => {
    const d = new Defs();
    const good = d.make("Aggregation", { column: "trips", function: "sum", timeWindow: "1h" });
    const named = d.make("Aggregation", {
      column: "raw_trips",
      function: "avg",
      timeWindow: "1d",
      name: "trips_avg",
    });
    const bad = d.make("Aggregation", { column: "trip", function: "count", timeWindow: "1d" });
    stream(d, [d.field("trips", "int64"), d.field("trips_avg", "float64")], [good, named, bad]);
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.aggregationOutput,
        ...at(bad.location),
        message:
          'StreamFeatureView "sfv": aggregation count(trip) over 1d produces the feature "trip_count_1d", which is not in the schema (the schema lists the view\'s outputs)',
        hint: 'add new Field({ name: "trip_count_1d", dtype: … }) to the schema, or give the aggregation a name',
      }),
    ]);
    expect(state.objects.some((o) => o.kind === "stream_feature_view")).toBe(false);
  });

  it("valid aggregations are stored with windows in seconds; a repeated one is FS215", () => {
    const d = new Defs();
    const a = d.make("Aggregation", { column: "trips", function: "sum", timeWindow: "1h" });
    stream(
      d,
      [d.field("trips", "int64")],
      [a, d.make("Aggregation", { column: "trips", function: "max", timeWindow: 600 })],
    );
    const sfv = validate(d).state.objects.find((o) => o.kind === "stream_feature_view")!;
    expect(sfv.spec).toMatchObject({
      aggregations: [
        { column: "trips", function: "sum", timeWindow: 3_600 },
        { column: "trips", function: "max", timeWindow: 600 },
      ],
    });

    const d2 = new Defs();
    const x = d2.make("Aggregation", { column: "trips", function: "sum", timeWindow: "1h" });
    const v = stream(
      d2,
      [d2.field("trips", "int64")],
      [x, d2.make("Aggregation", { column: "trips", function: "sum", timeWindow: "60m" })],
    );
    expect(validate(d2).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.duplicateEntry, ...at(loc(v, "aggregations.1")) }),
    ]);
  });
});

describe("edges", () => {
  it("point from the dependent to each dependency, sorted and without repeats", () => {
    const d = new Defs();
    const { driver, src, fv } = driverProject(d);
    const customer = d.entity("customer");
    const push = d.make("PushSource", { name: "push", batchSource: src });
    const kafka = d.make("KafkaSource", {
      name: "kafka",
      bootstrapServers: "b",
      topic: "t",
      timestampField: "ts",
      messageFormat: "json",
      batchSource: src,
    });
    const sfv = d.make("StreamFeatureView", {
      name: "sfv",
      entities: [driver, customer],
      schema: [d.field("s")],
      source: kafka,
    });
    const req = d.make("RequestSource", { name: "req", schema: [d.field("val")] });
    const odfv = d.make("OnDemandFeatureView", {
      name: "odfv",
      sources: [d.select(fv, ["conv_rate"]), sfv, req],
      schema: [d.field("out")],
      transform: d.transform("(x) => x"),
    });
    d.featureView("pushed", [driver], [d.field("p")], push);
    d.make("FeatureService", { name: "svc", features: [fv, d.select(sfv, ["s"]), odfv] });
    const { state, diagnostics } = validate(d);
    expect(diagnostics).toEqual([]);
    expect(state.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual([
      "data_source:kafka -> data_source:driver_source",
      "data_source:push -> data_source:driver_source",
      "feature_service:svc -> feature_view:driver_stats",
      "feature_service:svc -> on_demand_feature_view:odfv",
      "feature_service:svc -> stream_feature_view:sfv",
      "feature_view:driver_stats -> data_source:driver_source",
      "feature_view:driver_stats -> entity:driver",
      "feature_view:pushed -> data_source:push",
      "feature_view:pushed -> entity:driver",
      "on_demand_feature_view:odfv -> data_source:req",
      "on_demand_feature_view:odfv -> feature_view:driver_stats",
      "on_demand_feature_view:odfv -> stream_feature_view:sfv",
      "stream_feature_view:sfv -> data_source:kafka",
      "stream_feature_view:sfv -> entity:customer",
      "stream_feature_view:sfv -> entity:driver",
    ]);
    // Every edge joins two objects of the state.
    const known = new Set(state.objects.map((o) => `${o.kind}:${o.name}`));
    for (const e of state.edges) expect(known.has(e.from) && known.has(e.to)).toBe(true);
  });
});

describe("hostile shapes", () => {
  it("a value shared exponentially often, a cyclic record and a self-reference do not hang", () => {
    const d = new Defs();
    // 2^40 paths through 40 shared arrays: walking every path would never finish.
    let shared: EvalValue = ["x"];
    for (let i = 0; i < 40; i++) shared = [shared, shared];
    const cyclic: Record<string, EvalValue> = {};
    (cyclic as { self?: EvalValue }).self = cyclic;
    const e = d.entity("driver", { tags: { deep: shared } });
    const c = d.entity("customer", { tags: cyclic });
    const selfish = d.make("PushSource", { name: "p", batchSource: null });
    (selfish.options as { batchSource: EvalValue }).batchSource = selfish;
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(e, "tags.deep")) }),
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(c, "tags.self")) }),
      expect.objectContaining({ code: CODES.wrongReference, ...at(loc(selfish, "batchSource")) }),
    ]);
    expect(state.objects).toEqual([]);
  });
});

describe("input listing", () => {
  it("objects sharing an id, listed twice, or with odd ids are each validated once", () => {
    const d = new Defs();
    const a = d.entity("a", { valueType: "long" });
    const b = d.entity("b");
    const c = d.entity("c");
    const weird = [
      a,
      { ...b, id: a.id },
      a,
      { ...c, id: -1 },
      { ...d.entity("e"), id: Number.NaN },
      { ...d.entity("f"), id: 1.5 },
    ];
    const { diagnostics, state } = buildDesiredState("p", { objects: weird });
    expect(codes(diagnostics)).toEqual([CODES.invalidDtype]);
    expect(state.objects.map((o) => o.name)).toEqual(["b", "c", "e", "f"]);
  });
});
