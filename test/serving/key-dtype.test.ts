/**
 * A join key typed by a Field of the view's schema (Feast's idiom) and not by its entity: the
 * online table has a bigint column, and serving must send the key as int64 (never text).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FeatureStore } from "../../src/serving/index.js";
import { freshDatabase, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { apply, SCHEMA } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

const PROJECT = "key_dtype";

// Two keys of different types: the entity has no valueType of its own ("string" is stored), the
// view's Fields type driver_id int64 and city string.
const DEFINITIONS = `import { Entity, FeatureView, Field, PostgresSource } from "fsops";

export const trip = new Entity({ name: "trip", joinKeys: ["driver_id", "city"] });

export const tripStats = new FeatureView({
  name: "trip_stats",
  entities: [trip],
  schema: [
    new Field({ name: "driver_id", dtype: "int64" }),
    new Field({ name: "city", dtype: "string" }),
    new Field({ name: "trips", dtype: "int64" }),
  ],
  source: new PostgresSource({ name: "trip_source", table: "trips", timestampField: "event_timestamp" }),
});
`;

describe.runIf(hasService("postgres"))("a join key typed by the view's Field (Postgres serving)", () => {
  let store: FeatureStore;
  let url: string;

  beforeAll(async () => {
    url = await freshDatabase();
    const dir = join(await tempDir("fsops-serve-key-"), PROJECT);
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, "fsops.yaml"),
      `project: ${PROJECT}\nregistry: data/registry.json\nonline_store:\n  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}\n`,
    );
    await writeFile(join(dir, "features.ts"), DEFINITIONS);
    const env = { ONLINE: url };
    await apply(dir, env);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ column_name: string; data_type: string }>(
        `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'driver_id'`,
        [SCHEMA, `${PROJECT}__trip_stats`],
      );
      expect(rows).toEqual([{ column_name: "driver_id", data_type: "bigint" }]);
      await client.query(
        `INSERT INTO "${SCHEMA}"."${PROJECT}__trip_stats" (driver_id, city, trips, event_ts, created_ts) VALUES (7, 'oslo', 12, now(), now())`,
      );
    } finally {
      await client.end();
    }
    store = await FeatureStore.open(dir, { env });
  });
  afterAll(async () => {
    await store?.close();
  });

  it("reads the row by an int64 key, though the entity's stored valueType is string", async () => {
    const out = await store.getOnlineFeatures({
      features: ["trip_stats:trips"],
      entityRows: [
        { driver_id: 7, city: "oslo" },
        { driver_id: 8, city: "oslo" },
      ],
    });
    expect(out.featureNames).toEqual(["driver_id", "city", "trips"]);
    expect(out.rows.map((r) => r.trips)).toEqual([12n, null]);
    expect(out.statuses.map((s) => s.trips)).toEqual(["PRESENT", "NOT_FOUND"]);
  });
});
