import { closest } from "fastest-levenshtein";
import { SOURCE_CODES } from "../infra/check-sources.js";
import type { ViewSource } from "./view-source.js";
import { neededColumns } from "./view-source.js";

/**
 * A user-fixable problem with an offline source (missing column, missing file, a source with
 * no offline data). The message is redacted and, when known, starts with the source's
 * definition `file:line` from the registry; the CLI prints message + hint, never a stack.
 */
export class OfflineSourceError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** Stable code shared with `fsops plan --check-sources` (FS401…). */
    readonly code?: string,
  ) {
    super(message);
    this.name = "OfflineSourceError";
  }
}

/** `file:line: ` of a source's definition as recorded at apply time, or "". */
export function sourceLocation(vs: ViewSource): string {
  const { file, line } = vs.source;
  return file === null ? "" : `${file}${line === null ? "" : `:${line}`}: `;
}

/**
 * Compare the columns a source really has with what `vs` needs; throw one error listing every
 * missing column (FS402 for timestamps, FS403 otherwise, as `--check-sources` reports them).
 */
export function checkColumns(vs: ViewSource, actual: readonly string[], what: string): void {
  const have = new Set(actual);
  const missing = neededColumns(vs).filter((n) => !have.has(n.column));
  if (missing.length === 0) return;
  const timestampOnly = missing.every((m) => m.use.endsWith("Column") || m.use === "timestampField");
  const list = missing.map((m) => `${JSON.stringify(m.column)} (${m.use})`).join(", ");
  const near = missing
    .map((m) => (actual.length > 0 ? `${m.column} → ${closest(m.column, [...actual])}?` : null))
    .filter((x) => x !== null);
  throw new OfflineSourceError(
    `${sourceLocation(vs)}error ${timestampOnly ? SOURCE_CODES.timestampFieldMissing : SOURCE_CODES.columnMissing}: source ${vs.source.name}: column${missing.length > 1 ? "s" : ""} ${list} not in ${what}`,
    actual.length === 0
      ? `${what} has no columns`
      : `did you mean: ${near.join(", ")}; columns: ${actual.join(", ")}; or map one with fieldMapping`,
    timestampOnly ? SOURCE_CODES.timestampFieldMissing : SOURCE_CODES.columnMissing,
  );
}
