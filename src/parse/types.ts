import type { Diagnostic } from "../model/diagnostic.js";
import type { DslObject } from "../model/evaluated.js";

/** One definition file: its path relative to the project folder (posix separators) and its text. */
export interface SourceFileInput {
  path: string;
  text: string;
}

export interface ParseOptions {
  /**
   * Evaluation steps (expression nodes evaluated plus elements copied by spreads and array
   * methods) allowed for the whole project before evaluation stops with FS150. Default:
   * `defaultStepBudget(total characters of all files)`.
   */
  stepBudget?: number;
  /**
   * Largest array length and object key count a value may reach (FS151); strings may reach ten
   * times this many characters.
   */
  sizeBudget?: number;
}

export interface ParseResult {
  /** Every DSL construction reached, ordered by file, position, then evaluation order; `id` = index. */
  objects: DslObject[];
  /** Parse diagnostics (FS1xx), sorted and de-duplicated. */
  diagnostics: Diagnostic[];
  /**
   * Ids of objects some of whose options could not be evaluated (a diagnostic says why); those
   * options are missing from `options`, so validation should not also report them as missing.
   */
  incomplete: number[];
}

/**
 * The default step budget grows with the project: straight-line definitions cost well under one
 * step per source character, so only repeated work (helpers called over and over, recursion) can
 * reach it, and evaluation stays within a small multiple of the time parsing the files takes.
 */
export const DEFAULT_STEP_BUDGET_BASE = 1_000_000;
export const DEFAULT_STEPS_PER_SOURCE_CHAR = 2;
export function defaultStepBudget(totalSourceChars: number): number {
  return DEFAULT_STEP_BUDGET_BASE + DEFAULT_STEPS_PER_SOURCE_CHAR * totalSourceChars;
}
export const DEFAULT_SIZE_BUDGET = 100_000;
