import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProjectConfig } from "../../src/config/index.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "fsops-config-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("loadProjectConfig", () => {
  it("reads <dir>/fsops.yaml and resolves paths against the folder", async () => {
    const dir = path.join(root, "staging");
    await mkdir(dir);
    const text = "project: staging\nregistry: ${REG:-state/registry.json}\n";
    await writeFile(path.join(dir, "fsops.yaml"), text);
    const r = await loadProjectConfig(dir, {});
    expect(r.diagnostics).toEqual([]);
    expect(r.file).toBe("fsops.yaml");
    expect(r.text).toBe(text);
    expect(r.config).toMatchObject({
      dir,
      configFile: path.join(dir, "fsops.yaml"),
      project: "staging",
      registry: { type: "file", path: path.join(dir, "state/registry.json"), display: "state/registry.json" },
    });
  });

  it("accepts a relative folder", async () => {
    const dir = path.join(root, "relative");
    await mkdir(dir);
    await writeFile(path.join(dir, "fsops.yaml"), "project: rel\n");
    const r = await loadProjectConfig(path.relative(process.cwd(), dir), {});
    expect(r.config?.dir).toBe(dir);
  });

  it("reports a missing file as a diagnostic", async () => {
    const r = await loadProjectConfig(path.join(root, "nowhere"), {});
    expect(r.config).toBeNull();
    expect(r.text).toBeNull();
    expect(r.diagnostics).toEqual([
      expect.objectContaining({ severity: "error", code: "FS306", file: "fsops.yaml", line: 1, column: 1 }),
    ]);
  });

  it("reports an unreadable path as a diagnostic", async () => {
    const dir = path.join(root, "is-a-folder");
    await mkdir(path.join(dir, "fsops.yaml"), { recursive: true });
    const r = await loadProjectConfig(dir, {});
    expect(r.config).toBeNull();
    expect(r.diagnostics[0]).toMatchObject({ code: "FS306", message: "cannot read fsops.yaml: EISDIR" });
  });
});
