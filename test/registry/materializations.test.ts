/**
 * Materialization records beside each registry backend: concurrent appends all land (the file
 * lock / S3 conditional put / Postgres transaction), newest kept per view, projects apart.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RegistryError } from "../../src/model/registry.js";
import { ownIdentity, type ProcessIdentity } from "../../src/infra/lock-holder.js";
import type { MaterializationRecord } from "../../src/registry/materializations.js";
import { RECORDS_KEPT_PER_VIEW, openMaterializationStore } from "../../src/registry/materializations.js";
import type { RegistryConfig } from "../../src/model/config.js";
import { freshBucket, freshDatabase, hasService, services } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { deadPid, linux, raceTakeover, withLiveProcess } from "../infra/takeover-race.js";

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

describe("materialization records lock left behind: taken over only when its process is provably gone", () => {
  /** A file registry whose records lock was left by `pid` with `identity`, taken `ageMs` ago. */
  async function leftBehind(pid: number, identity: ProcessIdentity | null, ageMs = 0) {
    const registry = join(await tempDir(), "registry.json");
    const lockPath = `${registry}.materializations.json.lock`;
    const time = Date.now() - ageMs;
    const lock = { id: "ghost", pid, host: hostname(), time, ...(identity ? { process: identity } : {}) };
    writeFileSync(lockPath, JSON.stringify(lock));
    const store = openMaterializationStore(
      { type: "file", path: registry, display: "registry.json" },
      { lockWaitMs: 300 },
    );
    const append = () =>
      store.append("p", [record("v", 1)]).then(
        () => null,
        (e: unknown) => e,
      );
    return { store, lockPath, time, append };
  }

  it("a lock that cannot be read is an error naming it, and nothing is appended", async () => {
    const registry = join(await tempDir(), "registry.json");
    const lockPath = `${registry}.materializations.json.lock`;
    // A folder where the lock file should be: it exists (link fails) and cannot be read as a file.
    mkdirSync(lockPath);
    const store = openMaterializationStore({ type: "file", path: registry, display: "registry.json" });
    const error = await store.append("p", [record("v", 1)]).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toBe(
      `registry.json.materializations.json: cannot read lock ${lockPath}: EISDIR: illegal operation on a directory, read`,
    );
    expect(await store.read("p")).toEqual([]);
  });

  it.runIf(linux)(
    "a lock from another pid namespace (a container with the same hostname) is refused, naming the holder, why and the file to remove",
    async () => {
      const pid = deadPid();
      const { lockPath, time, append } = await leftBehind(pid, {
        ...ownIdentity()!,
        pidNamespace: "pid:[4026532999]",
      });
      const error = await append();
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).message).toBe(
        `registry.json.materializations.json: locked by another materialize (pid ${pid} on ${hostname()} since ${new Date(time).toISOString()}) for more than 0.3s; not taken over: it was taken in another pid namespace (pid:[4026532999]: another container with this hostname?), where process ${pid} may be alive`,
      );
      expect((error as RegistryError).hint).toBe(`if that process is gone, remove ${lockPath}`);
      expect(JSON.parse(readFileSync(lockPath, "utf8")).id).toBe("ghost");
    },
  );

  it.runIf(linux)(
    "a lock written without a pid namespace (older fsops) is refused even when its pid is absent here",
    async () => {
      const { lockPath, append } = await leftBehind(deadPid(), null);
      const error = await append();
      expect(error).toBeInstanceOf(RegistryError);
      expect(String(error)).toContain("does not record its pid namespace (written by an older fsops)");
      expect((error as RegistryError).hint).toBe(`if that process is gone, remove ${lockPath}`);
    },
  );

  it.runIf(linux)(
    "two processes taking the same dead lock over: never both hold it (the second waits for the first's takeover)",
    async () => {
      const { lockPath } = await leftBehind(deadPid(), ownIdentity());
      const registry = lockPath.slice(0, -".materializations.json.lock".length);
      // The records lock itself (what append() holds while it writes), so it can be held open.
      const lock = () =>
        (
          openMaterializationStore(
            { type: "file", path: registry, display: "registry.json" },
            { lockWaitMs: 5000 },
          ) as unknown as {
            lock(): Promise<() => Promise<void>>;
          }
        ).lock();
      const { most, errors } = await raceTakeover(lock, lock);
      expect(errors).toEqual([null, null]);
      expect(most).toBe(1);
      expect(readdirSync(join(lockPath, ".."))).toEqual([]);
    },
  );

  it.runIf(linux)(
    "same host, boot and pid namespace, process gone: taken over, and the append lands",
    async () => {
      const { store, lockPath, append } = await leftBehind(deadPid(), ownIdentity());
      expect(await append()).toBeNull();
      expect((await store.read("p")).map((r) => r.rows)).toEqual([1]);
      expect(existsSync(lockPath)).toBe(false);
      expect(readdirSync(join(lockPath, "..")).sort()).toEqual(["registry.json.materializations.json"]);
    },
  );

  it.runIf(linux)(
    "pid reused (alive, other start time): taken over; the same live process: refused, even when its lock is hours old",
    async () => {
      await withLiveProcess(async (pid, started) => {
        // A long-held lock of a live process is never broken by its age.
        const alive = await leftBehind(pid, { ...ownIdentity()!, startTime: started }, 3 * 3600_000);
        expect(String(await alive.append())).toContain(`not taken over: process ${pid} is running`);
        expect(JSON.parse(readFileSync(alive.lockPath, "utf8")).id).toBe("ghost");

        const reused = await leftBehind(pid, { ...ownIdentity()!, startTime: String(Number(started) + 1) });
        expect(await reused.append()).toBeNull();
        expect((await reused.store.read("p")).map((r) => r.rows)).toEqual([1]);
      });
    },
  );
});
