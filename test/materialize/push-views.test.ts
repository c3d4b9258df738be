/**
 * Several views on one push source: the offline append carries every view's keys and features
 * (under their source column names, fieldMapping reversed), a value must suit every dtype the
 * views give its column, and a FileSource folder of CSV files is refused before anything is
 * written (a Parquet part among them would break every later read).
 */
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { pushRows, PushValidationError } from "../../src/materialize/push.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { OfflineSourceError } from "../../src/offline/errors.js";
import { openDuckDb } from "../../src/offline/file-source.js";
import { quoteLiteral } from "../../src/infra/sql.js";
import { freshDatabase, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { applyAndLoad } from "./fixtures.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** Views vx (x float64, n int32) and vy (y float32 from source column raw_y, n int64) on one push source. */
async function writeViewsProject(dir: string, kind: "file" | "postgres"): Promise<void> {
  await mkdir(join(dir, "data", "offline", "pv"), { recursive: true });
  const offline =
    kind === "file"
      ? "offline_store:\n  type: file\n"
      : "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}\n";
  await writeFile(
    join(dir, "fsops.yaml"),
    `project: pv\nregistry: data/registry.json\nonline_store:\n  type: postgres\n  connection_string: \${ONLINE}\n  schema: serving\n${offline}`,
  );
  const source =
    kind === "file"
      ? `new FileSource({ name: "pv_src", path: "data/offline/pv", timestampField: "event_timestamp", fieldMapping: { raw_y: "y" } })`
      : `new PostgresSource({ name: "pv_src", table: "pv_events", timestampField: "event_timestamp", fieldMapping: { raw_y: "y" } })`;
  await writeFile(
    join(dir, "features.ts"),
    `import { Entity, FeatureView, Field, FileSource, PostgresSource, PushSource } from "fsops";
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
export const pvPush = new PushSource({ name: "pv_push", batchSource: ${source} });
export const vx = new FeatureView({
  name: "vx",
  entities: [driver],
  schema: [new Field({ name: "x", dtype: "float64" }), new Field({ name: "n", dtype: "int32" })],
  source: pvPush,
});
export const vy = new FeatureView({
  name: "vy",
  entities: [driver],
  schema: [new Field({ name: "y", dtype: "float32" }), new Field({ name: "n", dtype: "int64" })],
  source: pvPush,
});
`,
  );
}

const ROWS = [
  { driver_id: 1, event_timestamp: "2025-01-01T00:00:00Z", x: 1.25, y: 0.5, n: 7 },
  { driver_id: 2, event_timestamp: "2025-01-02T00:00:00Z", x: 2.5, y: 1.5, n: 8 },
];

describe.runIf(hasService("postgres"))("push: several views on one push source", () => {
  let online: pg.Client;
  let onlineUrl: string;
  beforeAll(async () => {
    onlineUrl = await freshDatabase();
    online = new pg.Client({ connectionString: onlineUrl });
    await online.connect();
  });
  afterAll(async () => {
    await online?.end();
  });

  describe("FileSource", () => {
    let dir: string;
    let config: ProjectConfig;
    let state: RegistryState;
    beforeAll(async () => {
      dir = join(await tempDir(), "p");
      await writeViewsProject(dir, "file");
      ({ config, state } = await applyAndLoad(dir, { ONLINE: onlineUrl }));
    });
    const folder = () => join(dir, "data", "offline", "pv");
    const push = (rows: Record<string, unknown>[], to: "offline" | "online") =>
      pushRows({ config, who: "t", state }, { source: "pv_push", rows, to });

    it("--to offline: the part file holds every view's columns, under their source names", async () => {
      await expect(push(ROWS, "offline")).resolves.toMatchObject({ rows: 2, offline: true });
      const parts = (await readdir(folder())).filter((f) => f.endsWith(".parquet"));
      expect(parts).toHaveLength(1);
      const db = await openDuckDb();
      try {
        const got: Record<string, unknown>[] = [];
        for await (const chunk of db.stream(
          `SELECT driver_id, x, raw_y, n FROM read_parquet(${quoteLiteral(join(folder(), parts[0]!))}) ORDER BY driver_id`,
        ))
          got.push(...chunk);
        expect(got).toEqual([
          { driver_id: "1", x: 1.25, raw_y: 0.5, n: 7 },
          { driver_id: "2", x: 2.5, raw_y: 1.5, n: 8 },
        ]);
      } finally {
        db.close();
      }
    });

    it("a value one view's dtype refuses (int32 n = 2^31, int64 in the other view) writes nothing", async () => {
      const attempt = push([ROWS[0]!, { ...ROWS[1]!, n: 2147483648 }], "online");
      await expect(attempt).rejects.toThrow(PushValidationError);
      await expect(attempt).rejects.toThrow(/^row 2, column "n": 2147483648 is out of range for int32/);
      for (const table of ['serving."pv__vx"', 'serving."pv__vy"']) {
        expect((await online.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n).toBe(0);
      }
    });

    it("a folder holding CSV files is refused before anything is written", async () => {
      await writeFile(join(folder(), "old.csv"), "driver_id,event_timestamp,x,raw_y,n\n");
      const before = (await readdir(folder())).sort();
      const attempt = push([{ ...ROWS[0]!, driver_id: 3 }], "offline");
      await expect(attempt).rejects.toThrow(OfflineSourceError);
      await expect(attempt).rejects.toThrow(
        /^features\.ts:\d+: source pv_src: folder data\/offline\/pv holds CSV files/,
      );
      expect((await readdir(folder())).sort()).toEqual(before);
    });
  });

  it("PostgresSource --to offline: the table gets every view's columns, fieldMapping reversed", async () => {
    const offlineUrl = await freshDatabase();
    const offline = new pg.Client({ connectionString: offlineUrl });
    await offline.connect();
    try {
      await offline.query(
        "CREATE TABLE pv_events (driver_id bigint, event_timestamp timestamptz, x float8, raw_y real, n integer)",
      );
      const dir = join(await tempDir(), "p");
      await writeViewsProject(dir, "postgres");
      const { config, state } = await applyAndLoad(dir, { ONLINE: onlineUrl, OFFLINE: offlineUrl });
      await expect(
        pushRows({ config, who: "t", state }, { source: "pv_push", rows: ROWS, to: "offline" }),
      ).resolves.toMatchObject({ rows: 2, offline: true });
      const { rows } = await offline.query(
        "SELECT driver_id::int AS driver_id, x, raw_y, n FROM pv_events ORDER BY driver_id",
      );
      expect(rows).toEqual([
        { driver_id: 1, x: 1.25, raw_y: 0.5, n: 7 },
        { driver_id: 2, x: 2.5, raw_y: 1.5, n: 8 },
      ]);
    } finally {
      await offline.end();
    }
  });
});
