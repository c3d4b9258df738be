/**
 * What materialize and push read of a view (`viewSource`): join keys typed by the view's schema
 * Field before the entity's valueType, and dtypes they cannot read yet (json, map, struct<…>,
 * uuid, decimal, T[][] …) refused up front with a located message instead of wrong data.
 */
import { describe, expect, it } from "vitest";
import type { Dtype } from "../../src/model/kinds.js";
import type { RegistryObject } from "../../src/model/registry.js";
import type { FeatureViewSpec, PushSourceSpec } from "../../src/model/spec.js";
import { viewsOfPushSource } from "../../src/materialize/push.js";
import { OfflineSourceError } from "../../src/offline/errors.js";
import { isReadableDtype, viewSource } from "../../src/offline/view-source.js";
import { entity, pgSource, registryState, view } from "../training/fixtures.js";

const push = (name: string, batchSource: string): RegistryObject => ({
  kind: "data_source",
  name,
  spec: { description: "", tags: {}, owner: "", name, type: "push", batchSource } satisfies PushSourceSpec,
  file: "features.ts",
  line: 90,
});

const keyed = (o: RegistryObject): RegistryObject => {
  (o.spec as FeatureViewSpec).entityColumns = [{ name: "driver_id", dtype: "int64" }];
  return o;
};

const state = registryState("dtypes", [
  entity("driver", ["driver_id"], "string"),
  pgSource("stats_pg", { table: "driver_stats" }),
  push("stats_push", "stats_pg"),
  push("blobs_push", "stats_pg"),
  keyed(view("stats", ["driver"], { trips: "int32", hours: "float32[]" }, "stats_push", 0)),
  keyed(view("blobs", ["driver"], { trips: "int32", payload: "json", grid: "int64[][]" }, "blobs_push", 0)),
]);

describe("viewSource: key types and readable dtypes", () => {
  it("types a join key by the view's Field before the entity's valueType", () => {
    expect(viewSource(state, "stats").keys).toEqual([
      { name: "driver_id", dtype: "int64", column: "driver_id" },
    ]);
  });

  it("refuses a json feature with a located message (and lists the other unreadable ones)", () => {
    const run = () => viewSource(state, "blobs");
    expect(run).toThrow(OfflineSourceError);
    expect(run).toThrow(/^features\.ts:\d+: view "blobs"/);
    expect(run).toThrow(
      'view "blobs": feature "payload" has dtype json, which materialize/push/training cannot read yet (supported: int32, int64, float32, float64, string, bytes, bool, unix_timestamp and their lists T[]); also grid (int64[][])',
    );
    // A caller reading only some features (training) checks only those.
    expect(viewSource(state, "blobs", ["trips"]).features.map((f) => f.name)).toEqual([
      "trips",
      "payload",
      "grid",
    ]);
  });

  it("push resolves only the views its source feeds: another view's json feature is not its problem", () => {
    expect(viewsOfPushSource(state, "stats_push").map((v) => v.view)).toEqual(["stats"]);
    expect(() => viewsOfPushSource(state, "blobs_push")).toThrow(
      'view "blobs": feature "payload" has dtype json',
    );
  });

  it("readable dtypes: the eight scalars and one-level lists of them", () => {
    const yes: Dtype[] = [
      "int32",
      "int64",
      "float32",
      "float64",
      "string",
      "bytes",
      "bool",
      "unix_timestamp",
      "float32[]",
    ];
    const no: Dtype[] = [
      "json",
      "map",
      "uuid",
      "time_uuid",
      "decimal",
      "timestamp_tz",
      "int64[][]",
      "json[]",
      "struct<a:int64>",
    ];
    expect(yes.filter((d) => !isReadableDtype(d))).toEqual([]);
    expect(no.filter((d) => isReadableDtype(d))).toEqual([]);
  });
});
