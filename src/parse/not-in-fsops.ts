/**
 * What the "fsops" module exports, and what to say about a name it does not export. Feast users
 * bring Feast's names (`Permission`, `ValueType`, `Int64`, `PostgreSQLSource`); a construction or
 * import of one must never vanish silently, and the message says what fsops does instead.
 */
import ts from "./typescript.cjs";
import { DSL_CLASSES } from "../model/kinds.js";
import { PARSE } from "./codes.js";
import type { Reporter } from "./diagnostics.js";
import { FSOPS_MODULE } from "./modules.js";
import type { ModuleRecord } from "./modules.js";
import { nearest } from "../validate/names.js";

/**
 * The type-only exports of src/dsl/index.ts (test/parse/not-in-fsops.test.ts checks this list
 * against the module): importing them is fine, constructing them is not possible anyway.
 */
export const FSOPS_TYPE_EXPORTS = [
  "AggregationFunction",
  "AggregationOptions",
  "AnyFeatureView",
  "BatchFeatureViewOptions",
  "BatchSource",
  "BatchTransform",
  "BigQuerySourceOptions",
  "CommonOptions",
  "DataSource",
  "Dtype",
  "Duration",
  "ElementDtype",
  "EntityOptions",
  "ExtendedDtype",
  "FeatureServiceOptions",
  "FeatureViewOptions",
  "FieldOptions",
  "FileFormat",
  "FileSourceOptions",
  "KafkaSourceOptions",
  "KinesisSourceOptions",
  "LoggingConfig",
  "LoggingDestination",
  "MessageFormat",
  "OnDemandFeatureViewOptions",
  "OnDemandMode",
  "PostgresSourceOptions",
  "ProjectOptions",
  "PushSourceOptions",
  "RedshiftSourceOptions",
  "RequestSourceOptions",
  "RowTransform",
  "ScalarDtype",
  "SnowflakeSourceOptions",
  "SparkFileFormat",
  "SparkSourceOptions",
  "StreamFeatureViewOptions",
  "StreamSource",
  "StructDtype",
  "TrinoSourceOptions",
  "VectorSearchMetric",
  "ViewVersion",
  "WarehouseSource",
] as const;

/** A class of the DSL module that is not constructed by users (made by `view.select([...])`). */
const OTHER_VALUE_EXPORTS = ["FeatureViewProjection"] as const;

const EXPORTS: ReadonlySet<string> = new Set<string>([
  ...DSL_CLASSES,
  ...FSOPS_TYPE_EXPORTS,
  ...OTHER_VALUE_EXPORTS,
]);

export function isFsopsExport(name: string): boolean {
  return EXPORTS.has(name);
}

const DTYPE_ADVICE = 'fsops writes dtypes as strings: dtype: "int64", "float32[]", "map", "json"';

/** Feast names (and a few other likely ones) → why fsops has no such thing and what to write. */
const ADVICE: Readonly<Record<string, string>> = {
  Permission:
    "fsops has no access-control objects: who may change definitions is decided by code review " +
    "(branch protection, CODEOWNERS) and who may apply by the credentials of the CI job; remove it",
  Feature: 'Feast\'s old Feature(name, dtype) is a Field: new Field({ name, dtype: "float32" })',
  FeatureStore:
    'definition files only declare objects; use the CLI (fsops plan / apply) or the SDK in "fsops/serving"',
  RepoConfig: "configuration lives in fsops.yaml (project, registry, online_store, offline_store)",
  ValueType: 'write the join-key type as a dtype string: valueType: "int64"',
  PostgreSQLSource: "fsops calls it PostgresSource (same options: table or query, timestampField)",
  SavedDataset:
    "fsops does not register saved datasets; write training data with fsops get-historical-features",
  ValidationReference: "fsops does not register data-quality references; remove it",
  LoggingConfig:
    'pass a plain object: loggingConfig: { destination: { type: "file", path: "…" }, sampleRate: 1 }',
  FileLoggingDestination: 'write the destination as { type: "file", path: "…" } inside loggingConfig',
  BigQueryLoggingDestination:
    'write the destination as { type: "bigquery", table: "…" } inside loggingConfig',
  SnowflakeLoggingDestination:
    'write the destination as { type: "snowflake", table: "…" } inside loggingConfig',
  RedshiftLoggingDestination:
    'write the destination as { type: "redshift", table: "…" } inside loggingConfig',
  ParquetFormat: 'write fileFormat: "parquet" on the FileSource',
  CsvFormat: 'write fileFormat: "csv" on the FileSource',
  DeltaFormat: 'write fileFormat: "delta" on the FileSource',
  JsonFormat: 'write messageFormat: "json" on the KafkaSource (recordFormat on a KinesisSource)',
  AvroFormat: 'write messageFormat: "avro" on the KafkaSource (recordFormat on a KinesisSource)',
  ProtoFormat: 'write messageFormat: "protobuf" on the KafkaSource (recordFormat on a KinesisSource)',
  FeatureViewProjection: "call view.select([...]) to project a view",
  Transformation: "write the transform as a TypeScript function in the view's transform option",
  Int32: DTYPE_ADVICE,
  Int64: DTYPE_ADVICE,
  Float32: DTYPE_ADVICE,
  Float64: DTYPE_ADVICE,
  String: DTYPE_ADVICE,
  Bytes: DTYPE_ADVICE,
  Bool: DTYPE_ADVICE,
  UnixTimestamp: DTYPE_ADVICE,
  Array: DTYPE_ADVICE,
  Map: DTYPE_ADVICE,
  Json: DTYPE_ADVICE,
  Struct: DTYPE_ADVICE,
  Uuid: DTYPE_ADVICE,
  Decimal: DTYPE_ADVICE,
};

/** Globals of JavaScript runtimes: `new Map()` is not a DSL construction fsops could have. */
export const KNOWN_GLOBALS: ReadonlySet<string> = new Set([
  "console", "JSON", "globalThis", "window", "global", "self", "fetch", "eval", "Function", "Reflect",
  "Symbol", "Promise", "Buffer", "setTimeout", "setInterval", "setImmediate", "queueMicrotask",
  "structuredClone", "__dirname", "__filename", "module", "exports", "Intl", "Array", "String",
  "Number", "Boolean", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "RegExp", "Error", "TypeError",
  "Proxy", "ArrayBuffer", "Uint8Array", "URL", "TextEncoder", "TextDecoder", "performance",
  "navigator", "document", "localStorage", "Deno", "Bun", "Object", "Math", "parseInt",
  "parseFloat", "isNaN", "isFinite", "encodeURIComponent", "decodeURIComponent", "BigInt",
]); // prettier-ignore

/** Names the evaluator must treat as a likely DSL construction even when nothing declares them. */
export function isKnownForeignDslName(name: string): boolean {
  return Object.hasOwn(ADVICE, name);
}

/** What to do instead of using `name`, which "fsops" does not export. */
export function notInFsopsAdvice(name: string): string {
  const advice = ADVICE[name];
  if (advice !== undefined) return advice;
  const near = nearest(name, DSL_CLASSES);
  if (near !== null) return `did you mean ${near}?`;
  return `fsops exports ${DSL_CLASSES.join(", ")}; remove it or write it as one of them`;
}

/**
 * Every name a module imports or re-exports from "fsops" that fsops does not export, reported at
 * the import: the root cause, ahead of whatever uses it. A construction of it is reported again
 * where it is written, so that no construction passes without a word.
 */
export function reportNamesNotInFsops(mod: ModuleRecord, sf: ts.SourceFile, reporter: Reporter): void {
  for (const st of sf.statements) {
    let named: ts.NamedImportBindings | ts.NamedExportBindings | undefined;
    let spec: ts.Expression | undefined;
    if (st.kind === ts.SyntaxKind.ImportDeclaration) {
      const d = st as ts.ImportDeclaration;
      spec = d.moduleSpecifier;
      named = d.importClause?.namedBindings;
    } else if (st.kind === ts.SyntaxKind.ExportDeclaration) {
      const d = st as ts.ExportDeclaration;
      spec = d.moduleSpecifier;
      named = d.exportClause;
    }
    if (spec?.kind !== ts.SyntaxKind.StringLiteral || (spec as ts.StringLiteral).text !== FSOPS_MODULE)
      continue;
    if (
      named === undefined ||
      (named.kind !== ts.SyntaxKind.NamedImports && named.kind !== ts.SyntaxKind.NamedExports)
    )
      continue;
    for (const el of (named as ts.NamedImports | ts.NamedExports).elements) {
      const imported = el.propertyName ?? el.name;
      if (imported.kind !== ts.SyntaxKind.Identifier) continue;
      const name = imported.text;
      if (isFsopsExport(name)) continue;
      reporter.at(PARSE.notPartOfFsops, mod.file, imported, [name, notInFsopsAdvice(name)]);
    }
  }
}
