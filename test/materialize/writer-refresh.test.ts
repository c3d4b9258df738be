/**
 * A long-lived online writer (`fsops serve` keeps one for its life while the registry refreshes)
 * writes a view with the columns and table of the target it is given now, not those of the
 * first write: an apply that renames a view's feature must not reuse stale COPY/upsert SQL.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { onlineTargets, openOnlineForWrites } from "../../src/materialize/online-store.js";
import { freshDatabase, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { applyAndLoad } from "./fixtures.js";

vi.setConfig({ testTimeout: 120_000 });

async function writeProject(dir: string, feature: string): Promise<void> {
  await writeFile(
    join(dir, "fsops.yaml"),
    "project: wr\nregistry: registry.json\nonline_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: serving\noffline_store:\n  type: file\n",
  );
  await writeFile(
    join(dir, "features.ts"),
    `import { Entity, FeatureView, Field, FileSource, PushSource } from "fsops";
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
export const push = new PushSource({ name: "wr_push", batchSource: new FileSource({ name: "wr_src", path: "data", timestampField: "event_timestamp" }) });
export const v = new FeatureView({
  name: "v",
  entities: [driver],
  schema: [new Field({ name: "${feature}", dtype: "float64" })],
  source: push,
});
`,
  );
}

describe.runIf(hasService("postgres"))("a long-lived Postgres online writer", () => {
  it("after an apply renames a feature, writes the new columns (no stale statements)", async () => {
    const url = await freshDatabase();
    const dir = await tempDir();
    await writeProject(dir, "x");
    const first = await applyAndLoad(dir, { ONLINE: url });
    const online = await openOnlineForWrites(first.config.onlineStore!);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const row = (value: number) => ({
        keys: ["1"],
        features: [value],
        eventUs: 1_700_000_000_000_000,
        createdUs: null,
      });
      const before = onlineTargets(first.state).get("v")!;
      await online.writer.write(before, [row(1.5)]);

      await writeProject(dir, "x_renamed");
      const second = await applyAndLoad(dir, { ONLINE: url });
      const after = onlineTargets(second.state).get("v")!;
      expect(after.features.map((f) => f.name)).toEqual(["x_renamed"]);
      await online.writer.write(after, [row(2.5)]);

      const { rows } = await db.query(`SELECT "x_renamed" FROM "serving".${JSON.stringify(after.table)}`);
      expect(rows).toEqual([{ x_renamed: 2.5 }]);
    } finally {
      await db.end();
      await online.close();
    }
  });
});
