/**
 * The corpus: Feast repositories written for these tests (test/fixtures/feast), each using the
 * constructs public Feast repositories use (Feast's templates, workshops and streaming demos were
 * read for them; none is copied). Each is imported, validated through the same functions as
 * `fsops validate`, planned and applied against a real registry and online store, and planned
 * again: no changes. A repository with TODOs must fail validation at every TODO until it is
 * finished, the way a person would finish it.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { applyProject } from "../../../src/commands/apply.js";
import { loadProject } from "../../../src/commands/load-project.js";
import { planProject } from "../../../src/commands/plan.js";
import type { CommandContext } from "../../../src/commands/types.js";
import { importFeastRepo, TODO_TAG } from "../../../src/importers/feast/index.js";
import type { FeastImportResult } from "../../../src/importers/feast/index.js";
import { readFeastRepo } from "../../../src/importers/feast/repo-files.js";
import { planHasChanges } from "../../../src/model/plan.js";
import { freshDatabase, freshRedisDb } from "../../services/index.js";
import { REPO, tempDir } from "../../cli/helpers.js";

// Applying to the embedded store creates a PGlite database (3-4 s on two cores).
vi.setConfig({ testTimeout: 120_000 });

const CORPUS = join(REPO, "test/fixtures/feast");

async function importInto(repoDir: string, out: string): Promise<FeastImportResult> {
  const input = await readFeastRepo(repoDir);
  const result = importFeastRepo({ ...input, repoFromProject: relative(out, repoDir).split(sep).join("/") });
  for (const f of result.files) {
    await mkdir(dirname(join(out, f.path)), { recursive: true });
    await writeFile(join(out, f.path), f.text);
  }
  return result;
}

/** Every diagnostic of a loaded (or refused) project. */
const diagnosticsOf = (p: Awaited<ReturnType<typeof loadProject>>) =>
  p.status === "invalid" ? p.diagnostics : p.definitions.diagnostics;

const ctx = (env: Record<string, string>): CommandContext => ({ env, who: "test", commit: null });

/** validate (as `fsops validate` does), plan, apply, plan again: no changes. Returns the objects. */
async function roundTrip(dir: string, env: Record<string, string>): Promise<string[]> {
  const loaded = await loadProject(dir, { env });
  if (loaded.status !== "loaded") {
    throw new Error(
      `not valid:\n${loaded.diagnostics.map((d) => `${d.file}:${d.line}: ${d.code} ${d.message}`).join("\n")}`,
    );
  }
  expect(loaded.definitions.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const first = await planProject(dir, ctx(env));
  if (first.status !== "planned") throw new Error(`plan failed: ${JSON.stringify(first)}`);
  expect(planHasChanges(first.plan)).toBe(true);
  const applied = await applyProject(dir, ctx(env), { allowDestroy: false });
  if (applied.status !== "applied") throw new Error(`apply failed: ${JSON.stringify(applied)}`);
  const again = await planProject(dir, ctx(env));
  if (again.status !== "planned") throw new Error(`re-plan failed: ${JSON.stringify(again)}`);
  expect(planHasChanges(again.plan)).toBe(false);
  return loaded.definitions.desired.objects.map((o) => `${o.kind}:${o.name}`).sort();
}

function pgEnv(prefix: string, url: string): Record<string, string> {
  const u = new URL(url);
  return {
    [`${prefix}_HOST`]: u.hostname,
    [`${prefix}_PORT`]: u.port || "5432",
    [`${prefix}_DATABASE`]: u.pathname.slice(1),
    [`${prefix}_USER`]: decodeURIComponent(u.username),
    [`${prefix}_PASSWORD`]: decodeURIComponent(u.password),
  };
}

describe("Feast corpus: import, validate, plan, apply, plan again", () => {
  it("credit_scoring (multi-file package, PostgreSQLSource, keys typed in the schema) on a real Postgres online store", async () => {
    const out = join(await tempDir("fsops-feast-"), "credit_scoring");
    const result = await importInto(join(CORPUS, "credit_scoring"), out);
    expect(result.todos).toEqual([]);
    expect(result.files.map((f) => f.path)).toEqual([
      "fsops.yaml",
      "features/entities.ts",
      "features/services.ts",
      "features/sources.ts",
      "features/views.ts",
    ]);
    const env = pgEnv("CREDIT_PG", await freshDatabase());
    expect(await roundTrip(out, env)).toEqual([
      "data_source:credit_history_source",
      "data_source:zipcode_source",
      "entity:dob_ssn",
      "entity:zipcode",
      "feature_service:credit_model_v1",
      "feature_service:credit_model_v2",
      "feature_view:credit_history",
      "feature_view:zipcode_features",
    ]);
  });

  it("fraud_streaming (Kafka, Kinesis, push, stream views with aggregations) on a real Redis online store", async () => {
    const out = join(await tempDir("fsops-feast-"), "fraud_streaming");
    const result = await importInto(join(CORPUS, "fraud_streaming/feature_repo"), out);
    expect(result.todos).toEqual([]);
    const redis = new URL(await freshRedisDb());
    const env = { FRAUD_REDIS_HOST_PORT: redis.host, FRAUD_REDIS_DB: redis.pathname.slice(1) };
    expect(await roundTrip(out, env)).toEqual([
      "data_source:card_push",
      "data_source:merchant_events",
      "data_source:merchant_events_batch",
      "data_source:transactions_batch",
      "data_source:transactions_stream",
      "entity:card",
      "entity:merchant",
      "feature_service:fraud_model",
      "feature_view:card_latest",
      "stream_feature_view:card_spend",
      "stream_feature_view:merchant_activity",
    ]);
  });

  it("marketing_warehouse (BigQuery, Snowflake, Redshift, Spark, Trino, extended dtypes, entity-less view) with a Postgres registry", async () => {
    const out = join(await tempDir("fsops-feast-"), "marketing_warehouse");
    const result = await importInto(join(CORPUS, "marketing_warehouse"), out);
    expect(result.todos).toEqual([]);
    expect(result.project).toBe("marketing_warehouse");
    // .feastignore keeps scratch/ out, as `feast apply` would.
    expect(result.files.map((f) => f.path)).toEqual(["fsops.yaml", "common.ts", "definitions.ts"]);
    const env = pgEnv("MKT_REGISTRY", await freshDatabase());
    const objects = await roundTrip(out, {
      ...env,
      MKT_REGISTRY_HOST: `${env.MKT_REGISTRY_HOST}:${env.MKT_REGISTRY_PORT}`,
      MKT_REGISTRY_DB: env.MKT_REGISTRY_DATABASE as string,
    });
    expect(objects).toEqual(
      expect.arrayContaining([
        "data_source:campaign_stats_source",
        "data_source:clickstream_source",
        "data_source:customer_profile_source",
        "data_source:orders_source",
        "data_source:segments_source",
        "data_source:web_sessions_source",
        "entity:campaign",
        "entity:customer",
        "feature_service:marketing_v1",
        "feature_view:campaign_stats",
        "feature_view:clickstream",
        "feature_view:customer_profile",
        "feature_view:global_segments",
        "feature_view:orders_daily",
        "feature_view:web_sessions",
      ]),
    );
  });

  it("ride_sharing (helper functions, Path(__file__) and os.path paths, `import feast as fst`) on the embedded store", async () => {
    const out = join(await tempDir("fsops-feast-"), "ride_sharing");
    const result = await importInto(join(CORPUS, "ride_sharing/repo"), out);
    expect(result.todos).toEqual([]);
    const sources = await readFile(join(out, "sources.ts"), "utf8");
    // The paths still name the repository's files, from wherever the project is.
    const repoFromOut = relative(out, join(CORPUS, "ride_sharing/repo")).split(sep).join("/");
    expect(sources).toContain(`export const DATA_DIR = "${repoFromOut}/data";`);
    expect(sources).toContain('export function parquet_source(group, timestamp_field = "event_timestamp") {');
    expect(await roundTrip(out, {})).toEqual([
      "data_source:ratings_source",
      "data_source:trips_source",
      "data_source:zones_source",
      "entity:rider",
      "entity:zone",
      "feature_service:rider_service",
      "feature_view:rider_ratings",
      "feature_view:rider_trips",
      "feature_view:zone_info",
    ]);
  });

  it("driver_ranking (feast init's template idioms): validate fails at each UDF TODO until a person writes it, then round-trips on the embedded store", async () => {
    const out = join(await tempDir("fsops-feast-"), "driver_ranking");
    const result = await importInto(join(CORPUS, "driver_ranking"), out);
    expect(result.todos.map((t) => `${t.file}:${t.line}`)).toEqual([
      "definitions.py:58",
      "definitions.py:95",
    ]);

    const invalid = await loadProject(out, { env: {} });
    expect(invalid.status).toBe("invalid");
    const text = await readFile(join(out, "definitions.ts"), "utf8");
    const todoLines = text
      .split("\n")
      .map((l, i) => (l.includes(`"${TODO_TAG}`) ? i + 1 : 0))
      .filter(Boolean);
    expect(todoLines).toHaveLength(2);
    const errors = diagnosticsOf(invalid).filter((d) => d.severity === "error");
    expect(errors.map((d) => `${d.file}:${d.line}`).sort()).toEqual(
      todoLines.map((l) => `definitions.ts:${l}`).sort(),
    );
    for (const e of errors) expect(e.message).toContain(TODO_TAG);

    // What a person does: write the transformations in TypeScript.
    const finished = text
      .replace(
        /transform: "TODO\(fsops import\): rewrite the Python function adjusted_rates\(\) above in TypeScript",/,
        "transform: (inputs) => ({ conv_plus_bonus: inputs.conv_rate, conv_minus_penalty: inputs.conv_rate }),",
      )
      .replace(
        /transform: "TODO\(fsops import\): rewrite the Python function conv_times_acc\(\) above in TypeScript",/,
        "transform: (row) => ({ conv_times_acc: row.conv_rate }),",
      );
    await writeFile(join(out, "definitions.ts"), finished);
    const objects = await roundTrip(out, {});
    expect(objects).toEqual(
      expect.arrayContaining([
        "entity:driver",
        "feature_view:hourly_stats",
        "feature_view:hourly_stats_fresh",
        "on_demand_feature_view:adjusted_rates",
        "on_demand_feature_view:conv_times_acc",
        "feature_service:ranking_v1",
        "feature_service:ranking_v2",
      ]),
    );
  });

  it("legacy_dynamic (Feast 0.1x API, Permission, helpers, loops, unsupported stores) fails validation at every TODO", async () => {
    const out = join(await tempDir("fsops-feast-"), "legacy_dynamic");
    const result = await importInto(join(CORPUS, "legacy_dynamic"), out);
    const todoFiles = new Set(result.todos.map((t) => t.file));
    expect(todoFiles).toEqual(new Set(["class_forms.py", "feature_store.yaml", "legacy.py"]));
    // fsops.yaml's TODOs: the config is rejected, so nothing is planned against a wrong registry.
    const loaded = await loadProject(out, { env: {} });
    expect(loaded.status).toBe("invalid");
    expect(
      diagnosticsOf(loaded)
        .filter((d) => d.file === "fsops.yaml")
        .map((d) => d.line),
    ).toEqual([4, 7]);

    // The definitions alone (with a usable fsops.yaml) fail at every TODO'd statement.
    await writeFile(join(out, "fsops.yaml"), "project: legacy_dynamic\n");
    const defs = await loadProject(out, { env: {} });
    expect(defs.status).toBe("invalid");
    let checked = 0;
    for (const file of ["legacy.ts", "class_forms.ts"]) {
      const lines = (await readFile(join(out, file), "utf8")).split("\n");
      // A TODO block: its comment lines, then the statement, up to the blank line after it.
      const blocks: [number, number][] = [];
      lines.forEach((l, i) => {
        if (l.startsWith(`// ${TODO_TAG}`) && !lines[i - 1]?.startsWith(`// ${TODO_TAG}`))
          blocks.push([i + 1, lines.length]);
        const open = blocks[blocks.length - 1];
        if (l === "" && open && open[1] === lines.length) open[1] = i + 1;
      });
      const errorLines = diagnosticsOf(defs)
        .filter((d) => d.severity === "error" && d.file === file)
        .map((d) => d.line);
      for (const [from, to] of blocks) {
        expect(
          errorLines.some((l) => l >= from && l <= to),
          `no error for the TODO at ${file}:${from}\n${lines.slice(from - 1, to).join("\n")}`,
        ).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(6); // with_name, Permission, os.environ, the for loop; s3_endpoint_override, udf
  });
});
