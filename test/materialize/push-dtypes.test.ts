/**
 * Every dtype the data plane reads round-trips through `fsops push --to offline` into the push
 * source's batch source (a new Parquet part file in a FileSource folder, or a Postgres table)
 * and back out through materialize into the online store: bytes stay bytes (not their hex text),
 * int64 keeps every digit, lists keep their null items, timestamps their microseconds.
 */
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { materialize } from "../../src/materialize/index.js";
import { freshDatabase, hasService } from "../services/index.js";
import { runCli, tempDir } from "../cli/helpers.js";
import { applyAndLoad } from "./fixtures.js";
import { FEATURES, createAllEventsTable, writeAllTypesProject } from "./all-types.js";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

/** Pushed rows (JSON values as a client sends them) and the online table's `::text` of each. */
const JSONL_ROWS: { row: Record<string, unknown>; text: Record<string, string | null> }[] = [
  {
    row: {
      driver_id: "9007199254740993",
      event_timestamp: "2025-01-01T00:00:00.000001Z",
      i32: -2147483648,
      i64: "9223372036854775807",
      f32: 0.1,
      f64: -1.5e300,
      s: `é "x,y' \\ z`,
      b: "\\x00FF41",
      ok: true,
      t: "2024-02-29T12:34:56.789012Z",
      i32s: [1, null, -3],
      i64s: ["9007199254740993", "-1"],
      f32s: [0.5, -0.25],
      f64s: [0.1, 1e-300],
      ss: ["a", "", null, 'q"uote'],
      bs: ["\\x", "\\x0a", null],
      oks: [true, false, null],
      ts: ["2025-06-01T00:00:00Z", null],
    },
    text: {
      driver_id: "9007199254740993",
      i32: "-2147483648",
      i64: "9223372036854775807",
      f32: "0.1",
      f64: "-1.5e+300",
      s: `é "x,y' \\ z`,
      b: "\\x00ff41",
      ok: "true",
      t: "2024-02-29 12:34:56.789012+00",
      i32s: "{1,NULL,-3}",
      i64s: "{9007199254740993,-1}",
      f32s: "{0.5,-0.25}",
      f64s: "{0.1,1e-300}",
      ss: '{a,"",NULL,"q\\"uote"}',
      bs: '{"\\\\x","\\\\x0a",NULL}',
      oks: "{t,f,NULL}",
      ts: '{"2025-06-01 00:00:00+00",NULL}',
      e: "2025-01-01 00:00:00.000001+00",
    },
  },
  {
    // Negative zero keeps its sign in float columns and lists (JSON alone would write 0).
    row: {
      driver_id: 11,
      event_timestamp: "2025-01-01T00:00:03Z",
      f32: -0,
      f64: -0,
      f32s: [-0, 0],
      f64s: [-0],
    },
    text: {
      driver_id: "11",
      ...Object.fromEntries(FEATURES.map((f) => [f, null])),
      f32: "-0",
      f64: "-0",
      f32s: "{-0,0}",
      f64s: "{-0}",
      e: "2025-01-01 00:00:03+00",
    },
  },
  {
    // Every feature null.
    row: { driver_id: -5, event_timestamp: "2025-01-01T00:00:01Z" },
    text: {
      driver_id: "-5",
      ...Object.fromEntries(FEATURES.map((f) => [f, null])),
      e: "2025-01-01 00:00:01+00",
    },
  },
];

/** The same dtypes from a CSV file (lists as JSON text, bytes as \x hex). */
const CSV = [
  `driver_id,event_timestamp,${FEATURES.join(",")}`,
  `7,2025-01-01T00:00:02Z,2147483647,-9223372036854775808,-3.5,2.25,"a,b",\\xDEADbeef,false,2025-01-01T00:00:00Z,"[7]","[""1""]","[1.5]","[-0.5]","[""x,y""]","[""\\\\xff""]","[false]","[""2025-01-01T00:00:00.5Z""]"`,
].join("\n");
const CSV_TEXT: Record<string, string | null> = {
  driver_id: "7",
  i32: "2147483647",
  i64: "-9223372036854775808",
  f32: "-3.5",
  f64: "2.25",
  s: "a,b",
  b: "\\xdeadbeef",
  ok: "false",
  t: "2025-01-01 00:00:00+00",
  i32s: "{7}",
  i64s: "{1}",
  f32s: "{1.5}",
  f64s: "{-0.5}",
  ss: '{"x,y"}',
  bs: '{"\\\\xff"}',
  oks: "{f}",
  ts: '{"2025-01-01 00:00:00.5+00"}',
  e: "2025-01-01 00:00:02+00",
};

/** JSON text as a client writes it, `-0` included (JSON.stringify writes 0). */
function jsonWithNegativeZero(value: unknown): string {
  const mark = "\u0000neg0\u0000";
  return JSON.stringify(value, (_k, v: unknown) => (Object.is(v, -0) ? mark : v)).replaceAll(
    JSON.stringify(mark),
    "-0",
  );
}

/** `fsops push --to offline` of the JSONL and CSV rows, then materialize, then the online rows as text. */
async function roundTrip(
  dir: string,
  env: Record<string, string>,
  online: pg.Client,
): Promise<Map<string, Record<string, string | null>>> {
  const { config, state } = await applyAndLoad(dir, env);
  const files = await tempDir();
  const jsonl = join(files, "rows.jsonl");
  await writeFile(jsonl, JSONL_ROWS.map((r) => jsonWithNegativeZero(r.row)).join("\n"));
  const csv = join(files, "rows.csv");
  await writeFile(csv, CSV);
  for (const file of [jsonl, csv]) {
    const r = await runCli(["push", dir, "all_push", "--file", file, "--to", "offline"], { env });
    expect(r.code, r.stderr).toBe(0);
  }
  const results = await materialize(
    { config, who: "t", state },
    { start: null, end: new Date("2026-01-01T00:00:00Z"), views: ["all_types"] },
  );
  expect(
    results.map((r) => [r.status, r.rows]),
    JSON.stringify(results),
  ).toEqual([["ok", JSONL_ROWS.length + 1]]);
  await online.query("SET TIME ZONE 'UTC'");
  const columns = ["driver_id", ...FEATURES].map((c) => `"${c}"::text AS "${c}"`).join(", ");
  const rows = await online.query<Record<string, string | null>>(
    `SELECT ${columns}, event_ts::text AS e FROM serving."types_test__all_types"`,
  );
  return new Map(rows.rows.map((r) => [r.driver_id!, r]));
}

function expectAll(got: Map<string, Record<string, string | null>>): void {
  const want = [...JSONL_ROWS.map((r) => r.text), CSV_TEXT];
  expect(got.size).toBe(want.length);
  for (const w of want) expect(got.get(w.driver_id!), `driver ${w.driver_id}`).toEqual(w);
}

describe.runIf(hasService("postgres"))("push --to offline: every dtype round-trips", () => {
  let onlineUrl: string;
  let online: pg.Client;
  beforeAll(async () => {
    onlineUrl = await freshDatabase();
    online = new pg.Client({ connectionString: onlineUrl });
    await online.connect();
  });
  afterAll(async () => {
    await online?.end();
  });

  it("into a FileSource folder: a new Parquet part with real BLOBs, read back by materialize", async () => {
    const dir = join(await tempDir(), "p");
    await writeAllTypesProject(dir, "file");
    await online.query("DROP SCHEMA IF EXISTS serving CASCADE");
    expectAll(await roundTrip(dir, { ONLINE: onlineUrl }, online));
    const parts = (await readdir(join(dir, "data", "offline", "all"))).filter((f) => !f.startsWith("."));
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => p.endsWith(".parquet"))).toBe(true);
    // The Parquet column is a BLOB of the bytes themselves.
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      const read = await c.runAndReadAll(
        `SELECT typeof("b") AS t, hex("b") AS h, list_transform("bs", x -> hex(x)) AS l
           FROM read_parquet('${join(dir, "data", "offline", "all")}/*.parquet') WHERE "driver_id" = 7`,
      );
      expect(read.getRowObjectsJson()).toEqual([{ t: "BLOB", h: "DEADBEEF", l: ["FF"] }]);
    } finally {
      c.closeSync();
      db.closeSync();
    }
  });

  it("into a Postgres offline table: the table's own column types take every dtype", async () => {
    const offlineUrl = await freshDatabase();
    const offline = new pg.Client({ connectionString: offlineUrl });
    await offline.connect();
    try {
      await createAllEventsTable(offline);
      const dir = join(await tempDir(), "p");
      await writeAllTypesProject(dir, "postgres");
      await online.query("DROP SCHEMA IF EXISTS serving CASCADE");
      expectAll(await roundTrip(dir, { ONLINE: onlineUrl, OFFLINE: offlineUrl }, online));
      const bytes = await offline.query(`SELECT encode("b", 'hex') AS h FROM all_events WHERE driver_id = 7`);
      expect(bytes.rows).toEqual([{ h: "deadbeef" }]);
    } finally {
      await offline.end();
    }
  });
});
