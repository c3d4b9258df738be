/**
 * The validate stage: evaluated DSL constructions (src/parse) → the validated desired-state graph
 * with canonical specs (src/model/spec.ts), plus diagnostics for every user mistake found.
 */
export { buildDesiredState } from "./graph.js";
export { CLASS_KIND } from "../model/kinds.js";
export type { EvaluatedDefinitions, ValidationResult } from "./graph.js";
export { CODES, CODE_DESCRIPTIONS } from "./codes.js";
export type { ValidationCode } from "./codes.js";
export { formatDuration, parseDuration } from "./duration.js";
export { classSchemas } from "./schemas.js";
export type { OptionsOf } from "./schemas.js";
