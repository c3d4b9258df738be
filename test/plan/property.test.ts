import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AGGREGATION_FUNCTIONS, SCALAR_DTYPES, kindOrder } from "../../src/model/index.js";
import type {
  DataSourceSpec,
  DesiredObject,
  DesiredState,
  Dtype,
  FieldSpec,
  RegistryState,
} from "../../src/model/index.js";
import { nextRegistryObjects } from "../../src/plan/apply-plan.js";
import { planChanges } from "../../src/plan/plan-changes.js";
import { desiredState, stateOf } from "./fixture.js";

/*
 * Random desired states over small name pools, so that two draws share most objects and
 * differ in the ways real edits do: fields added, removed, reordered and retyped, keys and
 * types changed, objects appearing and disappearing, protect tags, moved definitions. References
 * are drawn from the pools and need not resolve: the plan must cope with any registry.
 */
const FIELD_NAMES = ["a", "b", "c", "d", "e"];
const dtype: fc.Arbitrary<Dtype> = fc.constantFrom<Dtype>(...SCALAR_DTYPES, "float32[]", "int64[]");
const schema: fc.Arbitrary<FieldSpec[]> = fc.uniqueArray(
  fc.record({ name: fc.constantFrom(...FIELD_NAMES), dtype }),
  { selector: (f) => f.name, maxLength: 5 },
);
const tags = fc
  .dictionary(fc.constantFrom("team", "tier", "fsops.protect"), fc.constantFrom("x", "y", "true"), {
    maxKeys: 2,
  })
  .map((t) => Object.fromEntries(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : 1))));
const common = (name: string) =>
  fc.record({
    name: fc.constant(name),
    description: fc.constantFrom("", "about it", "two\nlines"),
    tags,
    owner: fc.constantFrom("", "team@example.com"),
  });
const location = fc.record({
  file: fc.constantFrom("a.ts", "b/c.ts"),
  line: fc.integer({ min: 1, max: 50 }),
  column: fc.constant(1),
});

const ENTITIES = ["driver", "customer"];
const SOURCES = ["src_a", "src_b", "src_c"];
const VIEWS = ["fv_a", "fv_b", "shared"];
const ON_DEMAND = ["od_a"];
const STREAMS = ["sv_a", "shared"];
const SERVICES = ["svc_a", "svc_b"];
const duration = fc.constantFrom(0, 60, 3600, 86400);

const sourceSpec = (name: string): fc.Arbitrary<DataSourceSpec> =>
  fc.oneof(
    fc
      .record({
        base: common(name),
        table: fc.constantFrom("t1", "t2"),
        ts: fc.constantFrom("ts", "event_timestamp"),
      })
      .map(({ base, table, ts }): DataSourceSpec => ({
        ...base,
        type: "postgres",
        table,
        query: null,
        timestampField: ts,
        createdTimestampColumn: null,
        fieldMapping: {},
      })),
    fc
      .record({ base: common(name), path: fc.constantFrom("x.parquet", "y.parquet") })
      .map(({ base, path }): DataSourceSpec => ({
        ...base,
        type: "file",
        path,
        timestampField: "ts",
        createdTimestampColumn: null,
        fieldMapping: { a: "b" },
      })),
    fc
      .record({ base: common(name), batch: fc.constantFrom(...SOURCES) })
      .map(({ base, batch }): DataSourceSpec => ({ ...base, type: "push", batchSource: batch })),
    fc
      .record({ base: common(name), schema })
      .map(({ base, schema }): DataSourceSpec => ({ ...base, type: "request", schema })),
  );

const entitiesOf = fc.subarray(ENTITIES, { minLength: 1 });

function objectsOf<T>(names: string[], make: (name: string) => fc.Arbitrary<T>): fc.Arbitrary<T[]> {
  return fc
    .subarray(names)
    .chain((picked) => (picked.length ? fc.tuple(...picked.map(make)) : fc.constant([])));
}

const withLocation =
  <K extends DesiredObject["kind"]>(kind: K) =>
  (spec: DesiredObject<K>["spec"]) =>
    location.map((loc) => ({ kind, name: spec.name, spec, location: loc }) as DesiredObject);

const desired: fc.Arbitrary<DesiredState> = fc
  .tuple(
    objectsOf(ENTITIES, (n) =>
      fc
        .record({
          base: common(n),
          joinKeys: fc.subarray([`${n}_id`, "region"], { minLength: 1 }),
          valueType: dtype,
        })
        .map(({ base, ...rest }) => ({ ...base, ...rest }))
        .chain(withLocation("entity")),
    ),
    objectsOf(SOURCES, (n) => sourceSpec(n).chain(withLocation("data_source"))),
    objectsOf(VIEWS, (n) =>
      fc
        .record({
          base: common(n),
          entities: entitiesOf,
          schema,
          source: fc.constantFrom(...SOURCES),
          ttl: duration,
          online: fc.boolean(),
          offline: fc.boolean(),
        })
        .map(({ base, ...rest }) => ({ ...base, ...rest }))
        .chain(withLocation("feature_view")),
    ),
    objectsOf(ON_DEMAND, (n) =>
      fc
        .record({
          base: common(n),
          sources: fc.uniqueArray(
            fc.record({
              type: fc.constantFrom("feature_view" as const, "request_source" as const),
              name: fc.constantFrom(...VIEWS, ...SOURCES),
              features: fc.option(fc.subarray(FIELD_NAMES), { nil: null }),
            }),
            { selector: (s) => s.name, maxLength: 3 },
          ),
          schema,
          transform: fc.constantFrom("(x) => x", "(x) => {\n  return x;\n}", "(x) => {\n  return x * 2;\n}"),
        })
        .map(({ base, ...rest }) => ({ ...base, ...rest }))
        .chain(withLocation("on_demand_feature_view")),
    ),
    objectsOf(STREAMS, (n) =>
      fc
        .record({
          base: common(n),
          entities: entitiesOf,
          schema,
          source: fc.constantFrom(...SOURCES),
          aggregations: fc.uniqueArray(
            fc.record({
              column: fc.constantFrom(...FIELD_NAMES),
              function: fc.constantFrom(...AGGREGATION_FUNCTIONS),
              timeWindow: fc.constantFrom(60, 3600),
            }),
            { selector: (a) => `${a.column}/${a.function}/${a.timeWindow}`, maxLength: 3 },
          ),
          ttl: duration,
          online: fc.boolean(),
        })
        .map(({ base, ...rest }) => ({ ...base, ...rest }))
        .chain(withLocation("stream_feature_view")),
    ),
    objectsOf(SERVICES, (n) =>
      fc
        .record({
          base: common(n),
          features: fc.uniqueArray(
            fc.record({
              view: fc.constantFrom(...VIEWS, ...ON_DEMAND, ...STREAMS),
              features: fc.option(fc.subarray(FIELD_NAMES), { nil: null }),
            }),
            { selector: (r) => r.view, maxLength: 3 },
          ),
        })
        .map(({ base, ...rest }) => ({ ...base, ...rest }))
        .chain(withLocation("feature_service")),
    ),
  )
  .map((groups) => desiredState("prop", groups.flat()));

const registryOf = (d: DesiredState, serial: number): RegistryState => stateOf(d, serial, "lineage-prop");
const ids = (xs: readonly { kind: string; name: string }[]) => xs.map((x) => `${x.kind}:${x.name}`);

describe("planChanges properties", () => {
  it("plans no changes against the state a desired state produced", () => {
    fc.assert(
      fc.property(desired, fc.nat({ max: 1000 }), (a, serial) => {
        const plan = planChanges(a, registryOf(a, serial));
        expect(plan.changes).toEqual([]);
        expect(plan.unchanged).toBe(a.objects.length);
      }),
      { numRuns: 200 },
    );
  });

  it("for any A, B: planning B over A never throws, is well-formed, and applying it converges", () => {
    fc.assert(
      fc.property(desired, desired, fc.nat({ max: 1000 }), (a, b, serial) => {
        const current = registryOf(a, serial);
        const plan = planChanges(b, current);

        // Well-formed and deterministic.
        expect(planChanges(b, current)).toEqual(plan);
        expect(plan.fingerprint).toMatch(/^[0-9a-f]{64}$/);
        const counts = { create: 0, update: 0, replace: 0, delete: 0 };
        for (const c of plan.changes) counts[c.action]++;
        expect(plan.summary).toEqual(counts);
        const order = plan.changes.map((c) => [kindOrder(c.kind), c.name] as const);
        expect(order).toEqual(
          [...order].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0)),
        );
        for (const c of plan.changes) {
          expect(c.dependents).not.toContain(`${c.kind}:${c.name}`);
          if (c.action === "update" || c.action === "replace") expect(c.fields.length).toBeGreaterThan(0);
          expect(new Set(c.fields.map((f) => f.path)).size).toBe(c.fields.length);
        }
        expect(plan.changes.length + plan.unchanged + plan.protected.length).toBe(
          new Set([...ids(a.objects), ...ids(b.objects)]).size,
        );

        // Apply, then plan B again: nothing left to do, and only protected objects linger.
        const next = nextRegistryObjects(b, current, plan);
        expect(ids(next).sort()).toEqual([...ids(b.objects), ...ids(plan.protected)].sort());
        const after = planChanges(b, { ...current, serial: serial + 1, objects: next });
        expect(after.changes).toEqual([]);
        expect(after.protected).toEqual(plan.protected);
      }),
      { numRuns: 300 },
    );
  });
});
