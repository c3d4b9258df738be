/**
 * Replacing a small state file so that a reader sees the old text or the new one, never a part:
 * write a temp file beside it, fsync, rename over the target, fsync the directory. Used by the
 * file registry and the materialization records, which are read by other processes at any time.
 */
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import { basename, dirname, join } from "node:path";

/** A hidden temp path beside `path`, unique to this process and call. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

/** fsync a directory so a rename in it survives a crash. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, "r");
    await handle.sync();
  } catch {
    // Not supported on every platform/file system; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

/** Replaces `path` with `text` atomically; the temp file is removed when anything fails. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temp = tempPathFor(path);
  try {
    const handle = await fs.open(temp, "wx", 0o644);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (e) {
    await fs.rm(temp, { force: true });
    throw e;
  }
  await syncDirectory(dirname(path));
}
