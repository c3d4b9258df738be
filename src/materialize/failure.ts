/**
 * How a materialize or push failure is told: kept apart from index.ts so that the CLI's
 * materialize commands load it without the readers and writers (pg, DuckDB) before a project is
 * read (bench startup/cmd-materialize-incremental).
 */
import { describeError } from "../commands/errors.js";
import { redactSecrets } from "../config/redact.js";

/** Message and hint of any error, secrets redacted (every fsops error class carries a hint). */
export function describeFailure(e: unknown, secrets: readonly string[]): { message: string; hint?: string } {
  const described = describeError(e, secrets);
  const hint = (e as { hint?: unknown } | null)?.hint;
  if (described.hint === undefined && typeof hint === "string" && hint !== "") {
    return { ...described, hint: redactSecrets(hint, [...secrets]) };
  }
  return described;
}
