/** Python `timedelta(...)` → an fsops duration ("1d12h", or a number of seconds). */

/** Positional order of `datetime.timedelta`'s parameters, and each one's length in seconds. */
const TIMEDELTA_UNITS: readonly [string, number][] = [
  ["days", 86400],
  ["seconds", 1],
  ["microseconds", 1e-6],
  ["milliseconds", 1e-3],
  ["minutes", 60],
  ["hours", 3600],
  ["weeks", 604800],
];

export const TIMEDELTA_PARAMETERS: readonly string[] = TIMEDELTA_UNITS.map(([n]) => n);

/**
 * Total seconds of a timedelta whose arguments are known numbers, or an error saying why it has
 * no fsops equivalent (fsops durations are whole, non-negative seconds).
 */
export function timedeltaSeconds(
  positional: readonly number[],
  keywords: Readonly<Record<string, number>>,
): { seconds: number } | { error: string } {
  let total = 0;
  if (positional.length > TIMEDELTA_UNITS.length) return { error: "timedelta takes at most 7 arguments" };
  positional.forEach((v, i) => (total += v * (TIMEDELTA_UNITS[i]?.[1] ?? 0)));
  for (const [name, v] of Object.entries(keywords)) {
    const unit = TIMEDELTA_UNITS.find(([n]) => n === name);
    if (!unit) return { error: `timedelta has no parameter "${name}"` };
    total += v * unit[1];
  }
  // Sub-second parts that add up to whole seconds (e.g. milliseconds=1500*2) are exact enough.
  const rounded = Math.round(total * 1e6) / 1e6;
  if (rounded < 0) return { error: "a negative duration has no fsops equivalent" };
  if (!Number.isInteger(rounded))
    return {
      error: `${rounded} seconds is not a whole number of seconds; fsops durations are whole seconds`,
    };
  return { seconds: rounded };
}

/** Whole seconds → the shortest fsops duration text ("1d12h"), or 0. */
export function formatDuration(seconds: number): string | number {
  if (seconds === 0) return 0;
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join("");
}
