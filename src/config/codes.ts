/**
 * Stable diagnostic codes of fsops.yaml (FS3xx). Tests, docs and CI annotations match on them;
 * never renumber.
 */
export const CONFIG_CODES = {
  /** YAML syntax error (or YAML warning). */
  syntax: "FS300",
  /** A key fsops does not know, with the nearest valid key as hint. */
  unknownKey: "FS301",
  /** A required key is absent. */
  missingKey: "FS302",
  /** A value of the wrong type or format. */
  invalidValue: "FS303",
  /** `${VAR}` without default and VAR is not set. */
  missingVariable: "FS304",
  /** A malformed `${…}` reference. */
  badInterpolation: "FS305",
  /** fsops.yaml is missing or unreadable. */
  noConfigFile: "FS306",
  /** A password written literally in fsops.yaml (a warning). */
  literalPassword: "FS307",
  /** `plan --check-sources` on a project without an offline_store (a warning: nothing is checked). */
  noOfflineStore: "FS310",
} as const;

export type ConfigCode = (typeof CONFIG_CODES)[keyof typeof CONFIG_CODES];
