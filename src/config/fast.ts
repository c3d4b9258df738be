/**
 * Zod-free checks of the sections of fsops.yaml, for the common case of a valid file: each
 * returns exactly what its zod schema (parse.ts) returns, or null to let the schema decide and
 * word the diagnostics. Why: building and running the zod schemas costs a fresh `fsops validate`
 * more than the rest of reading the config; a test checks both agree on valid and invalid input.
 */

const FAIL: unique symbol = Symbol("fail");
type Check = (v: unknown) => unknown;

export interface FastObject {
  /** In the schema's key order, which is also the order of the output's keys. */
  readonly checks: Readonly<Record<string, Check>>;
  readonly required: readonly string[];
}

const str: Check = (v) => (typeof v === "string" ? v : FAIL);
const nonEmpty: Check = (v) => (typeof v === "string" && v.length >= 1 ? v : FAIL);
const bool: Check = (v) => (typeof v === "boolean" ? v : FAIL);
const any: Check = (v) => v;
const nullable =
  (check: Check): Check =>
  (v) =>
    v === null ? null : check(v);
const literal =
  (value: string): Check =>
  (v) =>
    v === value ? v : FAIL;
const pgSchemaName: Check = (v) =>
  typeof v === "string" && v.length >= 1 && v.length <= 63 && !v.includes("\0") ? v : FAIL;

/** A plain object (not a list): what a YAML mapping becomes. */
function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function object(required: readonly string[], checks: Record<string, Check>): FastObject {
  return { checks, required };
}

/** Strict, like `z.strictObject`: an unknown key, or any `undefined`, is left to the schema. */
export function fastObject(shape: FastObject, value: unknown): Record<string, unknown> | null {
  if (!isRecord(value)) return null;
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(shape.checks, key) || value[key] === undefined) return null;
  }
  for (const key of shape.required) if (!Object.hasOwn(value, key)) return null;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(shape.checks)) {
    if (!Object.hasOwn(value, key)) continue;
    const x = shape.checks[key]!(value[key]);
    if (x === FAIL) return null;
    out[key] = x;
  }
  return out;
}

function nested(shape: FastObject): Check {
  return (v) => fastObject(shape, v) ?? FAIL;
}

export function fastTopLevel(pattern: RegExp, maxLength: number): FastObject {
  return object(["project"], {
    project: (v) =>
      typeof v === "string" &&
      v.length >= 1 &&
      v.length <= maxLength &&
      pattern.test(v) &&
      !v.includes("__") &&
      !v.endsWith("_")
        ? v
        : FAIL,
    registry: any,
    online_store: any,
    offline_store: any,
    protect: bool,
  });
}

export function fastRegistry(s3Url: RegExp): Record<"file" | "s3" | "postgres", FastObject> {
  return {
    file: object(["path"], { type: literal("file"), path: nonEmpty }),
    s3: object(["path"], {
      type: literal("s3"),
      path: (v) => (typeof v === "string" && s3Url.test(v) ? v : FAIL),
      endpoint: nullable(nonEmpty),
      region: nullable(nonEmpty),
      force_path_style: bool,
    }),
    postgres: object(["connection_string"], {
      type: literal("postgres"),
      connection_string: nonEmpty,
      schema: pgSchemaName,
    }),
  };
}

export const FAST_ONLINE: Record<"postgres" | "redis" | "embedded", FastObject> = {
  postgres: object(["type"], {
    type: literal("postgres"),
    connection_string: nullable(str),
    schema: pgSchemaName,
  }),
  redis: object(["type", "connection_string"], { type: literal("redis"), connection_string: nonEmpty }),
  embedded: object(["type"], { type: literal("embedded"), path: nonEmpty }),
};

const offlineS3 = nullable(
  nested(object([], { endpoint: nullable(nonEmpty), region: nullable(nonEmpty), force_path_style: bool })),
);

export const FAST_OFFLINE: Record<"postgres" | "file", FastObject> = {
  postgres: object(["type"], { type: literal("postgres"), connection_string: nullable(str), s3: offlineS3 }),
  file: object(["type"], { type: literal("file"), s3: offlineS3 }),
};
