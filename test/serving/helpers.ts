/**
 * A small feature project for serving tests: two stored views (one with a ttl), a request
 * source, on-demand views (a correct one, an endless loop, a wrong shape) and a service over
 * three views. Applied for real; online rows written exactly as the provisioner lays them out.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import pg from "pg";
import { Cluster, Redis } from "ioredis";
import { applyProject } from "../../src/commands/apply.js";
import type { CommandContext } from "../../src/commands/types.js";
import { encodeField, redisEntityKey } from "../../src/serving/redis-codec.js";
import type { Dtype } from "../../src/model/kinds.js";
import { tempDir } from "../cli/helpers.js";

export const PROJECT = "serve_test";
export const SCHEMA = "online";

export const CTX: CommandContext = { env: {}, who: "serving-test", commit: null };

export interface ProjectOptions {
  /** fsops.yaml `registry:` value. */
  registry: string;
  /** fsops.yaml `online_store:` block (indented YAML lines). */
  online: string;
  /** Extra driver_stats features, to test a live refresh. */
  extraFeatures?: string[];
  /** fsops.yaml `offline_store:` block, when the test materializes. */
  offline?: string;
}

export function definitions(extra: readonly string[] = []): string {
  return `import { Entity, FeatureService, FeatureView, Field, OnDemandFeatureView, PostgresSource, PushSource, RequestSource } from "fsops";

export const driver = new Entity({ name: "driver", joinKeys: ["driver_id"], valueType: "int64" });
export const customer = new Entity({ name: "customer", joinKeys: ["customer_id"], valueType: "string" });

export const driverSource = new PostgresSource({ name: "driver_stats_source", table: "driver_stats", timestampField: "event_timestamp" });
export const driverPush = new PushSource({ name: "driver_push", batchSource: driverSource });

export const driverFresh = new FeatureView({
  name: "driver_fresh",
  entities: [driver],
  ttl: "2h",
  schema: [new Field({ name: "conv_rate", dtype: "float32" }), new Field({ name: "trips", dtype: "int64" })],
  source: driverPush,
});

export const driverStats = new FeatureView({
  name: "driver_stats",
  entities: [driver],
  ttl: "1d",
  schema: [
    new Field({ name: "conv_rate", dtype: "float32" }),
    new Field({ name: "acc_rate", dtype: "float64" }),
    new Field({ name: "trips", dtype: "int64" }),
    new Field({ name: "hours", dtype: "float32[]" }),
${extra.map((f) => `    new Field({ name: "${f}", dtype: "float64" }),`).join("\n")}
  ],
  source: driverSource,
});

export const customerProfile = new FeatureView({
  name: "customer_profile",
  entities: [customer],
  schema: [
    new Field({ name: "balance", dtype: "float64" }),
    new Field({ name: "tier", dtype: "string" }),
  ],
  source: new PostgresSource({ name: "customer_source", table: "customers", timestampField: "event_timestamp" }),
});

export const pairStats = new FeatureView({
  name: "pair_stats",
  entities: [driver, customer],
  ttl: "7d",
  schema: [new Field({ name: "rides", dtype: "int32" })],
  source: new PostgresSource({ name: "pair_source", table: "pairs", timestampField: "event_timestamp" }),
});

export const vals = new RequestSource({
  name: "vals",
  schema: [new Field({ name: "val_to_add", dtype: "float64" })],
});

export const convPlus = new OnDemandFeatureView({
  name: "conv_plus",
  sources: [driverStats.select(["conv_rate", "trips"]), vals],
  schema: [
    new Field({ name: "conv_plus_val", dtype: "float64" }),
    new Field({ name: "trips_doubled", dtype: "int64" }),
  ],
  transform: (inputs: Record<string, unknown[]>) => {
    const conv = inputs["conv_rate"] ?? [];
    const add = inputs["val_to_add"] ?? [];
    const trips = inputs["trips"] ?? [];
    return {
      conv_plus_val: conv.map((c, i) => (c === null ? null : Number(c) + Number(add[i]))),
      trips_doubled: trips.map((t) => (t === null ? null : BigInt(t as bigint) * 2n)),
    };
  },
});

export const echoRequest = new OnDemandFeatureView({
  name: "echo_request",
  sources: [vals],
  schema: [new Field({ name: "seen", dtype: "string" })],
  transform: (inputs: Record<string, unknown[]>) => ({
    seen: (inputs["val_to_add"] ?? []).map((v) => JSON.stringify(v)),
  }),
});

export const spin = new OnDemandFeatureView({
  name: "spin",
  sources: [driverStats.select(["conv_rate"])],
  schema: [new Field({ name: "never", dtype: "float64" })],
  transform: (inputs: Record<string, unknown[]>) => {
    let n = 0;
    while (inputs) n++;
    return { never: [n] };
  },
});

export const wrongShape = new OnDemandFeatureView({
  name: "wrong_shape",
  sources: [driverStats.select(["conv_rate"])],
  schema: [new Field({ name: "x", dtype: "float64" })],
  transform: (inputs: Record<string, unknown[]>) => ({ x: "not a column" }),
});

export const ranking = new FeatureService({
  name: "ranking",
  features: [driverStats.select(["conv_rate", "trips"]), customerProfile.select(["tier"]), pairStats, convPlus],
});
`;
}

export async function makeProject(options: ProjectOptions): Promise<string> {
  const dir = join(await tempDir("fsops-serve-"), PROJECT);
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, "fsops.yaml"),
    `project: ${PROJECT}\nregistry: ${options.registry}\nonline_store:\n${options.online}\n${options.offline ? `offline_store:\n${options.offline}\n` : ""}`,
  );
  await writeFile(join(dir, "features.ts"), definitions(options.extraFeatures));
  return dir;
}

export async function apply(dir: string, env: Record<string, string> = {}): Promise<void> {
  const outcome = await applyProject(dir, { ...CTX, env }, { allowDestroy: true });
  if (outcome.status !== "applied" && outcome.status !== "no-changes") {
    throw new Error(`apply failed: ${JSON.stringify(outcome).slice(0, 2000)}`);
  }
}

/** A row of a view: join keys, features (missing = null), event time. */
export interface OnlineRow {
  keys: Record<string, string | number | bigint>;
  values: Record<string, unknown>;
  eventTs: Date;
}

const DTYPES: Record<string, Record<string, Dtype>> = {
  driver_stats: { conv_rate: "float32", acc_rate: "float64", trips: "int64", hours: "float32[]" },
  customer_profile: { balance: "float64", tier: "string" },
  pair_stats: { rides: "int32" },
};

/** INSERT rows into the view's online table, as the provisioner created it. */
export async function writePostgresRows(url: string, view: string, rows: OnlineRow[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const row of rows) {
      const cols = [...Object.keys(row.keys), ...Object.keys(row.values), "event_ts", "created_ts"];
      const params = [
        ...Object.values(row.keys).map(String),
        ...Object.values(row.values).map((v) => (typeof v === "bigint" ? v.toString() : v)),
        row.eventTs,
        row.eventTs,
      ];
      await client.query(
        `INSERT INTO "${SCHEMA}"."${PROJECT}__${view}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")})`,
        params,
      );
    }
  } finally {
    await client.end();
  }
}

/** HSET rows into the view's hashes, as the Redis layout (src/serving/redis-codec.ts) says. */
export async function writeRedisRows(
  url: string | { host: string; port: number }[],
  view: string,
  rows: OnlineRow[],
): Promise<void> {
  const client = typeof url === "string" ? new Redis(url) : new Cluster(url);
  try {
    for (const row of rows) {
      const fields: string[] = [];
      for (const [name, value] of Object.entries(row.values)) {
        if (value === null) continue;
        fields.push(name, encodeField(value, DTYPES[view]?.[name] ?? "string"));
      }
      const us = String(BigInt(row.eventTs.getTime()) * 1000n);
      fields.push("__event_ts", us, "__created_ts", us);
      await client.hset(redisEntityKey(PROJECT, view, Object.values(row.keys)), ...fields);
    }
  } finally {
    client.disconnect();
  }
}

export const HOUR = 3600_000;

/** The rows every store gets: fresh, null-valued, stale (past the 1d ttl), a huge int64. */
export function sampleRows(now: number): Record<string, OnlineRow[]> {
  return {
    driver_stats: [
      {
        keys: { driver_id: 1001n },
        values: { conv_rate: 0.5, acc_rate: 0.25, trips: 9007199254740993n, hours: [1.5, 2] },
        eventTs: new Date(now - HOUR),
      },
      {
        keys: { driver_id: 1002n },
        values: { conv_rate: null, acc_rate: 0.75, trips: 7n, hours: null },
        eventTs: new Date(now - 2 * HOUR),
      },
      {
        keys: { driver_id: 1003n },
        values: { conv_rate: 0.125, acc_rate: 1, trips: 3n, hours: [] },
        eventTs: new Date(now - 48 * HOUR),
      },
    ],
    customer_profile: [
      {
        keys: { customer_id: "c1" },
        values: { balance: 10.5, tier: "gold" },
        eventTs: new Date(now - 400 * 24 * HOUR),
      },
    ],
    pair_stats: [
      { keys: { driver_id: 1001n, customer_id: "c1" }, values: { rides: 4 }, eventTs: new Date(now - HOUR) },
    ],
  };
}

export async function post(
  url: string,
  path: string,
  body: unknown,
): Promise<{ status: number; text: string; json: unknown }> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, text, json };
}

/** Feast's timestamp spelling (seconds, Z). */
export function ts(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
