/**
 * feature_store.yaml → fsops.yaml. Pure: text in, text and findings out. Values Feast reads from
 * the environment (`${VAR}`) stay `${VAR}`: fsops interpolates the same syntax. What fsops has no
 * equivalent for stays in the output as written, under a TODO comment, where `fsops validate`
 * rejects it; what fsops does differently is a note.
 */
import { isMap, isScalar, LineCounter, parseDocument, stringify } from "yaml";
import type { Node as YamlNode } from "yaml";
import type { Finding } from "./convert-module.js";
import { TODO_TAG } from "./convert-module.js";

export interface ConvertedConfig {
  /** fsops.yaml text; null when feature_store.yaml is unusable (see `error`). */
  text: string | null;
  project: string | null;
  /** The project as feature_store.yaml spells it (a `Project(name=…)` in Python uses it). */
  feastProject?: string;
  todos: Finding[];
  notes: Finding[];
  /** Why no fsops.yaml could be written (a usage error: this is not a Feast repository). */
  error?: string;
}

const FILE = "feature_store.yaml";

/** Keys of feature_store.yaml that configure what fsops does not do (serving, auth, engines). */
const IGNORED_KEYS: Readonly<Record<string, string>> = {
  provider: "fsops has no providers; stores are configured directly",
  entity_key_serialization_version: "fsops stores join keys as typed columns",
  auth: "fsops has no feature-server authentication settings",
  feature_server: "fsops serve is configured by its own flags",
  flags: "Feast feature flags have no fsops meaning",
  batch_engine: "fsops materializes in Postgres or DuckDB",
  materialization: "fsops materializes in Postgres or DuckDB",
  coerce_tz_aware: "fsops stores timestamps as timestamptz",
  repo_path: "the fsops project is the folder of fsops.yaml",
  go_feature_serving: "fsops has no Go server",
  go_feature_retrieval: "fsops has no Go server",
};

type Plain = string | number | boolean | null | Plain[] | { [k: string]: Plain };

export function convertFeatureStoreYaml(text: string): ConvertedConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const todos: Finding[] = [];
  const notes: Finding[] = [];
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    return {
      text: null,
      project: null,
      todos,
      notes,
      error: `${FILE} is not valid YAML: ${(e?.message ?? "").split("\n")[0]}`,
    };
  }
  const root = doc.contents;
  if (!isMap(root))
    return { text: null, project: null, todos, notes, error: `${FILE} is not a mapping of keys` };
  const at = (key: string): { line: number; column: number } => {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === key);
    const node = pair?.key as YamlNode | undefined;
    const pos = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
    return { line: pos.line, column: "col" in pos ? pos.col : 1 };
  };
  const todo = (key: string, message: string) => todos.push({ file: FILE, ...at(key), message });
  const note = (key: string, message: string) => notes.push({ file: FILE, ...at(key), message });

  const data = doc.toJS() as Record<string, Plain>;
  const rawProject = data.project;
  if (typeof rawProject !== "string" || rawProject.trim() === "")
    return { text: null, project: null, todos, notes, error: `${FILE} has no "project"` };
  let project = rawProject
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 63);
  if (project === "") project = "feast_project";
  if (project !== rawProject)
    note("project", `project "${rawProject}" is "${project}" in fsops (lowercase letters, digits and _)`);

  const out: string[] = [
    `# Converted from ${FILE} by \`fsops import feast\`.`,
    `project: ${scalar(project)}`,
  ];

  // ---- registry
  const reg = convertRegistry(data.registry);
  if (reg.note) note("registry", reg.note);
  if (reg.todo) {
    todo("registry", reg.todo);
    out.push(`# ${TODO_TAG}: ${reg.todo}`);
  }
  out.push(...block("registry", reg.value ?? "data/registry.json"));

  unusedKeys("registry", data.registry, reg, note);

  // ---- online store
  const online = convertOnlineStore(data.online_store, "online_store" in data);
  if (online.note) note("online_store", online.note);
  if (online.todo) {
    todo("online_store", online.todo);
    out.push(`# ${TODO_TAG}: ${online.todo}`);
  }
  if (online.value !== undefined) out.push(...block("online_store", online.value));
  unusedKeys("online_store", data.online_store, online, note);

  // ---- offline store
  const offline = convertOfflineStore(data.offline_store);
  if (offline.note) note("offline_store", offline.note);
  if (offline.value !== undefined) out.push(...block("offline_store", offline.value));
  unusedKeys("offline_store", data.offline_store, offline, note);

  for (const key of Object.keys(data)) {
    if (["project", "registry", "online_store", "offline_store"].includes(key)) continue;
    const why = IGNORED_KEYS[key];
    note(key, why ? `"${key}" is not used: ${why}` : `"${key}" has no fsops equivalent and is not used`);
  }
  const byLine = (a: Finding, b: Finding) => a.line - b.line || a.column - b.column;
  return {
    text: `${out.join("\n")}\n`,
    project,
    feastProject: rawProject,
    todos: todos.sort(byLine),
    notes: notes.sort(byLine),
  };
}

interface Section {
  value?: Plain;
  todo?: string;
  note?: string;
  /** Keys of the section that were read (the others are listed as not used). */
  used?: readonly string[];
}

const POSTGRES_KEYS = [
  "type",
  "host",
  "port",
  "database",
  "db_schema",
  "user",
  "password",
  "sslmode",
  "sslkey_path",
  "sslcert_path",
  "sslrootcert_path",
];

/** A note for every key of a converted section that fsops has no use for (never silently dropped). */
export function unusedKeys(
  section: string,
  value: Plain | undefined,
  converted: Section,
  note: (key: string, message: string) => void,
): void {
  if (!isObj(value) || converted.todo || !converted.used) return;
  const unused = Object.keys(value).filter((k) => !converted.used?.includes(k));
  if (unused.length > 0)
    note(
      section,
      `${section}: ${unused.map((k) => `"${k}"`).join(", ")} not used: fsops has no such setting`,
    );
}

function scalar(v: Plain): string {
  return stringify(v).trimEnd();
}

function block(key: string, value: Plain): string[] {
  if (value === null || typeof value !== "object") return [`${key}: ${scalar(value)}`];
  return [
    `${key}:`,
    ...stringify(value)
      .trimEnd()
      .split("\n")
      .map((l) => `  ${l}`),
  ];
}

const isObj = (v: Plain | undefined): v is { [k: string]: Plain } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `postgresql+psycopg://…` (SQLAlchemy's driver suffix) → `postgresql://…`. */
function postgresUrl(url: string): string | null {
  const m = /^postgres(?:ql)?(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(url);
  return m ? `postgresql://${m[1]}` : null;
}

function convertRegistry(reg: Plain | undefined): Section {
  if (reg === undefined || reg === null) return { value: "data/registry.json" };
  const path = typeof reg === "string" ? reg : isObj(reg) && typeof reg.path === "string" ? reg.path : null;
  if (isObj(reg)) {
    const type = String(reg.registry_type ?? reg.registry_store_type ?? "file");
    if (/PostgreSQLRegistryStore/.test(type)) {
      const pg = postgresFromParts(reg);
      return {
        value: { type: "postgres", connection_string: pg.url, ...(pg.schema ? { schema: pg.schema } : {}) },
        note: "Feast's PostgreSQL registry store → fsops's Postgres registry (its own tables; Feast's are not read)",
        used: [...POSTGRES_KEYS, "registry_store_type", "registry_type", "path"],
      };
    }
    if (type === "remote")
      return {
        value: reg,
        todo: "a remote (gRPC) registry has no fsops equivalent; use a file, s3:// or postgresql:// registry",
      };
  }
  if (path === null)
    return {
      value: reg,
      todo: "this registry setting cannot be read; write registry: as a path, s3://… or postgresql://…",
    };
  if (/^\$\{/.test(path))
    return {
      value: path,
      note: "the registry comes from the environment: point it at an fsops registry (.json path, s3://…/x.json or postgresql://…), not Feast's",
    };
  const pg = postgresUrl(path);
  if (pg)
    return {
      value: pg,
      note: "Feast's SQL registry → fsops's Postgres registry (fsops keeps its own tables; Feast's are not read)",
      used: ["registry_type", "path"],
    };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path) && !/^s3:\/\//i.test(path))
    return {
      value: path,
      todo: `fsops has no registry at ${path.split("://")[0]}://; use a file, s3://… or postgresql://… registry`,
    };
  const json = path.replace(/\.(db|pb|proto)$/i, "") + ".json";
  return {
    value: json,
    note: `Feast's registry ${path} is not read (it is Feast's protobuf); fsops keeps its own at ${json}, filled by fsops apply`,
    used: ["registry_type", "path"],
  };
}

function postgresFromParts(o: { [k: string]: Plain }): { url: string; schema: string | null } {
  const enc = (v: Plain | undefined) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /\$\{/.test(s) ? s : encodeURIComponent(s);
  };
  const user = enc(o.user);
  const password = o.password === undefined || o.password === null ? "" : `:${enc(o.password)}`;
  const host = o.host === undefined || o.host === null ? "localhost" : String(o.host);
  const port = o.port === undefined || o.port === null ? "" : `:${String(o.port)}`;
  const db = o.database === undefined || o.database === null ? "" : `/${enc(o.database)}`;
  const params = ["sslmode", "sslkey_path", "sslcert_path", "sslrootcert_path"]
    .filter((k) => o[k] !== undefined && o[k] !== null)
    .map((k) => `${k.replace(/_path$/, "")}=${enc(o[k])}`);
  const auth = user || password ? `${user}${password}@` : "";
  return {
    url: `postgresql://${auth}${host}${port}${db}${params.length ? `?${params.join("&")}` : ""}`,
    schema: typeof o.db_schema === "string" ? o.db_schema : null,
  };
}

function convertOnlineStore(v: Plain | undefined, present: boolean): Section {
  if (!present)
    return {
      value: { type: "embedded" },
      note: "Feast's default online store (SQLite) → fsops's embedded Postgres under .fsops/online",
    };
  if (v === null || v === undefined) return {};
  const o: { [k: string]: Plain } = typeof v === "string" ? { type: v } : isObj(v) ? v : {};
  const type = String(o.type ?? "sqlite");
  switch (type) {
    case "sqlite":
      return {
        value: { type: "embedded" },
        note: "Feast's SQLite online store → fsops's embedded Postgres (PGlite) under .fsops/online",
        used: ["type", "path"],
      };
    case "postgres": {
      const pg = postgresFromParts(o);
      return {
        value: { type: "postgres", connection_string: pg.url, ...(pg.schema ? { schema: pg.schema } : {}) },
        used: POSTGRES_KEYS,
      };
    }
    case "redis": {
      const redisType = String(o.redis_type ?? "redis");
      const cs = typeof o.connection_string === "string" ? o.connection_string : "localhost:6379";
      if (redisType === "redis_sentinel")
        return { value: v, todo: "Redis Sentinel has no fsops equivalent; use redis:// or redis+cluster://" };
      const url = redisUrl(cs, redisType === "redis_cluster");
      if (url === null)
        return {
          value: v,
          todo: `the Redis connection string cannot be converted; write online_store.connection_string as redis://host:port`,
        };
      return {
        value: { type: "redis", connection_string: url },
        used: ["type", "redis_type", "connection_string"],
      };
    }
    default:
      return { value: v, todo: `fsops has no "${type}" online store; use postgres, redis or embedded` };
  }
}

/** Feast's `host:port,password=…,ssl=true,db=0` → `redis://:password@host:port/0` (or `rediss://`). */
export function redisUrl(cs: string, cluster: boolean): string | null {
  if (/^rediss?:\/\//.test(cs)) return cs;
  const parts = cs
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const hosts: string[] = [];
  const opts: Record<string, string> = {};
  for (const p of parts) {
    const eq = p.indexOf("=");
    if (eq > 0 && !/^\[?[\w.-]+\]?:\d+$/.test(p)) opts[p.slice(0, eq).toLowerCase()] = p.slice(eq + 1);
    else hosts.push(p);
  }
  if (hosts.length === 0) return null;
  const ssl = (opts.ssl ?? "").toLowerCase() === "true";
  const auth = opts.password
    ? `${opts.username ?? ""}:${/\$\{/.test(opts.password) ? opts.password : encodeURIComponent(opts.password)}@`
    : "";
  if (cluster) return `redis+cluster://${auth}${hosts.join(",")}`;
  const db = opts.db ? `/${opts.db}` : "";
  return `${ssl ? "rediss" : "redis"}://${auth}${hosts[0]}${db}`;
}

function convertOfflineStore(v: Plain | undefined): Section {
  if (v === undefined || v === null) return {};
  const o: { [k: string]: Plain } = typeof v === "string" ? { type: v } : isObj(v) ? v : {};
  const type = String(o.type ?? "file");
  if (type === "postgres")
    return { value: { type: "postgres", connection_string: postgresFromParts(o).url }, used: POSTGRES_KEYS };
  if (type === "file" || type === "dask" || type === "duckdb")
    return {
      note: `offline_store "${type}" is not needed: fsops reads FileSource files (Parquet, CSV) directly`,
    };
  return {
    note: `offline_store "${type}" is not used: fsops registers these sources but cannot read them (materialize and training data say so)`,
  };
}
