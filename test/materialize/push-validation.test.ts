/**
 * Push validation: one bad cell, in a JSON Lines or a CSV file, rejects the whole push with its
 * row (the file's line) and column, and nothing is written to either store, including values a
 * store would only refuse mid-write (float32 overflow, NUL in text, impossible dates).
 */
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parsePushFile, pushRows, PushValidationError } from "../../src/materialize/push.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { freshDatabase, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { applyAndLoad } from "./fixtures.js";
import { FEATURES, createAllEventsTable, writeAllTypesProject } from "./all-types.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** A good row as JSON and as CSV cells (header order: driver_id, event_timestamp, FEATURES). */
const GOOD: Record<string, unknown> = {
  driver_id: 1,
  event_timestamp: "2025-01-01T00:00:00Z",
  i32: 1,
  i64: "2",
  f32: 0.5,
  f64: 1.5,
  s: "x",
  b: "\\x01",
  ok: true,
  t: "2025-01-01T00:00:00Z",
  i32s: [1],
  i64s: ["2"],
  f32s: [0.5],
  f64s: [1.5],
  ss: ["x"],
  bs: ["\\x01"],
  oks: [true],
  ts: ["2025-01-01T00:00:00Z"],
};
const HEADER = ["driver_id", "event_timestamp", ...FEATURES];

function csvCell(v: unknown): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * [column, JSON Lines text of the bad value (null: no JSONL case), CSV cell text (null: none),
 *  expected message]
 */
const CASES: [string, string | null, string | null, RegExp][] = [
  ["i32", "2147483648", "2147483648", /2147483648 is out of range for int32/],
  ["i32", "-2147483649", "-2147483649", /-2147483649 is out of range for int32/],
  ["i64", '"9223372036854775808"', "9223372036854775808", /out of range for int64/],
  ["i64", "-9223372036854775809", null, /past 2\^53/],
  ["i64", "1.5", "1.5", /expected an integer \(int64\), got/],
  ["f64", "1e400", "Infinity", /not a finite number \(float64\)/],
  ["f64", null, "NaN", /"NaN" is not a finite number \(float64\)/],
  ["f64", null, "-inf", /not a finite number \(float64\)/],
  ["f64", '"0x10"', "0x10", /expected a number \(float64\), got "0x10"/],
  ["f32", "1e39", "1e39", /out of range for float32/],
  ["f32", "3.4028236e38", "3.4028236e38", /out of range for float32/],
  // Rounds to 0 as a float32: Postgres `real` refuses it ("out of range") mid-write.
  ["f32", "1e-50", "1e-50", /out of range for float32/],
  ["f32", "-7e-46", "-7e-46", /out of range for float32/],
  ["s", '"a\\u0000b"', null, /NUL character/],
  ["s", '"\\ud800"', null, /lone UTF-16 surrogate/],
  ["s", "5", null, /expected a string, got 5/],
  ["b", '"0a"', "0a", /expected bytes as \\x-prefixed hex/],
  ["ok", '"yes"', "yes", /expected true or false/],
  ["t", '"2025-02-30T00:00:00Z"', "2025-02-30T00:00:00Z", /is not a valid date and time/],
  ["t", '"2025-01-01T24:00:00Z"', "2025-01-01T24:00:00Z", /is not a valid date and time/],
  [
    "t",
    "1735689600123",
    "1735689600123",
    /outside the years 0001–9999 \(epoch seconds, not milliseconds\?\)/,
  ],
  ["t", '"next tuesday"', "next tuesday", /expected an ISO 8601 time or epoch seconds/],
  ["event_timestamp", '"2025-13-01T00:00:00Z"', "2025-13-01T00:00:00Z", /not a valid date and time/],
  ["event_timestamp", "null", "", /missing event timestamp/],
  ["driver_id", "null", "", /missing join key/],
  ["i32s", '[1, "x"]', '[1,"x"]', /item 1: expected an integer \(int32\), got "x"/],
  ["i32s", "[[1]]", "[[1]]", /item 0: expected an integer \(int32\), got \[1\]/],
  ["i32s", "5", "5", /expected a list \(int32\[\]\)/],
  ["i32s", null, "1,2", /expected a list \(int32\[\]\) as a JSON array/],
  ["i64s", '["9223372036854775808"]', '["9223372036854775808"]', /item 0: .*out of range for int64/],
  ["f32s", "[1e39]", "[1e39]", /item 0: .*out of range for float32/],
  ["f32s", "[0.5, 1e-50]", "[0.5,1e-50]", /item 1: .*out of range for float32/],
  ["ss", "[1]", "[1]", /item 0: expected a string, got 1/],
  ["bs", '["zz"]', '["zz"]', /item 0: expected bytes/],
  ["oks", "[true, 1]", "[true,1]", /item 1: expected true or false, got 1/],
  ["ts", '["2025-02-29T00:00:00Z"]', '["2025-02-29T00:00:00Z"]', /item 0: .*not a valid date and time/],
];

describe.runIf(hasService("postgres"))("push validation (JSON Lines and CSV)", () => {
  let offline: pg.Client;
  let online: pg.Client;
  let config: ProjectConfig;
  let state: RegistryState;
  beforeAll(async () => {
    const offlineUrl = await freshDatabase();
    const onlineUrl = await freshDatabase();
    offline = new pg.Client({ connectionString: offlineUrl });
    await offline.connect();
    await createAllEventsTable(offline);
    online = new pg.Client({ connectionString: onlineUrl });
    await online.connect();
    const dir = join(await tempDir(), "p");
    await writeAllTypesProject(dir, "postgres");
    ({ config, state } = await applyAndLoad(dir, { ONLINE: onlineUrl, OFFLINE: offlineUrl }));
  });
  // Each case on empty tables: one case that wrote would not make the next ones fail.
  afterEach(async () => {
    await offline.query("TRUNCATE all_events");
    await online.query('TRUNCATE serving."types_test__all_types"');
  });
  afterAll(async () => {
    await offline?.end();
    await online?.end();
  });

  const written = async () => ({
    offline: (await offline.query("SELECT count(*)::int AS n FROM all_events")).rows[0].n as number,
    online: (await online.query('SELECT count(*)::int AS n FROM serving."types_test__all_types"')).rows[0]
      .n as number,
  });
  const push = (text: string, format: "jsonl" | "csv") => {
    const { rows, rowNumbers } = parsePushFile(text, format);
    return pushRows(
      { config, who: "t", state },
      { source: "all_push", rows, rowNumbers, to: "online_and_offline" },
    );
  };

  it.each(CASES.filter((c) => c[1] !== null))(
    "JSON Lines: %s = %s is rejected with its line and column; nothing written",
    async (column, json, _csv, message) => {
      const good = JSON.stringify(GOOD);
      // The bad value replaces the good one: a later duplicate key wins in JSON.parse.
      const bad = `${good.slice(0, -1)},${JSON.stringify(column)}:${json}}`;
      const text = [good, "", good.replace('"driver_id":1', '"driver_id":2'), bad].join("\n");
      const attempt = push(text, "jsonl");
      await expect(attempt).rejects.toThrow(PushValidationError);
      await expect(attempt).rejects.toThrow(new RegExp(`^row 4, column "${column}": .*${message.source}`));
      expect(await written()).toEqual({ offline: 0, online: 0 });
    },
  );

  it.each(CASES.filter((c) => c[2] !== null))(
    "CSV: %s = %s / %s is rejected with its line and column; nothing written",
    async (column, _json, cell, message) => {
      const line = (row: Record<string, unknown>) => HEADER.map((h) => csvCell(row[h] ?? "")).join(",");
      const bad = HEADER.map((h) => (h === column ? csvCell(cell) : csvCell(GOOD[h]))).join(",");
      const text = [HEADER.join(","), line(GOOD), line({ ...GOOD, driver_id: 2 }), bad, ""].join("\n");
      const attempt = push(text, "csv");
      await expect(attempt).rejects.toThrow(PushValidationError);
      await expect(attempt).rejects.toThrow(new RegExp(`^row 4, column "${column}": .*${message.source}`));
      expect(await written()).toEqual({ offline: 0, online: 0 });
    },
  );

  it("CSV: a column named twice in the header, or a quote never closed, is refused before anything is written", async () => {
    expect(() => parsePushFile("driver_id,i32,i32\n1,2,3\n", "csv")).toThrow(
      /^row 1, column "i32": appears twice in the header/,
    );
    expect(() => parsePushFile('driver_id,s\n1,ok\n2,"never closed\n3,x\n', "csv")).toThrow(
      /^row 3: a quoted field is never closed/,
    );
  });

  it("float32 takes exactly what Postgres real takes: its largest value as printed, subnormals", async () => {
    const edge = [3.4028235e38, -3.4028235e38, 1e-40, 1.5e-45];
    const rows = edge.map((f, i) => ({ ...GOOD, driver_id: i + 1, f32: f, f32s: edge }));
    const result = await push(rows.map((r) => JSON.stringify(r)).join("\n"), "jsonl");
    expect(result).toMatchObject({ rows: edge.length, online: true, offline: true });
    const want = edge.map((f) => Math.fround(f));
    const got = async (c: pg.Client, table: string) =>
      (
        await c.query<{ f32: number; f32s: number[] }>(
          `SELECT f32::float8 AS f32, f32s::float8[] AS f32s FROM ${table} ORDER BY driver_id`,
        )
      ).rows;
    for (const rows of [
      await got(offline, "all_events"),
      await got(online, 'serving."types_test__all_types"'),
    ]) {
      expect(rows.map((r) => r.f32)).toEqual(want);
      expect(rows[0]!.f32s).toEqual(want);
    }
  });

  it("the good rows of the cases above push fine (the cases fail for their cell alone)", async () => {
    const line = (row: Record<string, unknown>) => HEADER.map((h) => csvCell(row[h] ?? "")).join(",");
    const result = await push(
      [HEADER.join(","), line(GOOD), line({ ...GOOD, driver_id: 2 })].join("\n"),
      "csv",
    );
    expect(result).toMatchObject({ rows: 2, online: true, offline: true });
    expect(await written()).toEqual({ offline: 2, online: 2 });
  });
});
