/**
 * Two views sharing a join key name with different types (`driver_id` is an int64 of one
 * entity and a string of another): each view's key is encoded with its own type, whichever
 * view the request names first. Int keys are stored as their decimal value (`007` → `7`), string
 * keys as given (`007`), so encoding one view's key with the other's type misses the row.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FeatureStore } from "../../src/serving/index.js";
import { startServer } from "../../src/serving/server.js";
import { freshDatabase, freshRedisDb, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { apply, post, SCHEMA } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const PROJECT = "shared_key";

const DEFINITIONS = `import { Entity, FeatureView, Field, PostgresSource } from "fsops";

export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
export const agent = new Entity({ name: "agent", joinKeys: ["driver_id"], valueType: "string" });

export const byNumber = new FeatureView({
  name: "by_number",
  entities: [driver],
  schema: [new Field({ name: "driver_id", dtype: "int64" }), new Field({ name: "trips", dtype: "int64" })],
  source: new PostgresSource({ name: "number_source", table: "numbers", timestampField: "event_timestamp" }),
});

export const byCode = new FeatureView({
  name: "by_code",
  entities: [agent],
  schema: [new Field({ name: "driver_id", dtype: "string" }), new Field({ name: "label", dtype: "string" })],
  source: new PostgresSource({ name: "code_source", table: "codes", timestampField: "event_timestamp" }),
});
`;

async function project(online: string): Promise<string> {
  const dir = join(await tempDir("fsops-serve-shared-"), PROJECT);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "fsops.yaml"),
    `project: ${PROJECT}\nregistry: data/registry.json\nonline_store:\n${online}\n`,
  );
  await writeFile(join(dir, "features.ts"), DEFINITIONS);
  return dir;
}

/** Both orders of the views in the request: the first view's key type used to win. */
async function expectBothFound(store: FeatureStore, url: string): Promise<void> {
  for (const features of [
    ["by_number:trips", "by_code:label"],
    ["by_code:label", "by_number:trips"],
  ]) {
    const out = await store.getOnlineFeatures({ features, entityRows: [{ driver_id: "007" }] });
    expect(out.statuses[0], features.join(",")).toMatchObject({ trips: "PRESENT", label: "PRESENT" });
    expect(out.rows[0]).toMatchObject({ trips: 12n, label: "bond" });
    const res = await post(url, "/get-online-features", { entities: { driver_id: ["007"] }, features });
    expect(res.status, res.text).toBe(200);
    const statuses = (res.json as { results: { statuses: string[] }[] }).results.map((r) => r.statuses[0]);
    expect(statuses).toEqual(["PRESENT", "PRESENT", "PRESENT"]);
  }
  // A value only one of the types accepts is refused naming the field.
  await expect(
    store.getOnlineFeatures({
      features: ["by_code:label", "by_number:trips"],
      entityRows: [{ driver_id: "agent" }],
    }),
  ).rejects.toThrow(/entities.driver_id\[0\]: expected an int64/);
}

describe.runIf(hasService("postgres"))("a join key typed differently by two views (Postgres)", () => {
  let store: FeatureStore;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const url = await freshDatabase();
    const dir = await project(`  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`);
    await apply(dir, { ONLINE: url });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO "${SCHEMA}"."${PROJECT}__by_number" (driver_id, trips, event_ts, created_ts) VALUES (7, 12, now(), now())`,
      );
      await client.query(
        `INSERT INTO "${SCHEMA}"."${PROJECT}__by_code" (driver_id, label, event_ts, created_ts) VALUES ('007', 'bond', now(), now())`,
      );
    } finally {
      await client.end();
    }
    store = await FeatureStore.open(dir, { env: { ONLINE: url } });
    server = await startServer(store, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("binds each view's key with its own type", async () => {
    await expectBothFound(store, server.url);
  });
});

describe.runIf(hasService("redis"))("a join key typed differently by two views (Redis)", () => {
  let store: FeatureStore;
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    const url = await freshRedisDb();
    const dir = await project("  type: redis\n  connection_string: ${ONLINE}");
    await apply(dir, { ONLINE: url });
    const client = new Redis(url);
    try {
      const us = String(BigInt(Date.now()) * 1000n);
      // The keys as the writer (materialize/push) lays them out, each with its view's type,
      // written out rather than computed by the code under test: int64 "007" is 7.
      await client.hset(`fsops:${PROJECT}:by_number:["7"]`, { trips: '"12"', __event_ts: us });
      await client.hset(`fsops:${PROJECT}:by_code:["007"]`, { label: '"bond"', __event_ts: us });
    } finally {
      client.disconnect();
    }
    store = await FeatureStore.open(dir, { env: { ONLINE: url } });
    server = await startServer(store, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("builds each view's key text with its own type", async () => {
    await expectBothFound(store, server.url);
  });
});
