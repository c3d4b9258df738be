import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OnlineStoreError } from "../../src/infra/errors.js";
import { connectionSecrets, maskConnectionString, redactSecrets } from "../../src/config/redact.js";
import { openOnlineStore } from "../../src/infra/open-online-store.js";
import { parseRedisConnectionString } from "../../src/infra/redis-connection.js";
import { ownIdentity, type ProcessIdentity } from "../../src/infra/lock-holder.js";
import { freshDatabase, hasService } from "../services/index.js";
import { desiredState, driverStats } from "./fixtures.js";
import { deadPid, linux, raceTakeover, withLiveProcess } from "./takeover-race.js";

describe("masking", () => {
  it("masks passwords in URL and key=value connection strings", () => {
    expect(maskConnectionString("postgresql://app:pa%40ss@db:5432/x?sslmode=require")).toBe(
      "postgresql://app:***@db:5432/x?sslmode=require",
    );
    expect(maskConnectionString("postgresql://app@db/x")).toBe("postgresql://app@db/x");
    expect(maskConnectionString("redis+cluster://:pw@a:1,b:2")).toBe("redis+cluster://:***@a:1,b:2");
    expect(maskConnectionString("host=db user=app password='p w' dbname=x")).toBe(
      "host=db user=app password=*** dbname=x",
    );
  });

  it("redacts raw and decoded passwords from messages", () => {
    const secrets = connectionSecrets("postgresql://app:pa%40ss@db/x");
    expect(redactSecrets("auth failed for pa@ss and pa%40ss", secrets)).toBe("auth failed for *** and ***");
  });

  it("parses both Redis forms", () => {
    expect(parseRedisConnectionString("redis://h:1/3")).toEqual({
      kind: "standalone",
      url: "redis://h:1/3",
      db: 3,
    });
    expect(parseRedisConnectionString("rediss+cluster://user:p%3Aw@a:7000,[::1]:7001,b")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "a", port: 7000 },
        { host: "::1", port: 7001 },
        { host: "b", port: 6379 },
      ],
      username: "user",
      password: "p:w",
      tls: true,
    });
    expect(() => parseRedisConnectionString("redis+cluster://a:99999")).toThrow(OnlineStoreError);
  });

  it("reads a cluster's password-only auth, and rejects a cluster string without a usable node", () => {
    expect(parseRedisConnectionString("redis+cluster://s3cret@a:7000")).toMatchObject({
      username: undefined,
      password: "s3cret",
      tls: false,
    });
    for (const [cs, why] of [
      ["redis+cluster://:pw@", /no cluster node given/],
      ["redis+cluster://:pw@,,", /no cluster node given/],
      ["redis+cluster://:pw@a:1:2", /bad node "a:1:2"/],
      ["redis+cluster://:pw@a:0", /bad port in a:0/],
    ] as const) {
      const err = (() => {
        try {
          parseRedisConnectionString(cs);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err, cs).toBeInstanceOf(OnlineStoreError);
      expect((err as Error).message, cs).toMatch(why);
      expect((err as Error).message, cs).toContain(":***@");
    }
  });
});

describe("openOnlineStore (embedded)", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fsops-embedded-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("provisions real tables in a PGlite directory, keeps them across reopen, and locks out a second opener", async () => {
    const path = join(dir, ".fsops", "online");
    const desired = desiredState("drivers", driverStats());
    const store = await openOnlineStore({ type: "embedded", path });
    let record;
    try {
      expect(store.store).toBe("postgres");
      expect(store.location).toBe(path);
      const plan = await store.plan("drivers", desired, null);
      expect(plan.actions.map((a) => a.action)).toEqual(["create_table"]);
      await store.apply("drivers", plan.actions);
      record = plan.record;
      const second = await openOnlineStore({ type: "embedded", path }).catch((e: unknown) => e);
      expect(second).toBeInstanceOf(OnlineStoreError);
      expect((second as Error).message).toMatch(/in use by/);
    } finally {
      await store.close();
    }
    const reopened = await openOnlineStore({ type: "embedded", path });
    try {
      expect((await reopened.plan("drivers", desired, record)).actions).toEqual([]);
    } finally {
      await reopened.close();
    }
  });
});

describe.runIf(hasService("postgres"))("openOnlineStore (postgres)", () => {
  it("opens a server store with a masked location and plans against its schema", async () => {
    const url = new URL(await freshDatabase());
    url.password = "not-needed-with-trust";
    const store = await openOnlineStore({
      type: "postgres",
      connectionString: url.toString(),
      schema: "online",
    });
    try {
      expect(store.location).not.toContain("not-needed-with-trust");
      expect(store.location).toContain(":***@");
      const plan = await store.plan("drivers", desiredState("drivers", driverStats()), null);
      expect(plan.actions.map((a) => `${a.action} ${a.target}`)).toEqual([
        "create_schema online",
        "create_table online.drivers__driver_stats",
      ]);
    } finally {
      await store.close();
    }
  });

  it("refuses a schema name Postgres would silently truncate", async () => {
    const connectionString = await freshDatabase();
    for (const schema of ["a".repeat(64), "é".repeat(32)]) {
      const err = await openOnlineStore({ type: "postgres", connectionString, schema }).catch(
        (e: unknown) => e,
      );
      expect(err, schema).toBeInstanceOf(OnlineStoreError);
      expect((err as Error).message, schema).toMatch(/must be 1 to 63 bytes long/);
    }
  });
});

it("fails with a redacted OnlineStoreError when a Postgres store is unreachable", async () => {
  const err = await openOnlineStore({
    type: "postgres",
    connectionString: "postgresql://app:sup3rsecret@127.0.0.1:1/x",
    schema: "public",
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OnlineStoreError);
  expect((err as Error).message).not.toContain("sup3rsecret");
  expect((err as Error).message).toContain("postgresql://app:***@127.0.0.1:1/x");
});

describe("embedded store lock left behind: taken over only when its process is provably gone", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fsops-embedded-lock-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A store folder whose lock was left by `pid` with `identity` (or `text` as written). */
  function leftBehind(name: string, pid: number, identity: ProcessIdentity | null, text?: string) {
    const path = join(dir, name, "online");
    const lockPath = `${path}.lock`;
    const lock = {
      host: hostname(),
      pid,
      time: "2026-01-01T00:00:00.000Z",
      ...(identity ? { process: identity } : {}),
    };
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(lockPath, text ?? `${JSON.stringify(lock)}\n`);
    const open = () => openOnlineStore({ type: "embedded", path }).catch((e: unknown) => e);
    return { path, lockPath, open };
  }

  it.runIf(linux)(
    "a lock from another pid namespace (a container with the same hostname) is refused, naming the holder, why and the file to delete",
    async () => {
      const pid = deadPid();
      const { lockPath, open } = leftBehind("ns", pid, {
        ...ownIdentity()!,
        pidNamespace: "pid:[4026532999]",
      });
      const error = await open();
      expect(error).toBeInstanceOf(OnlineStoreError);
      expect((error as OnlineStoreError).message).toBe(
        `the embedded online store is in use by pid ${pid} on ${hostname()} since 2026-01-01T00:00:00.000Z (lock ${lockPath}); not taken over: it was taken in another pid namespace (pid:[4026532999]: another container with this hostname?), where process ${pid} may be alive`,
      );
      expect((error as OnlineStoreError).hint).toBe(
        `wait for that fsops to finish; if it is gone, delete ${lockPath}`,
      );
      expect(JSON.parse(readFileSync(lockPath, "utf8")).pid).toBe(pid);
    },
  );

  it.runIf(linux)(
    "an older fsops's `pid@host` lock is refused even when its pid is absent here",
    async () => {
      const pid = deadPid();
      const { lockPath, open } = leftBehind("old", pid, null, `${pid}@${hostname()}\n`);
      const error = await open();
      expect(error).toBeInstanceOf(OnlineStoreError);
      expect(String(error)).toContain(
        `in use by pid ${pid} on ${hostname()} (lock ${lockPath}); not taken over: the lock does not record its pid namespace (written by an older fsops)`,
      );
      expect((error as OnlineStoreError).hint).toContain(`if it is gone, delete ${lockPath}`);
      expect(readFileSync(lockPath, "utf8")).toBe(`${pid}@${hostname()}\n`);
    },
  );

  it.runIf(linux)(
    "two openers taking the same dead lock over: only one opens, the other is told the store is in use",
    async () => {
      const { path, lockPath, open } = leftBehind("race", deadPid(), ownIdentity());
      const acquire = async () => {
        const store = await open();
        if (store instanceof Error) throw store;
        return () => (store as { close(): Promise<void> }).close();
      };
      const { most, errors } = await raceTakeover(acquire, acquire, { holdMs: 100 });
      expect(most, String(errors)).toBe(1);
      const refused = errors.filter((e) => e !== null);
      expect(refused).toHaveLength(1);
      expect(String(refused[0])).toContain(`the embedded online store is in use by pid ${process.pid}`);
      expect(existsSync(lockPath)).toBe(false);
      expect(readdirSync(join(path, "..")).sort()).toEqual(["online"]);
    },
  );

  it.runIf(linux)(
    "same host, boot and pid namespace, process gone: taken over, and the store opens",
    async () => {
      const { path, lockPath, open } = leftBehind("dead", deadPid(), ownIdentity());
      const store = await open();
      expect(store).not.toBeInstanceOf(Error);
      try {
        expect(JSON.parse(readFileSync(lockPath, "utf8")).pid).toBe(process.pid);
      } finally {
        await (store as { close(): Promise<void> }).close();
      }
      expect(existsSync(lockPath)).toBe(false);
      expect(readdirSync(join(path, "..")).sort()).toEqual(["online"]);
    },
  );

  it.runIf(linux)(
    "pid reused (alive, other start time): taken over; the same live process: refused",
    async () => {
      await withLiveProcess(async (pid, started) => {
        const alive = leftBehind("alive", pid, { ...ownIdentity()!, startTime: started });
        expect(String(await alive.open())).toContain(`not taken over: process ${pid} is running`);

        const reused = leftBehind("reused", pid, {
          ...ownIdentity()!,
          startTime: String(Number(started) + 1),
        });
        const store = await reused.open();
        expect(store).not.toBeInstanceOf(Error);
        await (store as { close(): Promise<void> }).close();
      });
    },
  );
});
