/**
 * feature_store.yaml → fsops.yaml: every written file is read back by fsops's own config parser
 * (the one validate/plan use), so "converted" means "fsops accepts it", and a TODO means "fsops
 * rejects it".
 */
import { describe, expect, it } from "vitest";
import { convertFeatureStoreYaml, redisUrl } from "../../../src/importers/feast/convert-config.js";
import { parseProjectConfig } from "../../../src/config/parse.js";

function accepted(text: string, env: Record<string, string> = {}) {
  return parseProjectConfig(text, { dir: "/project", file: "fsops.yaml", env });
}

describe("feature_store.yaml → fsops.yaml", () => {
  it("feast init's local setup: file registry and SQLite become fsops's file registry and embedded store", () => {
    const r = convertFeatureStoreYaml(
      "project: my_project\nregistry: data/registry.db\nprovider: local\nonline_store:\n    type: sqlite\n    path: data/online_store.db\nentity_key_serialization_version: 3\nauth:\n    type: no_auth\n",
    );
    expect(r.text).toBe(
      "# Converted from feature_store.yaml by `fsops import feast`.\nproject: my_project\nregistry: data/registry.json\nonline_store:\n  type: embedded\n",
    );
    expect(r.todos).toEqual([]);
    expect(r.notes.map((n) => `${n.line}: ${n.message}`)).toEqual([
      "2: Feast's registry data/registry.db is not read (it is Feast's protobuf); fsops keeps its own at data/registry.json, filled by fsops apply",
      '3: "provider" is not used: fsops has no providers; stores are configured directly',
      "4: Feast's SQLite online store → fsops's embedded Postgres (PGlite) under .fsops/online",
      '7: "entity_key_serialization_version" is not used: fsops stores join keys as typed columns',
      '8: "auth" is not used: fsops has no feature-server authentication settings',
    ]);
    const cfg = accepted(r.text ?? "");
    expect(cfg.diagnostics).toEqual([]);
    expect(cfg.config).toMatchObject({ project: "my_project", onlineStore: { type: "embedded" } });
  });

  it("Postgres stores built from host/port/… keep Feast's ${VAR} references for fsops to interpolate", () => {
    const r = convertFeatureStoreYaml(
      [
        "project: pg",
        "registry:",
        "  registry_type: sql",
        "  path: postgresql+psycopg://${REG_USER}:${REG_PW}@db:5432/registry",
        "  cache_ttl_seconds: 60",
        "online_store:",
        "  type: postgres",
        "  host: ${PG_HOST}",
        "  port: 5432",
        "  database: features",
        "  db_schema: online",
        "  user: ${PG_USER}",
        "  password: ${PG_PASSWORD}",
        "  sslmode: require",
        "offline_store:",
        "  type: postgres",
        "  host: warehouse",
        "  database: dwh",
        "  user: reader",
        "  password: ${DWH_PASSWORD}",
      ].join("\n"),
    );
    expect(r.todos).toEqual([]);
    expect(r.text).toContain("registry: postgresql://${REG_USER}:${REG_PW}@db:5432/registry\n");
    expect(r.text).toContain(
      "online_store:\n  type: postgres\n  connection_string: postgresql://${PG_USER}:${PG_PASSWORD}@${PG_HOST}:5432/features?sslmode=require\n  schema: online\n",
    );
    expect(r.text).toContain(
      "offline_store:\n  type: postgres\n  connection_string: postgresql://reader:${DWH_PASSWORD}@warehouse/dwh\n",
    );
    expect(r.notes.map((n) => n.message)).toContain(
      'registry: "cache_ttl_seconds" not used: fsops has no such setting',
    );
    const env = {
      REG_USER: "u",
      REG_PW: "p",
      PG_HOST: "h",
      PG_USER: "u",
      PG_PASSWORD: "s3cret",
      DWH_PASSWORD: "x",
    };
    const cfg = accepted(r.text ?? "", env);
    expect(cfg.diagnostics).toEqual([]);
    expect(cfg.config?.onlineStore).toEqual({
      type: "postgres",
      connectionString: "postgresql://u:s3cret@h:5432/features?sslmode=require",
      schema: "online",
    });
  });

  it.each([
    ["localhost:6379", false, "redis://localhost:6379"],
    [
      "redis.internal:6380,password=${REDIS_PW},ssl=true,db=2",
      false,
      "rediss://:${REDIS_PW}@redis.internal:6380/2",
    ],
    ["a:7000,b:7001,password=p@ss", true, "redis+cluster://:p%40ss@a:7000,b:7001"],
    ["redis://already:6379/0", false, "redis://already:6379/0"],
  ])("Redis %s (cluster %s) → %s", (cs, cluster, url) => {
    expect(redisUrl(cs, cluster)).toBe(url);
  });

  it("an S3 registry keeps its bucket; fsops keeps JSON there", () => {
    const r = convertFeatureStoreYaml(
      "project: p\nregistry: s3://bucket/feast/registry.pb\nonline_store: null\n",
    );
    expect(r.text).toBe(
      "# Converted from feature_store.yaml by `fsops import feast`.\nproject: p\nregistry: s3://bucket/feast/registry.json\n",
    );
    expect(accepted(r.text ?? "").diagnostics).toEqual([]);
  });

  it("a project name fsops cannot take is lowercased, with a note", () => {
    const r = convertFeatureStoreYaml("project: Driver-Stats\n");
    expect(r.project).toBe("driver_stats");
    expect(r.notes[0]?.message).toBe(
      'project "Driver-Stats" is "driver_stats" in fsops (lowercase letters, digits and _)',
    );
  });

  it("what fsops has no equivalent for stays as written under a TODO, and fsops rejects it", () => {
    const r = convertFeatureStoreYaml(
      "project: p\nregistry: gs://bucket/registry.pb\nonline_store:\n  type: dynamodb\n  region: us-west-2\n",
    );
    expect(r.todos.map((t) => `${t.file}:${t.line} ${t.message}`)).toEqual([
      "feature_store.yaml:2 fsops has no registry at gs://; use a file, s3://… or postgresql://… registry",
      'feature_store.yaml:3 fsops has no "dynamodb" online store; use postgres, redis or embedded',
    ]);
    expect(r.text).toContain("# TODO(fsops import): fsops has no registry at gs://");
    const cfg = accepted(r.text ?? "");
    expect(cfg.config).toBeNull();
    expect(cfg.diagnostics.map((d) => d.message)).toEqual([
      'registry: unsupported scheme "gs://"',
      'online_store.type: "dynamodb" is not one of postgres, redis, embedded',
    ]);
  });

  it("warehouse offline stores are noted: fsops registers their sources but cannot read them", () => {
    const r = convertFeatureStoreYaml(
      "project: p\noffline_store:\n  type: snowflake.offline\n  account: acme\n",
    );
    expect(r.text).not.toContain("offline_store");
    expect(r.notes.map((n) => n.message)).toContain(
      'offline_store "snowflake.offline" is not used: fsops registers these sources but cannot read them (materialize and training data say so)',
    );
  });

  it("a file without a project is not a Feast repository", () => {
    expect(convertFeatureStoreYaml("registry: x\n").error).toBe('feature_store.yaml has no "project"');
    expect(convertFeatureStoreYaml("project: [\n").error).toMatch(/^feature_store.yaml is not valid YAML/);
  });
});
