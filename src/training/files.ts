/**
 * The DuckDB relation a FileSource reads: a local file, every Parquet/CSV file under a local
 * folder, relative to the project folder.
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { FileSourceSpec } from "../model/spec.js";
import { TrainingError } from "./request.js";
import { duckdbFileRelation } from "./sql-duckdb.js";

export async function resolveFileSource(
  ctx: { projectDir: string },
  name: string,
  spec: FileSourceSpec,
  where: string,
): Promise<string> {
  if (/^s3:\/\//i.test(spec.path))
    throw new TrainingError(`source ${name} (${where}): s3:// paths are not readable in this build`);
  const full = path.resolve(ctx.projectDir, spec.path);
  let paths: string[];
  try {
    const s = await stat(full);
    if (s.isDirectory()) {
      const all = (await readdir(full, { recursive: true })).map((f) => path.join(full, f)).sort();
      paths = all.filter((f) => /\.parquet$/i.test(f));
      if (paths.length === 0) paths = all.filter((f) => /\.csv$/i.test(f));
    } else paths = [full];
  } catch {
    throw new TrainingError(
      `source ${name} (${where}): path ${spec.path} does not exist (looked at ${full})`,
    );
  }
  if (paths.length === 0)
    throw new TrainingError(`source ${name} (${where}): folder ${spec.path} holds no .parquet or .csv file`);
  return duckdbFileRelation(paths);
}
