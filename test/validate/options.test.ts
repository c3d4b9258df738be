/** Per-option rules: the zod schemas of every DSL class, mapped to located diagnostics. */
import { describe, expect, it } from "vitest";
import type { DslObject, EvalValue } from "../../src/model/evaluated.js";
import { buildDesiredState } from "../../src/validate/index.js";
import { CODES } from "../../src/validate/codes.js";
import { Defs, at, codes, loc } from "./helpers.js";

function validate(d: Defs) {
  return buildDesiredState("proj", d.result());
}

/** A complete, valid project skeleton that tests then break one option at a time. */
function base(d: Defs) {
  const driver = d.entity("driver", { joinKeys: ["driver_id"], valueType: "int64" });
  const src = d.fileSource("driver_stats_source");
  const conv = d.field("conv_rate");
  const acc = d.field("acc_rate");
  return { driver, src, conv, acc };
}

describe("every DSL class accepts its documented options", () => {
  it("validates a project using all twelve classes with no diagnostic", () => {
    const d = new Defs();
    const { driver, src, conv, acc } = base(d);
    const pg = d.make("PostgresSource", { name: "pg_source", query: "select 1", timestampField: "ts" });
    const push = d.make("PushSource", { name: "push_source", batchSource: pg });
    const kafka = d.make("KafkaSource", {
      name: "kafka_source",
      bootstrapServers: "broker:9092",
      topic: "drivers",
      timestampField: "ts",
      messageFormat: "json",
      batchSource: src,
    });
    const req = d.make("RequestSource", { name: "req", schema: [d.field("val", "int64")] });
    const fv = d.featureView("driver_stats", [driver], [conv, acc], src, { ttl: "1d" });
    const sfv = d.make("StreamFeatureView", {
      name: "driver_stream",
      entities: [driver],
      schema: [d.field("trips", "int64")],
      source: kafka,
      aggregations: [d.make("Aggregation", { column: "trips", function: "sum", timeWindow: "1h" })],
    });
    const odfv = d.make("OnDemandFeatureView", {
      name: "adjusted",
      sources: [d.select(fv, ["conv_rate"]), req],
      schema: [d.field("adjusted_rate", "float64")],
      transform: d.transform("(i) => ({ adjusted_rate: i.conv_rate })"),
    });
    d.make("FeatureService", { name: "model_v1", features: [fv, d.select(sfv, ["trips"]), odfv, push] });
    // `push` is not a feature view: the only error, on the service.
    const { diagnostics } = validate(d);
    expect(codes(diagnostics)).toEqual([CODES.wrongReference]);

    const ok = new Defs();
    const b = base(ok);
    ok.featureView("v", [b.driver], [b.conv], b.src);
    expect(validate(ok).diagnostics).toEqual([]);
  });
});

describe("unknown options (FS201)", () => {
  it("points at the option and hints the camelCase name a Feast user meant", () => {
    const d = new Defs();
    const e = d.entity("driver", { join_keys: ["driver_id"] });
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({
      severity: "error",
      code: CODES.unknownOption,
      ...at(loc(e, "join_keys")),
      hint: 'did you mean "joinKeys"?',
    });
    expect(diagnostics[0]!.message).toContain('"join_keys"');
    expect(state.objects).toEqual([]);
  });

  it("hints the nearest option for a typo, and lists the options when nothing is close", () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    const fv = d.featureView("v", [driver], [conv], src, { tll: "1d", frobnicate: true });
    const ds = validate(d).diagnostics;
    expect(ds.map((x) => [x.code, x.line, x.hint])).toEqual([
      [CODES.unknownOption, loc(fv, "tll").line, 'did you mean "ttl"?'],
      [CODES.unknownOption, loc(fv, "frobnicate").line, expect.stringContaining("valid: name, description")],
    ]);
  });

  it("accepts every documented option (no false unknown-option)", () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    d.featureView("v", [driver], [conv], src, {
      description: "d",
      tags: { a: "b" },
      owner: "o",
      ttl: 60,
      online: false,
      offline: true,
    });
    expect(validate(d).diagnostics).toEqual([]);
  });
});

describe("missing options (FS202)", () => {
  it("reports each missing required option at the construction", () => {
    const d = new Defs();
    const fv = d.make("FeatureView", { name: "v" });
    const ds = validate(d).diagnostics;
    // entities may be omitted: a view without entities (Feast's entity-less views)
    expect(ds.map((x) => x.code)).toEqual([CODES.missingOption, CODES.missingOption]);
    for (const x of ds) expect(x).toMatchObject(at(loc(fv)));
    expect(ds.map((x) => x.message)).toEqual([
      'FeatureView "v": missing required option "schema"',
      'FeatureView "v": missing required option "source"',
    ]);
  });

  it("a Field without dtype and an Entity without name", () => {
    const d = new Defs();
    const f = d.make("Field", { name: "x" });
    const e = d.make("Entity", {});
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([
      expect.objectContaining({
        code: CODES.missingOption,
        ...at(loc(f)),
        message: 'Field "x": missing required option "dtype"',
      }),
      expect.objectContaining({
        code: CODES.missingOption,
        ...at(loc(e)),
        message: 'Entity: missing required option "name"',
      }),
    ]);
  });
});

describe("wrong types (FS203)", () => {
  it("online must be a boolean, description a string", () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    const fv = d.featureView("v", [driver], [conv], src, { online: "yes", description: 3 });
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([
      expect.objectContaining({
        code: CODES.wrongType,
        ...at(loc(fv, "online")),
        message: 'FeatureView "v": online must be true or false; got "yes"',
      }),
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(fv, "description")) }),
    ]);
  });

  it("a single entity where a list is expected hints to wrap it", () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    const fv = d.make("FeatureView", { name: "v", entities: driver, schema: [conv], source: src });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.wrongType,
        ...at(loc(fv, "entities")),
        hint: "wrap it in a list: [ … ]",
      }),
    ]);
  });

  it("tags are string → string, reported at the tag", () => {
    const d = new Defs();
    const e = d.entity("driver", { tags: { team: "a", tier: 1, ok: "x" } });
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([expect.objectContaining({ code: CODES.wrongType, ...at(loc(e, "tags.tier")) })]);
    expect(ds[0]!.message).toContain("tags.tier must be a string; got 1");
  });

  it("tags must be an object (not a list or a DSL object); fieldMapping values must say something", () => {
    const d = new Defs();
    const a = d.entity("a", { tags: ["team"] });
    const b = d.entity("b", { tags: a });
    const s = d.fileSource("s", { fieldMapping: { src_col: "", other: "feature" } });
    const c = d.entity("c", { tags: { on: true } });
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([
      expect.objectContaining({
        code: CODES.wrongType,
        ...at(loc(a, "tags")),
        message: 'Entity "a": tags must be an object of string tags; got a list',
      }),
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(b, "tags")) }),
      expect.objectContaining({ code: CODES.emptyValue, ...at(loc(s, "fieldMapping.src_col")) }),
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(c, "tags.on")), hint: 'write "true"' }),
    ]);
  });

  it("options that are not an object literal", () => {
    const d = new Defs();
    const e = d.make("Entity", ["driver"] as unknown as Record<string, EvalValue>);
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(e)) }),
    ]);
  });
});

describe("names (FS204)", () => {
  it("accepts what Feast accepts (upper case, leading digits, punctuation): every identifier is quoted", () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    d.featureView('x"; drop table y; --', [driver], [conv], src);
    d.entity("DriverStats");
    d.entity("1driver", { joinKeys: ["1Driver ID"] });
    d.field("Conv-Rate");
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([]);
    expect(state.objects.map((o) => o.name)).toContain('x"; drop table y; --');
    expect(state.objects.map((o) => o.name)).toContain("1driver");
  });

  it.each([
    ["", null],
    [" driver", 'use "driver"'],
    ["a\u0000b", 'use "ab"'],
  ])("rejects %j with hint %j", (name, hint) => {
    const d = new Defs();
    const e = d.entity(name);
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.invalidName, ...at(loc(e, "name")) }),
    ]);
    expect(validate(d).diagnostics[0]!.hint).toBe(hint ?? undefined);
  });

  it('a view name may not hold ":" (it separates Redis key segments), with the reason', () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    const fv = d.featureView("a:b", [driver], [conv], src);
    const { diagnostics } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: CODES.invalidName, ...at(loc(fv, "name")), hint: 'use "a_b"' }),
    ]);
    expect(diagnostics[0]!.message).toContain("Redis keys");
  });

  it("columns (features, join keys, an entity's default join key) are at most 63 bytes, with the reason", () => {
    const d = new Defs();
    const e = d.entity("driver", { joinKeys: ["k".repeat(64)] });
    const f = d.field("f".repeat(64));
    const n = d.entity("n".repeat(64));
    d.entity("a".repeat(63));
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([
      expect.objectContaining({
        code: CODES.invalidName,
        ...at(loc(e, "joinKeys.0")),
        hint: `use "${"k".repeat(63)}"`,
      }),
      expect.objectContaining({ code: CODES.invalidName, ...at(loc(f, "name")) }),
      expect.objectContaining({ code: CODES.invalidName, ...at(loc(n, "name")) }),
    ]);
    expect(ds[0]!.message).toContain("Postgres keeps only 63 bytes of a column name");
  });

  it("a name that is not a string", () => {
    const d = new Defs();
    const e = d.entity(42 as unknown as string);
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.wrongType,
        ...at(loc(e, "name")),
        message: "Entity: name must be a string; got 42",
      }),
    ]);
  });
});

describe("dtypes (FS205)", () => {
  it.each([
    ["float", 'did you mean "float32"?'],
    ["Float32", 'did you mean "float32"?'],
    ["Array(Int64)", 'did you mean "int64[]"?'],
    ["UnixTimestamp", 'did you mean "unix_timestamp"?'],
    ["long", 'did you mean "int64"?'],
    ["double[]", 'did you mean "float64[]"?'],
    ["Float", 'did you mean "float32"?'],
    ["Array(Array(Int64))", 'did you mean "int64[][]"?'],
    ["TimeUuid", 'did you mean "time_uuid"?'],
    ["Json", 'did you mean "json"?'],
    ["int64[][][]", expect.stringContaining("use one of int32 int64")],
    ["struct<a int64>", expect.stringContaining("struct<name:dtype")],
    ["money", expect.stringContaining("use one of int32 int64")],
  ])("rejects %j", (dtype, hint) => {
    const d = new Defs();
    const f = d.field("x", dtype);
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.invalidDtype, ...at(loc(f, "dtype")), hint }),
    ]);
  });

  it("accepts every scalar and list dtype, and valueType", () => {
    const d = new Defs();
    const all = ["int32", "int64", "float32", "float64", "string", "bytes", "bool", "unix_timestamp"];
    for (const t of all) {
      d.field(`f_${t}`, t);
      d.field(`l_${t}`, `${t}[]`);
    }
    d.entity("e", { valueType: "bytes" });
    expect(validate(d).diagnostics).toEqual([]);
  });

  it("an entity's valueType is a dtype too", () => {
    const d = new Defs();
    const e = d.entity("e", { valueType: "Int64" });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.invalidDtype,
        ...at(loc(e, "valueType")),
        hint: 'did you mean "int64"?',
      }),
    ]);
  });
});

describe("durations (FS206)", () => {
  function withTtl(ttl: EvalValue) {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    const fv = d.featureView("v", [driver], [conv], src, { ttl });
    return { fv, result: validate(d) };
  }

  it.each([
    ["1x", undefined],
    ["", undefined],
    ["1.5w", 'write "10d12h"'],
    ["1.5h", 'write "1h30m"'],
    ["3600", 'write "1h"'],
    [-1, undefined],
    [Number.NaN, undefined],
    [1.5, 'write "2"'],
  ])("rejects ttl %j", (ttl, hint) => {
    const { fv, result } = withTtl(ttl);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: CODES.invalidDuration, ...at(loc(fv, "ttl")) }),
    ]);
    if (hint) expect(result.diagnostics[0]!.hint).toBe(hint);
    expect(result.state.objects.find((o) => o.kind === "feature_view")).toBeUndefined();
  });

  it("a ttl that is not a string or number is a type error", () => {
    const { fv, result } = withTtl(true);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(fv, "ttl")) }),
    ]);
  });

  it.each([
    ["90s", 90],
    ["1d12h", 129_600],
    [0, 0],
    [7_200, 7_200],
  ])("stores ttl %j as %d seconds", (ttl, seconds) => {
    const { result } = withTtl(ttl);
    expect(result.diagnostics).toEqual([]);
    const fv = result.state.objects.find((o) => o.kind === "feature_view")!;
    expect(fv.spec).toMatchObject({ ttl: seconds });
  });

  it("an aggregation window must be longer than zero", () => {
    const d = new Defs();
    const a = d.make("Aggregation", { column: "x", function: "sum", timeWindow: "0s" });
    const b = d.make("Aggregation", { column: "x", function: "sum", timeWindow: "1y" });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.invalidDuration, ...at(loc(a, "timeWindow")) }),
      expect.objectContaining({ code: CODES.invalidDuration, ...at(loc(b, "timeWindow")) }),
    ]);
  });
});

describe("references of the wrong kind (FS207)", () => {
  function view(
    sourceOf: (d: Defs, b: ReturnType<typeof base>) => DslObject,
    cls: "FeatureView" | "StreamFeatureView",
  ) {
    const d = new Defs();
    const b = base(d);
    const source = sourceOf(d, b);
    const fv = d.make(cls, { name: "v", entities: [b.driver], schema: [b.conv], source });
    return { fv, result: validate(d) };
  }
  const request = (d: Defs) => d.make("RequestSource", { name: "req", schema: [d.field("val", "int64")] });
  const push = (d: Defs, b: ReturnType<typeof base>) =>
    d.make("PushSource", { name: "push", batchSource: b.src });
  const kafka = (d: Defs, b: ReturnType<typeof base>) =>
    d.make("KafkaSource", {
      name: "kafka",
      bootstrapServers: "b:9092",
      topic: "t",
      timestampField: "ts",
      messageFormat: "avro",
      batchSource: b.src,
    });

  it("a FeatureView rejects a RequestSource", () => {
    const { fv, result } = view(request, "FeatureView");
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.wrongReference,
        ...at(loc(fv, "source")),
        hint: "request sources feed OnDemandFeatureViews only",
      }),
    ]);
    expect(result.diagnostics[0]!.message).toBe(
      'FeatureView "v": source must be a FileSource, PostgresSource, BigQuerySource, SnowflakeSource, RedshiftSource, SparkSource, TrinoSource, PushSource, KafkaSource or KinesisSource; got a RequestSource ("req")',
    );
  });

  it.each([
    ["batch", (_d: Defs, b: ReturnType<typeof base>) => b.src],
    ["push", push],
    ["kafka", kafka],
  ])("a FeatureView accepts a %s source", (_what, sourceOf) => {
    expect(view(sourceOf, "FeatureView").result.diagnostics).toEqual([]);
  });

  it("a StreamFeatureView takes a KafkaSource or a PushSource, not a batch source", () => {
    expect(view(kafka, "StreamFeatureView").result.diagnostics).toEqual([]);
    expect(view(push, "StreamFeatureView").result.diagnostics).toEqual([]);
    const { fv, result } = view((_d, b) => b.src, "StreamFeatureView");
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.wrongReference,
        ...at(loc(fv, "source")),
        hint: "use a FeatureView to serve a batch source",
      }),
    ]);
  });

  it("a PushSource's and a KafkaSource's batchSource must be a batch source", () => {
    const d = new Defs();
    const src = d.fileSource("src");
    const p1 = d.make("PushSource", { name: "p1", batchSource: src });
    const p2 = d.make("PushSource", { name: "p2", batchSource: p1 });
    const k = d.make("KafkaSource", {
      name: "k",
      bootstrapServers: "b",
      topic: "t",
      timestampField: "ts",
      messageFormat: "json",
      batchSource: p1,
    });
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongReference, ...at(loc(p2, "batchSource")) }),
      expect.objectContaining({ code: CODES.wrongReference, ...at(loc(k, "batchSource")) }),
    ]);
    expect(state.objects.map((o) => o.name)).toEqual(["p1", "src"]);
  });

  it("a name string instead of the object hints to reference the object", () => {
    const d = new Defs();
    const { src, conv } = base(d);
    const fv = d.featureView("v", ["driver" as unknown as DslObject], [conv], src);
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.wrongReference,
        ...at(loc(fv, "entities.0")),
        hint: "reference the object itself (the const it is bound to), not its name",
      }),
    ]);
  });

  it("schema entries must be Fields, aggregations Aggregations", () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    const k = kafka(d, { driver, src, conv, acc: conv });
    const sfv = d.make("StreamFeatureView", {
      name: "s",
      entities: [driver],
      schema: [conv, driver],
      source: k,
      aggregations: [conv],
    });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongReference, ...at(loc(sfv, "schema.1")) }),
      expect.objectContaining({ code: CODES.wrongReference, ...at(loc(sfv, "aggregations.0")) }),
    ]);
  });

  it("on-demand view sources: views, projections, request sources — not batch sources or on-demand views", () => {
    const d = new Defs();
    const { driver, src, conv } = base(d);
    const fv = d.featureView("v", [driver], [conv], src);
    const req = request(d);
    const odfv1 = d.make("OnDemandFeatureView", {
      name: "o1",
      sources: [fv, req],
      schema: [d.field("out")],
      transform: d.transform("(x) => x"),
    });
    const selectOdfv = d.select(odfv1, ["out"]);
    const odfv2 = d.make("OnDemandFeatureView", {
      name: "o2",
      sources: [src, odfv1, selectOdfv],
      schema: [d.field("out2")],
      transform: d.transform("(x) => x"),
    });
    const ds = validate(d).diagnostics;
    expect(ds).toEqual([
      // The problem is inside the projection: reported at the .select() call (sorted first here).
      expect.objectContaining({ code: CODES.wrongReference, ...at(selectOdfv.location) }),
      expect.objectContaining({ code: CODES.wrongReference, ...at(loc(odfv2, "sources.0")) }),
      expect.objectContaining({
        code: CODES.wrongReference,
        ...at(loc(odfv2, "sources.1")),
        hint: "an on-demand feature view cannot feed another one",
      }),
    ]);
  });

  it("the transform must be a function (recorded, never run)", () => {
    const d = new Defs();
    const req = request(d);
    const o = d.make("OnDemandFeatureView", {
      name: "o",
      sources: [req],
      schema: [d.field("out")],
      transform: "x => x",
    });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongType, ...at(loc(o, "transform")) }),
    ]);
  });

  it("a projection must be of a feature view", () => {
    const d = new Defs();
    const src = d.fileSource("s");
    const p = d.select(src, ["a"]);
    const svc = d.make("FeatureService", { name: "svc", features: [p] }, { locations: false });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongReference, ...at(p.location) }),
    ]);
    expect(svc.optionLocations).toEqual({});
  });
});

describe("choices (FS208)", () => {
  it("aggregation function and message format", () => {
    const d = new Defs();
    const a = d.make("Aggregation", { column: "x", function: "average", timeWindow: "1h" });
    const src = d.fileSource("src");
    const k = d.make("KafkaSource", {
      name: "k",
      bootstrapServers: "b",
      topic: "t",
      timestampField: "ts",
      messageFormat: "jsn",
      batchSource: src,
    });
    expect(validate(d).diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.invalidChoice,
        ...at(loc(a, "function")),
        hint: 'did you mean "avg"?',
      }),
      expect.objectContaining({
        code: CODES.invalidChoice,
        ...at(loc(k, "messageFormat")),
        hint: 'did you mean "json"?',
      }),
    ]);
  });

  it("every documented aggregation function is accepted", () => {
    const d = new Defs();
    for (const fn of ["sum", "count", "mean", "avg", "std", "min", "max", "last"]) {
      d.make("Aggregation", { column: "x", function: fn, timeWindow: 60 });
    }
    expect(validate(d).diagnostics).toEqual([]);
  });
});

describe("PostgresSource table | query (FS209)", () => {
  it("needs exactly one of them", () => {
    const d = new Defs();
    const both = d.make("PostgresSource", { name: "a", table: "t", query: "select 1", timestampField: "ts" });
    const none = d.make("PostgresSource", { name: "b", timestampField: "ts" });
    d.make("PostgresSource", { name: "c", table: "t", timestampField: "ts" });
    d.make("PostgresSource", { name: "e", query: "select 1", timestampField: "ts" });
    const { diagnostics, state } = validate(d);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: CODES.tableOrQuery, ...at(loc(both, "query")) }),
      expect.objectContaining({ code: CODES.tableOrQuery, ...at(loc(none)) }),
    ]);
    expect(state.objects.map((o) => o.name)).toEqual(["c", "e"]);
  });
});

describe("empty values (FS218)", () => {
  it("empty lists and empty strings", () => {
    const d = new Defs();
    const { src } = base(d);
    const fv = d.make("FeatureView", { name: "v", entities: [], schema: [], source: src });
    const fs = d.make("FileSource", { name: "s2", path: "", timestampField: "ts" });
    const svc = d.make("FeatureService", { name: "svc", features: [] });
    const ds = validate(d).diagnostics;
    // `entities: []` is a view without entities (Feast's entity-less views), not an empty value.
    expect(ds).toEqual([
      expect.objectContaining({ code: CODES.emptyValue, ...at(loc(fv, "schema")) }),
      expect.objectContaining({ code: CODES.emptyValue, ...at(loc(fs, "path")) }),
      expect.objectContaining({ code: CODES.emptyValue, ...at(loc(svc, "features")) }),
    ]);
  });
});

describe("collects every diagnostic", () => {
  it("reports all mistakes of all objects in one run, sorted by location", () => {
    const d = new Defs();
    const e = d.entity("Driver\t", { valueType: "long", joinKeyz: [] });
    const f = d.field("x", "float");
    const { driver, src } = base(d);
    const fv = d.featureView("v", [driver], [f], src, { ttl: "forever", online: 1 });
    const ds = validate(d).diagnostics;
    expect(ds.map((x) => [x.code, x.file, x.line])).toEqual([
      [CODES.invalidName, e.location.file, loc(e, "name").line],
      [CODES.invalidDtype, e.location.file, loc(e, "valueType").line],
      [CODES.unknownOption, e.location.file, loc(e, "joinKeyz").line],
      [CODES.invalidDtype, f.location.file, loc(f, "dtype").line],
      [CODES.invalidDuration, fv.location.file, loc(fv, "ttl").line],
      [CODES.wrongType, fv.location.file, loc(fv, "online").line],
    ]);
    for (const x of ds) {
      expect(x.severity).toBe("error");
      expect(x.column).toBeGreaterThan(0);
      expect(x.message.length).toBeGreaterThan(0);
    }
  });

  it("never throws on garbage", () => {
    const d = new Defs();
    d.make("FeatureView", {
      name: null,
      entities: [null, 1, "x", [], {}],
      schema: {},
      source: undefined,
      ttl: {},
    });
    d.make("FeatureService", { features: [d.select(undefined, undefined), d.select(null, [1, null])] });
    d.make("OnDemandFeatureView", { sources: "x", schema: [1], transform: null });
    d.make("StreamFeatureView", { name: "s", aggregations: [d.make("Aggregation", {})], entities: "e" });
    const { diagnostics, state } = validate(d);
    expect(diagnostics.length).toBeGreaterThan(10);
    expect(state.objects).toEqual([]);
  });
});

describe("objects the parser could not fully evaluate (ParseResult.incomplete)", () => {
  it("absent options are not reported again, present mistakes are, and the object is left out", () => {
    const d = new Defs();
    const driver = d.entity("driver");
    // `source: someCall()` could not be evaluated: the parser reported it and left it out
    // (an option is left out whole, so the schema that is present is complete).
    const fv = d.make("FeatureView", { name: "v", entities: [driver], schema: [d.field("x")], ttl: "1x" });
    const p = d.select(fv, ["x", "nope"]);
    d.make("FeatureService", { name: "svc", features: [p] });
    const parsed = { ...d.result(), incomplete: [fv.id] };
    const { diagnostics, state } = buildDesiredState("proj", parsed);
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: CODES.invalidDuration, ...at(loc(fv, "ttl")) }),
      expect.objectContaining({ code: CODES.unknownFeature, ...at(p.location) }),
    ]);
    expect(state.objects.map((o) => o.name)).toEqual(["driver"]);

    // Without the flag, the same input also reports the missing source.
    const again = buildDesiredState("proj", d.result()).diagnostics;
    expect(codes(again)).toEqual([CODES.missingOption, CODES.invalidDuration, CODES.unknownFeature]);
  });

  it("an incomplete object with nothing else wrong is still not valid", () => {
    const d = new Defs();
    const e = d.entity("driver");
    const { diagnostics, state } = buildDesiredState("proj", { ...d.result(), incomplete: [e.id] });
    expect(diagnostics).toEqual([]);
    expect(state.objects).toEqual([]);
  });
});
