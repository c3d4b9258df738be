import { closest, distance } from "fastest-levenshtein";
import { NAME_MAX_LENGTH } from "../model/kinds.js";

/**
 * Where a name ends up decides its rule (Feast accepts upper case and leading digits, and every
 * identifier fsops writes is quoted): a feature or join key becomes a column, a view's name a
 * table name and a Redis key segment; other names are only registry keys.
 */
export type NameRole = "object" | "view" | "column";

/** Postgres keeps 63 bytes of an identifier: two longer column names could become one. */
export const COLUMN_NAME_MAX_BYTES = NAME_MAX_LENGTH;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

export function isValidName(name: string, role: NameRole = "object"): boolean {
  return nameProblem(name, role) === null;
}

/** Why `name` cannot be used in `role`, in words (with the real reason), or null when it can. */
export function nameProblem(name: string, role: NameRole = "object"): string | null {
  if (name === "") return "is empty";
  if (name.trim() !== name) return "starts or ends with white space";
  if (CONTROL.test(name)) return "contains a control character";
  if (role === "view" && name.includes(":")) {
    return 'contains ":", which separates the segments of the Redis keys fsops:<project>:<view>:… (another view\'s keys would match)';
  }
  if (role === "column" && Buffer.byteLength(name, "utf8") > COLUMN_NAME_MAX_BYTES) {
    return `is ${Buffer.byteLength(name, "utf8")} bytes long: Postgres keeps only ${COLUMN_NAME_MAX_BYTES} bytes of a column name, so two long names could become one column`;
  }
  return null;
}

/** A name close to `name` that `role` accepts, or null when there is no obvious one. */
export function suggestName(name: string, role: NameRole = "object"): string | null {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  let s = name.trim().replace(/[\u0000-\u001f\u007f]+/g, "");
  if (role === "view") s = s.replace(/:+/g, "_");
  if (role === "column") {
    while (Buffer.byteLength(s, "utf8") > COLUMN_NAME_MAX_BYTES) s = s.slice(0, -1);
  }
  return s !== "" && s !== name && isValidName(s, role) ? s : null;
}

/**
 * The candidate nearest to `word` when it is close enough to be a plausible typo (also matching
 * snake_case against camelCase, as Feast users write `join_keys` for `joinKeys`), else null.
 */
export function nearest(word: string, candidates: readonly string[]): string | null {
  if (candidates.length === 0) return null;
  const folded = (s: string) => s.replace(/[_\s-]/g, "").toLowerCase();
  const exactFold = candidates.find((c) => folded(c) === folded(word));
  if (exactFold !== undefined) return exactFold;
  const best = closest(word, [...candidates]);
  const limit = Math.max(2, Math.floor(Math.min(word.length, best.length) / 3));
  return distance(word, best) <= limit ? best : null;
}

/** `"did you mean …?"` or, when nothing is close, the list of valid choices. */
export function suggestionHint(word: string, candidates: readonly string[], listLimit = 12): string | null {
  const near = nearest(word, candidates);
  if (near !== null) return `did you mean "${near}"?`;
  if (candidates.length === 0) return null;
  const shown = candidates.slice(0, listLimit).join(", ");
  return `valid: ${shown}${candidates.length > listLimit ? ", …" : ""}`;
}
