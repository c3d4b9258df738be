import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RegistryConfig } from "../../src/model/config.js";
import { ConcurrentChangeError } from "../../src/model/registry.js";
import { openRegistryStore } from "../../src/registry/open-store.js";
import { S3RegistryStore } from "../../src/registry/s3-store.js";
import { freshBucket, hasService, s3ClientConfig, services } from "../services/index.js";
import { registryConformance, type Harness } from "./conformance.js";
import { lockInfo, makeHistory, makeState } from "./fixtures.js";

const KEY = "fsops/registry.json";
const PREFIX = "fsops/registry";

describe.runIf(hasService("s3"))("s3 registry (radosgw)", () => {
  let admin: S3Client;
  const saved = { ...process.env };

  beforeAll(() => {
    // The store gets its credentials the way users give them: through the SDK's chain.
    const { accessKeyId, secretAccessKey, region } = services().s3;
    process.env["AWS_ACCESS_KEY_ID"] = accessKeyId;
    process.env["AWS_SECRET_ACCESS_KEY"] = secretAccessKey;
    process.env["AWS_REGION"] = region;
    admin = new S3Client(s3ClientConfig());
  });
  afterAll(() => {
    admin.destroy();
    for (const key of ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_ENDPOINT_URL_S3"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  const getText = async (bucket: string, key: string) => {
    try {
      const r = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await r.Body?.transformToString()) ?? "";
    } catch {
      return null;
    }
  };
  const putText = (bucket: string, key: string, body: string) =>
    admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const keys = async (bucket: string) =>
    ((await admin.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [])
      .map((o) => o.Key)
      .sort();

  function config(bucket: string): RegistryConfig {
    return {
      type: "s3",
      bucket,
      key: KEY,
      endpoint: services().s3.endpoint,
      region: null,
      forcePathStyle: true,
    };
  }

  async function s3Harness(): Promise<Harness> {
    const bucket = await freshBucket();
    const stateKey = (p: string) => `${PREFIX}/${p}/state.json`;
    return {
      config: config(bucket),
      open: () => openRegistryStore(config(bucket)),
      async corrupt(project, kind) {
        const text = (await getText(bucket, stateKey(project)))!;
        const doc = JSON.parse(text);
        if (kind === "truncated")
          return void (await putText(bucket, stateKey(project), text.slice(0, text.length / 2)));
        if (kind === "formatVersion") doc.state.formatVersion = 99;
        else doc.state.project = "someone_else";
        await putText(bucket, stateKey(project), JSON.stringify(doc));
      },
      raw: (project) => getText(bucket, stateKey(project)),
    };
  }

  registryConformance(s3Harness);

  it("keeps one state object, numbered history objects and a transient lock object per project", async () => {
    const bucket = await freshBucket();
    const store = openRegistryStore(config(bucket));
    const lock = await store.lock("p", lockInfo());
    expect(await keys(bucket)).toEqual([`${PREFIX}/p/lock.json`]);
    await store.commit(lock, null, makeState("p", 1, "l"), makeHistory("p", 1));
    await store.commit(lock, { lineage: "l", serial: 1 }, makeState("p", 2, "l"), makeHistory("p", 2));
    await lock.release();
    await store.close();
    expect(await keys(bucket)).toEqual([
      `${PREFIX}/p/history/000000000001.json`,
      `${PREFIX}/p/history/000000000002.json`,
      `${PREFIX}/p/state.json`,
    ]);
    const doc = JSON.parse((await getText(bucket, `${PREFIX}/p/state.json`))!);
    expect(doc).toMatchObject({ formatVersion: 1, project: "p", historyCount: 2, state: { serial: 2 } });
  });

  it("a state object rewritten between read and conditional write is a ConcurrentChangeError, not an overwrite", async () => {
    const bucket = await freshBucket();
    const seed = openRegistryStore(config(bucket));
    const seedLock = await seed.lock("p", lockInfo());
    await seed.commit(seedLock, null, makeState("p", 1, "l"), makeHistory("p", 1));
    await seedLock.release();
    await seed.close();

    // A client that lets another writer in just before the store's conditional PutObject of the state.
    const client = new S3Client(s3ClientConfig());
    const intruder = JSON.stringify({
      formatVersion: 1,
      project: "p",
      historyCount: 1,
      lastHistory: null,
      state: null,
    });
    let injected = false;
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Key?: string; IfMatch?: string };
        if (!injected && input.Key === `${PREFIX}/p/state.json` && input.IfMatch) {
          injected = true;
          await putText(bucket, `${PREFIX}/p/state.json`, intruder);
        }
        return next(args);
      },
      { step: "initialize" },
    );
    const store = new S3RegistryStore(
      { bucket, key: KEY, endpoint: services().s3.endpoint, region: null, forcePathStyle: true },
      client,
    );
    const lock = await store.lock("p", lockInfo());
    const error = await store
      .commit(lock, { lineage: "l", serial: 1 }, makeState("p", 2, "l"), makeHistory("p", 2))
      .catch((e: unknown) => e);
    await lock.release();
    await store.close();
    expect(injected).toBe(true);
    expect(error).toBeInstanceOf(ConcurrentChangeError);
    expect((error as Error).message).toMatch(/was rewritten by another apply/);
    expect(await getText(bucket, `${PREFIX}/p/state.json`)).toBe(intruder);
  });

  it("a history object lost to a crash after the state write is still listed, and written by the next commit", async () => {
    const bucket = await freshBucket();
    const store = openRegistryStore(config(bucket));
    const lock = await store.lock("p", lockInfo());
    await store.commit(lock, null, makeState("p", 1, "l"), makeHistory("p", 1));
    await store.commit(lock, { lineage: "l", serial: 1 }, makeState("p", 2, "l"), makeHistory("p", 2));
    await admin.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: `${PREFIX}/p/history/000000000002.json` }),
    );
    expect(await store.history("p")).toEqual([makeHistory("p", 1), makeHistory("p", 2)]);
    await store.commit(lock, { lineage: "l", serial: 2 }, makeState("p", 3, "l"), makeHistory("p", 3));
    await lock.release();
    expect(JSON.parse((await getText(bucket, `${PREFIX}/p/history/000000000002.json`))!)).toEqual(
      makeHistory("p", 2),
    );
    expect((await store.history("p")).map((e) => e.serial)).toEqual([1, 2, 3]);
    await store.close();
  });

  it("finds the endpoint in AWS_ENDPOINT_URL_S3 when the config names none", async () => {
    const bucket = await freshBucket();
    process.env["AWS_ENDPOINT_URL_S3"] = services().s3.endpoint;
    try {
      const store = openRegistryStore({ ...config(bucket), endpoint: null } as RegistryConfig);
      expect(store.location).toBe(`s3://${bucket}/${KEY}`);
      const lock = await store.lock("p", lockInfo());
      await store.commit(lock, null, makeState("p", 1, "l"), makeHistory("p", 1));
      await lock.release();
      expect((await store.read("p")).state?.serial).toBe(1);
      await store.close();
    } finally {
      delete process.env["AWS_ENDPOINT_URL_S3"];
    }
  });
});
