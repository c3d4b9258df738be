/**
 * Postgres reads run as named prepared statements (parsed and planned once per pooled
 * connection). A table changed under them outside an apply makes the server refuse the old plan
 * ("cached plan must not change result type"): the read still answers, unnamed from then on.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FeatureStore } from "../../src/serving/index.js";
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
