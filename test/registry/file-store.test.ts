import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sortKeys } from "../../src/model/json.js";
import { RegistryCorruptError, RegistryLockedError } from "../../src/model/registry.js";
import { FileRegistryStore } from "../../src/registry/file-store.js";
import { openRegistryStore } from "../../src/registry/open-store.js";
import { registryConformance, type Harness } from "./conformance.js";
import { lockInfo, makeHistory, makeState } from "./fixtures.js";

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
});
