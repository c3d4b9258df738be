/**
 * Stable codes of validation diagnostics (`FS2xx`). Tests, CI annotations and users' searches
 * match on them: never renumber, only add.
 */
export const CODES = {
  unknownOption: "FS201",
  missingOption: "FS202",
  wrongType: "FS203",
  invalidName: "FS204",
  invalidDtype: "FS205",
  invalidDuration: "FS206",
  wrongReference: "FS207",
  invalidChoice: "FS208",
  tableOrQuery: "FS209",
  conflictingDefinition: "FS210",
  featureViewNameClash: "FS211",
  unknownFeature: "FS212",
  joinKeyIsFeature: "FS213",
  duplicateField: "FS214",
  duplicateEntry: "FS215",
  unknownAggregationColumn: "FS216",
  joinKeyClash: "FS217",
  emptyValue: "FS218",
  reservedName: "FS219",
  // FS230+: data-plane options (FS220… are left to the DSL additions).
  invalidSchedule: "FS230",
} as const;

export type ValidationCode = (typeof CODES)[keyof typeof CODES];

/** One line per code: what it means. Documentation and `fsops validate --help` read this. */
export const CODE_DESCRIPTIONS: Readonly<Record<ValidationCode, string>> = {
  FS201: "Unknown option for this DSL class (the hint names the nearest valid option).",
  FS202: "A required option is missing.",
  FS203: "An option value has the wrong type (e.g. a number where a string is expected).",
  FS204:
    "Invalid name: names of objects, fields and join keys must match ^[a-z_][a-z0-9_]*$ and be at most 63 characters, because they become SQL identifiers and Redis key segments.",
  FS205:
    "Invalid dtype: one of int32 int64 float32 float64 string bytes bool unix_timestamp, or a list `T[]`.",
  FS206:
    'Invalid duration: "90s", "30m", "12h", "1d", "1d12h" (d/h/m/s in that order) or a whole non-negative number of seconds.',
  FS207:
    "An option references the wrong kind of object (e.g. a RequestSource as a FeatureView source, or a name string instead of the object).",
  FS208: "An option value is not one of the allowed choices (aggregation function, message format).",
  FS209: "A PostgresSource needs exactly one of `table` and `query`.",
  FS210: "Two different definitions share a kind and a name (identical duplicates merge silently).",
  FS211: "Feature views, on-demand feature views and stream feature views share one namespace.",
  FS212: "A projection (`view.select([...])`) selects a feature the view does not have.",
  FS213: "A feature of a view has the same name as a join key of one of its entities.",
  FS214: "Two fields of one schema have the same name.",
  FS215: "A list holds the same entry twice (entity, join key, selected feature, source, aggregation).",
  FS216: "An aggregation's column is not a field of the stream feature view's schema.",
  FS217: "Two entities of one view have the same join key.",
  FS218: "An option that needs a value is empty (empty string or empty list).",
  FS219: "A feature or join key uses a column name the online store reserves (event_ts, created_ts).",
  FS230:
    'Invalid batchSchedule: "@hourly", "@daily", "@weekly", "@monthly", "@yearly" or a 5- or 6-field cron expression (UTC).',
};
