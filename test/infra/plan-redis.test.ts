import { describe, expect, it } from "vitest";
import type { Json } from "../../src/model/json.js";
import type { InfraAction } from "../../src/model/plan.js";
import type { RedisInfraState } from "../../src/infra/infra-state.js";
import { parseInfraRecord } from "../../src/infra/layout.js";
import { escapeGlob, redisViewPattern, viewOfRedisKey } from "../../src/infra/naming.js";
import { planDestroy, planInfra } from "../../src/infra/plan-infra.js";
import { metaValue } from "../../src/infra/plan-redis.js";
import { parseRedisStatement } from "../../src/infra/redis-commands.js";
import { desiredState, driverStats, entity, featureView } from "./fixtures.js";

const P = "drivers";

const empty = (scanned = true): RedisInfraState => ({
  store: "redis",
  meta: {},
  viewsWithKeys: scanned ? [] : null,
});

function storeAfter(record: Json, withKeys = true): RedisInfraState {
  const parsed = parseInfraRecord(record);
  if (parsed?.store !== "redis") throw new Error("not a redis record");
  const meta: Record<string, string> = {};
  for (const [view, layout] of Object.entries(parsed.views)) meta[view] = metaValue(layout);
  return { store: "redis", meta, viewsWithKeys: withKeys ? Object.keys(meta).sort() : [] };
}

function plan(objects: Parameters<typeof desiredState>[1], recorded: Json = null, actual = empty()) {
  return planInfra(P, desiredState(P, objects), recorded, actual, "redis");
}

function applied(objects: Parameters<typeof desiredState>[1]) {
  const { record } = plan(objects);
  return { record, actual: storeAfter(record) };
}

const summary = (actions: InfraAction[]) =>
  actions.map((a) => `${a.action} ${a.target} ${a.impact}: ${a.reason}`);

describe("planInfra (redis)", () => {
  it("records a new view's schema in the meta hash (safe)", () => {
    const { actions } = plan(driverStats());
    expect(summary(actions)).toEqual(["write_meta fsops:drivers:__meta[driver_stats] safe: new view"]);
    const step = parseRedisStatement(actions[0]!.statements[0]!);
    expect(step).toEqual({
      type: "hset",
      key: "fsops:drivers:__meta",
      field: "driver_stats",
      value:
        '{"entities":["driver"],"features":[{"dtype":"float32","name":"conv_rate"},{"dtype":"float32","name":"acc_rate"}],"keys":[{"dtype":"int64","name":"driver_id"}],"object":"feature_view:driver_stats"}',
    });
  });

  it("plans nothing once the store holds what was applied", () => {
    const { record, actual } = applied(driverStats());
    expect(plan(driverStats(), record, actual).actions).toEqual([]);
  });

  it("rewrites the meta for an added feature (safe) and a removed one (destructive)", () => {
    const { record, actual } = applied(driverStats());
    const added = plan(
      driverStats({}, { conv_rate: "float32", acc_rate: "float32", z: "int32" }),
      record,
      actual,
    );
    expect(summary(added.actions)).toEqual([
      "write_meta fsops:drivers:__meta[driver_stats] safe: feature z added",
    ]);
    const removed = plan(driverStats({}, { conv_rate: "float32" }), record, actual);
    expect(summary(removed.actions)).toEqual([
      "write_meta fsops:drivers:__meta[driver_stats] destructive: feature acc_rate removed",
    ]);
  });

  it("deletes the view's keys before rewriting its meta on a dtype, join-key or entity change (rebuild)", () => {
    const { record, actual } = applied(driverStats());
    const { actions } = plan(driverStats({}, { conv_rate: "float64", acc_rate: "float32" }), record, actual);
    expect(summary(actions)).toEqual([
      "delete_keys fsops:drivers:driver_stats:* rebuild: dtype of conv_rate float32 → float64",
      "write_meta fsops:drivers:__meta[driver_stats] safe: dtype of conv_rate float32 → float64",
    ]);
    expect(actions[0]?.statements).toEqual([
      'SCAN MATCH "fsops:drivers:driver_stats:*" COUNT 1000, UNLINK each batch (every master)',
    ]);
    const keys = plan(
      [
        entity("driver", ["driver_id", "day"]),
        featureView("driver_stats", ["driver"], { conv_rate: "float32", acc_rate: "float32" }),
      ],
      record,
      actual,
    );
    expect(keys.actions.map((a) => `${a.action} ${a.impact}`)).toEqual([
      "delete_keys rebuild",
      "write_meta safe",
    ]);
  });

  it("deletes keys and the meta field of a deleted or offline view (destructive)", () => {
    const { record, actual } = applied(driverStats());
    for (const [objects, reason] of [
      [[entity("driver", ["driver_id"])], "view deleted"],
      [driverStats({ online: false }), "online: false"],
    ] as const) {
      const { actions, record: next } = plan([...objects], record, actual);
      expect(summary(actions)).toEqual([`delete_keys fsops:drivers:driver_stats:* destructive: ${reason}`]);
      expect(actions[0]?.statements.map(parseRedisStatement)).toEqual([
        { type: "scan_unlink", pattern: "fsops:drivers:driver_stats:*", batch: 1000 },
        { type: "hdel", key: "fsops:drivers:__meta", field: "driver_stats" },
      ]);
      expect(next).toEqual({ formatVersion: 1, store: "redis", views: {} });
    }
  });

  describe("drift", () => {
    it("writes back a meta hash deleted by hand (safe)", () => {
      const { record } = applied(driverStats());
      expect(summary(plan(driverStats(), record, empty()).actions)).toEqual([
        "write_meta fsops:drivers:__meta[driver_stats] safe: drift: meta missing",
      ]);
    });

    it("deletes keys written under an incompatible schema, and only rewrites meta when there are none", () => {
      const { record } = applied(driverStats());
      const stale = storeAfter(plan(driverStats({}, { conv_rate: "string", acc_rate: "float32" })).record);
      expect(summary(plan(driverStats(), record, stale).actions)).toEqual([
        "delete_keys fsops:drivers:driver_stats:* rebuild: drift: keys written with dtype of conv_rate string → float32",
        "write_meta fsops:drivers:__meta[driver_stats] safe: drift: keys written with dtype of conv_rate string → float32",
      ]);
      const noKeys = { ...stale, viewsWithKeys: [] };
      expect(summary(plan(driverStats(), record, noKeys).actions)).toEqual([
        "write_meta fsops:drivers:__meta[driver_stats] safe: drift: meta differs",
      ]);
    });

    it("deletes keys of a view nothing records (and assumes keys may exist when not scanned)", () => {
      const { record, actual } = applied(driverStats());
      const withStray = { ...actual, viewsWithKeys: ["driver_stats", "old_view"] };
      expect(summary(plan(driverStats(), record, withStray).actions)).toEqual([
        "delete_keys fsops:drivers:old_view:* destructive: drift: view not in registry",
      ]);
      const unscanned = { ...actual, viewsWithKeys: null, meta: { ...actual.meta, gone: "{}" } };
      expect(summary(plan(driverStats(), record, unscanned).actions)).toEqual([
        "delete_keys fsops:drivers:gone:* destructive: drift: view not in registry",
      ]);
    });

    it("re-plans the same actions after a crash between the store and the registry commit", () => {
      const before = applied(driverStats());
      const next = driverStats({}, { conv_rate: "float64", z: "int32" });
      const first = plan(next, before.record, before.actual);
      const second = plan(next, before.record, storeAfter(first.record, false));
      expect(second).toEqual(first);
    });
  });

  it("destroy deletes every key of the project, meta included, with one pattern", () => {
    const { record, actual } = applied(driverStats());
    const actions = planDestroy(P, record, actual);
    expect(summary(actions)).toEqual(["delete_keys fsops:drivers:* destructive: destroy project"]);
    expect(parseRedisStatement(actions[0]!.statements[0]!)).toEqual({
      type: "scan_unlink",
      pattern: "fsops:drivers:*",
      batch: 1000,
    });
  });
});

describe("redis naming and statements", () => {
  it("escapes glob characters so a pattern matches only the literal prefix", () => {
    expect(escapeGlob("a*b?c[d]e\\f")).toBe("a\\*b\\?c\\[d\\]e\\\\f");
    expect(redisViewPattern("p*", "v?")).toBe("fsops:p\\*:v\\?:*");
  });

  it("finds the view of a key and ignores the meta hash and other projects", () => {
    expect(viewOfRedisKey("p", "fsops:p:v:1")).toBe("v");
    expect(viewOfRedisKey("p", "fsops:p:v:a:b")).toBe("v");
    expect(viewOfRedisKey("p", "fsops:p:__meta")).toBeNull();
    expect(viewOfRedisKey("p", "fsops:p2:v:1")).toBeNull();
    expect(viewOfRedisKey("p", "other")).toBeNull();
  });

  it("parses back exactly the statements it renders and refuses anything else", () => {
    const hset = 'HSET "k" "f" "{\\"a\\":\\"x y\\"}"';
    expect(parseRedisStatement(hset)).toEqual({ type: "hset", key: "k", field: "f", value: '{"a":"x y"}' });
    for (const bad of [
      "FLUSHDB",
      'DEL "k"',
      'HSET "k" "f"',
      'SCAN MATCH "x" COUNT 0, UNLINK each batch (every master)',
      'HDEL "k" "f" extra',
    ]) {
      expect(() => parseRedisStatement(bad)).toThrow(/not an fsops Redis statement/);
    }
  });
});
