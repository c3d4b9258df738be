import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/model/index.js";
import { parseProjectConfig } from "../../src/config/index.js";
import type { Env } from "../../src/config/index.js";

const DIR = path.resolve("/srv/features/staging");

function parse(text: string, env: Env = {}) {
  return parseProjectConfig(text, { dir: DIR, file: "fsops.yaml", env });
}

function errorsOf(text: string, env: Env = {}): Diagnostic[] {
  const r = parse(text, env);
  expect(r.config).toBeNull();
  return r.diagnostics.filter((d) => d.severity === "error");
}

function format(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column} - ${d.severity} ${d.code}: ${d.message}${d.hint ? ` hint: ${d.hint}` : ""}`;
}

describe("parseProjectConfig: defaults", () => {
  it("fills every default from a file naming only the project", () => {
    const r = parse("project: driver_ranking_staging\n");
    expect(r.diagnostics).toEqual([]);
    expect(r.config).toEqual({
      dir: DIR,
      configFile: path.join(DIR, "fsops.yaml"),
      project: "driver_ranking_staging",
      registry: { type: "file", path: path.join(DIR, "data/registry.json"), display: "data/registry.json" },
      onlineStore: null,
      offlineStore: null,
      protect: false,
      secrets: [],
    });
  });

  it("reads protect", () => {
    expect(parse("project: p\nprotect: true\n").config?.protect).toBe(true);
  });

  it("treats an empty online_store / offline_store key as absent", () => {
    const r = parse("project: p\nonline_store:\noffline_store: null\n");
    expect(r.config).toMatchObject({ onlineStore: null, offlineStore: null });
  });
});

describe("parseProjectConfig: unknown keys", () => {
  it("suggests the nearest key, located at the key", () => {
    const [d, ...rest] = errorsOf("project: p\n\nregisty: data/registry.json\n");
    expect(rest).toEqual([]);
    expect(format(d!)).toBe(
      'fsops.yaml:3:1 - error FS301: unknown key "registy" hint: did you mean "registry"?',
    );
    expect(d!.length).toBe("registy".length);
  });

  it("suggests within nested sections, and names the section", () => {
    const [d] = errorsOf(
      "project: p\nonline_store:\n  type: postgres\n  conection_string: postgresql://h/db\n",
    );
    expect(d).toMatchObject({ code: "FS301", line: 4, column: 3, hint: 'did you mean "connection_string"?' });
    expect(d!.message).toBe('unknown key "conection_string" in online_store');
  });

  it("says when a key belongs to another registry type", () => {
    const [d] = errorsOf("project: p\nregistry:\n  type: s3\n  path: s3://b/k.json\n  schema: fsops\n");
    expect(d).toMatchObject({ code: "FS301", line: 5, column: 3 });
    expect(d!.hint).toBe('"schema" applies to postgres registries, not s3');
  });

  it("lists the valid keys when nothing is close", () => {
    const [d] = errorsOf("project: p\nzzzzzzzzzz: 1\n");
    expect(d!.hint).toBe("valid keys: project, registry, online_store, offline_store, protect");
  });

  it("reports every mistake at once, sorted by position", () => {
    const ds = errorsOf("projct: p\nregistry:\n  type: s3\n  path: s3://b/k\n  regon: x\nprotect: maybe\n");
    expect(ds.map((d) => [d.code, d.line])).toEqual([
      ["FS301", 1],
      ["FS302", 1],
      ["FS301", 5],
      ["FS303", 6],
    ]);
  });
});

describe("parseProjectConfig: project", () => {
  it("requires the project key", () => {
    const [d] = errorsOf("registry: data/r.json\n");
    expect(format(d!)).toBe('fsops.yaml:1:1 - error FS302: missing required key "project"');
  });

  it("rejects a name that cannot be a SQL identifier prefix, quoting it", () => {
    const [d] = errorsOf("project: Driver-Ranking\n");
    expect(d).toMatchObject({ code: "FS303", line: 1, column: 10 });
    expect(d!.message).toContain('"Driver-Ranking"');
  });

  it("limits the length to 63", () => {
    expect(parse(`project: ${"a".repeat(63)}\n`).config).not.toBeNull();
    expect(errorsOf(`project: ${"a".repeat(64)}\n`)[0]!.message).toMatch(/at most 63/);
  });

  it("rejects a non-mapping document", () => {
    expect(errorsOf("- project\n")[0]).toMatchObject({ code: "FS303", line: 1, column: 1 });
    expect(errorsOf("")[0]).toMatchObject({ code: "FS302" });
  });
});

describe("parseProjectConfig: registry", () => {
  it("resolves a relative path against the project folder and keeps it for display", () => {
    expect(parse("project: p\nregistry: ../shared/registry.json\n").config?.registry).toEqual({
      type: "file",
      path: path.resolve(DIR, "../shared/registry.json"),
      display: "../shared/registry.json",
    });
  });

  it("reads s3://bucket/key", () => {
    expect(parse("project: p\nregistry: s3://features/prod/registry.json\n").config?.registry).toEqual({
      type: "s3",
      bucket: "features",
      key: "prod/registry.json",
      endpoint: null,
      region: null,
      forcePathStyle: false,
    });
  });

  it.each(["postgresql://fsops@db:5432/fsops", "postgres://fsops@db/fsops"])("reads %s", (url) => {
    expect(parse(`project: p\nregistry: ${url}\n`).config?.registry).toEqual({
      type: "postgres",
      connectionString: url,
      schema: "public",
    });
  });

  it("reads the object forms", () => {
    const s3 = parse(
      "project: p\nregistry:\n  type: s3\n  path: s3://b/r.json\n  endpoint: http://127.0.0.1:7480\n  region: us-east-1\n  force_path_style: true\n",
    );
    expect(s3.config?.registry).toEqual({
      type: "s3",
      bucket: "b",
      key: "r.json",
      endpoint: "http://127.0.0.1:7480",
      region: "us-east-1",
      forcePathStyle: true,
    });
    const pg = parse(
      "project: p\nregistry:\n  type: postgres\n  connection_string: postgresql://h/db\n  schema: 'we\"ird'\n",
    );
    expect(pg.config?.registry).toEqual({
      type: "postgres",
      connectionString: "postgresql://h/db",
      schema: 'we"ird',
    });
    const file = parse("project: p\nregistry: { type: file, path: state/registry.json }\n");
    expect(file.config?.registry).toMatchObject({ type: "file", display: "state/registry.json" });
  });

  it("infers the type of the object form when absent", () => {
    expect(parse("project: p\nregistry: { path: s3://b/k }\n").config?.registry.type).toBe("s3");
    expect(
      parse("project: p\nregistry: { connection_string: postgresql://h/db }\n").config?.registry.type,
    ).toBe("postgres");
    expect(parse("project: p\nregistry: { path: r.json }\n").config?.registry.type).toBe("file");
  });

  it("rejects unsupported schemes, incomplete S3 URLs and a wrong type, at the value", () => {
    expect(errorsOf("project: p\nregistry: gs://b/k\n")[0]).toMatchObject({
      code: "FS303",
      line: 2,
      column: 11,
    });
    expect(errorsOf("project: p\nregistry: s3://bucket-only\n")[0]!.message).toMatch(/s3:\/\/bucket\/key/);
    const [d] = errorsOf("project: p\nregistry:\n  type: sqlite\n  path: x\n");
    expect(d).toMatchObject({ code: "FS303", line: 3, column: 9 });
    expect(d!.message).toBe('registry.type: "sqlite" is not one of file, s3, postgres');
    expect(errorsOf("project: p\nregistry:\n  type: postgres\n")[0]).toMatchObject({
      code: "FS302",
      message: 'missing required key "connection_string" in registry',
      line: 2,
    });
  });
});

describe("parseProjectConfig: online and offline stores", () => {
  it("reads a Postgres online store with the default schema", () => {
    expect(
      parse("project: p\nonline_store:\n  type: postgres\n  connection_string: postgresql://h/db\n").config
        ?.onlineStore,
    ).toEqual({ type: "postgres", connectionString: "postgresql://h/db", schema: "public" });
  });

  it("falls back to the embedded store when the connection string is absent or empty", () => {
    const embedded = { type: "embedded", path: path.join(DIR, ".fsops/online") };
    expect(parse("project: p\nonline_store:\n  type: postgres\n").config?.onlineStore).toEqual(embedded);
    expect(
      parse("project: p\nonline_store: { type: postgres, connection_string: ${FSOPS_ONLINE_PG:-} }\n").config
        ?.onlineStore,
    ).toEqual(embedded);
    expect(parse("project: p\nonline_store: { type: embedded }\n").config?.onlineStore).toEqual(embedded);
    expect(
      parse("project: p\nonline_store: { type: embedded, path: cache/pg }\n").config?.onlineStore,
    ).toEqual({
      type: "embedded",
      path: path.join(DIR, "cache/pg"),
    });
  });

  it("reads Redis and requires its connection string", () => {
    expect(
      parse("project: p\nonline_store: { type: redis, connection_string: redis://cache:6379 }\n").config
        ?.onlineStore,
    ).toEqual({ type: "redis", connectionString: "redis://cache:6379" });
    expect(errorsOf("project: p\nonline_store: { type: redis, connection_string: '' }\n")[0]).toMatchObject({
      code: "FS303",
      line: 2,
    });
  });

  it("suggests the store type and requires one", () => {
    const [d] = errorsOf("project: p\nonline_store:\n  type: postgress\n");
    expect(format(d!)).toBe(
      'fsops.yaml:3:9 - error FS303: online_store.type: "postgress" is not one of postgres, redis, embedded hint: did you mean "postgres"?',
    );
    expect(errorsOf("project: p\nonline_store:\n  connection_string: redis://h\n")[0]).toMatchObject({
      code: "FS302",
      line: 2,
      column: 1,
    });
    expect(errorsOf("project: p\nonline_store: redis://h\n")[0]).toMatchObject({
      code: "FS303",
      line: 2,
      column: 15,
    });
  });

  it("reads the offline store; an empty connection string means none", () => {
    expect(
      parse("project: p\noffline_store:\n  type: postgres\n  connection_string: postgresql://h/dwh\n").config
        ?.offlineStore,
    ).toEqual({ type: "postgres", connectionString: "postgresql://h/dwh", s3: null });
    expect(
      parse('project: p\noffline_store:\n  type: postgres\n  connection_string: "${FSOPS_OFFLINE_PG:-}"\n')
        .config?.offlineStore,
    ).toBeNull();
  });

  it("reads a file offline store with S3 settings for s3:// FileSources", () => {
    expect(
      parse(
        "project: p\noffline_store:\n  type: file\n  s3:\n    endpoint: http://127.0.0.1:9000\n    region: us-east-1\n    force_path_style: true\n",
      ).config?.offlineStore,
    ).toEqual({
      type: "file",
      s3: { endpoint: "http://127.0.0.1:9000", region: "us-east-1", forcePathStyle: true },
    });
    expect(errorsOf("project: p\noffline_store:\n  type: file\n  s3:\n    bucket: x\n")[0]?.line).toBe(5);
  });

  it("rejects a quoted boolean", () => {
    const [d] = errorsOf('project: p\nprotect: "true"\n');
    expect(d).toMatchObject({
      code: "FS303",
      line: 2,
      column: 10,
      message: "protect: expected true or false, got a string",
    });
  });
});

describe("parseProjectConfig: interpolation and secrets", () => {
  const text = [
    "project: driver_ranking_staging",
    "registry: ${FSOPS_STAGING_REGISTRY:-data/registry.json}",
    "online_store: { type: postgres, connection_string: ${FSOPS_ONLINE_PG:-}, schema: features }",
    "",
  ].join("\n");

  it("uses defaults when nothing is set, and collects no secret", () => {
    const r = parse(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.config).toMatchObject({
      registry: { type: "file", display: "data/registry.json" },
      onlineStore: { type: "embedded" },
      secrets: [],
    });
  });

  it("uses the variables when set and collects their values (and passwords) as secrets", () => {
    const r = parse(text, {
      FSOPS_STAGING_REGISTRY: "s3://feature-registry/staging.json",
      FSOPS_ONLINE_PG: "postgresql://online:pa%24s@pg:5432/features",
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.config?.registry).toMatchObject({ type: "s3", bucket: "feature-registry", key: "staging.json" });
    expect(r.config?.onlineStore).toEqual({
      type: "postgres",
      connectionString: "postgresql://online:pa%24s@pg:5432/features",
      schema: "features",
    });
    expect(r.config?.secrets).toEqual(
      [
        "pa$s",
        "pa%24s",
        "postgresql://online:pa%24s@pg:5432/features",
        "s3://feature-registry/staging.json",
      ].sort(),
    );
  });

  it("names a missing variable, at its value, without a default", () => {
    const [d, ...rest] = errorsOf(
      "project: p\nonline_store:\n  type: redis\n  connection_string: ${FSOPS_REDIS}\n",
    );
    expect(rest).toEqual([]);
    expect(format(d!)).toBe(
      "fsops.yaml:4:22 - error FS304: environment variable FSOPS_REDIS is not set (used by online_store.connection_string) hint: set FSOPS_REDIS, or give a default: ${FSOPS_REDIS:-default}",
    );
  });

  it("keeps columns true after a reference on the same line", () => {
    const [d] = errorsOf(
      "project: p\nonline_store: { type: redis, connection_string: ${R:-redis://h}, tyep: x }\n",
    );
    expect(d).toMatchObject({ code: "FS301", line: 2, column: 66, hint: 'did you mean "type"?' });
  });

  it("treats $${ as a literal", () => {
    const r = parse("project: p\nregistry: data/$${x}.json\n");
    expect(r.config?.registry).toMatchObject({ display: "data/${x}.json" });
  });

  it("reports a malformed reference", () => {
    expect(errorsOf("project: p\nregistry: ${BAD-NAME}\n")[0]).toMatchObject({
      code: "FS305",
      line: 2,
      column: 11,
    });
  });

  it("never puts a secret in a diagnostic", () => {
    const env = {
      SECRET_PROJECT: "Top-Secret-Project",
      SECRET_REGISTRY: "gs://top-secret-bucket/registry.json",
      SECRET_TYPE: "top-secret-type",
      SECRET_REDIS: "",
      SECRET_SCHEMA: "x".repeat(70),
      SECRET_PW: "hunter2-top-secret",
    };
    const r = parse(
      [
        "project: ${SECRET_PROJECT}",
        "registry: ${SECRET_REGISTRY}",
        "online_store:",
        "  type: ${SECRET_TYPE}",
        "offline_store:",
        "  type: postgres",
        "  connection_string: postgresql://u:${SECRET_PW}@h/db",
        "  ${SECRET_PW}: 1",
        "",
      ].join("\n"),
      env,
    );
    expect(r.config).toBeNull();
    expect(r.diagnostics.length).toBeGreaterThanOrEqual(4);
    const printed = r.diagnostics.map(format).join("\n");
    for (const value of Object.values(env).filter(Boolean)) expect(printed).not.toContain(value);
    expect(printed).not.toContain("hunter2");
  });

  it("warns about a password written in the file, without printing it", () => {
    const r = parse(
      "project: p\nonline_store:\n  type: postgres\n  connection_string: postgresql://u:literalpw@h/db\n",
    );
    expect(r.config?.secrets).toEqual(["literalpw"]);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]).toMatchObject({ severity: "warning", code: "FS307", line: 4, column: 22 });
    expect(format(r.diagnostics[0]!)).not.toContain("literalpw");
    const fromEnv = parse(
      "project: p\nonline_store:\n  type: postgres\n  connection_string: postgresql://u:${PW}@h/db\n",
      { PW: "envpw" },
    );
    expect(fromEnv.diagnostics).toEqual([]);
    expect(fromEnv.config?.secrets).toEqual(["envpw"]);
  });
});

describe("parseProjectConfig: YAML errors", () => {
  it("reports syntax errors with their location", () => {
    const [d] = errorsOf("project: p\nregistry: [unclosed\n");
    expect(d).toMatchObject({ code: "FS300", file: "fsops.yaml" });
    expect(d!.line).toBeGreaterThanOrEqual(2);
  });

  it("rejects duplicate keys", () => {
    const [d] = errorsOf("project: a\nproject: b\n");
    expect(d).toMatchObject({ code: "FS300", line: 2, column: 1 });
  });
});
