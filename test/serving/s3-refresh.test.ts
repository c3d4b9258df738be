/**
 * Live refresh with an S3 registry: a conditional GET (`If-None-Match`) on an interval; an
 * unchanged registry is a 304, a new serial is served on the next poll.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { S3RegistryStore } from "../../src/registry/s3-store.js";
import { FeatureStore } from "../../src/serving/index.js";
import { freshBucket, freshDatabase, hasService, services } from "../services/index.js";
import { apply, definitions, makeProject, PROJECT, SCHEMA } from "./helpers.js";

vi.setConfig({ testTimeout: 120_000 });

describe.runIf(hasService("s3") && hasService("postgres"))("S3 registry refresh", () => {
  it("answers 'unchanged' to a conditional GET with the current ETag, and serves a new serial on the next poll", async () => {
    const { endpoint, accessKeyId, secretAccessKey, region } = services().s3;
    // The AWS SDK reads its credentials from the process environment.
    process.env.AWS_ACCESS_KEY_ID = accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = secretAccessKey;
    const bucket = await freshBucket();
    const registry = {
      type: "s3" as const,
      bucket,
      key: "fsops/registry.json",
      endpoint,
      region,
      forcePathStyle: true,
    };
    const dir = await makeProject({
      registry: `{ type: s3, path: "s3://${bucket}/fsops/registry.json", endpoint: "${endpoint}", region: ${region}, force_path_style: true }`,
      online: `  type: postgres\n  connection_string: \${ONLINE}\n  schema: ${SCHEMA}`,
    });
    const env = { ONLINE: await freshDatabase() };
    await apply(dir, env);

    const s3 = new S3RegistryStore(registry);
    const first = await s3.readIfChanged(PROJECT, null);
    if (first === "unchanged") throw new Error("expected a state");
    expect(first.state?.serial).toBe(1);
    expect(await s3.readIfChanged(PROJECT, first.etag)).toBe("unchanged");
    await s3.close();

    const store = await FeatureStore.open(dir, { env, watch: true, s3PollMs: 100 });
    try {
      await writeFile(join(dir, "features.ts"), definitions(["surge"]));
      await apply(dir, env);
      const applied = Date.now();
      while (store.version.state.serial !== 2 && Date.now() - applied < 5_000) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(store.version.state.serial).toBe(2);
      const out = await store.getOnlineFeatures({
        features: ["driver_stats:surge"],
        entityRows: [{ driver_id: 1 }],
      });
      expect(out.statuses[0]?.surge).toBe("NOT_FOUND");
    } finally {
      await store.close();
    }
  });
});
