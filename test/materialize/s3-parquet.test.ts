/**
 * FileSource on S3 (radosgw): the Parquet parts under `s3://bucket/prefix/` are fetched with the
 * AWS SDK configured under offline_store.s3 and materialized; results equal the oracle; a push
 * --to offline adds a part file under the prefix; the credentials never show in the output.
 */
import { join } from "node:path";
import { readdir, readFile } from "node:fs/promises";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { describe, expect, it, vi } from "vitest";
import { materialize } from "../../src/materialize/index.js";
import { pushRows } from "../../src/materialize/push.js";
import { freshBucket, hasService, s3ClientConfig, services } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import {
  VIEWS,
  applyAndLoad,
  expected,
  generate,
  loadOfflineParquet,
  readOnlinePostgres,
  sortedEntries,
  writeProject,
} from "./fixtures.js";

vi.setConfig({ testTimeout: 300_000 });

describe.runIf(hasService("s3"))("FileSource on S3 (radosgw)", () => {
  it("fetches every part under the prefix, materializes like the oracle, and push appends a part", async () => {
    const bucket = await freshBucket();
    const { endpoint, region, accessKeyId, secretAccessKey } = services().s3;
    // The credentials come from the SDK's chain (environment), as for the S3 registry.
    process.env.AWS_ACCESS_KEY_ID = accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = secretAccessKey;
    const local = join(await tempDir(), "local");
    const dir = join(await tempDir(), "p");
    const client = new S3Client(s3ClientConfig());
    try {
      for (let seed = 7000; seed < 7005; seed++) {
        const ds = generate(seed);
        await loadOfflineParquet(local, ds, 3);
        for (const name of ["stats", "pairs"]) {
          const folder = join(local, "data", "offline", name);
          for (const f of await readdir(folder)) {
            await client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: `lake/${seed}/${name}/${f}`,
                Body: await readFile(join(folder, f)),
              }),
            );
          }
        }
        const defs = (await import("./fixtures.js"))
          .definitions("file")
          .replace('"data/offline/stats"', `"s3://${bucket}/lake/${seed}/stats/"`)
          .replace('"data/offline/pairs"', `"s3://${bucket}/lake/${seed}/pairs"`);
        await writeProject(dir, {
          kind: "file",
          online: "online_store:\n  type: embedded",
          offline: `offline_store:\n  type: file\n  s3:\n    endpoint: ${endpoint}\n    region: ${region}\n    force_path_style: true`,
        });
        await (await import("node:fs/promises")).writeFile(join(dir, "features.ts"), defs);
        const { config, state } = await applyAndLoad(dir, {});
        const results = await materialize({ config, who: "t", state }, { start: ds.start, end: ds.end });
        expect(
          results.map((r) => r.status),
          JSON.stringify(results),
        ).toEqual(["ok", "ok", "ok"]);
        const { openOnlineForWrites } = await import("../../src/materialize/online-store.js");
        const online = await openOnlineForWrites(config.onlineStore!);
        try {
          for (const view of VIEWS) {
            const got = await readOnlinePostgres(
              async (s) => (await online.sql!.query(s)).rows,
              "public",
              view,
            );
            expect(sortedEntries(got), `seed ${seed} ${view}`).toEqual(sortedEntries(expected(ds, view)));
            await online.sql!.exec(`TRUNCATE public."fill_test__${view}"`);
          }
          if (seed === 7004) {
            // Pushed twice: the part is named after its rows, so the rerun stores no second copy.
            for (let i = 0; i < 2; i++) {
              await pushRows(
                { config, who: "t", state, online },
                {
                  source: "stats_push",
                  to: "offline",
                  rows: [
                    { driver_id: 5, event_timestamp: "2025-01-01T00:00:00Z", conv: 1, trips: 1, name: "s3" },
                  ],
                },
              );
            }
            const listed = await client.send(
              new ListObjectsV2Command({ Bucket: bucket, Prefix: `lake/${seed}/stats/` }),
            );
            expect((listed.Contents ?? []).length).toBe(4);
            expect(
              (listed.Contents ?? []).filter((o) => /\/part-push-[0-9a-f]{32}\.parquet$/.test(o.Key ?? "")),
            ).toHaveLength(1);
            // A CSV object under the prefix: a Parquet part beside it would break every read,
            // so the push is refused before anything is uploaded.
            await client.send(
              new PutObjectCommand({
                Bucket: bucket,
                Key: `lake/${seed}/stats/old.csv`,
                Body: "driver_id\n",
              }),
            );
            await expect(
              pushRows(
                { config, who: "t", state, online },
                {
                  source: "stats_push",
                  to: "offline",
                  rows: [
                    { driver_id: 6, event_timestamp: "2025-01-01T00:00:00Z", conv: 1, trips: 1, name: "csv" },
                  ],
                },
              ),
            ).rejects.toThrow(/source stats_src: folder s3:\/\/.*\/lake\/7004\/stats\/ holds CSV files/);
            const after = await client.send(
              new ListObjectsV2Command({ Bucket: bucket, Prefix: `lake/${seed}/stats/` }),
            );
            expect((after.Contents ?? []).length).toBe(5);
          }
        } finally {
          await online.close();
        }
      }
    } finally {
      client.destroy();
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
    }
  });
});
