/**
 * The serving benchmark's project: entity `driver` (int64), three views `v0 v1 v2` of ten
 * float64 features each, a service `svc` over all three (30 features); `ENTITIES` drivers per
 * view written online exactly as the materialize stage lays them out. Applied for real.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { applyProject } from "../../src/commands/apply.js";
import { redisEntityKey } from "../../src/serving/redis-codec.js";

export const PROJECT = "bench_serve";
export const VIEWS = ["v0", "v1", "v2"] as const;
export const FEATURES = Array.from({ length: 10 }, (_, i) => `f${i}`);
export const ENTITIES = 1000;
export const SCHEMA = "online";

export type Store = "postgres" | "redis";

export function value(view: number, feature: number, id: number): number {
  return id * 0.001 + view * 10 + feature;
}

export async function makeServeProject(dir: string, store: Store, url: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const online =
    store === "postgres"
      ? `  type: postgres\n  connection_string: ${url}\n  schema: ${SCHEMA}`
      : `  type: redis\n  connection_string: ${url}`;
  await writeFile(
    path.join(dir, "fsops.yaml"),
    `project: ${PROJECT}\nregistry: data/registry.json\nonline_store:\n${online}\n`,
  );
  const views = VIEWS.map(
    (v) => `export const ${v} = new FeatureView({
  name: "${v}",
  entities: [driver],
  schema: [${FEATURES.map((f) => `new Field({ name: "${f}", dtype: "float64" })`).join(", ")}],
  source: new PostgresSource({ name: "${v}_source", table: "${v}", timestampField: "ts" }),
});`,
  ).join("\n");
  await writeFile(
    path.join(dir, "features.ts"),
    `import { Entity, FeatureService, FeatureView, Field, PostgresSource } from "fsops";
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
${views}
export const svc = new FeatureService({ name: "svc", features: [${VIEWS.join(", ")}] });
`,
  );
  const outcome = await applyProject(dir, { env: {}, who: "bench", commit: null }, { allowDestroy: false });
  if (outcome.status !== "applied") throw new Error(`apply failed: ${JSON.stringify(outcome).slice(0, 500)}`);
  const ts = new Date();
  if (store === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const [vi, v] of VIEWS.entries()) {
        const ids = Array.from({ length: ENTITIES }, (_, i) => i + 1);
        const cols = FEATURES.map((f) => `"${f}"`).join(", ");
        const arrays = FEATURES.map((_, fi) => ids.map((id) => value(vi, fi, id)));
        await client.query(
          `INSERT INTO "${SCHEMA}"."${PROJECT}__${v}" ("driver_id", ${cols}, "event_ts", "created_ts")
           SELECT * , $${FEATURES.length + 2}::timestamptz, $${FEATURES.length + 2}::timestamptz FROM unnest($1::bigint[], ${FEATURES.map((_, i) => `$${i + 2}::float8[]`).join(", ")})`,
          [ids, ...arrays, ts],
        );
      }
    } finally {
      await client.end();
    }
  } else {
    const client = new Redis(url);
    try {
      const us = String(BigInt(ts.getTime()) * 1000n);
      const pipeline = client.pipeline();
      for (const [vi, v] of VIEWS.entries()) {
        for (let id = 1; id <= ENTITIES; id++) {
          const fields: string[] = [];
          for (const [fi, f] of FEATURES.entries()) fields.push(f, JSON.stringify(value(vi, fi, id)));
          pipeline.hset(redisEntityKey(PROJECT, v, [BigInt(id)]), ...fields, "__event_ts", us);
        }
      }
      await pipeline.exec();
    } finally {
      client.disconnect();
    }
  }
}

/** Request bodies: `1x10` (one driver, v0's ten features) or `100x30` (100 drivers, service svc). */
export function requestBodies(shape: "1x10" | "100x30", count: number): string[] {
  const bodies: string[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % ENTITIES;
  for (let i = 0; i < count; i++) {
    if (shape === "1x10") {
      bodies.push(
        JSON.stringify({ entities: { driver_id: [next() + 1] }, features: FEATURES.map((f) => `v0:${f}`) }),
      );
    } else {
      const ids = Array.from({ length: 100 }, () => next() + 1);
      // Every view names its features f0…f9: full names keep them apart (as Feast requires too).
      bodies.push(
        JSON.stringify({ entities: { driver_id: ids }, feature_service: "svc", full_feature_names: true }),
      );
    }
  }
  return bodies;
}
