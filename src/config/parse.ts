/**
 * fsops.yaml → ProjectConfig. Pure: a function of the text, the project folder (absolute) and
 * the environment given; no disk, no process.env. Every mistake is a located Diagnostic, and no
 * diagnostic ever contains a value taken from the environment.
 */
import path from "node:path";
import { distance } from "fastest-levenshtein";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node as YamlNode } from "yaml";
import type * as Zod from "zod";
import type { Diagnostic } from "../model/diagnostic.js";
import { compareDiagnostics, hasErrors } from "../model/diagnostic.js";
import { zod } from "../model/zod.js";
import type {
  OfflineStoreConfig,
  OnlineStoreConfig,
  ProjectConfig,
  RegistryConfig,
} from "../model/config.js";
import { CONFIG_CODES } from "./codes.js";
import type { FastObject } from "./fast.js";
import { FAST_OFFLINE, FAST_ONLINE, fastObject, fastRegistry, fastTopLevel } from "./fast.js";
import type { Env } from "./interpolate.js";
import { interpolate } from "./interpolate.js";
import { connectionStringPasswords, literalPasswords, redactSecrets } from "./redact.js";
import { shieldReferences } from "./shield.js";

export interface ConfigParseOptions {
  /** Absolute project folder; relative paths in the file resolve against it. */
  dir: string;
  /** The config file as shown in diagnostics (relative to the project: `fsops.yaml`). */
  file: string;
  env: Env;
}

export interface ConfigResult {
  /** Null when there is any error. */
  config: ProjectConfig | null;
  /** Sorted; secrets already redacted. */
  diagnostics: Diagnostic[];
}

export const DEFAULT_REGISTRY_PATH = "data/registry.json";
/** Where the embedded (PGlite) online store lives, relative to the project folder. */
export const EMBEDDED_ONLINE_STORE_PATH = ".fsops/online";
export const PROJECT_PATTERN = /^[a-z0-9_]+$/;
export const PROJECT_MAX_LENGTH = 63;

type Path = readonly (string | number)[];

/** Values (aliases expanded) a config may produce; a real fsops.yaml has a few dozen. */
export const MAX_EXPANDED_NODES = 10_000;

const pathKey = (p: Path): string => JSON.stringify(p);
const showPath = (p: Path): string =>
  p.reduce<string>(
    (acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg),
    "",
  );

function describeType(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  return typeof value;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  boolean: "true or false",
  object: "a mapping",
  number: "a number",
};

/** The nearest candidate within a distance that still looks like a typo of it. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of [...candidates].sort()) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  const limit = Math.max(2, Math.floor(Math.max(word.length, best.length) / 3));
  return bestDistance <= limit ? best : null;
}

// ---------- zod schemas (one per section and registry/store type) ----------

const REGISTRY_TYPES = ["file", "s3", "postgres"] as const;
type RegistryType = (typeof REGISTRY_TYPES)[number];
const S3_URL = /^s3:\/\/([^/]+)\/(.+)$/i;
const ONLINE_TYPES = ["postgres", "redis", "embedded"] as const;
type OnlineType = (typeof ONLINE_TYPES)[number];
const OFFLINE_TYPES = ["postgres", "file"] as const;

/** Built on first use: a valid fsops.yaml passes the zod-free checks of fast.ts instead. */
function buildSchemas() {
  const z = zod();
  const nonEmpty = (what: string) => z.string().min(1, { error: `must not be empty (${what})` });
  const pgSchemaName = z
    .string()
    .min(1, { error: "must not be empty" })
    .max(63, { error: "must be at most 63 characters (a Postgres identifier)" })
    .refine((s) => !s.includes("\0"), { error: "must not contain a NUL character" });

  const TopLevel = z.strictObject({
    project: z
      .string()
      .min(1, { error: "must not be empty" })
      .max(PROJECT_MAX_LENGTH, { error: `must be at most ${PROJECT_MAX_LENGTH} characters` })
      .regex(PROJECT_PATTERN, { error: "may contain only lowercase letters, digits and _" })
      // Online tables are `<project>__<view>`: with no `__` in the project and no `_` at its end,
      // the first `__` of a table name is the separator, so two projects never share a table name.
      .refine((s) => !PROJECT_PATTERN.test(s) || (!s.includes("__") && !s.endsWith("_")), {
        error:
          "must not contain __ or end with _ (fsops names online tables <project>__<view>, and such a name could collide with another project's)",
      }),
    registry: z.unknown().optional(),
    online_store: z.unknown().optional(),
    offline_store: z.unknown().optional(),
    protect: z.boolean().optional(),
  });

  const RegistrySchemas = {
    file: z.strictObject({
      type: z.literal("file").optional(),
      path: nonEmpty("a file path relative to the project folder"),
    }),
    s3: z.strictObject({
      type: z.literal("s3").optional(),
      path: z.string().regex(S3_URL, { error: "must be s3://bucket/key" }),
      endpoint: nonEmpty("an S3 endpoint URL").nullable().optional(),
      region: nonEmpty("an S3 region").nullable().optional(),
      force_path_style: z.boolean().optional(),
    }),
    postgres: z.strictObject({
      type: z.literal("postgres").optional(),
      connection_string: nonEmpty("postgresql://user@host:5432/db"),
      schema: pgSchemaName.optional(),
    }),
  } satisfies Record<RegistryType, Zod.ZodType>;

  const OnlineSchemas = {
    postgres: z.strictObject({
      type: z.literal("postgres"),
      connection_string: z.string().nullable().optional(),
      schema: pgSchemaName.optional(),
    }),
    redis: z.strictObject({
      type: z.literal("redis"),
      connection_string: nonEmpty("redis://host:6379; Redis has no embedded fallback"),
    }),
    embedded: z.strictObject({
      type: z.literal("embedded"),
      path: nonEmpty("a folder relative to the project").optional(),
    }),
  } satisfies Record<OnlineType, Zod.ZodType>;

  const OfflineS3Schema = z
    .strictObject({
      endpoint: nonEmpty("an S3 endpoint URL").nullable().optional(),
      region: nonEmpty("an S3 region").nullable().optional(),
      force_path_style: z.boolean().optional(),
    })
    .nullable()
    .optional();
  const OfflineSchemas = {
    postgres: z.strictObject({
      type: z.literal("postgres"),
      connection_string: z.string().nullable().optional(),
      s3: OfflineS3Schema,
    }),
    file: z.strictObject({
      type: z.literal("file"),
      s3: OfflineS3Schema,
    }),
  };
  return { TopLevel, RegistrySchemas, OnlineSchemas, OfflineSchemas };
}

type ConfigSchemas = ReturnType<typeof buildSchemas>;
let schemas: ConfigSchemas | undefined;
/** Whether the zod schemas were built yet (a valid fsops.yaml does not need them). */
export const configSchemasBuilt = (): boolean => schemas !== undefined;
/** Exported for the test that holds the fast checks to them (test/config/fast.test.ts). */
export const configSchemas = (): ConfigSchemas => (schemas ??= buildSchemas());

export const FAST_TOP_LEVEL = fastTopLevel(PROJECT_PATTERN, PROJECT_MAX_LENGTH);
export const FAST_REGISTRY = fastRegistry(S3_URL);

/** Keys of every type of a section, for "applies only to …" hints. */
function keysByType(schemas: Record<string, Zod.ZodObject>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [type, schema] of Object.entries(schemas)) {
    for (const key of Object.keys(schema.shape)) out.set(key, [...(out.get(key) ?? []), type]);
  }
  return out;
}

// ---------- reading the YAML tree ----------

interface Located {
  line: number;
  column: number;
  length: number;
}

class ConfigReader {
  readonly diagnostics: Diagnostic[] = [];
  readonly secrets = new Set<string>();
  private readonly valueNodes = new Map<string, YamlNode>();
  private readonly keyNodes = new Map<string, YamlNode>();
  /** Paths whose string value contained `${…}`: their values are never quoted in messages. */
  private readonly interpolated = new Set<string>();
  /** Paths whose interpolation failed: further errors about them would only repeat it. */
  private readonly broken = new Set<string>();
  /** Nodes produced so far (aliases expanded): bounds what an alias bomb can make us build. */
  private produced = 0;
  private exhausted = false;
  /** Anchored nodes being expanded right now: an alias to one of them refers to itself. */
  private readonly expanding = new Set<YamlNode>();
  /** The aliases being expanded, outermost first (an expansion error is reported at the first). */
  private readonly aliases: YamlNode[] = [];

  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    private readonly opts: ConfigParseOptions,
    private readonly restore: (s: string) => string,
  ) {}

  private locateNode(node: YamlNode | null | undefined): Located {
    const range = node?.range;
    if (!range) return { line: 1, column: 1, length: 0 };
    const pos = this.lineCounter.linePos(range[0]);
    return { line: pos.line, column: pos.col, length: Math.max(0, range[1] - range[0]) };
  }

  /** The value's node (or its key's with `preferKey`), else the nearest located ancestor. */
  private locate(p: Path, preferKey = false): Located {
    const k = pathKey(p);
    const own = preferKey
      ? (this.keyNodes.get(k) ?? this.valueNodes.get(k))
      : (this.valueNodes.get(k) ?? this.keyNodes.get(k));
    if (own) return this.locateNode(own);
    for (let n = p.length - 1; n > 0; n--) {
      const parent = pathKey(p.slice(0, n));
      const node = this.keyNodes.get(parent) ?? this.valueNodes.get(parent);
      if (node) return this.locateNode(node);
    }
    return { line: 1, column: 1, length: 0 };
  }

  report(
    code: string,
    p: Path,
    message: string,
    hint?: string,
    opts?: { atKey?: boolean; warning?: boolean },
  ) {
    const at = this.locate(p, opts?.atKey ?? false);
    const d: Diagnostic = {
      severity: opts?.warning ? "warning" : "error",
      code,
      message,
      file: this.opts.file,
      line: at.line,
      column: at.column,
      ...(at.length > 0 ? { length: at.length } : {}),
    };
    if (hint !== undefined) d.hint = hint;
    this.diagnostics.push(d);
  }

  isInterpolated(p: Path): boolean {
    return this.interpolated.has(pathKey(p));
  }

  isBroken(p: Path): boolean {
    const k = pathKey(p);
    for (const b of this.broken) if (k === b || k.startsWith(b.slice(0, -1) + ",")) return true;
    return false;
  }

  /** `"value" ` for messages, or nothing when the value came from the environment. */
  quoted(p: Path, value: unknown): string {
    if (this.isInterpolated(p)) return "";
    if (typeof value === "string" && value.length <= 80) return `${JSON.stringify(value)} `;
    if (typeof value === "number" || typeof value === "boolean") return `${String(value)} `;
    return "";
  }

  /** An error at a node of the document (an alias, say), located at the node itself. */
  private reportAtNode(code: string, node: YamlNode, message: string, hint?: string): void {
    const at = this.locateNode(node);
    const d: Diagnostic = {
      severity: "error",
      code,
      message,
      file: this.opts.file,
      line: at.line,
      column: at.column,
      ...(at.length > 0 ? { length: at.length } : {}),
    };
    if (hint !== undefined) d.hint = hint;
    this.diagnostics.push(d);
  }

  /**
   * Plain JS value of a node, with `${…}` interpolated in every string scalar. Aliases are
   * expanded, within `MAX_EXPANDED_NODES` in all (a "billion laughs" file fails fast, in little
   * memory); an alias inside the node it names is an error at the alias.
   */
  toValue(node: unknown, p: Path): unknown {
    if (node === null || node === undefined || this.exhausted) return null;
    if (++this.produced > MAX_EXPANDED_NODES) {
      this.exhausted = true;
      const at = this.aliases[0] ?? node;
      if (isAlias(at) || isMap(at) || isSeq(at) || isScalar(at)) {
        this.reportAtNode(
          CONFIG_CODES.syntax,
          at,
          `invalid YAML: aliases expand to more than ${MAX_EXPANDED_NODES} values`,
          "write the values out, or use fewer nested aliases (* references to & anchors)",
        );
      }
      return null;
    }
    if (isAlias(node)) {
      const target = node.resolve(this.doc) as YamlNode | undefined;
      if (target === undefined) return null;
      if (this.expanding.has(target)) {
        this.reportAtNode(
          CONFIG_CODES.syntax,
          node,
          `invalid YAML: alias *${node.source} refers to the node it is inside (&${node.source})`,
          "an alias can only name a node defined before it and outside it",
        );
        return null;
      }
      this.expanding.add(target);
      this.aliases.push(node);
      try {
        return this.toValue(target, p);
      } finally {
        this.expanding.delete(target);
        this.aliases.pop();
      }
    }
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key;
        const rawKey = isScalar(keyNode) ? keyNode.value : keyNode;
        const key = typeof rawKey === "string" ? this.restore(rawKey) : rawKey;
        if (typeof key !== "string" && typeof key !== "number") {
          this.report(
            CONFIG_CODES.invalidValue,
            p,
            `keys in ${showPath(p) || "fsops.yaml"} must be plain words`,
          );
          continue;
        }
        const childPath = [...p, String(key)];
        if (isScalar(keyNode) || isMap(keyNode) || isSeq(keyNode))
          this.keyNodes.set(pathKey(childPath), keyNode);
        if (isScalar(pair.value) || isMap(pair.value) || isSeq(pair.value) || isAlias(pair.value))
          this.valueNodes.set(pathKey(childPath), pair.value);
        // defineProperty: a `__proto__` key is a key like any other (and then an unknown one).
        Object.defineProperty(out, String(key), {
          value: this.toValue(pair.value, childPath),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        if (isScalar(item) || isMap(item) || isSeq(item)) this.valueNodes.set(pathKey([...p, i]), item);
        return this.toValue(item, [...p, i]);
      });
    }
    if (isScalar(node)) {
      if (typeof node.value !== "string") return node.value;
      return this.interpolateAt(this.restore(node.value), p);
    }
    return null;
  }

  private interpolateAt(text: string, p: Path): string {
    const r = interpolate(text, this.opts.env);
    for (const s of r.secrets) this.secrets.add(s);
    if (r.interpolated) this.interpolated.add(pathKey(p));
    const where = showPath(p) || "value";
    for (const name of r.missing) {
      this.report(
        CONFIG_CODES.missingVariable,
        p,
        `environment variable ${name} is not set (used by ${where})`,
        `set ${name}, or give a default: \${${name}:-default}`,
      );
    }
    for (const problem of r.problems) this.report(CONFIG_CODES.badInterpolation, p, `${where}: ${problem}`);
    if (r.missing.length > 0 || r.problems.length > 0) this.broken.add(pathKey(p));
    return r.value;
  }

  /**
   * Validates `value` (found at `base`) with a zod schema; every issue becomes a located
   * diagnostic. Returns the parsed data, or null when invalid.
   */
  check<S extends Zod.ZodType>(
    fast: FastObject,
    pick: (schemas: ConfigSchemas) => S,
    value: unknown,
    base: Path,
    unknownKeyHint?: (key: string) => string | undefined,
  ): Zod.output<S> | null {
    const quick = fastObject(fast, value);
    if (quick !== null) return quick as Zod.output<S>;
    const schema = pick(configSchemas());
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const p: Path = [...base, ...issue.path.map((s) => (typeof s === "symbol" ? String(s) : s))];
      if (this.isBroken(p)) continue;
      const at = getAt(value, issue.path);
      const where = showPath(p);
      switch (issue.code) {
        case "unrecognized_keys": {
          const parentShape = shapeAt(schema, issue.path);
          for (const key of issue.keys) {
            const valid = parentShape ? Object.keys(parentShape) : [];
            const near = suggest(key, valid);
            const hint =
              unknownKeyHint?.(key) ??
              (near
                ? `did you mean "${near}"?`
                : valid.length
                  ? `valid keys: ${valid.join(", ")}`
                  : undefined);
            this.report(
              CONFIG_CODES.unknownKey,
              [...p, key],
              where ? `unknown key "${key}" in ${where}` : `unknown key "${key}"`,
              hint,
              { atKey: true },
            );
          }
          break;
        }
        case "invalid_type": {
          if (at === undefined) {
            const parent = p.slice(0, -1);
            const key = String(p[p.length - 1]);
            this.report(
              CONFIG_CODES.missingKey,
              parent,
              parent.length
                ? `missing required key "${key}" in ${showPath(parent)}`
                : `missing required key "${key}"`,
              undefined,
              { atKey: true },
            );
          } else {
            const expected = EXPECTED[issue.expected] ?? issue.expected;
            this.report(
              CONFIG_CODES.invalidValue,
              p,
              `${where}: expected ${expected}, got ${describeType(at)}`,
              issue.expected === "boolean" ? "write true or false, unquoted" : undefined,
            );
          }
          break;
        }
        case "invalid_value": {
          const allowed = issue.values.map(String);
          const near = typeof at === "string" && !this.isInterpolated(p) ? suggest(at, allowed) : null;
          this.report(
            CONFIG_CODES.invalidValue,
            p,
            `${where}: ${this.quoted(p, at) || "value "}is not one of ${allowed.join(", ")}`,
            near ? `did you mean "${near}"?` : undefined,
          );
          break;
        }
        default: {
          this.report(CONFIG_CODES.invalidValue, p, `${where}: ${this.quoted(p, at)}${issue.message}`);
        }
      }
    }
    return null;
  }
}

function getAt(value: unknown, p: readonly PropertyKey[]): unknown {
  let cur = value;
  for (const seg of p) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** The object shape a zod issue path points into (for listing the valid keys). */
function shapeAt(schema: Zod.ZodType, p: readonly PropertyKey[]): Record<string, unknown> | null {
  const z = zod();
  let cur: unknown = schema;
  for (const seg of p) {
    if (!(cur instanceof z.ZodObject)) return null;
    cur = (cur.shape as Record<PropertyKey, unknown>)[seg];
    while (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) cur = cur.unwrap();
  }
  return cur instanceof z.ZodObject ? (cur.shape as Record<string, unknown>) : null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// ---------- sections ----------

const URL_SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//;
/**
 * `s3:/bucket/key`, `postgresql:/…`, `s3:bucket/key`: a scheme (two characters at least, so a
 * Windows drive `C:\…` is still a path) without its `//`. Never a file the user meant.
 */
const SCHEME_TYPO = /^([A-Za-z][A-Za-z0-9+.-]+):(?!\/\/)/;

/** Reports a registry path that is a URL with a mistyped scheme separator; true when it did. */
function reportSchemeTypo(r: ConfigReader, value: string, p: Path): boolean {
  const typo = SCHEME_TYPO.exec(value);
  if (!typo) return false;
  const scheme = typo[1] ?? "";
  r.report(
    CONFIG_CODES.invalidValue,
    p,
    `${showPath(p)}: "${scheme}:" looks like a URL scheme without "//"`,
    `write ${scheme}://…${/^s3$/i.test(scheme) ? " (s3://bucket/key.json)" : ""}, or ./${scheme}:… if it really is a file path`,
  );
  return true;
}
const POSTGRES_URL = /^postgres(ql)?:\/\//i;

function resolveRegistry(r: ConfigReader, value: unknown, dir: string): RegistryConfig | null {
  const p = ["registry"];
  if (value === undefined || value === null) {
    return { type: "file", path: path.resolve(dir, DEFAULT_REGISTRY_PATH), display: DEFAULT_REGISTRY_PATH };
  }
  if (typeof value === "string") {
    if (r.isBroken(p)) return null;
    return registryFromString(r, value, p, dir);
  }
  if (!isRecord(value)) {
    r.report(
      CONFIG_CODES.invalidValue,
      p,
      `registry: expected a path, s3://bucket/key, postgresql://… or a mapping, got ${describeType(value)}`,
    );
    return null;
  }
  const type = sectionType(r, value, p, REGISTRY_TYPES, inferRegistryType(value));
  if (type === null) return null;
  const hint = (key: string): string | undefined => {
    const owners = keysByType(configSchemas().RegistrySchemas).get(key);
    return owners ? `"${key}" applies to ${owners.join(" and ")} registries, not ${type}` : undefined;
  };
  switch (type) {
    case "file": {
      const data = r.check(FAST_REGISTRY.file, (s) => s.RegistrySchemas.file, value, p, hint);
      if (data && reportSchemeTypo(r, data.path, [...p, "path"])) return null;
      return data && { type: "file", path: path.resolve(dir, data.path), display: data.path };
    }
    case "s3": {
      const data = r.check(FAST_REGISTRY.s3, (s) => s.RegistrySchemas.s3, value, p, hint);
      const m = data && S3_URL.exec(data.path);
      if (!data || !m) return null;
      return {
        type: "s3",
        bucket: m[1] ?? "",
        key: m[2] ?? "",
        endpoint: data.endpoint ?? null,
        region: data.region ?? null,
        forcePathStyle: data.force_path_style ?? false,
      };
    }
    case "postgres": {
      const data = r.check(FAST_REGISTRY.postgres, (s) => s.RegistrySchemas.postgres, value, p, hint);
      return (
        data && {
          type: "postgres",
          connectionString: data.connection_string,
          schema: data.schema ?? "public",
        }
      );
    }
  }
}

function inferRegistryType(value: Record<string, unknown>): RegistryType {
  if ("connection_string" in value) return "postgres";
  if (typeof value.path === "string" && /^s3:\/\//i.test(value.path)) return "s3";
  return "file";
}

function registryFromString(r: ConfigReader, value: string, p: Path, dir: string): RegistryConfig | null {
  if (value.trim() === "") {
    r.report(
      CONFIG_CODES.invalidValue,
      p,
      "registry: must not be empty",
      `use a file path (default ${DEFAULT_REGISTRY_PATH}), s3://bucket/key or postgresql://…`,
    );
    return null;
  }
  if (/^s3:\/\//i.test(value)) {
    const m = S3_URL.exec(value);
    if (!m) {
      r.report(CONFIG_CODES.invalidValue, p, "registry: an S3 registry must be s3://bucket/key");
      return null;
    }
    return {
      type: "s3",
      bucket: m[1] ?? "",
      key: m[2] ?? "",
      endpoint: null,
      region: null,
      forcePathStyle: false,
    };
  }
  if (POSTGRES_URL.test(value)) return { type: "postgres", connectionString: value, schema: "public" };
  if (reportSchemeTypo(r, value, p)) return null;
  const scheme = URL_SCHEME.exec(value);
  if (scheme) {
    r.report(
      CONFIG_CODES.invalidValue,
      p,
      `registry: unsupported scheme "${scheme[1]}://"`,
      "use a file path, s3://bucket/key or postgresql://…",
    );
    return null;
  }
  return { type: "file", path: path.resolve(dir, value), display: value };
}

/** The section's `type` (explicit, or `inferred` when absent and inferable). */
function sectionType<T extends string>(
  r: ConfigReader,
  value: Record<string, unknown>,
  p: Path,
  types: readonly T[],
  inferred: T | null,
): T | null {
  const raw = value.type;
  const where = showPath([...p, "type"]);
  if (raw === undefined || raw === null) {
    if (inferred !== null) return inferred;
    r.report(
      CONFIG_CODES.missingKey,
      p,
      `missing required key "type" in ${showPath(p)}`,
      `type is one of ${types.join(", ")}`,
      { atKey: true },
    );
    return null;
  }
  if (r.isBroken([...p, "type"])) return null;
  if (typeof raw === "string" && (types as readonly string[]).includes(raw)) return raw as T;
  const near = typeof raw === "string" && !r.isInterpolated([...p, "type"]) ? suggest(raw, types) : null;
  r.report(
    CONFIG_CODES.invalidValue,
    [...p, "type"],
    `${where}: ${r.quoted([...p, "type"], raw) || "value "}is not one of ${types.join(", ")}`,
    near ? `did you mean "${near}"?` : undefined,
  );
  return null;
}

function resolveOnlineStore(
  r: ConfigReader,
  value: unknown,
  dir: string,
): OnlineStoreConfig | null | undefined {
  const p = ["online_store"];
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    r.report(
      CONFIG_CODES.invalidValue,
      p,
      `online_store: expected a mapping, got ${describeType(value)}`,
      "online_store: { type: postgres | redis | embedded, connection_string: … }",
    );
    return undefined;
  }
  const type = sectionType(r, value, p, ONLINE_TYPES, null);
  if (type === null) return undefined;
  const data = r.check(
    FAST_ONLINE[type],
    (s) => s.OnlineSchemas[type],
    value,
    p,
    (key) => {
      const owners = keysByType(configSchemas().OnlineSchemas).get(key);
      return owners ? `"${key}" applies to ${owners.join(" and ")} online stores, not ${type}` : undefined;
    },
  );
  if (data === null) return undefined;
  switch (data.type) {
    case "postgres": {
      const cs = data.connection_string ?? "";
      // No server configured: the same DDL runs against PGlite inside the project folder.
      if (cs.trim() === "") return { type: "embedded", path: path.resolve(dir, EMBEDDED_ONLINE_STORE_PATH) };
      return { type: "postgres", connectionString: cs, schema: data.schema ?? "public" };
    }
    case "redis":
      return { type: "redis", connectionString: data.connection_string };
    case "embedded":
      return { type: "embedded", path: path.resolve(dir, data.path ?? EMBEDDED_ONLINE_STORE_PATH) };
  }
}

function resolveOfflineStore(r: ConfigReader, value: unknown): OfflineStoreConfig | null | undefined {
  const p = ["offline_store"];
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) {
    r.report(
      CONFIG_CODES.invalidValue,
      p,
      `offline_store: expected a mapping, got ${describeType(value)}`,
      "offline_store: { type: postgres, connection_string: … }",
    );
    return undefined;
  }
  const type = sectionType(r, value, p, OFFLINE_TYPES, null);
  if (type === null) return undefined;
  const data = r.check(FAST_OFFLINE[type], (s) => s.OfflineSchemas[type], value, p);
  if (data === null) return undefined;
  const s3 = data.s3
    ? {
        endpoint: data.s3.endpoint ?? null,
        region: data.s3.region ?? null,
        forcePathStyle: data.s3.force_path_style ?? false,
      }
    : null;
  if (data.type === "file") return { type: "file", s3 };
  const cs = data.connection_string ?? "";
  // An empty connection string (an unset `${VAR:-}`) means "no offline store here", unless
  // FileSources still need its S3 settings.
  if (cs.trim() === "") return s3 ? { type: "file", s3 } : null;
  return { type: "postgres", connectionString: cs, s3 };
}

/** Connection strings of the resolved config, by the key they were written at. */
function connectionStrings(config: Omit<ProjectConfig, "secrets">): [Path, string][] {
  const out: [Path, string][] = [];
  if (config.registry.type === "postgres") {
    out.push([["registry"], config.registry.connectionString]);
  }
  if (config.onlineStore?.type === "postgres" || config.onlineStore?.type === "redis") {
    out.push([["online_store", "connection_string"], config.onlineStore.connectionString]);
  }
  if (config.offlineStore?.type === "postgres")
    out.push([["offline_store", "connection_string"], config.offlineStore.connectionString]);
  return out;
}

// ---------- entry point ----------

export function parseProjectConfig(text: string, opts: ConfigParseOptions): ConfigResult {
  const lineCounter = new LineCounter();
  const shielded = shieldReferences(text);
  const doc = parseDocument(shielded.text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const syntax = yamlDiagnostics(doc, lineCounter, opts.file, shielded.restore);
  if (hasErrors(syntax)) return { config: null, diagnostics: syntax.sort(compareDiagnostics) };

  const r = new ConfigReader(doc, lineCounter, opts, shielded.restore);
  r.diagnostics.push(...syntax);
  const root = r.toValue(doc.contents, []);
  const top = root === null ? {} : root;
  let config: ProjectConfig | null = null;
  if (!isRecord(top)) {
    r.report(
      CONFIG_CODES.invalidValue,
      [],
      `fsops.yaml must be a mapping of keys, got ${describeType(top)}`,
      "start with: project: my_project",
    );
  } else {
    const data = r.check(FAST_TOP_LEVEL, (s) => s.TopLevel, top, []);
    // Sections are checked even when the top level is invalid, so every mistake is reported at once.
    const registry = resolveRegistry(r, top.registry, opts.dir);
    const onlineStore = resolveOnlineStore(r, top.online_store, opts.dir);
    const offlineStore = resolveOfflineStore(r, top.offline_store);
    if (data && registry && onlineStore !== undefined && offlineStore !== undefined) {
      const resolved = {
        dir: opts.dir,
        configFile: path.resolve(opts.dir, opts.file),
        project: data.project,
        registry,
        onlineStore,
        offlineStore,
        protect: data.protect ?? false,
      };
      const envSecrets = [...r.secrets];
      for (const [p, cs] of connectionStrings(resolved)) {
        const passwords = connectionStringPasswords(cs);
        for (const pw of passwords) r.secrets.add(pw);
        const fromEnv = (pw: string) =>
          envSecrets.some((s) => s.includes(pw) || s.includes(encodeURIComponent(pw)));
        if (!passwords.every(fromEnv)) {
          r.report(
            CONFIG_CODES.literalPassword,
            p,
            `${showPath(p)}: a password is written in ${opts.file}`,
            `pass it through the environment instead: \${MY_PASSWORD_VAR}`,
            { warning: true },
          );
        }
      }
      config = { ...resolved, secrets: [...r.secrets].sort() };
    }
  }
  // Passwords written in the file are redacted from messages even when the config did not resolve
  // (an error elsewhere), since a message may quote the value it is about.
  const secrets = [...r.secrets, ...literalPasswords(text)];
  const diagnostics = r.diagnostics
    .map((d) => {
      const safe: Diagnostic = { ...d, message: redactSecrets(d.message, secrets) };
      if (d.hint !== undefined) safe.hint = redactSecrets(d.hint, secrets);
      return safe;
    })
    .sort(compareDiagnostics);
  return { config: hasErrors(diagnostics) ? null : config, diagnostics };
}

/** YAML errors and warnings, at most one per line (the parser cascades after the first). */
function yamlDiagnostics(
  doc: Document,
  lineCounter: LineCounter,
  file: string,
  restore: (s: string) => string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seenLines = new Set<number>();
  const all = [
    ...doc.errors.map((e) => ({ e, severity: "error" as const })),
    ...doc.warnings.map((e) => ({ e, severity: "warning" as const })),
  ];
  for (const { e, severity } of all) {
    const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
    if (seenLines.has(pos.line)) continue;
    seenLines.add(pos.line);
    const message = (e.message.split("\n")[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, "");
    out.push({
      severity,
      code: CONFIG_CODES.syntax,
      message: `invalid YAML: ${restore(message)}`,
      file,
      line: pos.line,
      column: pos.col,
    });
  }
  return out;
}
