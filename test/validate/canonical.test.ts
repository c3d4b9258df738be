/** Canonical specs: defaults, normalization, key order, determinism, and a full project snapshot. */
import { describe, expect, it } from "vitest";
import type { DslObject } from "../../src/model/evaluated.js";
import { discoverSourceFiles } from "../../src/parse/discover.js";
import { parseProject } from "../../src/parse/index.js";
import { buildDesiredState } from "../../src/validate/index.js";
import { Defs } from "./helpers.js";
import { realisticProject, reparse, shuffled } from "./realistic.js";

function validate(d: Defs) {
  return buildDesiredState("proj", d.result());
}
function specOf(d: Defs, kind: string, name: string) {
  const o = validate(d).state.objects.find((x) => x.kind === kind && x.name === name);
  if (!o) throw new Error(`${kind}:${name} not in state`);
  return o.spec;
}

describe("defaults and normalization", () => {
  it("entity: joinKeys [name], valueType string, empty description/owner/tags, keys in spec order", () => {
    const d = new Defs();
    d.entity("driver");
    const spec = specOf(d, "entity", "driver");
    expect(spec).toEqual({
      name: "driver",
      description: "",
      tags: {},
      owner: "",
      joinKeys: ["driver"],
      valueType: "string",
    });
    expect(Object.keys(spec)).toEqual(["name", "description", "tags", "owner", "joinKeys", "valueType"]);
  });

  it("feature view: ttl 0, online true, offline false; references by name; Field description and tags kept", () => {
    const d = new Defs();
    const e = d.entity("driver");
    const s = d.fileSource("src");
    d.featureView(
      "v",
      [e],
      [d.make("Field", { name: "x", dtype: "bool", description: "d", tags: { a: "b" } })],
      s,
    );
    const spec = specOf(d, "feature_view", "v");
    expect(spec).toEqual({
      name: "v",
      description: "",
      tags: {},
      owner: "",
      entities: ["driver"],
      schema: [{ name: "x", dtype: "bool", description: "d", tags: { a: "b" } }],
      source: "src",
      ttl: 0,
      online: true,
      offline: false,
    });
    expect(Object.keys(spec)).toEqual([
      "name",
      "description",
      "tags",
      "owner",
      "entities",
      "schema",
      "source",
      "ttl",
      "online",
      "offline",
    ]);
  });

  it("sources: createdTimestampColumn null, fieldMapping {} or sorted, table/query null when absent", () => {
    const d = new Defs();
    d.fileSource("f");
    d.make("PostgresSource", {
      name: "p",
      query: "select 1",
      timestampField: "ts",
      fieldMapping: { zeta: "z", alpha: "a" },
    });
    expect(specOf(d, "data_source", "f")).toMatchObject({ createdTimestampColumn: null, fieldMapping: {} });
    const p = specOf(d, "data_source", "p");
    expect(p).toMatchObject({ type: "postgres", table: null, query: "select 1" });
    expect(Object.keys((p as { fieldMapping: object }).fieldMapping)).toEqual(["alpha", "zeta"]);
  });

  it("tags are sorted by key whatever order they were written in", () => {
    const d = new Defs();
    d.entity("a", { tags: { zz: "1", aa: "2", mm: "3" } });
    expect(Object.keys(specOf(d, "entity", "a").tags)).toEqual(["aa", "mm", "zz"]);
  });

  it("stream view: aggregations [] and online true by default; projections keep the selection order", () => {
    const d = new Defs();
    const e = d.entity("driver");
    const s = d.fileSource("src");
    const push = d.make("PushSource", { name: "push", batchSource: s });
    const sfv = d.make("StreamFeatureView", {
      name: "sfv",
      entities: [e],
      schema: [d.field("b"), d.field("a")],
      source: push,
    });
    d.make("FeatureService", { name: "svc", features: [d.select(sfv, ["b", "a"])] });
    expect(specOf(d, "stream_feature_view", "sfv")).toMatchObject({ aggregations: [], online: true, ttl: 0 });
    expect(specOf(d, "feature_service", "svc")).toEqual({
      name: "svc",
      description: "",
      tags: {},
      owner: "",
      features: [{ view: "sfv", features: ["b", "a"] }],
    });
  });

  it("the state holds no source location inside a spec, only beside it", () => {
    const { state } = buildDesiredState("proj", realisticProject().result());
    for (const o of state.objects) {
      expect(o.location.line).toBeGreaterThan(0);
      expect(JSON.stringify(o.spec)).not.toMatch(/"(file|line|location|optionLocations|\$dsl)":/);
    }
  });
});

describe("a realistic project", () => {
  it("validates with no diagnostic and matches the canonical snapshot", async () => {
    const { state, diagnostics } = buildDesiredState("driver_ranking", realisticProject().result());
    expect(diagnostics).toEqual([]);
    expect(state.objects.map((o) => `${o.kind}:${o.name}`)).toEqual([
      "entity:customer",
      "entity:driver",
      "data_source:customer_profile_source",
      "data_source:driver_hourly_source",
      "data_source:driver_push",
      "data_source:driver_trips_stream",
      "data_source:trip_request",
      "feature_view:customer_profile",
      "feature_view:driver_hourly_stats",
      "feature_view:driver_pushed",
      "on_demand_feature_view:conv_rate_adjusted",
      "stream_feature_view:driver_trips_live",
      "feature_service:driver_ranking_v1",
      "feature_service:driver_ranking_v2",
    ]);
    await expect(`${JSON.stringify(state, null, 2)}\n`).toMatchFileSnapshot(
      "__snapshots__/realistic-project.json",
    );
  });
});

describe("determinism", () => {
  /** A project with errors too, so diagnostics are checked for order-independence as well. */
  function projectWithMistakes(): DslObject[] {
    const d = realisticProject();
    d.entity("driver", { joinKeys: ["id"] }, { file: "zz/late.ts", line: 1 });
    d.entity("customer", { valueType: "int64" }, { file: "aa/early.ts", line: 1 });
    d.field("Bad\nName", "float", { file: "x.ts", line: 5 });
    return d.objects;
  }

  it.each([
    ["reversed", (xs: DslObject[]) => [...xs].reverse()],
    ["shuffled (seed 1)", (xs: DslObject[]) => shuffled(xs, 1)],
    ["shuffled (seed 42)", (xs: DslObject[]) => shuffled(xs, 42)],
    ["shuffled (seed 7)", (xs: DslObject[]) => shuffled(xs, 7)],
  ])("same objects, %s and re-created: byte-identical state and diagnostics", (_name, order) => {
    for (const objects of [realisticProject().objects, projectWithMistakes()]) {
      const a = buildDesiredState("p", { objects, diagnostics: [] });
      const b = buildDesiredState("p", { objects: reparse(objects, order), diagnostics: [] });
      expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
      expect(JSON.stringify(b.diagnostics)).toBe(JSON.stringify(a.diagnostics));
    }
  });

  it("parser output handed over out of order: ordered by its source-order keys, same result", async () => {
    const files = await discoverSourceFiles("examples/staging");
    // Mistakes too: a second, different "driver" (which one comes first decides the report) and a
    // bad dtype.
    files.push({
      path: "zz.ts",
      text: [
        'import { Entity, Field } from "fsops";',
        'export const other = new Entity({ name: "driver", joinKeys: ["other_id"] });',
        'export const f = new Field({ name: "x", dtype: "float" });',
      ].join("\n"),
    });
    const parsed = parseProject(files);
    expect(parsed.objects.every((o) => o.sourceOrder !== undefined)).toBe(true);
    const a = buildDesiredState("p", parsed);
    expect(a.diagnostics.length).toBeGreaterThan(0);
    for (const objects of [[...parsed.objects].reverse(), shuffled([...parsed.objects], 3)]) {
      const b = buildDesiredState("p", { ...parsed, objects });
      expect(JSON.stringify(b.state)).toBe(JSON.stringify(a.state));
      expect(JSON.stringify(b.diagnostics)).toBe(JSON.stringify(a.diagnostics));
    }
    // A hand-built object without a key, handed over first though its location sorts last: all are
    // then ordered by location, so the staging "customer" still comes first and this one is
    // reported as the conflicting definition.
    const d = new Defs();
    d.entity("customer", { joinKeys: ["late_id"] }, { file: "zzz.ts", line: 1 });
    const expected = buildDesiredState("p", { ...parsed, objects: [...parsed.objects, ...d.objects] });
    const mixed = buildDesiredState("p", { ...parsed, objects: [...d.objects, ...parsed.objects] });
    expect(expected.diagnostics.some((x) => x.file === "zzz.ts")).toBe(true);
    expect(JSON.stringify(mixed.diagnostics)).toBe(JSON.stringify(expected.diagnostics));
    expect(JSON.stringify(mixed.state)).toBe(JSON.stringify(expected.state));
  });

  it("the mistakes project reports the conflicts whatever the order", () => {
    const objects = projectWithMistakes();
    const a = buildDesiredState("p", { objects, diagnostics: [] });
    expect(a.diagnostics.map((x) => `${x.code} ${x.file}:${x.line}`)).toEqual([
      // customer: the earliest definition (by file, line) is the reference the others differ from.
      "FS210 entities.ts:9",
      "FS204 x.ts:6",
      "FS205 x.ts:7",
      "FS210 zz/late.ts:1",
    ]);
    expect(a.diagnostics[0]!.message).toContain("aa/early.ts:1 and entities.ts:9");
    expect(a.diagnostics[3]!.message).toContain("entities.ts:3 and zz/late.ts:1");
  });

  it("is pure: validating twice gives equal results and leaves the input untouched", () => {
    const d = realisticProject();
    const before = JSON.stringify(d.objects);
    const a = validate(d);
    const b = validate(d);
    expect(b).toEqual(a);
    expect(JSON.stringify(d.objects)).toBe(before);
  });
});
