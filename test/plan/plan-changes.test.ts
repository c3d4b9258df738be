import { describe, expect, it } from "vitest";
import { planChanges } from "../../src/plan/plan-changes.js";
import { rebuiltDependents } from "../../src/plan/impact.js";
import type { Change, DesiredState } from "../../src/model/index.js";
import {
  driverRankingInfra,
  driverRankingV1,
  driverRankingV2,
  field,
  modify,
  stateOf,
  without,
  agg,
  desiredState,
} from "./fixture.js";

const v1 = driverRankingV1();
const applied = stateOf(v1, 7);

function only(desired: DesiredState): Change {
  const plan = planChanges(desired, applied);
  expect(plan.changes).toHaveLength(1);
  return plan.changes[0]!;
}

describe("planChanges: actions", () => {
  it("plans nothing against the state it produced, counting every object unchanged", () => {
    const plan = planChanges(v1, applied);
    expect(plan.changes).toEqual([]);
    expect(plan.unchanged).toBe(v1.objects.length);
    expect(plan.summary).toEqual({ create: 0, update: 0, replace: 0, delete: 0 });
  });

  it("creates everything against an empty registry, bound to no lineage and serial 0", () => {
    const plan = planChanges(v1, null);
    expect(plan.registry).toEqual({ lineage: null, serial: 0 });
    expect(plan.summary.create).toBe(v1.objects.length);
    expect(plan.changes.every((c) => c.action === "create" && c.impact === "safe")).toBe(true);
    const view = plan.changes.find((c) => c.name === "driver_hourly_stats")!;
    expect(view.fields.map((f) => f.path)).toEqual([
      "entities",
      "offline",
      "online",
      "owner",
      "schema",
      "source",
      "tags",
      "ttl",
    ]);
    expect(view.fields.every((f) => f.before === null)).toBe(true);
    expect(view.before).toBeNull();
    expect(view.after).toEqual(v1.objects.find((o) => o.name === "driver_hourly_stats")!.spec);
  });

  it("lists changes in kind order, then name", () => {
    const plan = planChanges(driverRankingV2(), applied);
    const order = plan.changes.map((c) => `${c.kind}:${c.name}`);
    expect(order).toEqual([
      "entity:customer",
      "data_source:driver_stats_push_source",
      "feature_view:customer_daily_profile",
      "feature_view:driver_hourly_stats",
      "feature_view:driver_weekly_stats",
      "on_demand_feature_view:transformed_conv_rate",
      "stream_feature_view:driver_trips_stream",
      "feature_service:driver_ranking_v2",
      "feature_service:driver_ranking_v3",
    ]);
    expect(plan.summary).toEqual({ create: 2, update: 4, replace: 1, delete: 2 });
    expect(plan.unchanged).toBe(5);
  });

  it.each([
    [
      "entity join keys",
      modify(v1, "entity", "driver", (s) => ({ ...s, joinKeys: ["driver_id", "region"] })),
      "joinKeys",
    ],
    [
      "entity value type",
      modify(v1, "entity", "driver", (s) => ({ ...s, valueType: "string" })),
      "valueType",
    ],
    [
      "feature view entities",
      modify(v1, "feature_view", "driver_hourly_stats", (s) => ({ ...s, entities: ["driver", "customer"] })),
      "entities",
    ],
    [
      "stream view entities",
      modify(v1, "stream_feature_view", "driver_trips_stream", (s) => ({ ...s, entities: ["customer"] })),
      "entities",
    ],
  ])("replaces on a change of %s", (_label, desired, path) => {
    const c = only(desired);
    expect(c.action).toBe("replace");
    expect(c.fields.map((f) => f.path)).toEqual([path]);
  });

  it("replaces a data source whose type changes, with every differing field listed", () => {
    const c = only(
      modify(v1, "data_source", "customer_profile_source", (s) => ({
        name: s.name,
        description: "",
        tags: {},
        owner: "",
        type: "postgres",
        table: "customer_profile",
        query: null,
        timestampField: "event_timestamp",
        createdTimestampColumn: null,
        fieldMapping: {},
      })),
    );
    expect(c.action).toBe("replace");
    expect(c.impact).toBe("safe");
    expect(c.fields.map((f) => f.path)).toEqual(["path", "table", "type"]);
  });

  it("updates (not replaces) on a source, ttl or schema change", () => {
    const c = only(
      modify(v1, "feature_view", "customer_daily_profile", (s) => ({
        ...s,
        source: "driver_hourly_stats_source",
        ttl: 3600,
        schema: [...s.schema, field("new_one", "bool")],
      })),
    );
    expect(c.action).toBe("update");
  });
});

describe("planChanges: impact", () => {
  const impactOf = (d: DesiredState) => only(d).impact;

  it.each([
    ["entity", "entity:customer"],
    ["feature view", "feature_view:customer_daily_profile"],
    ["on-demand view", "on_demand_feature_view:transformed_conv_rate"],
    ["stream view", "stream_feature_view:driver_trips_stream"],
    ["feature service", "feature_service:driver_ranking_v1"],
  ])("deleting a %s is destructive", (_label, id) => {
    const plan = planChanges(without(v1, id), applied);
    const c = plan.changes.find((x) => `${x.kind}:${x.name}` === id)!;
    expect(c.action).toBe("delete");
    expect(c.impact).toBe("destructive");
  });

  it("deleting a data source is safe: the data it points at is not fsops's", () => {
    const plan = planChanges(without(v1, "data_source:customer_profile_source"), applied);
    expect(plan.changes).toMatchObject([{ action: "delete", impact: "safe" }]);
  });

  it("removing a schema field is destructive, adding one is safe", () => {
    const rm = modify(v1, "feature_view", "driver_hourly_stats", (s) => ({
      ...s,
      schema: s.schema.slice(1),
    }));
    expect(only(rm)).toMatchObject({
      impact: "destructive",
      fields: [{ path: "schema.conv_rate", after: null }],
    });
    const add = modify(v1, "feature_view", "driver_hourly_stats", (s) => ({
      ...s,
      schema: [...s.schema, field("x", "int64")],
    }));
    expect(impactOf(add)).toBe("safe");
    const rmRequest = modify(v1, "data_source", "conv_rate_request", (s) =>
      s.type === "request" ? { ...s, schema: s.schema.slice(0, 1) } : s,
    );
    expect(impactOf(rmRequest)).toBe("destructive");
  });

  it("a dtype change rebuilds an online view, and is safe where nothing is stored", () => {
    const retype = (kind: "feature_view" | "on_demand_feature_view", name: string, online = true) =>
      modify(v1, kind, name, (s) => ({
        ...s,
        ...(kind === "feature_view" ? { online } : {}),
        schema: s.schema.map((f, i) => (i === 0 ? { ...f, dtype: "string" as const } : f)),
      }));
    expect(only(retype("feature_view", "driver_hourly_stats"))).toMatchObject({
      impact: "rebuild",
      fields: [{ path: "schema.conv_rate.dtype", before: "float32", after: "string" }],
    });
    expect(impactOf(retype("on_demand_feature_view", "transformed_conv_rate"))).toBe("safe");
    const offline = modify(v1, "feature_view", "driver_hourly_stats", (s) => ({ ...s, online: false }));
    const offlineRetyped = modify(offline, "feature_view", "driver_hourly_stats", (s) => ({
      ...s,
      schema: s.schema.map((f, i) => (i === 0 ? { ...f, dtype: "string" as const } : f)),
    }));
    expect(planChanges(offlineRetyped, stateOf(offline)).changes[0]!.impact).toBe("safe");
  });

  it("replacing an online view rebuilds it; replacing an entity rebuilds every dependent stored view", () => {
    expect(
      impactOf(modify(v1, "feature_view", "driver_hourly_stats", (s) => ({ ...s, entities: ["customer"] }))),
    ).toBe("rebuild");
    const c = only(modify(v1, "entity", "driver", (s) => ({ ...s, valueType: "string" })));
    expect(c.impact).toBe("rebuild");
    expect(rebuiltDependents(c)).toEqual([
      "feature_view:driver_hourly_stats",
      "feature_view:legacy_driver_scores",
      "stream_feature_view:driver_trips_stream",
    ]);
  });

  it("taking a view offline is destructive, putting it online is safe", () => {
    const off = modify(v1, "feature_view", "driver_hourly_stats", (s) => ({ ...s, online: false }));
    expect(impactOf(off)).toBe("destructive");
    expect(planChanges(v1, stateOf(off)).changes[0]!.impact).toBe("safe");
  });

  it.each([
    ["tag", (s: { tags: Record<string, string> }) => ({ ...s, tags: { ...s.tags, team: "other" } })],
    ["description", (s: { description: string }) => ({ ...s, description: "new words" })],
    ["owner", (s: { owner: string }) => ({ ...s, owner: "someone@example.com" })],
    ["ttl", (s: { ttl: number }) => ({ ...s, ttl: 42 })],
    ["source", (s: { source: string }) => ({ ...s, source: "customer_profile_source" })],
  ])("a %s change is safe", (_label, patch) => {
    expect(impactOf(modify(v1, "feature_view", "driver_hourly_stats", patch as never))).toBe("safe");
  });

  it("a query or transform change is safe", () => {
    expect(
      impactOf(
        modify(v1, "data_source", "driver_hourly_stats_source", (s) =>
          s.type === "postgres" ? { ...s, table: null, query: "SELECT * FROM driver_hourly_stats" } : s,
        ),
      ),
    ).toBe("safe");
    expect(
      impactOf(
        modify(v1, "on_demand_feature_view", "transformed_conv_rate", (s) => ({
          ...s,
          transform: "() => 1",
        })),
      ),
    ).toBe("safe");
  });

  it("a service that serves less is destructive, one that serves more is safe", () => {
    const narrow = modify(v1, "feature_service", "driver_ranking_v1", (s) => ({
      ...s,
      features: [{ view: "driver_hourly_stats", features: ["conv_rate"] }, s.features[1]!],
    }));
    expect(only(narrow)).toMatchObject({
      impact: "destructive",
      fields: [{ path: "features.driver_hourly_stats.features" }],
    });
    const drop = modify(v1, "feature_service", "driver_ranking_v1", (s) => ({
      ...s,
      features: s.features.slice(0, 1),
    }));
    expect(impactOf(drop)).toBe("destructive");
    const widen = modify(v1, "feature_service", "driver_ranking_v1", (s) => ({
      ...s,
      features: [{ view: "driver_hourly_stats", features: null }, s.features[1]!],
    }));
    expect(impactOf(widen)).toBe("safe");
    const add = modify(v1, "feature_service", "driver_ranking_v1", (s) => ({
      ...s,
      features: [...s.features, { view: "customer_daily_profile", features: null }],
    }));
    expect(impactOf(add)).toBe("safe");
  });

  it("an aggregation change rebuilds an online stream view", () => {
    const c = only(
      modify(v1, "stream_feature_view", "driver_trips_stream", (s) => ({
        ...s,
        aggregations: [agg("trips", "sum", 7200), s.aggregations[1]!],
      })),
    );
    expect(c.impact).toBe("rebuild");
  });

  it("reordering schema fields is one whole-array change; with a removal it is destructive", () => {
    const reorder = only(
      modify(v1, "feature_view", "driver_hourly_stats", (s) => ({ ...s, schema: [...s.schema].reverse() })),
    );
    expect(reorder).toMatchObject({ action: "update", impact: "safe", fields: [{ path: "schema" }] });
    const reorderRemove = only(
      modify(v1, "feature_view", "driver_hourly_stats", (s) => ({
        ...s,
        schema: [...s.schema].reverse().slice(1),
      })),
    );
    expect(reorderRemove).toMatchObject({ impact: "destructive", fields: [{ path: "schema" }] });
  });

  it("takes the worst impact of its fields", () => {
    const c = only(
      modify(v1, "feature_view", "driver_hourly_stats", (s) => ({
        ...s,
        description: "x",
        schema: s.schema.map((f) => (f.name === "acc_rate" ? { ...f, dtype: "float64" as const } : f)),
      })),
    );
    expect(c.fields.map((f) => f.path)).toEqual(["description", "schema.acc_rate.dtype"]);
    expect(c.impact).toBe("rebuild");
  });
});

describe("planChanges: dependents and locations", () => {
  it("lists every object downstream, transitively, sorted by kind then name, excluding itself", () => {
    const c = only(
      modify(v1, "data_source", "driver_hourly_stats_source", (s) => ({ ...s, description: "d" })),
    );
    expect(c.dependents).toEqual([
      "data_source:driver_stats_push_source",
      "feature_view:driver_hourly_stats",
      "feature_view:legacy_driver_scores",
      "on_demand_feature_view:transformed_conv_rate",
      "stream_feature_view:driver_trips_stream",
      "feature_service:driver_ranking_v1",
      "feature_service:driver_ranking_v2",
    ]);
  });

  it("takes a delete's dependents from the registry's specs", () => {
    const plan = planChanges(
      without(v1, "stream_feature_view:driver_trips_stream", "data_source:driver_stats_push_source"),
      applied,
    );
    // driver_ranking_v2 still references the stream view in this (invalid) desired state: the
    // blast radius is what the registry says depends on it.
    const push = plan.changes.find((c) => c.name === "driver_stats_push_source")!;
    expect(push.dependents).toEqual([
      "stream_feature_view:driver_trips_stream",
      "feature_service:driver_ranking_v2",
    ]);
  });

  it("points creates and updates at the definition, deletes at the last applied location", () => {
    const moved = desiredState(
      v1.project,
      v1.objects.map((o) =>
        o.name === "driver_hourly_stats" ? { ...o, location: { file: "moved.ts", line: 40, column: 3 } } : o,
      ),
    );
    const plan = planChanges(
      without(
        modify(moved, "feature_view", "driver_hourly_stats", (s) => ({ ...s, ttl: 1 })),
        "feature_service:driver_ranking_v1",
      ),
      applied,
    );
    expect(plan.changes.map((c) => [c.name, c.file, c.line])).toEqual([
      ["driver_hourly_stats", "moved.ts", 40],
      ["driver_ranking_v1", "services.ts", 4],
    ]);
  });
});

describe("planChanges: fingerprint", () => {
  const v2 = driverRankingV2();
  const base = planChanges(v2, applied, driverRankingInfra());

  it("is a sha256 and the same for the same inputs", () => {
    expect(base.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(planChanges(driverRankingV2(), stateOf(driverRankingV1(), 7), driverRankingInfra())).toEqual(base);
  });

  it("ignores cosmetic differences: locations, object and edge order, infra reasons", () => {
    const relocated: DesiredState = {
      ...v2,
      objects: [...v2.objects]
        .reverse()
        .map((o) => ({ ...o, location: { file: `x/${o.location.file}`, line: 99, column: 9 } })),
      edges: [...v2.edges].reverse(),
    };
    const registryMoved = {
      ...applied,
      objects: applied.objects.map((o) => ({ ...o, file: "elsewhere.ts", line: 1 })),
    };
    const infra = driverRankingInfra().map((i) => ({ ...i, reason: "reworded" }));
    const other = planChanges(relocated, registryMoved, infra);
    expect(other.fingerprint).toBe(base.fingerprint);
    expect(other.changes.map((c) => c.name)).toEqual(base.changes.map((c) => c.name));
  });

  it("changes with the serial, the lineage, the project, a field or an infra statement", () => {
    const fps = [
      planChanges(v2, { ...applied, serial: 8 }, driverRankingInfra()),
      planChanges(v2, { ...applied, lineage: "another" }, driverRankingInfra()),
      planChanges({ ...v2, project: "driver_ranking_production" }, applied, driverRankingInfra()),
      planChanges(
        modify(v2, "feature_view", "driver_weekly_stats", (s) => ({ ...s, ttl: 1 })),
        applied,
        driverRankingInfra(),
      ),
      planChanges(
        v2,
        applied,
        driverRankingInfra().map((i, n) => (n === 0 ? { ...i, statements: [] } : i)),
      ),
      planChanges(v2, applied, []),
    ].map((p) => p.fingerprint);
    expect(new Set([base.fingerprint, ...fps]).size).toBe(fps.length + 1);
  });

  it("changes when no-state becomes a state", () => {
    expect(planChanges(v1, null).fingerprint).not.toBe(
      planChanges(v1, { ...applied, objects: [] }).fingerprint,
    );
  });
});

describe("planChanges: protection", () => {
  it('never plans the delete of an object tagged fsops.protect: "true", listing it as kept', () => {
    const plan = planChanges(driverRankingV2(), applied);
    expect(plan.changes.find((c) => c.name === "legacy_driver_scores")).toBeUndefined();
    expect(plan.protected).toEqual([
      { kind: "feature_view", name: "legacy_driver_scores", file: "features/legacy.ts", line: 2 },
    ]);
  });

  it("still updates a protected object", () => {
    const c = only(modify(v1, "feature_view", "legacy_driver_scores", (s) => ({ ...s, ttl: 60 })));
    expect(c.action).toBe("update");
  });

  it("deletes an object whose protect tag is anything but the string true", () => {
    const unprotected = modify(v1, "feature_view", "legacy_driver_scores", (s) => ({
      ...s,
      tags: { "fsops.protect": "false" },
    }));
    const plan = planChanges(without(unprotected, "feature_view:legacy_driver_scores"), stateOf(unprotected));
    expect(plan.changes).toMatchObject([{ name: "legacy_driver_scores", action: "delete" }]);
    expect(plan.protected).toEqual([]);
  });
});
