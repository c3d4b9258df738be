/**
 * The behaviour every registry backend must have, run against each one on its real server
 * (file in a temp dir, Postgres in a fresh database, radosgw in a fresh bucket).
 */
import { randomUUID } from "node:crypto";
import { afterEach, expect, it } from "vitest";
import type { RegistryConfig } from "../../src/model/config.js";
import {
  ConcurrentChangeError,
  RegistryCorruptError,
  RegistryError,
  RegistryLockedError,
  type RegistryStore,
} from "../../src/model/registry.js";
import { uniqueName } from "../services/index.js";
import { lockInfo, makeHistory, makeState } from "./fixtures.js";

export type CorruptKind = "truncated" | "formatVersion" | "wrongProject";

/** One empty registry on a real server. */
export interface Harness {
  config: RegistryConfig;
  /** A new store on the same registry, as another process would open it. */
  open(): RegistryStore;
  /** Damages what the backend holds for `project` (which has a state) the way `kind` says. */
  corrupt(project: string, kind: CorruptKind): Promise<void>;
  /** The stored bytes that hold `project`'s state, to prove they were not overwritten. */
  raw(project: string): Promise<string | null>;
}

export function registryConformance(fresh: () => Promise<Harness>): void {
  const stores: RegistryStore[] = [];
  const open = (h: Harness) => {
    const store = h.open();
    stores.push(store);
    return store;
  };
  const project = () => uniqueName("p");

  /** Creates `project` with serials 1..n through the public API; returns its lineage. */
  async function seed(store: RegistryStore, p: string, n: number): Promise<string> {
    const lineage = randomUUID();
    const lock = await store.lock(p, lockInfo());
    try {
      for (let serial = 1; serial <= n; serial++) {
        const expected = serial === 1 ? null : { lineage, serial: serial - 1 };
        await store.commit(lock, expected, makeState(p, serial, lineage), makeHistory(p, serial));
      }
    } finally {
      await lock.release();
    }
    return lineage;
  }

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  it("reads an empty registry as no state and no history", async () => {
    const store = open(await fresh());
    const p = project();
    expect(await store.read(p)).toEqual({ state: null });
    expect(await store.history(p)).toEqual([]);
  });

  it("commit creates the state, then advances it; another store reads the same", async () => {
    const h = await fresh();
    const store = open(h);
    const p = project();
    const lineage = randomUUID();
    const lock = await store.lock(p, lockInfo());
    await store.commit(lock, null, makeState(p, 1, lineage), makeHistory(p, 1));
    await store.commit(lock, { lineage, serial: 1 }, makeState(p, 2, lineage), makeHistory(p, 2));
    await lock.release();
    expect((await open(h).read(p)).state).toEqual(makeState(p, 2, lineage));
  });

  it("a stale expected serial or lineage is a ConcurrentChangeError and changes nothing", async () => {
    const h = await fresh();
    const store = open(h);
    const p = project();
    const lineage = await seed(store, p, 2);
    const before = await h.raw(p);
    const lock = await store.lock(p, lockInfo());
    const attempts = [
      () => store.commit(lock, { lineage, serial: 1 }, makeState(p, 2, lineage), makeHistory(p, 2)),
      () => store.commit(lock, null, makeState(p, 1, randomUUID()), makeHistory(p, 1)),
      () => {
        const other = randomUUID();
        return store.commit(lock, { lineage: other, serial: 2 }, makeState(p, 3, other), makeHistory(p, 3));
      },
      () => store.deleteState(lock, { lineage, serial: 1 }, makeHistory(p, 2)),
    ];
    for (const attempt of attempts) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConcurrentChangeError);
      expect((error as Error).message).toMatch(/^registry changed concurrently: .*serial 2/);
    }
    await lock.release();
    expect(await h.raw(p)).toBe(before);
    expect((await store.read(p)).state).toEqual(makeState(p, 2, lineage));
    expect((await store.history(p)).map((e) => e.serial)).toEqual([1, 2]);
  });

  it("refuses a commit that would not be serial+1 of the same project", async () => {
    const store = open(await fresh());
    const p = project();
    const lineage = randomUUID();
    const lock = await store.lock(p, lockInfo());
    await expect(store.commit(lock, null, makeState(p, 2, lineage), makeHistory(p, 2))).rejects.toThrow(
      /serial 2, expected 1/,
    );
    await expect(store.commit(lock, null, makeState("other", 1, lineage), makeHistory(p, 1))).rejects.toThrow(
      /state is for project other/,
    );
    await lock.release();
    expect((await store.read(p)).state).toBeNull();
  });

  it("a held lock is a RegistryLockedError naming the holder, until released", async () => {
    const h = await fresh();
    const [a, b] = [open(h), open(h)];
    const p = project();
    const holder = lockInfo("alice");
    const lock = await a.lock(p, holder);
    const error = await b.lock(p, lockInfo("bob")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryLockedError);
    expect((error as RegistryLockedError).holder).toEqual(holder);
    expect((error as Error).message).toContain(`alice@${holder.host}`);
    expect((error as Error).message).toContain(holder.id);
    await lock.release();
    const next = await b.lock(p, lockInfo("bob"));
    expect(next.info.who).toBe("bob");
    await next.release();
  });

  it("forceUnlock refuses a wrong id, removes the lock with the right one, and the old holder cannot commit", async () => {
    const h = await fresh();
    const [a, b] = [open(h), open(h)];
    const p = project();
    const holder = lockInfo("crashed");
    const stale = await a.lock(p, holder);
    const wrong = await b.forceUnlock(p, randomUUID()).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(RegistryError);
    expect((wrong as Error).message).toMatch(/does not match the lock/);
    await expect(b.lock(p, lockInfo())).rejects.toBeInstanceOf(RegistryLockedError);

    expect(await b.forceUnlock(p, holder.id)).toEqual(holder);
    const lineage = randomUUID();
    const lost = await a
      .commit(stale, null, makeState(p, 1, lineage), makeHistory(p, 1))
      .catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(RegistryError);
    expect((await b.read(p)).state).toBeNull();

    const lock = await b.lock(p, lockInfo());
    await b.commit(lock, null, makeState(p, 1, lineage), makeHistory(p, 1));
    await lock.release();
    await stale.release();
    expect((await a.read(p)).state?.serial).toBe(1);
    await expect(b.forceUnlock(p, holder.id)).rejects.toThrow(/not locked/);
  });

  it("close() releases the locks the store still holds", async () => {
    const h = await fresh();
    const [a, b] = [h.open(), open(h)];
    const p = project();
    await a.lock(p, lockInfo("forgetful"));
    await expect(b.lock(p, lockInfo())).rejects.toBeInstanceOf(RegistryLockedError);
    await a.close();
    await (await b.lock(p, lockInfo())).release();
  });

  it("projects sharing a registry lock, commit and delete independently", async () => {
    const h = await fresh();
    const [a, b] = [open(h), open(h)];
    const [p1, p2] = [project(), project()];
    const [l1, l2] = await Promise.all([a.lock(p1, lockInfo()), b.lock(p2, lockInfo())]);
    const [g1, g2] = [randomUUID(), randomUUID()];
    await Promise.all([
      a.commit(l1, null, makeState(p1, 1, g1), makeHistory(p1, 1)),
      b.commit(l2, null, makeState(p2, 1, g2), makeHistory(p2, 1)),
    ]);
    await a.commit(l1, { lineage: g1, serial: 1 }, makeState(p1, 2, g1), makeHistory(p1, 2));
    await a.deleteState(l1, { lineage: g1, serial: 2 }, makeHistory(p1, 3));
    await Promise.all([l1.release(), l2.release()]);
    expect((await b.read(p2)).state).toEqual(makeState(p2, 1, g2));
    expect(await b.history(p2)).toEqual([makeHistory(p2, 1)]);
    expect((await b.read(p1)).state).toBeNull();
    expect((await a.history(p1)).map((e) => e.serial)).toEqual([1, 2, 3]);
  });

  it("history is appended in order, one entry per commit, exactly as given", async () => {
    const store = open(await fresh());
    const p = project();
    await seed(store, p, 4);
    expect(await store.history(p)).toEqual([1, 2, 3, 4].map((s) => makeHistory(p, s)));
  });

  it("deleteState removes the state but keeps the history; the project can be created again", async () => {
    const h = await fresh();
    const store = open(h);
    const p = project();
    const lineage = await seed(store, p, 2);
    const lock = await store.lock(p, lockInfo());
    await store.deleteState(lock, { lineage, serial: 2 }, makeHistory(p, 3));
    expect((await store.read(p)).state).toBeNull();
    expect((await open(h).history(p)).map((e) => e.serial)).toEqual([1, 2, 3]);
    const again = randomUUID();
    await store.commit(lock, null, makeState(p, 1, again), makeHistory(p, 1, "fp-again"));
    await lock.release();
    expect((await store.read(p)).state).toEqual(makeState(p, 1, again));
    expect((await store.history(p)).map((e) => `${e.serial}:${e.fingerprint}`)).toEqual([
      "1:fp-1",
      "2:fp-2",
      "3:fp-3",
      "1:fp-again",
    ]);
  });

  const corruptions: [CorruptKind, RegExp][] = [
    ["truncated", /is not valid JSON|expected a JSON object/],
    ["formatVersion", /unknown registry formatVersion 99 \(this fsops reads 1\)/],
    ["wrongProject", /holds the state of project "someone_else"/],
  ];
  for (const [kind, message] of corruptions) {
    it(`corrupt contents (${kind}) are a RegistryCorruptError and are never overwritten`, async () => {
      const h = await fresh();
      const store = open(h);
      const p = project();
      const lineage = await seed(store, p, 1);
      await h.corrupt(p, kind);
      const damaged = await h.raw(p);
      const read = await store.read(p).catch((e: unknown) => e);
      expect(read).toBeInstanceOf(RegistryCorruptError);
      expect((read as Error).message).toMatch(message);
      const lock = await store.lock(p, lockInfo());
      for (const attempt of [
        () => store.commit(lock, { lineage, serial: 1 }, makeState(p, 2, lineage), makeHistory(p, 2)),
        () => store.commit(lock, null, makeState(p, 1, randomUUID()), makeHistory(p, 1)),
        () => store.deleteState(lock, { lineage, serial: 1 }, makeHistory(p, 2)),
      ]) {
        await expect(attempt()).rejects.toBeInstanceOf(RegistryCorruptError);
      }
      await lock.release();
      expect(await h.raw(p)).toBe(damaged);
    });
  }

  it("location is printable: no password", async () => {
    const h = await fresh();
    const store = open(h);
    expect(store.location.length).toBeGreaterThan(0);
    expect(store.location).not.toMatch(/:[^:@/*]+@/);
  });
}
