/**
 * The importer's I/O edge: reads a Feast repository's `feature_store.yaml` and `.py` files the
 * way `feast apply` finds them (every Python file under the folder, minus `.feastignore`).
 */
import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import ignore from "ignore";
import { glob } from "tinyglobby";
import type { FeastRepoInput } from "./index.js";

/** Folders that hold no feature definitions: caches, virtual environments, hidden folders. */
const NEVER = ["**/__pycache__/**", "**/.*/**", "**/node_modules/**", "**/site-packages/**", "**/venv/**"];

export class FeastRepoError extends Error {
  override readonly name = "FeastRepoError";
}

export async function readFeastRepo(dir: string): Promise<FeastRepoInput> {
  const root = resolve(dir);
  const s = await stat(root).catch(() => null);
  if (!s) throw new FeastRepoError(`${dir} does not exist`);
  if (!s.isDirectory()) throw new FeastRepoError(`${dir} is not a folder`);
  let featureStoreYaml: string;
  try {
    featureStoreYaml = await readFile(join(root, "feature_store.yaml"), "utf8");
  } catch {
    const nested = await glob(["*/feature_store.yaml"], { cwd: root, onlyFiles: true });
    const hint =
      nested.length > 0
        ? `; did you mean ${join(dir, nested[0]!.replace(/\/feature_store\.yaml$/, ""))}?`
        : "";
    throw new FeastRepoError(
      `${dir} has no feature_store.yaml, so it is not a Feast feature repository${hint}`,
    );
  }
  const ig = ignore();
  const feastIgnore = await readFile(join(root, ".feastignore"), "utf8").catch(() => "");
  ig.add(feastIgnore);
  const found = await glob(["**/*.py"], {
    cwd: root,
    onlyFiles: true,
    followSymbolicLinks: false,
    expandDirectories: false,
    ignore: NEVER,
  });
  const paths = found
    .map((p) => p.replace(/\\/g, "/"))
    .filter((p) => !ig.ignores(p))
    .sort();
  const files = await Promise.all(
    paths.map(async (path) => {
      let text = await readFile(join(root, path), "utf8");
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      return { path, text };
    }),
  );
  return { files, featureStoreYaml, repoName: basename(root) };
}
