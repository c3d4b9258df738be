import { createReadStream } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createGunzip } from "node:zlib";
import { access } from "node:fs/promises";

/** Where the template (scripts/build-pglite-template.mjs) sits relative to this module. */
const CANDIDATES = [
  // The Action's dist/: copied beside the bundle and its chunks by build-action.mjs.
  "./pglite-template.tar.gz",
  // The package: build/src/infra/ → build/assets/.
  "../../assets/pglite-template.tar.gz",
  // The CLI bundle (scripts/build-cli.mjs): build/cli/ → build/assets/.
  "../assets/pglite-template.tar.gz",
  // Run from source (tsx, vitest): src/infra/ → build/assets/.
  "../../build/assets/pglite-template.tar.gz",
];

/**
 * The empty embedded database shipped with fsops: a gzipped tar of a PGlite data directory
 * (`dumpDataDir`), or null when it is missing (a checkout not built yet).
 */
export async function findEmbeddedStoreTemplate(): Promise<string | null> {
  for (const candidate of CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    try {
      await access(path);
      return path;
    } catch {
      // not there: try the next place
    }
  }
  return null;
}

const BLOCK = 512;

/**
 * Unpack the template into `dir` (an empty folder), streaming: PGlite then opens it as an
 * existing database. Measured against PGlite's own `loadDataDir` (which unpacks the whole tar
 * inside its WebAssembly memory): ~1.0 s and ~340 MB for open + unpack instead of ~2.1 s and
 * ~410 MB, and initdb costs ~4 s and ~850 MB. Handles the ustar entries `dumpDataDir` writes
 * (files and folders); anything else, or a path leaving `dir`, is an error.
 */
export async function extractEmbeddedStoreTemplate(template: string, dir: string): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let file: { handle: FileHandle; remaining: number } | null = null;
  let skip = 0;
  let ended = false;
  try {
    for await (const chunk of createReadStream(template).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (!ended) {
        if (file) {
          const n = Math.min(file.remaining, pending.length);
          if (n > 0) await file.handle.write(pending.subarray(0, n));
          pending = pending.subarray(n);
          file.remaining -= n;
          if (file.remaining > 0) break;
          await file.handle.close();
          file = null;
        } else if (skip > 0) {
          const n = Math.min(skip, pending.length);
          pending = pending.subarray(n);
          skip -= n;
          if (skip > 0) break;
        } else {
          if (pending.length < BLOCK) break;
          const header = pending.subarray(0, BLOCK);
          pending = pending.subarray(BLOCK);
          if (header.every((b) => b === 0)) {
            ended = true; // the end-of-archive block
            break;
          }
          const entry = parseHeader(header);
          const path = safeJoin(dir, entry.name);
          if (entry.type === "dir") {
            await mkdir(path, { recursive: true, mode: entry.mode });
            continue;
          }
          await mkdir(dirname(path), { recursive: true });
          const handle = await open(path, "w", entry.mode);
          file = { handle, remaining: entry.size };
          skip = (BLOCK - (entry.size % BLOCK)) % BLOCK;
        }
      }
    }
    if (!ended || file) throw new Error("the template ends early");
  } finally {
    await file?.handle.close();
  }
}

function parseHeader(h: Buffer): { name: string; type: "file" | "dir"; size: number; mode: number } {
  const text = (start: number, length: number): string => {
    const raw = h.subarray(start, start + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end === -1 ? length : end).toString("utf8");
  };
  const octal = (start: number, length: number): number => parseInt(text(start, length).trim() || "0", 8);
  const prefix = text(257, 6).startsWith("ustar") ? text(345, 155) : "";
  const name = prefix ? `${prefix}/${text(0, 100)}` : text(0, 100);
  const flag = String.fromCharCode(h[156] ?? 0);
  const type = flag === "5" ? "dir" : flag === "0" || flag === "\0" ? "file" : null;
  if (type === null) throw new Error(`unexpected tar entry type ${JSON.stringify(flag)} for ${name}`);
  const size = octal(124, 12);
  if (!Number.isSafeInteger(size) || size < 0) throw new Error(`bad size of ${name}`);
  return { name, type, size, mode: octal(100, 8) & 0o777 || (type === "dir" ? 0o700 : 0o600) };
}

function safeJoin(dir: string, name: string): string {
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes(".."))
    throw new Error(`unsafe path ${JSON.stringify(name)} in the template`);
  return join(dir, ...parts);
}
