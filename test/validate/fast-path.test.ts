/**
 * The zod-free fast paths must accept only what the class schema accepts, with the same output
 * (values, key order and all), and must be taken for the common valid shapes.
 */
import { describe, expect, it } from "vitest";
import type { DslObject, EvalRecord, EvalValue, Projection } from "../../src/model/evaluated.js";
import type { DslClassName } from "../../src/model/kinds.js";
import { DSL_CLASSES, VECTOR_SEARCH_METRICS } from "../../src/model/kinds.js";
import { fastField, fastOptions } from "../../src/validate/fast.js";
import {
  classSchemas,
  onDemandSourceOf,
  onDemandSourceSchema,
  selectionOf,
  viewSelectionSchema,
} from "../../src/validate/schemas.js";

const at = { file: "a.ts", line: 1, column: 1 };
const obj = (cls: DslClassName, options: EvalRecord = {}): DslObject => ({
  $dsl: cls,
  id: 0,
  options,
  location: at,
  optionLocations: {},
});
const select = (view: EvalValue, features: EvalValue): Projection => ({
  $projection: true,
  view,
  features,
  location: at,
});

const entity = obj("Entity", { name: "driver" });
const field = obj("Field", { name: "f", dtype: "int64" });
const file = obj("FileSource", { name: "s", path: "p", timestampField: "ts" });
const pg = obj("PostgresSource", { name: "s", table: "t", timestampField: "ts" });
const push = obj("PushSource", { name: "p", batchSource: file });
const kafka = obj("KafkaSource", { name: "k" });
const fv = obj("FeatureView", { name: "v" });
const odfv = obj("OnDemandFeatureView", { name: "o" });
const svc = obj("FeatureService", { name: "fs" });
const req = obj("RequestSource", { name: "r" });
const agg = obj("Aggregation", { column: "c" });
const sfv = obj("StreamFeatureView", { name: "s" });
const bq = obj("BigQuerySource", { table: "t" });
const fn = { $transform: true, text: "(df) => df", location: at } as unknown as EvalValue;

/** Valid options of each class with a fast path: the fast path must take every one. */
const VALID: Partial<Record<DslClassName, EvalRecord[]>> = {
  Field: [
    { name: "conv_rate", dtype: "float32" },
    { dtype: "unix_timestamp[]", name: "x" },
    { name: "a".repeat(63), dtype: "int64" },
    { name: "active_hours_7d", dtype: "float32[]", description: "Active hours, one per day." },
    {
      name: "e",
      dtype: "float32[]",
      tags: { a: "b" },
      vectorIndex: true,
      vectorLength: 8,
      vectorSearchMetric: VECTOR_SEARCH_METRICS[0],
    },
  ],
  Entity: [
    { name: "driver" },
    { name: "driver", joinKeys: ["driver_id"], valueType: "int64", description: "d", owner: "o" },
    { valueType: "string", tags: { team: "a", tier: "" }, name: "customer", joinKeys: ["a", "b"] },
  ],
  FileSource: [
    { name: "s", path: "data/x.parquet", timestampField: "ts" },
    {
      name: "s",
      path: "p",
      timestampField: "ts",
      createdTimestampColumn: "c",
      fieldMapping: { a: "b" },
      tags: {},
    },
  ],
  PostgresSource: [
    { name: "s", table: "t", timestampField: "ts" },
    { name: "s", query: "select 1", timestampField: "ts", owner: "o", description: "" },
    // Table-or-query is a rule (rules.ts), not the schema's business.
    { name: "s", timestampField: "ts" },
  ],
  PushSource: [
    { name: "p", batchSource: file },
    { name: "p", batchSource: pg, tags: { a: "b" } },
  ],
  FeatureView: [
    { name: "v", entities: [entity], schema: [field], source: file },
    {
      name: "v",
      entities: [entity, entity],
      schema: [field, field],
      source: push,
      ttl: "1d12h",
      online: false,
      offline: true,
      tags: { team: "x" },
      owner: "o",
      description: "d",
    },
    { source: kafka, ttl: 0, schema: [field], entities: [entity], name: "v" },
    { name: "v", entities: [entity], schema: [field], source: pg, ttl: 3600 },
  ],
  Project: [{ name: "p" }, { name: "p", description: "d", tags: { a: "b" }, owner: "o" }],
  BigQuerySource: [
    { table: "t" },
    { name: "b", query: "select 1", timestampField: "ts", datePartitionColumn: "d" },
  ],
  SnowflakeSource: [{ name: "s", database: "d", schema: "s", warehouse: "w", table: "t" }],
  RedshiftSource: [{ name: "r", database: "d", schema: "s", query: "q" }],
  SparkSource: [{ name: "s", path: "p", fileFormat: "orc" }, { table: "t" }],
  TrinoSource: [{ name: "t", table: "t", connectorArgs: { a: "b", c: "" } }],
  RequestSource: [
    { name: "r", schema: [field] },
    { schema: [field, field], name: "r", owner: "o" },
  ],
  KafkaSource: [
    {
      name: "k",
      bootstrapServers: "b:9092",
      topic: "t",
      timestampField: "ts",
      messageFormat: "json",
      batchSource: file,
    },
    {
      name: "k",
      bootstrapServers: "b",
      topic: "t",
      timestampField: "ts",
      messageFormat: "avro",
      batchSource: pg,
      createdTimestampColumn: "c",
      fieldMapping: { a: "b" },
      watermarkDelayThreshold: "5m",
    },
  ],
  KinesisSource: [
    {
      name: "k",
      region: "eu",
      streamName: "s",
      recordFormat: "protobuf",
      timestampField: "ts",
      batchSource: file,
      watermarkDelayThreshold: 0,
    },
  ],
  BatchFeatureView: [
    { name: "v", schema: [field], source: file, transform: fn },
    { name: "v", schema: [field], source: pg, entities: [], version: 2, batchSchedule: "@hourly" },
  ],
  OnDemandFeatureView: [
    { name: "o", sources: [req, fv], schema: [field], transform: fn },
    {
      name: "o",
      sources: [select(fv, ["a"]), sfv],
      schema: [field],
      transform: fn,
      mode: "row",
      singleton: true,
      writeToOnlineStore: false,
      entities: [entity],
      version: "v2",
    },
  ],
  StreamFeatureView: [
    { name: "s", schema: [field], source: kafka },
    {
      name: "s",
      entities: [entity],
      schema: [field],
      source: push,
      aggregations: [agg, agg],
      timestampField: "ts",
      ttl: "1d",
      online: true,
      offline: false,
      version: 0,
    },
  ],
  Aggregation: [
    { column: "c", function: "sum", timeWindow: "1h" },
    { column: "c", function: "last", timeWindow: 60, name: "c_last", slideInterval: "1m" },
  ],
  FeatureService: [
    { name: "fs", features: [fv] },
    { name: "fs", features: [fv, select(fv, ["a", "b"]), odfv], tags: { a: "b" } },
  ],
};

/** Values to put in place of each option: most are wrong somewhere. */
const PROBES: EvalValue[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  "",
  "x",
  "Bad-Name",
  "2x",
  "float",
  "1d",
  true,
  [],
  ["x"],
  [""],
  [1],
  {},
  { a: 1 },
  { a: "" },
  { a: "b" },
  entity,
  field,
  file,
  pg,
  push,
  kafka,
  fv,
  svc,
  [entity, 1],
  [field, entity],
  [fv, svc],
  select(fv, ["a"]),
  select(fv, []),
  select(fv, [1]),
  select(svc, ["a"]),
  select(fv, "a"),
  [select(fv, ["a"])],
  [select(fv, [])],
  [select(entity, ["a"])],
  req,
  agg,
  sfv,
  bq,
  fn,
  odfv,
  [req],
  [agg, 1],
  [select(odfv, ["a"])],
  [select(sfv, ["a"]), req],
  "json",
  "orc",
  "sum",
  "row",
  "@hourly",
  "not a cron",
  "0s",
  2,
  2 ** 53,
  -0,
  Number.NaN,
  Infinity,
  "a".repeat(64),
];

function variants(valid: EvalRecord): EvalRecord[] {
  const out: EvalRecord[] = [];
  const keys = new Set([...Object.keys(valid), "name", "tags", "extra"]);
  for (const key of keys) {
    const { [key]: _drop, ...without } = valid;
    out.push(without);
    for (const probe of PROBES) out.push({ ...valid, [key]: probe });
  }
  const proto: Record<string, EvalValue> = { ...valid };
  Object.defineProperty(proto, "__proto__", {
    value: "x",
    enumerable: true,
    writable: true,
    configurable: true,
  });
  out.push(proto);
  return out;
}

function agree(cls: DslClassName, options: EvalRecord): void {
  const fast = fastOptions(cls, options);
  const slow = classSchemas()[cls].safeParse(options);
  if (fast === null) return;
  expect(slow.success).toBe(true);
  expect(fast).toStrictEqual(slow.data);
  // fastField returns `{ name, dtype }` as written (key order aside, the same value).
  if (fast !== options) expect(Object.keys(fast)).toEqual(Object.keys(slow.data as object));
}

describe("fastOptions", () => {
  for (const [cls, valid] of Object.entries(VALID) as [DslClassName, EvalRecord[]][]) {
    it(`takes every common valid ${cls}, with the schema's output`, () => {
      for (const options of valid) {
        expect(fastOptions(cls, options), JSON.stringify(options)).not.toBeNull();
        agree(cls, options);
      }
    });

    it(`never accepts what the ${cls} schema rejects, nor differs from its output`, () => {
      let declined = 0;
      for (const base of valid) {
        for (const options of variants(base)) {
          agree(cls, options);
          if (fastOptions(cls, options) === null) declined++;
        }
      }
      // Guards the test itself: the probes must reach the rejecting branches.
      expect(declined).toBeGreaterThan(10);
    });
  }

  it("has a fast path for every class", () => {
    for (const cls of DSL_CLASSES) expect(VALID[cls], cls).toBeDefined();
  });

  it("leaves a missing required option to the schema", () => {
    expect(fastOptions("KafkaSource", { name: "k" })).toBeNull();
    expect(fastOptions("Aggregation", { column: "a", function: "sum" })).toBeNull();
  });

  it("agrees with the schemas of a feature service entry and an on-demand source", () => {
    let taken = 0;
    for (const v of PROBES) {
      for (const [fast, schema] of [
        [selectionOf(v), viewSelectionSchema().safeParse(v)],
        [onDemandSourceOf(v), onDemandSourceSchema().safeParse(v)],
      ] as const) {
        if (fast === null) continue;
        taken++;
        expect(schema.success).toBe(true);
        expect(fast).toStrictEqual(schema.data);
        expect(Object.keys(fast)).toEqual(Object.keys(schema.data as object));
      }
    }
    expect(taken).toBeGreaterThan(5);
  });

  it("returns a Field's options as they are", () => {
    const options = { name: "conv_rate", dtype: "float32" };
    expect(fastField(options)).toBe(options);
    expect(fastField({ name: "conv_rate", dtype: "double" })).toBeNull();
    expect(fastField({ name: "x", dtype: "int32", description: "d" })).toBeNull();
  });
});
