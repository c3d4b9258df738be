import { closest, distance } from "fastest-levenshtein";
import { NAME_MAX_LENGTH, NAME_PATTERN } from "../model/kinds.js";

export function isValidName(name: string): boolean {
  return NAME_PATTERN.test(name) && name.length <= NAME_MAX_LENGTH;
}

/** Why `name` is not a valid identifier, in words, or null when it is valid. */
export function nameProblem(name: string): string | null {
  if (name === "") return "is empty";
  if (name.length > NAME_MAX_LENGTH) return `is ${name.length} characters long (at most ${NAME_MAX_LENGTH})`;
  if (!NAME_PATTERN.test(name)) {
    return "may only contain lowercase letters, digits and underscores, and must not start with a digit";
  }
  return null;
}

/**
 * A valid identifier close to `name` (`DriverStats` → `driver_stats`, `conv-rate` → `conv_rate`),
 * or null when nothing sensible remains (e.g. only punctuation).
 */
export function suggestName(name: string): string | null {
  let s = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_+|_+$/g, "");
  if (s === "") return null;
  if (/^[0-9]/.test(s)) s = `_${s}`;
  s = s.slice(0, NAME_MAX_LENGTH).replace(/_+$/, "");
  return isValidName(s) && s !== name ? s : null;
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
