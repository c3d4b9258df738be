import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sortKeys } from "../../src/model/json.js";
import { RegistryCorruptError, RegistryLockedError } from "../../src/model/registry.js";
import { FileRegistryStore } from "../../src/registry/file-store.js";
import { ownIdentity } from "../../src/infra/lock-holder.js";
import { openRegistryStore } from "../../src/registry/open-store.js";
import { registryConformance, type Harness } from "./conformance.js";
import { lockInfo, makeHistory, makeState } from "./fixtures.js";
import { deadPid, linux, raceTakeover, withLiveProcess } from "../infra/takeover-race.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "fsops-file-registry-"));
  dirs.push(dir);
  return dir;
}

function fileHarness(): Harness {
  const path = join(tempDir(), "data", "registry.json");
  const edit = (fn: (file: { projects: Record<string, { state: Record<string, unknown> }> }) => void) => {
    const file = JSON.parse(readFileSync(path, "utf8"));
    fn(file);
    writeFileSync(path, JSON.stringify(file));
  };
  return {
    config: { type: "file", path, display: "data/registry.json" },
    open: () => openRegistryStore({ type: "file", path, display: "data/registry.json" }),
    async corrupt(project, kind) {
      if (kind === "truncated") {
        const text = readFileSync(path, "utf8");
        writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
      } else if (kind === "formatVersion") {
        edit((f) => (f.projects[project]!.state["formatVersion"] = 99));
      } else {
        edit((f) => (f.projects[project]!.state["project"] = "someone_else"));
      }
    },
    async raw() {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return null;
      }
    },
  };
}

describe("file registry", () => {
  registryConformance(async () => fileHarness());

  it("writes byte-stable JSON (sorted keys, final newline) and leaves no temp or lock files", async () => {
    const dir = tempDir();
    const path = join(dir, "registry.json");
    const store = new FileRegistryStore(path);
    const lock = await store.lock("p", lockInfo());
    await store.commit(lock, null, makeState("p", 1, "lin"), makeHistory("p", 1));
    await lock.release();
    const text = readFileSync(path, "utf8");
    expect(text.endsWith("}\n")).toBe(true);
    expect(Object.keys(JSON.parse(text))).toEqual(["formatVersion", "projects"]);
    expect(text).toBe(`${JSON.stringify(sortKeys(JSON.parse(text)), null, 2)}\n`);
    expect(readdirSync(dir)).toEqual(["registry.json"]);
    // Same input, same bytes.
    const again = new FileRegistryStore(join(dir, "again.json"));
    const lock2 = await again.lock("p", lockInfo());
    await again.commit(lock2, null, makeState("p", 1, "lin"), makeHistory("p", 1));
    await lock2.release();
    expect(readFileSync(join(dir, "again.json"), "utf8")).toBe(text);
  });

  it("an unknown formatVersion of the file itself, or a lock file it cannot read, is reported, not overwritten", async () => {
    const dir = tempDir();
    const path = join(dir, "registry.json");
    writeFileSync(path, JSON.stringify({ formatVersion: 2, projects: {} }));
    const store = new FileRegistryStore(path, "registry.json");
    await expect(store.read("p")).rejects.toThrow(/registry.json: unknown registry formatVersion 2/);
    const lock = await store.lock("p", lockInfo());
    await expect(
      store.commit(lock, null, makeState("p", 1, "l"), makeHistory("p", 1)),
    ).rejects.toBeInstanceOf(RegistryCorruptError);
    await lock.release();
    expect(JSON.parse(readFileSync(path, "utf8")).formatVersion).toBe(2);

    writeFileSync(`${path}.q.lock`, "garbage");
    await expect(store.lock("q", lockInfo())).rejects.toThrow(/registry.json.q.lock: is not valid JSON/);
  });

  it("a lock left by a dead process stays until force-unlocked, and names that process", async () => {
    const dir = tempDir();
    const path = join(dir, "registry.json");
    const dead = { ...lockInfo("ghost"), pid: 999_999 };
    writeFileSync(`${path}.p.lock`, JSON.stringify({ ...dead, project: "p" }));
    const store = new FileRegistryStore(path);
    const error = await store.lock("p", lockInfo()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryLockedError);
    expect((error as RegistryLockedError).hint).toBe(
      `if that process is gone, run: fsops force-unlock ${dead.id}`,
    );
    expect(await store.forceUnlock("p", dead.id)).toEqual(dead);
    await (await store.lock("p", lockInfo())).release();
  });

  describe("write lock left behind (killed mid-commit): taken over only when its process is provably gone", () => {
    /** Writes the registry file's write lock by hand, as a process with `identity` would have. */
    function leftBehind(path: string, pid: number, identity: Record<string, string> | null) {
      const holder = { ...lockInfo("ghost"), pid };
      writeFileSync(
        `${path}.lock`,
        JSON.stringify({ ...holder, project: "p", ...(identity ? { process: identity } : {}) }),
      );
      return holder;
    }

    async function commitOther(path: string): Promise<unknown> {
      const store = new FileRegistryStore(path, "registry.json", { writeLockWaitMs: 300 });
      const lock = await store.lock("q", lockInfo());
      try {
        await store.commit(lock, null, makeState("q", 1, "lin"), makeHistory("q", 1));
        return null;
      } catch (error) {
        return error;
      } finally {
        await lock.release();
      }
    }

    it.runIf(linux)(
      "a lock from another pid namespace (a container with the same hostname) is refused, naming the holder and force-unlock",
      async () => {
        const path = join(tempDir(), "registry.json");
        const own = ownIdentity()!;
        // The pid is absent here, but it is another namespace's pid: it may be alive there.
        const holder = leftBehind(path, deadPid(), { ...own, pidNamespace: "pid:[4026532999]" });
        const error = await commitOther(path);
        expect(error).toBeInstanceOf(RegistryLockedError);
        expect((error as RegistryLockedError).message).toBe(
          `registry is locked by ghost@${holder.host} (pid ${holder.pid}, apply since ${holder.time}, lock id ${holder.id}); not taken over: it was taken in another pid namespace (pid:[4026532999]: another container with this hostname?), where process ${holder.pid} may be alive`,
        );
        expect((error as RegistryLockedError).hint).toBe(
          `if that process is gone, run: fsops force-unlock ${holder.id}`,
        );
        expect(JSON.parse(readFileSync(`${path}.lock`, "utf8")).id).toBe(holder.id);
        // Another boot (another machine with this hostname) is refused the same way.
        leftBehind(path, deadPid(), { ...own, bootId: "00000000-0000-0000-0000-000000000000" });
        expect(String(await commitOther(path))).toContain(
          "not taken over: it was taken on another machine or boot with this hostname",
        );
      },
    );

    it.runIf(linux)(
      "a lock written without a pid namespace (older fsops) is refused even when its pid is absent here",
      async () => {
        const path = join(tempDir(), "registry.json");
        leftBehind(path, deadPid(), null);
        const error = await commitOther(path);
        expect(error).toBeInstanceOf(RegistryLockedError);
        expect(String(error)).toContain("does not record its pid namespace (written by an older fsops)");
      },
    );

    it.runIf(linux)(
      "two processes taking the same dead lock over: never both hold it (the second waits for the first's takeover)",
      async () => {
        const path = join(tempDir(), "registry.json");
        leftBehind(path, deadPid(), ownIdentity() as unknown as Record<string, string>);
        const writeLock = (project: string) => async () => {
          const store = new FileRegistryStore(path, "registry.json", { writeLockWaitMs: 5000 });
          const lock = await store.lock(project, lockInfo());
          await store.prepareCommit(lock);
          return () => lock.release();
        };
        const { most, errors } = await raceTakeover(writeLock("a"), writeLock("b"));
        expect(errors).toEqual([null, null]);
        expect(most).toBe(1);
        expect(readdirSync(dirname(path))).toEqual([]);
      },
    );

    it.runIf(linux)(
      "same host, boot and pid namespace, process gone: taken over, and the commit goes through",
      async () => {
        const path = join(tempDir(), "registry.json");
        leftBehind(path, deadPid(), ownIdentity() as unknown as Record<string, string>);
        expect(await commitOther(path)).toBeNull();
        expect(readdirSync(dirname(path))).toEqual(["registry.json"]);
        expect((await new FileRegistryStore(path).read("q")).state?.serial).toBe(1);
      },
    );

    it.runIf(linux)(
      "pid reused (alive, other start time): taken over; the same pid with its start time: refused",
      async () => {
        await withLiveProcess(async (pid, started) => {
          const own = ownIdentity()!;
          const alive = join(tempDir(), "registry.json");
          leftBehind(alive, pid, { ...own, startTime: started });
          expect(String(await commitOther(alive))).toContain(`not taken over: process ${pid} is running`);

          const reused = join(tempDir(), "registry.json");
          leftBehind(reused, pid, { ...own, startTime: String(Number(started) + 1) });
          expect(await commitOther(reused)).toBeNull();
          expect((await new FileRegistryStore(reused).read("q")).state?.serial).toBe(1);
        });
      },
    );
  });
});
