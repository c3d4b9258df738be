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
   * methods) allowed for the whole project before evaluation stops with FS150.
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

export const DEFAULT_STEP_BUDGET = 10_000_000;
export const DEFAULT_SIZE_BUDGET = 100_000;
