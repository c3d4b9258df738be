/**
 * Materialization records beside each registry backend: concurrent appends all land (the file
 * lock / S3 conditional put / Postgres transaction), newest kept per view, projects apart.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { MaterializationRecord } from "../../src/registry/materializations.js";
import { RECORDS_KEPT_PER_VIEW, openMaterializationStore } from "../../src/registry/materializations.js";
import type { RegistryConfig } from "../../src/model/config.js";
import { freshBucket, freshDatabase, hasService, services } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";

const record = (view: string, i: number): MaterializationRecord => ({
  view,
  start: null,
  end: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
  rows: i,
  durationMs: 1,
  at: new Date().toISOString(),
  by: "t",
  mode: "stream",
  lineage: "L",
  layout: "H",
});

async function conformance(config: RegistryConfig): Promise<void> {
  const a = openMaterializationStore(config);
  const b = openMaterializationStore(config);
  try {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).append("proj_a", [record(`v${i % 3}`, i)])),
    );
    await a.append("proj_b", [record("other", 1)]);
    const got = await b.read("proj_a");
    expect(got.map((r) => r.rows).sort((x, y) => x - y)).toEqual([...Array(12).keys()]);
    expect((await a.read("proj_b")).map((r) => r.view)).toEqual(["other"]);
    expect(await a.read("nobody")).toEqual([]);
    // Only the newest records per view are kept.
    await a.append(
      "proj_c",
      Array.from({ length: RECORDS_KEPT_PER_VIEW + 5 }, (_, i) => record("v", i)),
    );
    const kept = await a.read("proj_c");
    expect(kept).toHaveLength(RECORDS_KEPT_PER_VIEW);
    expect(kept[0]?.rows).toBe(5);
  } finally {
    await a.close();
    await b.close();
  }
}

describe("materialization records", () => {
  it("file backend", async () => {
    const dir = await tempDir();
    await conformance({ type: "file", path: join(dir, "registry.json"), display: "registry.json" });
  });
  it.runIf(hasService("postgres"))("postgres backend", async () => {
    await conformance({ type: "postgres", connectionString: await freshDatabase(), schema: "reg" });
  });
  it.runIf(hasService("s3"))("s3 backend (radosgw: conditional writes)", async () => {
    const { endpoint, region, accessKeyId, secretAccessKey } = services().s3;
    process.env.AWS_ACCESS_KEY_ID = accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = secretAccessKey;
    try {
      await conformance({
        type: "s3",
        bucket: await freshBucket(),
        key: "fsops/registry.json",
        endpoint,
        region,
        forcePathStyle: true,
      });
    } finally {
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});
