import { describe, expect, it } from "vitest";
import { checkBinaries } from "./binaries.js";
import { freshBucket, freshDatabase, freshRedisDb, hasService, s3ClientConfig, services } from "./index.js";
import { parseSelection } from "./start.js";

describe("FSOPS_TEST_SERVICES", () => {
  it("defaults to all, accepts none and comma lists, rejects unknown names", () => {
    expect(parseSelection(undefined)).toEqual(["postgres", "redis", "redis-cluster", "s3"]);
    expect(parseSelection("none")).toEqual([]);
    expect(parseSelection(" s3, postgres ")).toEqual(["postgres", "s3"]);
    expect(() => parseSelection("postgres,mysql")).toThrow(/unknown service "mysql"/);
  });

  it("a missing binary fails at once with the command that installs it", () => {
    const present = (name: string) =>
      ["radosgw", "radosgw-admin", "ceph-osd"].includes(name) ? null : `/x/${name}`;
    const check = () =>
      checkBinaries(["postgres", "s3"], true, { onPath: present, postgresBinDir: () => "/pg/bin" });
    expect(check).toThrow(/missing ceph-osd, radosgw, radosgw-admin \(Debian packages: ceph-osd radosgw\)/);
    expect(check).toThrow(/sh test\/services\/install\.sh/);
    expect(check).toThrow(/apt-get update && apt-get install -y ceph-osd radosgw/);
    expect(check).toThrow(/FSOPS_TEST_SERVICES=postgres$/);
    const found = checkBinaries(["postgres"], false, { onPath: () => null, postgresBinDir: () => "/pg/bin" });
    expect(found.find("initdb")).toBe("/pg/bin/initdb");
  });
});

describe.runIf(hasService("postgres"))("postgres", () => {
  it("gives each caller its own database", async () => {
    const { default: pg } = await import("pg");
    const [a, b] = await Promise.all([freshDatabase(), freshDatabase()]);
    expect(a).not.toBe(b);
    const ca = new pg.Client({ connectionString: a });
    const cb = new pg.Client({ connectionString: b });
    await Promise.all([ca.connect(), cb.connect()]);
    try {
      await ca.query("create table only_in_a (x int)");
      const seen = await cb.query("select count(*)::int as n from pg_tables where tablename = 'only_in_a'");
      expect(seen.rows[0].n).toBe(0);
      const version = await ca.query("show server_version_num");
      expect(Number(version.rows[0].server_version_num)).toBeGreaterThanOrEqual(150000);
    } finally {
      await Promise.all([ca.end(), cb.end()]);
    }
  });
});

describe.runIf(hasService("redis"))("redis", () => {
  it("gives each caller its own database", async () => {
    const { Redis } = await import("ioredis");
    const [a, b] = await Promise.all([freshRedisDb(), freshRedisDb()]);
    expect(a).not.toBe(b);
    const ra = new Redis(a);
    const rb = new Redis(b);
    try {
      await ra.set("k", "a");
      expect(await rb.get("k")).toBeNull();
      expect(await ra.get("k")).toBe("a");
    } finally {
      ra.disconnect();
      rb.disconnect();
    }
  });
});

describe.runIf(hasService("redis-cluster"))("redis cluster", () => {
  it("serves keys from every slot range", async () => {
    const { Cluster } = await import("ioredis");
    const cluster = new Cluster(services().redisCluster.nodes);
    try {
      const keys = Array.from({ length: 30 }, (_, i) => `svc-test:${process.pid}:${i}`);
      for (const key of keys) await cluster.set(key, key);
      for (const key of keys) expect(await cluster.get(key)).toBe(key);
      expect(cluster.nodes("master")).toHaveLength(3);
    } finally {
      cluster.disconnect();
    }
  });
});

describe.runIf(hasService("s3"))("s3 (radosgw)", () => {
  it("enforces If-None-Match and If-Match on an unversioned bucket, with the unquoted-ETag quirk", async () => {
    const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
    const bucket = await freshBucket();
    const client = new S3Client(s3ClientConfig());
    const put = (body: string, cond: { IfNoneMatch?: string; IfMatch?: string }) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: body, ...cond })).then(
        (r) => ({ ok: true as const, etag: r.ETag ?? "" }),
        (e: { $metadata?: { httpStatusCode?: number } }) => ({
          ok: false as const,
          status: e.$metadata?.httpStatusCode,
        }),
      );
    try {
      const results = await Promise.all(Array.from({ length: 5 }, () => put("x", { IfNoneMatch: "*" })));
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.status === 412)).toHaveLength(4);
      const first = results.find((r) => r.ok);
      const etag = first && first.ok ? first.etag : "";
      expect(etag).toMatch(/^".+"$/);
      // Documented quirk (TESTING-SERVICES.md): the quoted ETag is refused, the bare one accepted.
      expect(await put("y", { IfMatch: etag })).toEqual({ ok: false, status: 412 });
      expect((await put("y", { IfMatch: etag.slice(1, -1) })).ok).toBe(true);
      expect(await put("z", { IfMatch: etag.slice(1, -1) })).toEqual({ ok: false, status: 412 });
    } finally {
      client.destroy();
    }
  });
});
