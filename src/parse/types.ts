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
   * `DEFAULT_STEP_BUDGET`, whatever the size of the files.
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
 * The default step budget is fixed: it must bound evaluation time whatever the files hold, and
 * a budget growing with their size let a 50 MB comment buy seventeen times the time. Straight-line
 * definitions cost about one step per ten source characters (a generated 5,000-view project, 5 MB,
 * needs under 500,000 steps), so this leaves room for about ten thousand views, and only repeated
 * work (helpers called over and over, recursion) reaches it.
 */
export const DEFAULT_STEP_BUDGET = 1_000_000;
export function defaultStepBudget(): number {
  return DEFAULT_STEP_BUDGET;
}
export const DEFAULT_SIZE_BUDGET = 100_000;
