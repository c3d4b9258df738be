/**
 * Issue 12, part 1: an option fsops accepts is an option fsops stores. For every option of every
 * DSL class (read from the schemas, so a new option without a case here fails), two valid values
 * give two different registered specs: changing it can never plan "No changes.".
 */
import { describe, expect, it } from "vitest";
import type { DslObject, EvalValue } from "../../src/model/evaluated.js";
import type { DslClassName } from "../../src/model/kinds.js";
import { DSL_CLASSES } from "../../src/model/kinds.js";
import { buildDesiredState } from "../../src/validate/index.js";
import { classShapes } from "../../src/validate/schemas.js";
import { Defs } from "./helpers.js";

/** Valid options of each class without the option under test, and how to register it. */
function base(cls: DslClassName, d: Defs): Record<string, EvalValue> {
  const src = () => d.fileSource("src");
  const driver = () => d.entity("driver", { joinKeys: ["driver_id"], valueType: "int64" });
  const field = (name = "x") => d.field(name, "float64");
  const view = () => d.featureView("fv", [driver()], [field()], src());
  switch (cls) {
    case "Project":
      return { name: "proj" };
    case "Entity":
      return { name: "e", valueType: "string" };
    case "Field":
      return { name: "x", dtype: "float64" };
    case "FileSource":
      return { name: "s", path: "p.parquet", timestampField: "ts" };
    case "PostgresSource":
      return { name: "s", table: "t", timestampField: "ts" };
    case "BigQuerySource":
    case "SnowflakeSource":
    case "RedshiftSource":
    case "TrinoSource":
      return { name: "s", table: "t" };
    case "SparkSource":
      return { name: "s", table: "t" };
    case "PushSource":
      return { name: "s", batchSource: src() };
    case "RequestSource":
      return { name: "s", schema: [field()] };
    case "KafkaSource":
      return {
        name: "s",
        bootstrapServers: "b",
        topic: "t",
        timestampField: "ts",
        messageFormat: "json",
        batchSource: src(),
      };
    case "KinesisSource":
      return {
        name: "s",
        region: "r",
        streamName: "n",
        recordFormat: "json",
        timestampField: "ts",
        batchSource: src(),
      };
    case "FeatureView":
    case "BatchFeatureView":
      return { name: "v", entities: [driver()], schema: [field()], source: src() };
    case "OnDemandFeatureView":
      return { name: "v", sources: [view()], schema: [field("y")], transform: d.transform("(i) => i") };
    case "StreamFeatureView":
      return {
        name: "v",
        entities: [driver()],
        schema: [field("x"), field("x_sum_1h"), field("out")],
        source: d.make("PushSource", { name: "push", batchSource: src() }),
      };
    case "Aggregation":
      return { column: "x", function: "sum", timeWindow: "1h" };
    case "FeatureService":
      return { name: "svc", features: [view()] };
  }
}

/** Two valid values of an option (in the context of `cls`); extra base options when needed. */
function values(
  cls: DslClassName,
  option: string,
  d: Defs,
): { a: EvalValue; b: EvalValue; with?: Record<string, EvalValue> } | null {
  const driver = () => d.entity("driver", { joinKeys: ["driver_id"], valueType: "int64" });
  const src = () => d.fileSource("src");
  switch (option) {
    case "name":
      // A Project's name is the project's (fsops.yaml): the other value is an error, not a change.
      if (cls === "Project") return { a: "proj", b: "proj", with: {} };
      return cls === "Aggregation" ? { a: "x_sum_1h", b: "out" } : { a: "n1", b: "n2" };
    case "description":
      return { a: "one", b: "two" };
    case "owner":
      return { a: "a@x", b: "b@x" };
    case "tags":
      return { a: { k: "1" }, b: { k: "2" } };
    case "joinKeys":
      return { a: ["a"], b: ["b"] };
    case "valueType":
    case "dtype":
      return { a: "int64", b: "map" };
    case "vectorIndex":
      return { a: false, b: true };
    case "vectorLength":
      return { a: 3, b: 4 };
    case "vectorSearchMetric":
      return { a: "cosine", b: "l2" };
    case "path":
      return cls === "SparkSource"
        ? { a: "a.parquet", b: "b.parquet", with: { table: undefined } }
        : { a: "a.parquet", b: "b.parquet" };
    case "fileFormat":
      return { a: "parquet", b: "csv" };
    case "timestampField":
    case "createdTimestampColumn":
      return { a: "ts1", b: "ts2" };
    case "fieldMapping":
      return { a: { c: "x" }, b: { c: "y" } };
    case "table":
      return { a: "t1", b: "t2" };
    case "query":
      return { a: "select 1", b: "select 2", with: { table: undefined } };
    case "datePartitionColumn":
    case "database":
    case "schema":
    case "warehouse":
      if (option === "schema" && cls !== "SnowflakeSource" && cls !== "RedshiftSource") {
        return { a: [d.field("x", "float64")], b: [d.field("x", "float64"), d.field("z", "int64")] };
      }
      return { a: "a", b: "b" };
    case "connectorArgs":
      return { a: { k: "1" }, b: { k: "2" } };
    case "batchSource":
      return { a: src(), b: d.fileSource("other") };
    case "bootstrapServers":
    case "topic":
    case "region":
    case "streamName":
      return { a: "a", b: "b" };
    case "messageFormat":
    case "recordFormat":
      return { a: "json", b: "avro" };
    case "watermarkDelayThreshold":
      return { a: "1m", b: "2m" };
    case "entities":
      return cls === "OnDemandFeatureView"
        ? { a: [], b: [driver()], with: { writeToOnlineStore: true } }
        : { a: [], b: [driver()] };
    case "source":
      return cls === "StreamFeatureView"
        ? {
            a: d.make("PushSource", { name: "push", batchSource: src() }),
            b: d.make("PushSource", { name: "push2", batchSource: src() }),
          }
        : { a: src(), b: d.fileSource("other") };
    case "ttl":
      return { a: "1d", b: "520w" };
    case "online":
    case "offline":
    case "writeToOnlineStore":
    case "singleton":
      return { a: false, b: true };
    case "version":
      return { a: 1, b: "2" };
    case "batchSchedule":
      return { a: "@hourly", b: "15 * * * *" };
    case "transform":
      return { a: d.transform("(i) => i"), b: d.transform("(i) => ({})") };
    case "sources":
      return {
        a: [d.featureView("fv", [driver()], [d.field("x", "float64")], src())],
        b: [d.make("RequestSource", { name: "r", schema: [d.field("q", "int64")] })],
      };
    case "mode":
      return { a: "batch", b: "row" };
    case "aggregations":
      return {
        a: [d.make("Aggregation", { column: "x", function: "sum", timeWindow: "1h" })],
        b: [d.make("Aggregation", { column: "x", function: "max", timeWindow: "1h" })],
      };
    case "column":
      return { a: "x", b: "y", with: { name: "out" } };
    case "function":
      return { a: "avg", b: "std", with: { name: "out" } };
    case "timeWindow":
      return { a: "1h", b: "1d", with: { name: "out" } };
    case "slideInterval":
      return { a: "1m", b: "5m", with: { name: "out" } };
    case "features":
      return {
        a: [d.featureView("fv", [driver()], [d.field("x", "float64")], src())],
        b: [
          d.featureView("fv", [driver()], [d.field("x", "float64")], src()),
          d.featureView("fv2", [driver()], [d.field("x", "float64")], src()),
        ],
      };
    case "loggingConfig":
      return {
        a: { destination: { type: "file", path: "a" } },
        b: { destination: { type: "bigquery", table: "t" }, sampleRate: 0.1 },
      };
    default:
      return null;
  }
}

/** The registered state with one object of `cls` built from `options` (nested in a view when needed). */
function stateWith(cls: DslClassName, options: Record<string, EvalValue>, d: Defs): string {
  const clean = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  if (cls === "Field") {
    d.featureView(
      "holder",
      [d.entity("driver", { joinKeys: ["driver_id"], valueType: "int64" })],
      [d.make("Field", clean)],
      d.fileSource("src"),
    );
  } else if (cls === "Aggregation") {
    const holder = base("StreamFeatureView", d);
    d.make("StreamFeatureView", { ...holder, aggregations: [d.make("Aggregation", clean)] });
  } else {
    d.make(cls, clean);
  }
  const { state, diagnostics } = buildDesiredState("proj", d.result());
  const errors = diagnostics.filter((x) => x.severity === "error");
  expect(
    errors,
    `${cls} ${JSON.stringify(clean, (_k, v: unknown) => (typeof v === "object" && v !== null && "$dsl" in v ? `<${(v as DslObject).$dsl}>` : v))}`,
  ).toEqual([]);
  return JSON.stringify(state.objects.map((o) => [o.kind, o.name, o.spec]));
}

describe("every accepted option is stored (a change to it is planned)", () => {
  const cases = DSL_CLASSES.flatMap((cls) =>
    Object.keys(classShapes()[cls]).map((option) => [cls, option] as const),
  );

  it("has a case for every option of every class", () => {
    const missing = cases.filter(([cls, option]) => values(cls, option, new Defs()) === null);
    expect(missing).toEqual([]);
  });

  it.each(cases.filter(([cls, option]) => !(cls === "Project" && option === "name")))(
    "%s.%s",
    (cls, option) => {
      const build = (which: "a" | "b"): string => {
        const d = new Defs();
        const v = values(cls, option, d)!;
        return stateWith(cls, { ...base(cls, d), ...(v.with ?? {}), [option]: v[which] }, d);
      };
      expect(build("a")).not.toBe(build("b"));
    },
  );
});

describe("a Project describes the project of fsops.yaml", () => {
  it("another name is an error at the name (FS222)", () => {
    const d = new Defs();
    const p = d.make("Project", { name: "other" });
    const { diagnostics, state } = buildDesiredState("proj", d.result());
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: "FS222", line: p.optionLocations["name"]!.line }),
    ]);
    expect(state.objects).toEqual([]);
  });
});
