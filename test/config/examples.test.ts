import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectConfig, maskConnectionString, redactSecrets } from "../../src/config/index.js";
import { discoverSourceFiles } from "../../src/parse/discover.js";
import { parseProject } from "../../src/parse/index.js";
import { buildDesiredState } from "../../src/validate/index.js";

const examples = path.resolve(import.meta.dirname, "../../examples");
const ENVIRONMENTS = [
  { name: "staging", project: "driver_ranking_staging", protect: false },
  { name: "production", project: "driver_ranking_production", protect: true },
] as const;

describe.each(ENVIRONMENTS)("examples/$name/fsops.yaml", ({ name, project, protect }) => {
  const dir = path.join(examples, name);
  const upper = name.toUpperCase();

  it("works with nothing set: local registry file, embedded online store, no offline store", async () => {
    const r = await loadProjectConfig(dir, {});
    expect(r.diagnostics).toEqual([]);
    expect(r.config).toEqual({
      dir,
      configFile: path.join(dir, "fsops.yaml"),
      project,
      registry: { type: "file", path: path.join(dir, "data/registry.json"), display: "data/registry.json" },
      onlineStore: { type: "embedded", path: path.join(dir, ".fsops/online") },
      offlineStore: null,
      protect,
      secrets: [],
    });
  });

  it("points at Postgres and S3 when the variables are set, and treats them as secrets", async () => {
    const env = {
      [`FSOPS_${upper}_REGISTRY`]: `s3://feature-registry/${name}/registry.json`,
      [`FSOPS_${upper}_ONLINE_PG`]: `postgresql://online:online-${name}-pw@pg.internal:5432/features`,
      FSOPS_OFFLINE_PG: "postgresql://reader:warehouse-pw@dwh.internal/analytics",
    };
    const r = await loadProjectConfig(dir, env);
    expect(r.diagnostics).toEqual([]);
    const config = r.config!;
    expect(config.registry).toEqual({
      type: "s3",
      bucket: "feature-registry",
      key: `${name}/registry.json`,
      endpoint: null,
      region: null,
      forcePathStyle: false,
    });
    expect(config.onlineStore).toEqual({
      type: "postgres",
      connectionString: env[`FSOPS_${upper}_ONLINE_PG`],
      schema: "feature_serving",
    });
    expect(config.offlineStore).toEqual({
      type: "postgres",
      connectionString: env.FSOPS_OFFLINE_PG,
      s3: null,
    });
    for (const value of Object.values(env)) expect(config.secrets).toContain(value);
    expect(config.secrets).toContain(`online-${name}-pw`);
    expect(config.secrets).toContain("warehouse-pw");

    // What an output path would print: the masked string, then redacted.
    const shown = redactSecrets(
      `online store ${maskConnectionString(env[`FSOPS_${upper}_ONLINE_PG`]!)}`,
      config.secrets,
    );
    expect(shown).toBe("online store postgresql://online:***@pg.internal:5432/features");
  });

  it("accepts a Postgres registry", async () => {
    const r = await loadProjectConfig(dir, {
      [`FSOPS_${upper}_REGISTRY`]: "postgresql://fsops@pg.internal/registry",
    });
    expect(r.config?.registry).toEqual({
      type: "postgres",
      connectionString: "postgresql://fsops@pg.internal/registry",
      schema: "public",
    });
  });
});

describe("examples: definitions", () => {
  async function desired(name: string) {
    const dir = path.join(examples, name);
    const { config } = await loadProjectConfig(dir, {});
    const files = await discoverSourceFiles(dir);
    const parsed = parseProject(files);
    const { state, diagnostics } = buildDesiredState(config!.project, parsed);
    return { state, diagnostics: [...parsed.diagnostics, ...diagnostics], files: files.map((f) => f.path) };
  }

  it.each(["staging", "production"])("%s validates without a diagnostic", async (name) => {
    const { state, diagnostics, files } = await desired(name);
    expect(diagnostics).toEqual([]);
    expect(files).toContain("lib/fields.ts");
    const kinds = new Set(state.objects.map((o) => o.kind));
    expect([...kinds].sort()).toEqual(
      [
        "data_source",
        "entity",
        "feature_service",
        "feature_view",
        "on_demand_feature_view",
        "stream_feature_view",
      ].sort(),
    );
  });

  it("production lags staging by exactly one feature view (with its source) and one service version", async () => {
    const staging = await desired("staging");
    const production = await desired("production");
    const ids = (s: typeof staging) => new Set(s.state.objects.map((o) => `${o.kind}:${o.name}`));
    const stagingIds = ids(staging);
    const productionIds = ids(production);
    expect([...productionIds].filter((id) => !stagingIds.has(id))).toEqual([]);
    expect([...stagingIds].filter((id) => !productionIds.has(id)).sort()).toEqual([
      "data_source:driver_customer_affinity_source",
      "feature_service:driver_ranking_v3",
      "feature_view:driver_customer_affinity",
    ]);
    // What both have is defined identically: production is staging minus the new work. One
    // exception: staging's customer profile reads a local Parquet sample of production's lake
    // (so materialize works on a fresh machine); the path is the only difference.
    const samplePath = (id: string, spec: unknown) =>
      id === "data_source:customer_daily_profile_source" ? { ...(spec as object), path: "(sample)" } : spec;
    const specs = (s: typeof staging) =>
      new Map(
        s.state.objects.map((o) => [
          `${o.kind}:${o.name}`,
          JSON.stringify(samplePath(`${o.kind}:${o.name}`, o.spec)),
        ]),
      );
    const stagingSpecs = specs(staging);
    for (const [id, spec] of specs(production)) expect(stagingSpecs.get(id), id).toBe(spec);
  });
});
