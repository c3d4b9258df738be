/**
 * Limits that keep evaluation of hostile or mistaken definitions bounded: a step budget for the
 * whole project, size limits per value, and depth limits that stop recursion long before the
 * JavaScript stack would overflow.
 */

/** Thrown after a diagnostic was reported: the enclosing option (or definition) is abandoned. */
export class EvalAbort extends Error {
  constructor(
    /** Abandon the whole top-level definition, not just the option being evaluated. */
    readonly fatal: boolean,
  ) {
    super(fatal ? "evaluation abandoned" : "evaluation failed");
  }
}

export const ABORT = new EvalAbort(false);
export const FATAL = new EvalAbort(true);

/** Thrown when the step budget is spent: evaluation of the project stops. */
export class BudgetExhausted extends Error {
  constructor() {
    super("step budget exhausted");
  }
}
export const EXHAUSTED = new BudgetExhausted();

/** Nested helper calls allowed (a recursive helper that never ends stops here). */
export const MAX_CALL_DEPTH = 200;
/** Nested expression evaluations allowed (including through helper calls). */
export const MAX_EVAL_DEPTH = 1_000;

export interface Limits {
  readonly maxSteps: number;
  readonly maxElements: number;
  readonly maxStringLength: number;
}

export function limitsFrom(stepBudget: number, sizeBudget: number): Limits {
  if (!Number.isFinite(stepBudget) || stepBudget < 1)
    throw new RangeError("stepBudget must be a positive number");
  if (!Number.isFinite(sizeBudget) || sizeBudget < 1)
    throw new RangeError("sizeBudget must be a positive number");
  return { maxSteps: stepBudget, maxElements: sizeBudget, maxStringLength: sizeBudget * 10 };
}

export function isStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}
