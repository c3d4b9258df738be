/**
 * The zod-free checks of fsops.yaml's sections (src/config/fast.ts) must accept only what the zod
 * schema accepts, with the same output (values and key order), and must be taken for the valid
 * sections of both examples: then parseProjectConfig's result is the same with or without them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { FastObject } from "../../src/config/fast.js";
import { FAST_OFFLINE, FAST_ONLINE, fastObject } from "../../src/config/fast.js";
import { configSchemas, FAST_REGISTRY, FAST_TOP_LEVEL } from "../../src/config/parse.js";

interface Schema {
  safeParse(v: unknown): { success: boolean; data?: unknown };
}

const SECTIONS: [string, FastObject, () => Schema][] = [
  ["top level", FAST_TOP_LEVEL, () => configSchemas().TopLevel],
  ...(["file", "s3", "postgres"] as const).map(
    (t) =>
      [`registry ${t}`, FAST_REGISTRY[t], () => configSchemas().RegistrySchemas[t]] as [
        string,
        FastObject,
        () => Schema,
      ],
  ),
  ...(["postgres", "redis", "embedded"] as const).map(
    (t) =>
      [`online ${t}`, FAST_ONLINE[t], () => configSchemas().OnlineSchemas[t]] as [
        string,
        FastObject,
        () => Schema,
      ],
  ),
  ...(["postgres", "file"] as const).map(
    (t) =>
      [`offline ${t}`, FAST_OFFLINE[t], () => configSchemas().OfflineSchemas[t]] as [
        string,
        FastObject,
        () => Schema,
      ],
  ),
];

/** Valid sections: what the examples hold (variables set), and the other types' common forms. */
const VALID: Record<string, Record<string, unknown>[]> = {
  "top level": [
    {
      project: "driver_ranking_staging",
      registry: "data/registry.json",
      online_store: {},
      offline_store: null,
    },
    { project: "p", protect: true },
    { project: "a".repeat(63), registry: null, protect: false },
  ],
  "registry file": [{ path: "data/registry.json" }, { type: "file", path: "r.json" }],
  "registry s3": [
    { path: "s3://bucket/key.json" },
    { type: "s3", path: "S3://b/k", endpoint: "http://localhost:9000", region: null, force_path_style: true },
  ],
  "registry postgres": [
    { connection_string: "postgresql://u@h/db" },
    { type: "postgres", connection_string: "postgres://h/db", schema: "fsops" },
  ],
  "online postgres": [
    { type: "postgres", connection_string: "", schema: "feature_serving" },
    { type: "postgres", connection_string: null },
    { type: "postgres" },
  ],
  "online redis": [{ type: "redis", connection_string: "redis://localhost:6379" }],
  "online embedded": [{ type: "embedded" }, { type: "embedded", path: ".fsops/x" }],
  "offline postgres": [
    { type: "postgres", connection_string: "" },
    { type: "postgres", connection_string: "postgresql://h/db", s3: { endpoint: "http://x", region: "eu" } },
    { type: "postgres", s3: null },
  ],
  "offline file": [{ type: "file" }, { type: "file", s3: { force_path_style: false, endpoint: null } }],
};

const PROBES: unknown[] = [
  undefined,
  null,
  0,
  1,
  true,
  false,
  "",
  "x",
  "file",
  "s3",
  "postgres",
  "redis",
  "embedded",
  "Bad-Name",
  "a__b",
  "a_",
  "a".repeat(64),
  "nul\0",
  "s3://b/k",
  "s3://b/",
  "postgresql://h/db",
  [],
  ["x"],
  {},
  { endpoint: "" },
  { endpoint: "e", extra: 1 },
  { force_path_style: "yes" },
];

function variants(valid: Record<string, unknown>, keys: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const key of new Set([...keys, ...Object.keys(valid), "extra"])) {
    const { [key]: _drop, ...without } = valid;
    out.push(without);
    for (const probe of PROBES) out.push({ ...valid, [key]: probe });
  }
  const proto = { ...valid };
  Object.defineProperty(proto, "__proto__", {
    value: "x",
    enumerable: true,
    writable: true,
    configurable: true,
  });
  out.push(proto);
  return out;
}

function agree(fast: FastObject, schema: Schema, value: unknown): boolean {
  const quick = fastObject(fast, value);
  const slow = schema.safeParse(value);
  if (quick === null) return false;
  expect(slow.success, JSON.stringify(value)).toBe(true);
  expect(quick).toStrictEqual(slow.data);
  expect(Object.keys(quick)).toEqual(Object.keys(slow.data as object));
  return true;
}

describe("fsops.yaml fast checks", () => {
  for (const [name, fast, schema] of SECTIONS) {
    it(`take every valid ${name} section, with the schema's output`, () => {
      for (const value of VALID[name]!)
        expect(agree(fast, schema(), value), JSON.stringify(value)).toBe(true);
    });

    it(`never accept what the ${name} schema rejects, nor differ from its output`, () => {
      let declined = 0;
      for (const base of VALID[name]!) {
        for (const value of variants(base, Object.keys(fast.checks)))
          if (!agree(fast, schema(), value)) declined++;
      }
      expect(declined).toBeGreaterThan(10);
    });
  }

  it("take the sections of both examples", () => {
    for (const example of ["staging", "production"]) {
      const doc = parse(readFileSync(path.join("examples", example, "fsops.yaml"), "utf8")) as Record<
        string,
        unknown
      >;
      expect(fastObject(FAST_TOP_LEVEL, doc), example).not.toBeNull();
      for (const [key, table] of [
        ["online_store", FAST_ONLINE],
        ["offline_store", FAST_OFFLINE],
      ] as const) {
        const section = doc[key] as { type: string } | undefined;
        if (!section) continue;
        const shape = (table as Record<string, FastObject>)[section.type]!;
        // Interpolation leaves a string in place of `${…}`: use one for the check.
        const value = Object.fromEntries(
          Object.entries(section).map(([k, v]) => [k, typeof v === "string" && v.includes("${") ? "x" : v]),
        );
        expect(fastObject(shape, value), `${example} ${key}`).not.toBeNull();
      }
    }
  });
});
