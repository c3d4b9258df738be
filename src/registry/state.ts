/**
 * Pure helpers shared by every registry backend: parsing and validating what a backend read,
 * the compare-and-swap check, argument checks for commit, and what may be printed about a
 * location. No I/O here.
 */
import type * as Zod from "zod";
import { OBJECT_KINDS } from "../model/kinds.js";
import {
  ConcurrentChangeError,
  REGISTRY_FORMAT_VERSION,
  RegistryCorruptError,
  RegistryError,
  RegistryLockedError,
  type HistoryEntry,
  type LockInfo,
  type RegistryState,
} from "../model/registry.js";
import { stableStringify, type Json } from "../model/json.js";
import { PROJECT_PATTERN } from "../config/parse.js";
import { zod } from "../model/zod.js";

/** What every backend says when it refuses to touch contents it cannot read. */
const CORRUPT_HINT =
  "fsops will not overwrite contents it cannot read: restore the registry from a backup (or fix it by hand) and retry";

/** Project names become file names, object keys and SQL values: the alphabet fsops.yaml allows. */
export function assertProjectName(project: string): void {
  if (!PROJECT_PATTERN.test(project) || project.length > 128) {
    throw new RegistryError(
      `invalid project name ${JSON.stringify(project)}: use lowercase letters, digits and _ only`,
    );
  }
}

/** Built on first use (zod loads only when a registry is read: model/zod.ts). */
function buildSchemas() {
  const z = zod();
  /**
   * Stored values come from JSON.parse or jsonb, so they are JSON by construction: only their shape
   * is checked (a recursive JSON schema costs ~0.7 s on a 5,000-view state).
   */
  const plainObject = z.custom<{ [key: string]: Json }>(
    (value) => value !== null && typeof value === "object" && !Array.isArray(value),
    { message: "expected an object" },
  );

  const registryObjectSchema = z.object({
    kind: z.enum(OBJECT_KINDS),
    name: z.string().min(1),
    // Specs are validated where they are built; the registry keeps them as stored JSON objects.
    spec: plainObject,
    file: z.string().nullable(),
    line: z.number().int().nullable(),
  });

  const isoTime = z.string().min(1);

  const state = z.object({
    formatVersion: z.literal(REGISTRY_FORMAT_VERSION),
    project: z.string(),
    lineage: z.string().min(1),
    serial: z.number().int().nonnegative(),
    updatedAt: isoTime,
    appliedBy: z.string(),
    objects: z.array(registryObjectSchema),
    infra: z.custom<Json>((value) => value !== undefined, { message: "missing" }),
  });

  const history = z.object({
    project: z.string(),
    serial: z.number().int().nonnegative(),
    time: isoTime,
    who: z.string(),
    commit: z.string().nullable(),
    fingerprint: z.string(),
    changes: z.array(
      z.object({
        kind: z.enum(OBJECT_KINDS),
        name: z.string(),
        action: z.enum(["create", "update", "replace", "delete"]),
      }),
    ),
    infra: z.array(z.string()),
  });

  const lock = z.object({
    id: z.string().min(1),
    who: z.string(),
    host: z.string(),
    pid: z.number().int(),
    time: isoTime,
    operation: z.enum(["apply", "destroy"]),
  });
  return { state, history, lock };
}

let schemas: ReturnType<typeof buildSchemas> | undefined;
const stored = (): ReturnType<typeof buildSchemas> => (schemas ??= buildSchemas());

function describeIssues(error: Zod.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}

function corrupt(where: string, detail: string): RegistryCorruptError {
  return new RegistryCorruptError(`${where}: ${detail}`, CORRUPT_HINT);
}

/** JSON.parse that turns a syntax error (truncated file, garbage) into `RegistryCorruptError`. */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw corrupt(where, `is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * Checks a `formatVersion` field first, so a registry written by a newer fsops gets "upgrade"
 * rather than a list of schema complaints.
 */
export function checkFormatVersion(value: unknown, where: string): void {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw corrupt(where, `expected a JSON object, found ${Array.isArray(value) ? "an array" : typeof value}`);
  }
  const version = (value as { formatVersion?: unknown }).formatVersion;
  if (version !== REGISTRY_FORMAT_VERSION) {
    throw new RegistryCorruptError(
      `${where}: unknown registry formatVersion ${JSON.stringify(version ?? null)} (this fsops reads ${REGISTRY_FORMAT_VERSION})`,
      typeof version === "number" && version > REGISTRY_FORMAT_VERSION
        ? "the registry was written by a newer fsops: upgrade fsops"
        : CORRUPT_HINT,
    );
  }
}

/** Validates a stored state of `project`; anything else is `RegistryCorruptError`. */
export function validateState(value: unknown, project: string, where: string): RegistryState {
  checkFormatVersion(value, where);
  const parsed = stored().state.safeParse(value);
  if (!parsed.success) throw corrupt(where, `invalid registry state: ${describeIssues(parsed.error)}`);
  if (parsed.data.project !== project) {
    throw corrupt(
      where,
      `holds the state of project ${JSON.stringify(parsed.data.project)} where project ${JSON.stringify(project)} was expected`,
    );
  }
  // Specs are stored JSON produced by fsops itself; their detailed shape is not re-validated on read.
  return parsed.data as unknown as RegistryState;
}

export function parseState(text: string, project: string, where: string): RegistryState {
  return validateState(parseJson(text, where), project, where);
}

export function validateHistory(value: unknown, project: string, where: string): HistoryEntry {
  const parsed = stored().history.safeParse(value);
  if (!parsed.success) throw corrupt(where, `invalid history entry: ${describeIssues(parsed.error)}`);
  if (parsed.data.project !== project) {
    throw corrupt(
      where,
      `history entry of project ${JSON.stringify(parsed.data.project)}, expected ${project}`,
    );
  }
  return parsed.data as HistoryEntry;
}

export function validateLockInfo(value: unknown, where: string): LockInfo {
  const parsed = stored().lock.safeParse(value);
  if (!parsed.success) throw corrupt(where, `invalid lock: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/**
 * Byte-stable JSON (sorted keys, final newline) for everything a backend writes; indented unless
 * `compact` (a 5,000-view state is half the size without the indentation).
 */
export function serialize(value: unknown, options: { compact?: boolean } = {}): string {
  return `${stableStringify(value, options.compact ? undefined : 2)}\n`;
}

export type Expected = { lineage: string; serial: number } | null;

/** The compare-and-swap test: throws `ConcurrentChangeError` when the stored state is not `expected`. */
export function checkExpected(current: RegistryState | null, expected: Expected, project: string): void {
  const have = current ? `serial ${current.serial} (lineage ${current.lineage})` : "no state";
  const want = expected ? `serial ${expected.serial} (lineage ${expected.lineage})` : "no state";
  const same =
    current === null
      ? expected === null
      : expected !== null && current.lineage === expected.lineage && current.serial === expected.serial;
  if (!same) throw new ConcurrentChangeError(`project ${project} is now at ${have}, expected ${want}`);
}

/** Programming errors a backend must not write: a state or history for another project or serial. */
export function checkCommitArgs(
  project: string,
  expected: Expected,
  next: RegistryState,
  history: HistoryEntry,
): void {
  const problems: string[] = [];
  if (next.project !== project) problems.push(`state is for project ${next.project}`);
  if (history.project !== project) problems.push(`history entry is for project ${history.project}`);
  if (next.formatVersion !== REGISTRY_FORMAT_VERSION)
    problems.push(`state has formatVersion ${next.formatVersion}`);
  if (expected && next.lineage !== expected.lineage) problems.push("state changes the lineage");
  const serial = (expected?.serial ?? 0) + 1;
  if (next.serial !== serial) problems.push(`state serial ${next.serial}, expected ${serial}`);
  if (history.serial !== next.serial)
    problems.push(`history serial ${history.serial} differs from state serial`);
  if (problems.length > 0) {
    throw new RegistryError(`refusing to commit project ${project}: ${problems.join("; ")}`);
  }
  const valid = stored().state.safeParse(next);
  if (!valid.success)
    throw new RegistryError(`refusing to commit an invalid state: ${describeIssues(valid.error)}`);
}

/** `deleteState` writes a history entry of its own: the serial after the deleted state's. */
export function checkDeleteArgs(
  project: string,
  expected: { lineage: string; serial: number },
  history: HistoryEntry,
): void {
  if (history.project !== project || history.serial !== expected.serial + 1) {
    throw new RegistryError(
      `refusing to delete project ${project}: history entry is for ${history.project} serial ${history.serial}, expected serial ${expected.serial + 1}`,
    );
  }
}

export function lockMismatch(project: string, lockId: string, holder: LockInfo | null): RegistryError {
  return holder
    ? new RegistryError(
        `lock id ${lockId} does not match the lock on project ${project} (held by ${holder.who}@${holder.host}, lock id ${holder.id})`,
        `to remove that lock, run: fsops force-unlock ${holder.id}`,
      )
    : new RegistryError(`project ${project} is not locked`);
}

/** The lock is taken; `holder` is null when it vanished before it could be read (and retries ran out). */
export function lockedBy(holder: LockInfo | null): RegistryLockedError {
  return new RegistryLockedError(
    holder ?? { id: "unknown", who: "unknown", host: "unknown", pid: 0, time: "unknown", operation: "apply" },
  );
}

export function lockLost(project: string): RegistryError {
  return new RegistryError(
    `the lock on project ${project} was lost (force-unlocked?); nothing was written`,
    "re-run the command",
  );
}

/** Registry locations and errors mask passwords the same way as every other output. */
export { maskConnectionString as maskUrl } from "../config/redact.js";
