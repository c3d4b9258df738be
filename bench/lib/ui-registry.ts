/**
 * A synthetic registry snapshot for the registry browser: `views` feature views over a few
 * entities and sources, `features` each, and one service per 50 views. Built in memory in the
 * shape the registry stores, so a 5,000-view catalog needs no apply.
 */
import type { RegistryObject } from "../../src/model/index.js";
import type { ProjectSnapshot } from "../../src/ui/catalog.js";

export function syntheticSnapshot(project: string, views: number, features = 10): ProjectSnapshot {
  const common = (name: string, i: number) => ({
    name,
    description: `Synthetic object ${i}`,
    tags: { team: `team_${i % 7}` },
    owner: `owner${i % 11}@example.com`,
  });
  const objects: RegistryObject[] = [];
  const entities = Math.max(1, Math.ceil(views / 500));
  for (let e = 0; e < entities; e++) {
    objects.push({
      kind: "entity",
      name: `entity_${e}`,
      spec: { ...common(`entity_${e}`, e), joinKeys: [`key_${e}`], valueType: "int64" } as never,
      file: "entities.ts",
      line: e + 1,
    });
  }
  for (let v = 0; v < views; v++) {
    const source = `source_${v}`;
    objects.push({
      kind: "data_source",
      name: source,
      spec: {
        ...common(source, v),
        type: "postgres",
        table: `raw_${v}`,
        query: null,
        timestampField: "event_timestamp",
        createdTimestampColumn: null,
        fieldMapping: {},
      } as never,
      file: `views_${Math.floor(v / 10)}.ts`,
      line: (v % 10) * 20 + 1,
    });
    objects.push({
      kind: "feature_view",
      name: `view_${v}`,
      spec: {
        ...common(`view_${v}`, v),
        entities: [`entity_${v % entities}`],
        schema: Array.from({ length: features }, (_, f) => ({
          name: `feature_${v}_${f}`,
          dtype: f % 3 === 0 ? "int64" : f % 3 === 1 ? "float32" : "string",
        })),
        source,
        ttl: 86400,
        online: true,
        offline: false,
      } as never,
      file: `views_${Math.floor(v / 10)}.ts`,
      line: (v % 10) * 20 + 8,
    });
  }
  for (let s = 0; s * 50 < views; s++) {
    const used = Array.from({ length: Math.min(50, views - s * 50) }, (_, i) => `view_${s * 50 + i}`);
    objects.push({
      kind: "feature_service",
      name: `service_${s}`,
      spec: {
        ...common(`service_${s}`, s),
        features: used.map((view) => ({ view, features: [`feature_${view.slice(5)}_0`] })),
      } as never,
      file: "services.ts",
      line: s + 1,
    });
  }
  return {
    dir: project,
    project,
    location: `file:${project}/registry.json`,
    onlineStore: "postgres",
    state: {
      formatVersion: 1,
      project,
      lineage: "00000000-0000-4000-8000-000000000000",
      serial: 1,
      updatedAt: "2026-01-01T00:00:00.000Z",
      appliedBy: "bench",
      objects,
      infra: null,
    },
    history: [],
    materializedUntil: {},
  };
}
