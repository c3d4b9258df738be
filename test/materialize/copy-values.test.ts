/**
 * Every dtype the data plane reads, with the values a COPY text encoder gets wrong (tabs,
 * newlines, carriage returns, backslashes, quotes, `\N` and `NULL` as data, empty strings and
 * lists, null list elements, bytes with NUL/backslash/quote bytes, int64 extremes, NaN,
 * ±Infinity, -0, µs and pre-1970 timestamps, non-BMP unicode), materialized from a Postgres
 * offline table into Postgres (COPY FROM STDIN) and into the embedded store (PGlite's COPY from a
 * blob), and from the same rows as Parquet (made by DuckDB) into Postgres, where DuckDB prints
 * each row's COPY line: every online value equals its offline value, compared as Postgres
 * prints both.
 */
import { join } from "node:path";
import pg from "pg";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { openPgliteExecutor } from "../../src/infra/pglite-executor.js";
import { materialize } from "../../src/materialize/index.js";
import { onlineTargets } from "../../src/materialize/online-store.js";
import { freshDatabase, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { applyAndLoad } from "./fixtures.js";
import { mkdir, writeFile } from "node:fs/promises";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SCALARS: [string, string, string][] = [
  ["i32", "int32", "integer"],
  ["i64", "int64", "bigint"],
  ["f32", "float32", "real"],
  ["f64", "float64", "double precision"],
  ["s", "string", "text"],
  ["b", "bytes", "bytea"],
  ["flag", "bool", "boolean"],
  ["ts", "unix_timestamp", "timestamptz"],
];
const COLUMNS = [
  ...SCALARS,
  ...SCALARS.map(([n, d, t]): [string, string, string] => [`${n}s`, `${d}[]`, `${t}[]`]),
];

const TRICKY = `E'a\\tb\\nc\\rd\\\\e"f''g,{h} \\\\N NULL'`;
/** One row per line: id, then the 16 columns in COLUMNS order (Postgres literals). */
const ROWS: string[][] = [
  [
    "'plain'",
    "7",
    "70",
    "0.25",
    "2.5",
    "'hello'",
    "'\\x0102'",
    "true",
    "'2025-01-01T00:00:00Z'",
    "'{1,2}'",
    "'{3,4}'",
    "'{0.5}'",
    "'{1.25}'",
    "'{a,b}'",
    "ARRAY['\\x01'::bytea]",
    "'{t,f}'",
    "ARRAY['2025-01-02T00:00:00Z'::timestamptz]",
  ],
  [
    `E'key\\twith\\ntab \\\\ "q"'`,
    "-2147483648",
    "9223372036854775807",
    "'NaN'",
    "'Infinity'",
    TRICKY,
    "'\\x00ff5c090a0d22275c4e'",
    "false",
    "'1969-12-31T23:59:59.999999Z'",
    "ARRAY[NULL, -1, 2147483647]",
    "ARRAY[-9223372036854775808, NULL]",
    "ARRAY['NaN', '-Infinity', 1.5, NULL, '-0']::real[]",
    "ARRAY[1e300, '-0', 5e-324, 0.1]::float8[]",
    `ARRAY['', 'NULL', NULL, E'x\\\\y', 'q"u', 'a,b', '{c}', E'\\t\\n\\r', '\\N', ${TRICKY}, '😀 ünï 日本']`,
    "ARRAY['\\x00'::bytea, NULL, '\\x5c22'::bytea, ''::bytea]",
    "ARRAY[true, NULL, false]",
    "ARRAY['2025-01-01T00:00:00.000001Z'::timestamptz, NULL, '1900-06-01T12:00:00Z']",
  ],
  ["E'\\\\N'", ...COLUMNS.map(() => "NULL")],
  ["''", "0", "0", "'-0'", "'-Infinity'", "''", "''", "NULL", "NULL", ...SCALARS.map(() => "'{}'")],
  [
    "'NULL'",
    "1",
    "-1",
    "3.4028235e38",
    "'-0'",
    "'👍🏽 \u2028 line sep'",
    "'\\x5c'",
    "true",
    "'2262-04-11T23:47:16.854775Z'",
    "ARRAY[NULL]::int[]",
    "'{}'",
    "ARRAY[NULL]::real[]",
    "'{}'",
    "ARRAY[NULL]::text[]",
    "ARRAY[NULL]::bytea[]",
    "'{}'",
    "'{}'",
  ],
];

function definitions(
  source = `new PostgresSource({ name: "src", table: "src", timestampField: "event_timestamp" })`,
): string {
  const fields = COLUMNS.map(([n, d]) => `new Field({ name: "${n}", dtype: "${d}" })`).join(",\n    ");
  return `import { Entity, FeatureView, Field, FileSource, PostgresSource } from "fsops";
const thing = new Entity({ name: "thing", joinKeys: ["id"], valueType: "string" });
export const all = new FeatureView({
  name: "all_types",
  entities: [thing],
  schema: [
    ${fields},
  ],
  source: ${source},
});
`;
}

async function project(
  online: string,
  env: Record<string, string>,
  source?: string,
  prepare?: (dir: string) => Promise<void>,
) {
  const dir = join(await tempDir(), "p");
  await mkdir(dir, { recursive: true });
  await prepare?.(dir);
  await writeFile(
    join(dir, "fsops.yaml"),
    `project: copy_values\nregistry: data/registry.json\n${online}\noffline_store:\n  type: postgres\n  connection_string: \${OFFLINE}\n`,
  );
  await writeFile(join(dir, "features.ts"), definitions(source));
  return applyAndLoad(dir, env);
}

/** Rows as Postgres prints them (`::text` of every column), keyed by id. */
const textSelect = (relation: string, id: string) =>
  `SELECT ${id}::text AS "id", ${COLUMNS.map(([n]) => `"${n}"::text AS "${n}"`).join(", ")} FROM ${relation} ORDER BY 1`;

/** Materializes the project's all_types view; the SELECT of its online rows as text. */
async function materializeAll({ config, state }: Awaited<ReturnType<typeof project>>): Promise<string> {
  const results = await materialize(
    { config, who: "tester", state },
    { start: null, end: new Date("2030-01-01T00:00:00Z") },
  );
  expect(results).toMatchObject([{ status: "ok", mode: "stream", rows: ROWS.length }]);
  const target = onlineTargets(state).get("all_types")!;
  return textSelect(`"${target.schema}"."${target.table}"`, '"id"');
}

/** The rows of `sql` on the Postgres at `url`. */
async function postgresRows(url: string, sql: string): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await c.end();
  }
}

describe.runIf(hasService("postgres"))("COPY writes every dtype's tricky values exactly", () => {
  let offlineUrl: string;
  let want: Record<string, unknown>[];
  beforeAll(async () => {
    offlineUrl = await freshDatabase();
    const c = new pg.Client({ connectionString: offlineUrl });
    await c.connect();
    try {
      await c.query(
        `CREATE TABLE src (id text, event_timestamp timestamptz, ${COLUMNS.map(([n, , t]) => `"${n}" ${t}`).join(", ")})`,
      );
      for (const row of ROWS) {
        expect(row).toHaveLength(COLUMNS.length + 1);
        const [id, ...values] = row;
        await c.query(
          `INSERT INTO src VALUES (${id}, '2025-01-01T00:00:00Z', ${values.map((v, i) => `(${v})::${COLUMNS[i]![2]}`).join(", ")})`,
        );
      }
      want = (await c.query(textSelect("src", "id"))).rows;
    } finally {
      await c.end();
    }
    expect(want).toHaveLength(ROWS.length);
  });

  it("into Postgres (COPY FROM STDIN)", async () => {
    const onlineUrl = await freshDatabase();
    const env = { ONLINE: onlineUrl, OFFLINE: offlineUrl };
    const filled = await project("online_store:\n  type: postgres\n  connection_string: ${ONLINE}", env);
    expect(await postgresRows(onlineUrl, await materializeAll(filled))).toEqual(want);
  });

  it("into the embedded store (PGlite COPY from a blob)", async () => {
    const filled = await project("online_store:\n  type: embedded", { OFFLINE: offlineUrl });
    const select = await materializeAll(filled);
    const cfg = filled.config.onlineStore;
    if (cfg?.type !== "embedded") throw new Error("expected an embedded store");
    const sql = await openPgliteExecutor(cfg.path);
    try {
      const got = await sql.query(select);
      expect(got.rows).toEqual(want);
    } finally {
      await sql.close();
    }
  });

  it("from Parquet (DuckDB prints the COPY lines) into Postgres", async () => {
    const onlineUrl = await freshDatabase();
    const env = { ONLINE: onlineUrl, OFFLINE: offlineUrl };
    const filled = await project(
      "online_store:\n  type: postgres\n  connection_string: ${ONLINE}",
      env,
      `new FileSource({ name: "src", path: "offline/src.parquet", timestampField: "event_timestamp" })`,
      (dir) => parquetOfOffline(offlineUrl, dir),
    );
    const rows = await postgresRows(onlineUrl, await materializeAll(filled));
    expect(rows).toEqual(want);
    expect(rows.find((r) => r.id === "NULL")?.f64).toBe("-0");
  });
});

/**
 * The offline table as `<dir>/offline/src.parquet`, written by DuckDB from a JSON-lines export
 * (bytes as hex, floats and int64 as text, so nothing is rounded on the way).
 */
async function parquetOfOffline(offlineUrl: string, dir: string): Promise<void> {
  const c = new pg.Client({ connectionString: offlineUrl });
  await c.connect();
  let lines: string[];
  try {
    const hexList = (col: string) =>
      `CASE WHEN ${col} IS NULL THEN NULL ELSE coalesce((SELECT array_agg(encode(x, 'hex') ORDER BY o) FROM unnest(${col}) WITH ORDINALITY AS u(x, o)), '{}') END`;
    const res = await c.query<{ j: string }>(
      `SELECT row_to_json(r)::text AS j FROM (SELECT id, event_timestamp, i32, i64::text AS i64, f32::text AS f32,
         f64::text AS f64, s, encode(b, 'hex') AS b, flag, ts, i32s, i64s::text[] AS i64s, f32s::text[] AS f32s,
         f64s::text[] AS f64s, ss, ${hexList("bs")} AS bs, flags, tss FROM src) AS r`,
    );
    lines = res.rows.map((r) => r.j);
  } finally {
    await c.end();
  }
  await mkdir(join(dir, "offline"), { recursive: true });
  const jsonl = join(dir, "src.jsonl");
  await writeFile(jsonl, `${lines.join("\n")}\n`);
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const duck = await db.connect();
  try {
    await duck.run("SET TimeZone = 'UTC'");
    const types: Record<string, string> = {
      id: "VARCHAR",
      event_timestamp: "TIMESTAMPTZ",
      i32: "INTEGER",
      i64: "VARCHAR",
      f32: "VARCHAR",
      f64: "VARCHAR",
      s: "VARCHAR",
      b: "VARCHAR",
      flag: "BOOLEAN",
      ts: "TIMESTAMPTZ",
      i32s: "INTEGER[]",
      i64s: "VARCHAR[]",
      f32s: "VARCHAR[]",
      f64s: "VARCHAR[]",
      ss: "VARCHAR[]",
      bs: "VARCHAR[]",
      flags: "BOOLEAN[]",
      tss: "TIMESTAMPTZ[]",
    };
    const columns = Object.entries(types)
      .map(([n, t]) => `${n}: '${t}'`)
      .join(", ");
    await duck.run(
      `COPY (SELECT id, event_timestamp, i32, CAST(i64 AS BIGINT) AS i64, CAST(f32 AS FLOAT) AS f32,
          CAST(f64 AS DOUBLE) AS f64, s, unhex(b) AS b, flag, ts, i32s, CAST(i64s AS BIGINT[]) AS i64s,
          CAST(f32s AS FLOAT[]) AS f32s, CAST(f64s AS DOUBLE[]) AS f64s, ss,
          list_transform(bs, x -> unhex(x)) AS bs, flags, tss
        FROM read_json('${jsonl}', format = 'newline_delimited', columns = {${columns}}))
        TO '${join(dir, "offline", "src.parquet")}' (FORMAT parquet)`,
    );
  } finally {
    duck.closeSync();
    db.closeSync();
  }
}
