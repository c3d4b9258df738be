/** Issue 10 item 14: the evaluation budget does not grow with the size of the files. */
import { describe, expect, it } from "vitest";
import { DEFAULT_STEP_BUDGET } from "../../src/parse/index.js";
import { parseBody } from "../parse/helpers.js";

const FIB =
  "const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));\n" +
  'export const e = new Entity({ name: "e", description: fib(60) });\n';

function evaluationTime(body: string): { ms: number; message: string | undefined } {
  const started = performance.now();
  const result = parseBody(body);
  return { ms: performance.now() - started, message: result.diagnostics[0]?.message };
}

describe("evaluation budget", () => {
  it("a 20 MB comment neither raises the step budget nor the time evaluation may take", () => {
    const small = evaluationTime(FIB);
    const padded = evaluationTime(`/* ${"x".repeat(20_000_000)} */\n${FIB}`);
    const stopped = `evaluation stopped after ${DEFAULT_STEP_BUDGET} steps; definitions must be cheap to evaluate`;
    expect(small.message).toBe(stopped);
    expect(padded.message).toBe(stopped);
    // Before the fix the budget grew by 2 steps per character: 40 million more steps here.
    expect(padded.ms).toBeLessThan(small.ms * 3 + 2_000);
    console.log(
      `fib budget: ${small.ms.toFixed(0)} ms plain, ${padded.ms.toFixed(0)} ms with a 20 MB comment`,
    );
  });
});
