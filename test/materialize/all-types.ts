/**
 * A project whose one push-fed view has a feature of every dtype the data plane reads (the 8
 * scalars and their lists), over a FileSource folder or a Postgres table.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type pg from "pg";
import { postgresColumnType } from "../../src/offline/sql-types.js";

/** Feature name → dtype: the 8 readable scalars and their lists. */
export const DTYPES: Record<string, string> = {
  i32: "int32",
  i64: "int64",
  f32: "float32",
  f64: "float64",
  s: "string",
  b: "bytes",
  ok: "bool",
  t: "unix_timestamp",
  i32s: "int32[]",
  i64s: "int64[]",
  f32s: "float32[]",
  f64s: "float64[]",
  ss: "string[]",
  bs: "bytes[]",
  oks: "bool[]",
  ts: "unix_timestamp[]",
};
export const FEATURES = Object.keys(DTYPES);

export function definitions(source: string): string {
  return `import { Entity, FeatureView, Field, FileSource, PostgresSource, PushSource } from "fsops";
export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
const src = ${source};
export const allPush = new PushSource({ name: "all_push", batchSource: src });
export const all = new FeatureView({
  name: "all_types",
  entities: [driver],
  schema: [${FEATURES.map((f) => `new Field({ name: "${f}", dtype: "${DTYPES[f]}" })`).join(", ")}],
  source: allPush,
});
`;
}

/** The project folder `dir` (project `types_test`, online store Postgres schema `serving`). */
export async function writeAllTypesProject(dir: string, kind: "file" | "postgres"): Promise<void> {
  await mkdir(join(dir, "data", "offline", "all"), { recursive: true });
  const offline =
    kind === "file"
      ? "offline_store:\n  type: file\n"
      : "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}\n";
  await writeFile(
    join(dir, "fsops.yaml"),
    `project: types_test\nregistry: data/registry.json\nonline_store:\n  type: postgres\n  connection_string: \${ONLINE}\n  schema: serving\n${offline}`,
  );
  await writeFile(
    join(dir, "features.ts"),
    definitions(
      kind === "file"
        ? `new FileSource({ name: "all_src", path: "data/offline/all", timestampField: "event_timestamp" })`
        : `new PostgresSource({ name: "all_src", table: "all_events", timestampField: "event_timestamp" })`,
    ),
  );
}

/** The Postgres offline table of the project (`kind: "postgres"`). */
export async function createAllEventsTable(offline: pg.Client): Promise<void> {
  await offline.query(
    `CREATE TABLE all_events (driver_id bigint, event_timestamp timestamptz, ${FEATURES.map((f) => `"${f}" ${postgresColumnType(DTYPES[f]!)}`).join(", ")})`,
  );
}
