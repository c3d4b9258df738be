/**
 * Definitions written as TypeScript text, parsed by src/parse (never executed) and validated:
 * diagnostics must point at the exact place in the text.
 */
import { describe, expect, it } from "vitest";
import { parseProject } from "../../src/parse/index.js";
import { buildDesiredState } from "../../src/validate/index.js";
import { CODES } from "../../src/validate/codes.js";
import type { EntitySpec, FeatureViewSpec } from "../../src/model/spec.js";

type Files = Record<string, string>;

/**
 * Parse and validate. These texts mostly leave entities untyped, as most projects did before the
 * untyped-join-key warning (FS221) existed; it has its own tests (test/validate/feast-idioms),
 * so it is set aside here to keep each test about its own subject.
 */
function run(files: Files) {
  const parsed = parseProject(Object.entries(files).map(([path, text]) => ({ path, text })));
  const result = buildDesiredState("driver_ranking", parsed);
  const untypedKeyWarnings = result.diagnostics.filter((d) => d.code === CODES.untypedJoinKey);
  return {
    parsed,
    ...result,
    untypedKeyWarnings,
    diagnostics: result.diagnostics.filter((d) => d.code !== CODES.untypedJoinKey),
  };
}

/** 1-based line and column of the `nth` occurrence of `needle` in `files[file]`. */
function pos(
  files: Files,
  file: string,
  needle: string,
  nth = 1,
): { file: string; line: number; column: number } {
  const text = files[file]!;
  let at = -1;
  for (let i = 0; i < nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`test bug: ${JSON.stringify(needle)} not found ${nth} times in ${file}`);
  }
  const before = text.slice(0, at).split("\n");
  return { file, line: before.length, column: before[before.length - 1]!.length + 1 };
}

const PROJECT: Files = {
  "entities.ts": `import { Entity } from "fsops";
import { ownedBy } from "./shared.js";

export const driver = new Entity({
  name: "driver",
  joinKeys: ["driver_id"],
  valueType: "int64",
  tags: ownedBy("driver_performance"),
});

export const customer = new Entity({ name: "customer", joinKeys: ["customer_id"] });
`,
  "shared.ts": `import { Field } from "fsops";
import type { Dtype } from "fsops";

export const fields = (spec: Record<string, Dtype>) =>
  Object.entries(spec).map(([name, dtype]) => new Field({ name, dtype }));

export function ownedBy(team: string) {
  return { team, managed_by: "fsops" };
}
`,
  "sources.ts": `import { FileSource, KafkaSource, PostgresSource, PushSource, RequestSource } from "fsops";
import { fields } from "./shared.js";

export const driverStatsSource = new PostgresSource({
  name: "driver_hourly_stats_source",
  table: "analytics.driver_hourly_stats",
  timestampField: "event_timestamp",
  createdTimestampColumn: "created",
});

export const driverStatsPush = new PushSource({ name: "driver_stats_push", batchSource: driverStatsSource });

export const trips = new KafkaSource({
  name: "driver_trips_stream_source",
  bootstrapServers: "kafka:9092",
  topic: "trips.completed.v1",
  timestampField: "completed_at",
  messageFormat: "json",
  batchSource: new PostgresSource({ name: "driver_trips_archive", table: "analytics.trips", timestampField: "completed_at" }),
});

export const requestValues = new RequestSource({
  name: "vals_to_add",
  schema: fields({ val_to_add: "int64" }),
});

export const profileSource = new FileSource({
  name: "customer_profile_source",
  path: "s3://lake/customer_profile/",
  timestampField: "event_timestamp",
  fieldMapping: { lifetime_trips: "lifetime_trip_count" },
});
`,
  "views.ts": `import { Aggregation, FeatureView, OnDemandFeatureView, StreamFeatureView } from "fsops";
import { customer, driver } from "./entities.js";
import { driverStatsPush, driverStatsSource, profileSource, requestValues, trips } from "./sources.js";
import { fields, ownedBy } from "./shared.js";

export const driverStats = new FeatureView({
  name: "driver_hourly_stats",
  entities: [driver],
  ttl: "1d12h",
  schema: fields({ conv_rate: "float32", acc_rate: "float32", avg_daily_trips: "int64" }),
  source: driverStatsSource,
  tags: ownedBy("driver_performance"),
  owner: "ml-platform@example.com",
});

export const driverStatsFresh = new FeatureView({
  name: "driver_hourly_stats_fresh",
  entities: [driver],
  ttl: 3600,
  schema: driverStats.options.schema,
  source: driverStatsPush,
});

export const customerProfile = new FeatureView({
  name: "customer_daily_profile",
  entities: [customer],
  ttl: "2d",
  schema: fields({ lifetime_trip_count: "int64", favorite_cities: "string[]" }),
  source: profileSource,
  online: false,
  offline: true,
});

export const tripsStream = new StreamFeatureView({
  name: "driver_trips_stream",
  entities: [driver],
  source: trips,
  schema: fields({ trip_completed: "int64", trip_fare: "float64" }),
  aggregations: [
    new Aggregation({ column: "trip_completed", function: "count", timeWindow: "1h" }),
    new Aggregation({ column: "trip_fare", function: "sum", timeWindow: "1d" }),
  ],
});

export const transformed = new OnDemandFeatureView({
  name: "transformed_conv_rate",
  sources: [driverStats.select(["conv_rate"]), requestValues],
  schema: fields({ conv_rate_plus_val: "float64" }),
  transform: (inputs) => ({
    conv_rate_plus_val: inputs.conv_rate.map((v, i) => Number(v) + Number(inputs.val_to_add[i])),
  }),
});
`,
  "services.ts": `import { FeatureService } from "fsops";
import * as views from "./views.js";

export const v1 = new FeatureService({
  name: "driver_ranking_v1",
  features: [views.driverStats.select(["conv_rate", "acc_rate"]), views.customerProfile],
});

export const v2 = new FeatureService({
  name: "driver_ranking_v2",
  features: [views.driverStats, views.transformed, views.tripsStream.select(["trip_fare"])],
  tags: { stage: "beta" },
});
`,
};

describe("a realistic project written in TypeScript", () => {
  it("parses and validates with no diagnostic, matching the canonical snapshot", async () => {
    const { parsed, state, diagnostics } = run(PROJECT);
    expect(parsed.diagnostics).toEqual([]);
    expect(diagnostics).toEqual([]);
    expect(state.objects.map((o) => `${o.kind}:${o.name}`)).toEqual([
      "entity:customer",
      "entity:driver",
      "data_source:customer_profile_source",
      "data_source:driver_hourly_stats_source",
      "data_source:driver_stats_push",
      "data_source:driver_trips_archive",
      "data_source:driver_trips_stream_source",
      "data_source:vals_to_add",
      "feature_view:customer_daily_profile",
      "feature_view:driver_hourly_stats",
      "feature_view:driver_hourly_stats_fresh",
      "on_demand_feature_view:transformed_conv_rate",
      "stream_feature_view:driver_trips_stream",
      "feature_service:driver_ranking_v1",
      "feature_service:driver_ranking_v2",
    ]);
    const driver = state.objects.find((o) => o.kind === "entity" && o.name === "driver")!;
    expect(driver.location).toEqual(pos(PROJECT, "entities.ts", "new Entity"));
    await expect(`${JSON.stringify(state, null, 2)}\n`).toMatchFileSnapshot("__snapshots__/e2e-project.json");
  });

  it("gives byte-identical output whatever order the files come in", () => {
    const reference = JSON.stringify(run(PROJECT).state);
    const entries = Object.entries(PROJECT);
    for (const order of [
      [...entries].reverse(),
      [entries[3]!, entries[0]!, entries[4]!, entries[2]!, entries[1]!],
    ]) {
      expect(JSON.stringify(run(Object.fromEntries(order)).state)).toBe(reference);
    }
  });
});

describe("diagnostics point into the text", () => {
  it("an injection-style name is registered as written (identifiers are quoted); a control character is rejected at the literal", () => {
    const files: Files = {
      "a.ts": `import { Entity } from "fsops";
export const e = new Entity({ name: 'x"; drop table y; --', valueType: "int64" });
export const f = new Entity({ name: "a\\nb", valueType: "int64" });
`,
    };
    const { state, diagnostics } = run(files);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.invalidName,
        ...pos(files, "a.ts", '"a\\nb"'),
        hint: 'use "ab"',
      }),
    ]);
    expect(state.objects.map((o) => o.name)).toEqual(['x"; drop table y; --']);
  });

  it("a name defined twice differently names both file:line; an identical one merges", () => {
    const files: Files = {
      "a.ts": `import { Entity } from "fsops";
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"] });
export const rider = new Entity({ name: "rider" });
`,
      "b.ts": `import { Entity } from "fsops";

export const driver2 = new Entity({ name: "driver", joinKeys: ["id"] });
export const rider2 = new Entity({ name: "rider" });
`,
    };
    const { state, diagnostics } = run(files);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.conflictingDefinition,
        ...pos(files, "b.ts", 'new Entity({ name: "driver"'),
        message:
          'Entity "driver": defined twice with different specs, at a.ts:2 and b.ts:3 (they differ in joinKeys)',
      }),
    ]);
    expect(state.objects).toEqual([
      expect.objectContaining({
        kind: "entity",
        name: "rider",
        location: pos(files, "a.ts", 'new Entity({ name: "rider"'),
      }),
    ]);
  });

  it("a helper called twice with the same arguments defines one object", () => {
    const files: Files = {
      "a.ts": `import { Entity } from "fsops";
const entity = (name: string) => new Entity({ name, joinKeys: [name + "_id"] });
export const a = entity("driver");
export const b = entity("driver");
`,
    };
    const { parsed, state, diagnostics } = run(files);
    expect(parsed.objects.filter((o) => o.$dsl === "Entity").length).toBe(2);
    expect(diagnostics).toEqual([]);
    expect(state.objects.map((o) => o.spec)).toEqual([
      { name: "driver", description: "", tags: {}, owner: "", joinKeys: ["driver_id"], valueType: "string" },
    ]);
  });

  it("an unknown option hints the option a Feast user meant", () => {
    const files: Files = {
      "a.ts": `import { Entity } from "fsops";
export const e = new Entity({
  name: "driver",
  join_keys: ["driver_id"],
});
`,
    };
    expect(run(files).diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.unknownOption,
        ...pos(files, "a.ts", '["driver_id"]'),
        hint: 'did you mean "joinKeys"?',
      }),
    ]);
  });

  it("selecting a missing feature points at the select call, also through a const", () => {
    const files: Files = {
      ...PROJECT,
      "services.ts": `import { FeatureService } from "fsops";
import { driverStats } from "./views.js";

const picked = driverStats.select(["conv_rat"]);

export const v1 = new FeatureService({
  name: "driver_ranking_v1",
  features: [driverStats.select(["conv_rate", "trips"]), picked],
});
`,
    };
    const { diagnostics } = run(files);
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: CODES.unknownFeature,
        ...pos(files, "services.ts", "driverStats.select", 1),
        hint: 'did you mean "conv_rate"?',
      }),
      expect.objectContaining({
        code: CODES.unknownFeature,
        ...pos(files, "services.ts", "driverStats.select", 2),
        message:
          'FeatureService "driver_ranking_v1": FeatureView "driver_hourly_stats" has no feature "trips"',
      }),
      expect.objectContaining({ code: CODES.duplicateEntry, ...pos(files, "services.ts", "picked]") }),
    ]);
  });

  it("a schema Field named like a join key types the key (Feast's idiom), and is not a feature", () => {
    const files: Files = {
      "a.ts": `import { Entity, FeatureView, Field, FileSource } from "fsops";
const driver = new Entity({ name: "driver", joinKeys: ["driver_id"] });
export const v = new FeatureView({
  name: "v",
  entities: [driver],
  schema: [
    new Field({ name: "conv_rate", dtype: "float32" }),
    new Field({ name: "driver_id", dtype: "int64" }),
  ],
  source: new FileSource({ name: "s", path: "p", timestampField: "ts" }),
});
`,
    };
    const result = run(files);
    expect(result.diagnostics).toEqual([]);
    expect(result.untypedKeyWarnings).toEqual([]);
    const view = result.state.objects.find((o) => o.kind === "feature_view")!.spec as FeatureViewSpec;
    expect(view.schema).toEqual([{ name: "conv_rate", dtype: "float32" }]);
    expect(view.entityColumns).toEqual([{ name: "driver_id", dtype: "int64" }]);
    const entity = result.state.objects.find((o) => o.kind === "entity")!.spec as EntitySpec;
    expect(entity.valueType).toBe("int64");
  });

  it("a stream view on a batch source and a bad aggregation, in one run", () => {
    const files: Files = {
      "a.ts": `import { Aggregation, Entity, Field, FileSource, StreamFeatureView } from "fsops";
const driver = new Entity({ name: "driver" });
const batch = new FileSource({ name: "s", path: "p", timestampField: "ts" });
export const v = new StreamFeatureView({
  name: "v",
  entities: [driver],
  schema: [new Field({ name: "trips", dtype: "int64" })],
  source: batch,
  aggregations: [new Aggregation({ column: "trip", function: "average", timeWindow: "1.5h" })],
});
`,
    };
    expect(run(files).diagnostics).toEqual([
      expect.objectContaining({ code: CODES.wrongReference, ...pos(files, "a.ts", "batch,") }),
      expect.objectContaining({
        code: CODES.invalidChoice,
        ...pos(files, "a.ts", '"average"'),
        hint: 'did you mean "avg"?',
      }),
      expect.objectContaining({
        code: CODES.invalidDuration,
        ...pos(files, "a.ts", '"1.5h"'),
        hint: 'write "1h30m"',
      }),
    ]);
  });

  it("an option the parser could not evaluate is reported once, by the parser", () => {
    const files: Files = {
      "a.ts": `import { Entity } from "fsops";
export const e = new Entity({ name: "driver", valueType: process.env.TYPE });
`,
    };
    const { parsed, state, diagnostics } = run(files);
    expect(parsed.diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics).toEqual([]);
    expect(state.objects).toEqual([]);
  });
});
