import { RegistryError } from "../model/registry.js";
import { redactSecrets } from "../config/redact.js";
import { OnlineStoreConflictError } from "../infra/errors.js";

/** An expected failure of a command: printed as message + hint, never with a stack. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CommandError";
  }
}

/**
 * Turn anything thrown by a backend into a printable message with every secret redacted.
 * Driver errors (pg, ioredis, the AWS SDK) can echo connection details, so redaction is not optional.
 */
export function describeError(
  err: unknown,
  secrets: readonly string[],
  /** The project folder: a `fsops force-unlock ID` hint gets it, so the command runs from anywhere. */
  dir?: string,
): { message: string; hint?: string } {
  let hint =
    err instanceof RegistryError || err instanceof CommandError || err instanceof OnlineStoreConflictError
      ? err.hint
      : undefined;
  if (hint !== undefined && dir !== undefined) {
    hint = hint.replace(/(fsops force-unlock \S+)$/, (command) => `${command} ${shellWord(dir)}`);
  }
  let message = err instanceof Error ? err.message : String(err);
  if (!(err instanceof RegistryError) && !(err instanceof CommandError) && err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code && !message.includes(code)) message = `${message} (${code})`;
  }
  return {
    message: redactSecrets(message, [...secrets]),
    ...(hint ? { hint: redactSecrets(hint, [...secrets]) } : {}),
  };
}

/** `dir` as one shell word (quoted when it holds anything but plain path characters). */
export function shellWord(dir: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, "'\\''")}'`;
}
