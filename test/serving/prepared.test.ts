/**
 * Postgres reads run as named prepared statements (parsed and planned once per pooled
 * connection). A table changed under them outside an apply makes the server refuse the old plan
 * ("cached plan must not change result type"): the read still answers, unnamed from then on;
 * so it does when a pooler makes a statement missing (26000) or already there (42P05).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FeatureStore } from "../../src/serving/index.js";
import { POOLER_ERRORS_BEFORE_UNNAMED } from "../../src/serving/postgres-reader.js";
import { freshDatabase, hasService } from "../services/index.js";
import { apply, makeProject, PROJECT, sampleRows, SCHEMA, writePostgresRows } from "./helpers.js";

vi.setConfig({ testTimeout: 60_000, hookTimeout: 120_000 });

describe.runIf(hasService("postgres"))("Postgres reads as prepared statements", () => {
  let store: FeatureStore;
  let url: string;
  beforeAll(async () => {
    url = await freshDatabase();
    const dir = await makeProject({
      registry: "data/registry.json",
      online: `  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`,
    });
    await apply(dir, { ONLINE: url });
    await writePostgresRows(url, "driver_stats", sampleRows(Date.now()).driver_stats ?? []);
    store = await FeatureStore.open(dir, { env: { ONLINE: url }, poolSize: 1 });
  });
  afterAll(async () => {
    await store?.close();
  });

  const ask = () =>
    store.getOnlineFeatures({ features: ["driver_stats:acc_rate"], entityRows: [{ driver_id: 1002 }] });

  it("answers after a column type is changed under the prepared plan", async () => {
    expect((await ask()).rows[0]?.acc_rate).toBe(0.75);
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(
        `ALTER TABLE "${SCHEMA}"."${PROJECT}__driver_stats" ALTER COLUMN acc_rate TYPE numeric`,
      );
    } finally {
      await admin.end();
    }
    // The plan prepared on the pool's one connection now returns the wrong type: answered anyway.
    const out = await ask();
    expect(out.statuses[0]?.acc_rate).toBe("PRESENT");
    expect(Number(out.rows[0]?.acc_rate)).toBe(0.75);
    expect(Number((await ask()).rows[0]?.acc_rate)).toBe(0.75);
  });
});

/**
 * Behind a transaction-mode pooler (PgBouncer) a named statement may be missing on the server
 * connection the driver believes prepared it (26000), or already there when the driver does not
 * know it (42P05). Both are provoked on the pool's one real connection, behind the reader's back.
 */
describe.runIf(hasService("postgres"))("prepared statements the server connection disagrees about", () => {
  let url: string;
  let dir: string;
  const stores: FeatureStore[] = [];
  beforeAll(async () => {
    url = await freshDatabase();
    dir = await makeProject({
      registry: "data/registry.json",
      online: `  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`,
    });
    await apply(dir, { ONLINE: url });
    await writePostgresRows(url, "driver_stats", sampleRows(Date.now()).driver_stats ?? []);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
  });

  const open = async () => {
    const store = await FeatureStore.open(dir, { env: { ONLINE: url }, poolSize: 1 });
    stores.push(store);
    return store;
  };
  /** The reader's own pool (one connection): another query path to the same server session. */
  const session = (store: FeatureStore) =>
    (
      store.reader as unknown as {
        sql: { query(text: string, params: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };
      }
    ).sql;
  const prepared = async (store: FeatureStore) =>
    (await session(store).query("SELECT name FROM pg_prepared_statements ORDER BY name", [])).rows.map(
      (r) => r.name as string,
    );
  const ask = async (store: FeatureStore, features = ["driver_stats:acc_rate"]) => {
    const out = await store.getOnlineFeatures({ features, entityRows: [{ driver_id: 1002 }] });
    // A read that fails (26000, 42P05) throws here; each feature gets a status.
    for (const f of features) expect(out.statuses[0]).toHaveProperty(f.split(":")[1] as string);
    return out.rows[0];
  };

  let name = "";

  it("answers when the statement was deallocated on its connection (26000), unnamed from then on", async () => {
    const store = await open();
    expect((await ask(store))?.acc_rate).toBe(0.75);
    const names = await prepared(store);
    expect(names).toHaveLength(1);
    name = names[0] as string;
    await session(store).query("DEALLOCATE ALL", []);
    expect((await ask(store))?.acc_rate).toBe(0.75);
    expect((await ask(store))?.acc_rate).toBe(0.75);
    expect(await prepared(store)).toEqual([]);
  });

  it("answers when the name is already prepared on its connection (42P05)", async () => {
    const store = await open();
    await session(store).query(`PREPARE "${name}" AS SELECT 1`, []);
    expect((await ask(store))?.acc_rate).toBe(0.75);
    expect((await ask(store))?.acc_rate).toBe(0.75);
  });

  it(`stops naming statements after ${POOLER_ERRORS_BEFORE_UNNAMED} such errors`, async () => {
    const store = await open();
    const subsets = [
      ["driver_stats:conv_rate"],
      ["driver_stats:trips"],
      ["driver_stats:conv_rate", "driver_stats:trips"],
    ];
    expect(subsets).toHaveLength(POOLER_ERRORS_BEFORE_UNNAMED);
    for (const features of subsets) {
      await ask(store, features);
      expect(await prepared(store)).toHaveLength(1);
      await session(store).query("DEALLOCATE ALL", []);
      await ask(store, features);
    }
    // A statement never used before: no longer prepared.
    await ask(store, ["driver_stats:hours"]);
    expect(await prepared(store)).toEqual([]);
  });
});
