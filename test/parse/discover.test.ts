import { spawnSync } from "node:child_process";
import { chmod, chown, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscoverError, discoverSourceFiles } from "../../src/parse/discover.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const TSX = import.meta.resolve("tsx");

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
  let away: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fsops-discover-folders-"));
    away = await mkdtemp(join(tmpdir(), "fsops-away-"));
    await put("defs.ts", "export const d = 1;\n", dir);
    await put("inner.ts/real.ts", "export const r = 1;\n", dir);
    await put("lib.ts", "x", away);
    await symlink(away, join(dir, "linked"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(away, { recursive: true, force: true });
  });

  it("walks a folder whose name ends in .ts, and not a folder reached through a symbolic link", async () => {
    const files = await discoverSourceFiles(dir);
    expect(files.map((f) => f.path)).toEqual(["defs.ts", "inner.ts/real.ts"]);
  });
});

/**
 * A folder the user cannot list (a database's data folder owned by another user): root lists
 * any folder, so as root the discovery runs in a child process as `nobody` (setpriv).
 */
describe("discoverSourceFiles: a folder that cannot be listed", () => {
  const asRoot = process.getuid?.() === 0;
  // CI runs as root with setpriv (util-linux): there the tests must run, not skip.
  const canDrop = !asRoot || spawnSync("setpriv", ["--version"]).status === 0 || Boolean(process.env.CI);
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fsops-discover-unlistable-"));
    await chmod(dir, 0o755);
    await put("defs.ts", "export const d = 1;\n", dir);
    await put("pgdata/base/x.ts", "x", dir);
    // Root-owned 0700 for `nobody`; unreadable for its owner when the suite is not run as root.
    if (asRoot) {
      await chmod(join(dir, "pgdata"), 0o700);
      await chown(join(dir, "pgdata"), 0, 0);
    } else {
      await chmod(join(dir, "pgdata"), 0o000);
    }
  });
  afterAll(async () => {
    await chmod(join(dir, "pgdata"), 0o700);
    await rm(dir, { recursive: true, force: true });
  });

  /** discoverSourceFiles(dir) as an unprivileged user: the paths found, or the error's message. */
  async function discoverUnprivileged(): Promise<{ files?: string[]; error?: string }> {
    if (!asRoot) {
      return discoverSourceFiles(dir).then(
        (files) => ({ files: files.map((f) => f.path) }),
        (e: unknown) => ({ error: (e as Error).message }),
      );
    }
    const script = [
      `import { discoverSourceFiles } from ${JSON.stringify(pathToFileURL(join(REPO, "src/parse/discover.ts")).href)};`,
      "const out = await discoverSourceFiles(process.argv[1]).then(",
      "  (files) => ({ files: files.map((f) => f.path) }),",
      "  (e) => ({ error: e.message }),",
      ");",
      "process.stdout.write(JSON.stringify(out));",
    ].join("\n");
    const child = spawnSync(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
        process.execPath,
        "--import",
        TSX,
        "--input-type=module",
        "-e",
        script,
        dir,
      ],
      { cwd: REPO, encoding: "utf8", env: { ...process.env, TSX_DISABLE_CACHE: "1" } },
    );
    expect(child.status, child.stderr).toBe(0);
    return JSON.parse(child.stdout) as { files?: string[]; error?: string };
  }

  it.runIf(canDrop)("is an error naming it and saying how to go on, not a silent skip", async () => {
    await writeFile(join(dir, ".fsopsignore"), "");
    expect(await discoverUnprivileged()).toEqual({
      error:
        "cannot list the folder pgdata of the project (EACCES): make it readable, or add it to .fsopsignore",
    });
  });

  it.runIf(canDrop)("is never listed once .fsopsignore ignores it", async () => {
    await writeFile(join(dir, ".fsopsignore"), "pgdata/\n");
    expect(await discoverUnprivileged()).toEqual({ files: ["defs.ts"] });
  });
});
