/**
 * `batchSchedule` ("@hourly", "@daily", or a 5/6-field cron expression, UTC) parsed with croner.
 * Pure functions of their inputs; the validator's diagnostics point at the option.
 */
import { Cron } from "croner";

/** Null when valid, else why not. */
export function scheduleError(expression: string): string | null {
  try {
    new Cron(expression, { paused: true, timezone: "UTC" }).stop();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** True when the schedule has a tick in (after, now]. */
export function dueAfter(expression: string, after: Date, now: Date): boolean {
  const cron = new Cron(expression, { paused: true, timezone: "UTC" });
  try {
    const next = cron.nextRun(after);
    return next !== null && next.getTime() <= now.getTime();
  } finally {
    cron.stop();
  }
}
