/**
 * Durations of the DSL: `"90s" "30m" "12h" "1d" "520w" "1d12h"` (units w, d, h, m, s, each at most
 * once, in that order) or a whole, non-negative number of seconds. Stored as integer seconds.
 * Weeks are accepted because Feast repositories write `timedelta(weeks=520)`; renderers show
 * days (formatDuration), so plans of existing projects read as before.
 */
const DURATION_PATTERN = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

const PARSE_UNIT_SECONDS = [604_800, 86_400, 3_600, 60, 1] as const;
const UNIT_SECONDS = [86_400, 3_600, 60, 1] as const;
const UNIT_NAMES = ["d", "h", "m", "s"] as const;

/** Seconds, or null when `v` is not a valid duration (negative, fractional, NaN, "1x", ""). */
export function parseDuration(v: unknown): number | null {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : null;
  if (typeof v !== "string" || v === "") return null;
  const m = DURATION_PATTERN.exec(v);
  if (!m) return null;
  let total = 0;
  for (let i = 0; i < PARSE_UNIT_SECONDS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) total += Number(part) * PARSE_UNIT_SECONDS[i]!;
  }
  return Number.isSafeInteger(total) ? total : null;
}

/** The shortest DSL spelling of `seconds`: 86400 → "1d", 5400 → "1h30m", 0 → "0s". */
export function formatDuration(seconds: number): string {
  // Renderers only pass validated values; anything else is shown as written rather than thrown on.
  if (!Number.isSafeInteger(seconds) || seconds < 0) return `${seconds}s`;
  if (seconds === 0) return "0s";
  let rest = seconds;
  let out = "";
  for (let i = 0; i < UNIT_SECONDS.length; i++) {
    const n = Math.floor(rest / UNIT_SECONDS[i]!);
    if (n > 0) {
      out += `${n}${UNIT_NAMES[i]}`;
      rest -= n * UNIT_SECONDS[i]!;
    }
  }
  return out;
}

/**
 * For an invalid duration, the valid spelling the user probably meant ("1w" → "7d",
 * "1.5h" → "1h30m", "1d 12h" → "1d12h"), or null when there is no obvious one.
 */
export function suggestDuration(v: unknown): string | null {
  if (typeof v === "number") {
    if (Number.isFinite(v) && v > 0 && !Number.isInteger(v)) return String(Math.round(v));
    return null;
  }
  if (typeof v !== "string") return null;
  const text = v.replace(/\s+/g, "").toLowerCase();
  if (text === "") return null;
  // A number of seconds written as a string.
  if (/^\d+$/.test(text)) return Number.isSafeInteger(Number(text)) ? formatDuration(Number(text)) : null;
  const units: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1 };
  const partPattern = /(\d+(?:\.\d+)?)([wdhms])/gy;
  let total = 0;
  let consumed = 0;
  for (let m = partPattern.exec(text); m; m = partPattern.exec(text)) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed = partPattern.lastIndex;
  }
  if (consumed !== text.length || !Number.isSafeInteger(total) || total <= 0) return null;
  const formatted = formatDuration(total);
  return formatted === v ? null : formatted;
}
