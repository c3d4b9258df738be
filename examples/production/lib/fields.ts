/**
 * Schema helpers shared by the definition files of this project. fsops evaluates every call
 * statically, so they are pure: they build values, never read files or the environment.
 * fsops reads only the files under the project folder, so each environment has its own copy.
 */
import { Field } from "fsops";
import type { Dtype } from "fsops";

/** One Field per column, in the order written (the order of the online-store columns). */
export const fields = (columns: Record<string, Dtype>): Field[] =>
  Object.entries(columns).map((column) => new Field({ name: column[0], dtype: column[1] }));

/** Rates and scores: every name becomes a float32 feature. */
export function floatFields(names: string[]): Field[] {
  return names.map((name) => new Field({ name, dtype: "float32" }));
}

/** Tags every object of the project carries, so the registry can be filtered by owner team. */
export function ownedBy(team: string, extra: Record<string, string> = {}): Record<string, string> {
  const tags = { ...extra, team, domain: "driver_ranking" };
  return tags;
}
