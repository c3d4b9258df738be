#!/usr/bin/env node
/**
 * Writes the staging example's offline dataset: examples/staging/offline/customer_daily_profile/
 * year=YYYY/part-0.parquet, one synthetic daily snapshot per customer from 2024-01-01 through
 * 2035-12-31 (so `fsops materialize-incremental examples/staging` finds rows within the view's
 * 2-day ttl whenever it runs). Deterministic: the same files on every run.
 *
 *   node scripts/staging-offline-data.mjs      (DuckDB writes the Parquet; no network needed)
 */
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DuckDBInstance } from "@duckdb/node-api";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "examples", "staging", "offline", "customer_daily_profile");
const CUSTOMERS = 8;

await rm(out, { recursive: true, force: true });
const db = await DuckDBInstance.create(":memory:");
const c = await db.connect();
await c.run("SET TimeZone = 'UTC'");
// Columns as the billing export has them: lifetime_trips is mapped to lifetime_trip_count by the
// FileSource's fieldMapping; created is the export time (a few minutes after the snapshot).
await c.run(`
  CREATE TABLE profile AS
  SELECT
    'C' || (1000 + c)::VARCHAR AS customer_id,
    d::TIMESTAMPTZ AS event_timestamp,
    (d + INTERVAL 7 MINUTE)::TIMESTAMPTZ AS created,
    round(((hash(c, d, 'balance') % 50000) / 100.0)::FLOAT, 2)::FLOAT AS current_balance,
    (1 + (hash(c, d, 'pax') % 30) / 10.0)::FLOAT AS avg_passenger_count,
    (c * 40 + datediff('day', DATE '2024-01-01', d) // 3)::BIGINT AS lifetime_trips,
    (['card', 'cash', 'wallet'])[1 + (hash(c, 'pay') % 3)::INTEGER] AS preferred_payment,
    (c % 3 = 0) AS is_premium
  FROM range(1, ${CUSTOMERS + 1}) AS t(c),
       range(DATE '2024-01-01', DATE '2036-01-01', INTERVAL 1 DAY) AS s(d)
`);
for (let year = 2024; year <= 2035; year++) {
  const folder = join(out, `year=${year}`);
  await mkdir(folder, { recursive: true });
  await c.run(
    `COPY (SELECT * FROM profile WHERE year(event_timestamp) = ${year} ORDER BY event_timestamp, customer_id)
       TO '${join(folder, "part-0.parquet")}' (FORMAT parquet, COMPRESSION zstd)`,
  );
}
c.closeSync();
db.closeSync();
console.log(`wrote ${out}`);
