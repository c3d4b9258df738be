import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscoverError, discoverSourceFiles } from "../../src/parse/discover.js";

let root: string;
let outside: string;

async function put(rel: string, text: string, base = root): Promise<void> {
  const abs = join(base, rel);
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, text);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "fsops-discover-"));
  outside = await mkdtemp(join(tmpdir(), "fsops-outside-"));
  await put("b.ts", "export const b = 1;\n");
  await put("a.ts", "\uFEFFexport const a = 1;\n");
  await put("sub/deep/c.ts", "export const c = 1;\n");
  await put("sub/Z.ts", "export const z = 1;\n");
  await put("node_modules/pkg/index.ts", "x");
  await put("sub/node_modules/pkg/index.ts", "x");
  await put("dist/out.ts", "x");
  await put(".git/hook.ts", "x");
  await put(".fsops/state.ts", "x");
  await put("types.d.ts", "x");
  await put("notes.md", "x");
  await put("data.json", "{}");
  await put("scratch/tmp.ts", "x");
  await put("generated/gen.ts", "x");
  await put("x.local.ts", "x");
  await put("keep.local.ts", "export const keep = 1;\n");
  await put(".hidden/h.ts", "export const h = 1;\n");
  await put(".fsopsignore", "# scratch work\nscratch/\n/generated\n*.local.ts\n!keep.local.ts\n");
  await put("secret.ts", "export const leaked = 1;\n", outside);
  await symlink(join(outside, "secret.ts"), join(root, "escape.ts"));
  await symlink(join(root, "b.ts"), join(root, "alias.ts"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("discoverSourceFiles", () => {
  it("lists .ts files with relative posix paths, sorted, skipping what is never a definition", async () => {
    const files = await discoverSourceFiles(root);
    expect(files.map((f) => f.path)).toEqual([
      ".hidden/h.ts",
      "a.ts",
      "b.ts",
      "keep.local.ts",
      "sub/Z.ts",
      "sub/deep/c.ts",
    ]);
  });

  it("reads the texts, without a byte-order mark", async () => {
    const files = await discoverSourceFiles(root);
    expect(files.find((f) => f.path === "a.ts")?.text).toBe("export const a = 1;\n");
  });

  it("skips symbolic links, so nothing outside the project folder is read", async () => {
    const files = await discoverSourceFiles(root);
    expect(files.some((f) => f.text.includes("leaked"))).toBe(false);
    expect(files.some((f) => f.path === "escape.ts" || f.path === "alias.ts")).toBe(false);
  });

  it("fails clearly when the folder does not exist", async () => {
    await expect(discoverSourceFiles(join(root, "missing"))).rejects.toThrow(DiscoverError);
    await expect(discoverSourceFiles(join(root, "a.ts"))).rejects.toThrow(/is not a folder/);
  });
});

describe("discoverSourceFiles: folders", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fsops-discover-folders-"));
    const away = await mkdtemp(join(tmpdir(), "fsops-away-"));
    await put("defs.ts", "export const d = 1;\n", dir);
    await put("inner.ts/real.ts", "export const r = 1;\n", dir);
    await put("lib.ts", "x", away);
    await symlink(away, join(dir, "linked"));
    await put("locked/hidden.ts", "x", dir);
    await put(".fsopsignore", "locked/\n", dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("walks a folder whose name ends in .ts, and not a folder reached through a symbolic link", async () => {
    const files = await discoverSourceFiles(dir);
    expect(files.map((f) => f.path)).toEqual(["defs.ts", "inner.ts/real.ts"]);
  });

  it("skips an ignored folder whole", async () => {
    const files = await discoverSourceFiles(dir);
    expect(files.some((f) => f.path.startsWith("locked/"))).toBe(false);
  });
});
