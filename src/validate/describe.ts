import type { SourceLocation } from "../model/diagnostic.js";
import type { DslObject, EvalValue } from "../model/evaluated.js";
import { isDslObject, isProjection, isTransformSource } from "../model/evaluated.js";

export type OptionPath = readonly PropertyKey[];

const MAX_SHOWN = 60;

/** A short description of an evaluated value for messages: `"1x"`, `a RequestSource ("req")`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (typeof v === "string") return quote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return "a list";
  if (isDslObject(v)) {
    const name = v.options.name;
    return `${article(v.$dsl)} ${v.$dsl}${typeof name === "string" ? ` (${quote(name)})` : ""}`;
  }
  if (isProjection(v)) return "a projection (`.select([...])`)";
  if (isTransformSource(v)) return "a function";
  return "an object";
}

export function quote(s: string): string {
  const shown = s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}…` : s;
  return JSON.stringify(shown);
}

/** "a" or "an" before a class name (`an Entity`, `a FeatureView`). */
export function article(word: string): string {
  return /^[AEIOU]/.test(word) ? "an" : "a";
}

/** `schema[1].dtype`, `tags.team`: how a path reads in a message. */
export function displayPath(path: OptionPath): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out;
}

/** `Class "name"` (the raw name when it is a string, even an invalid one), else `Class`. */
export function subject(obj: DslObject): string {
  const name = obj.options.name;
  return typeof name === "string" ? `${obj.$dsl} ${quote(name)}` : obj.$dsl;
}

/** The value at `path` inside `obj.options`, walking through projections (`view`, `features`). */
export function valueAt(obj: DslObject, path: OptionPath): unknown {
  let cur: unknown = obj.options;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    if (isDslObject(cur)) return undefined; // a referenced object's options are its own
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/**
 * Where to report something about `path` in `obj`: the deepest location the parser recorded for a
 * prefix of the path, else the construction itself. A problem inside a projection (a selected
 * feature) is reported at the `.select([...])` call, which may be a const's initializer elsewhere,
 * unless the parser recorded the exact element.
 */
export function locate(obj: DslObject, path: OptionPath): SourceLocation {
  let best: SourceLocation = obj.location;
  let cur: EvalValue | undefined = obj.options;
  for (let depth = 1; depth <= path.length; depth++) {
    const key = path[depth - 1]!;
    if (cur === null || cur === undefined || typeof cur !== "object" || isDslObject(cur)) {
      cur = undefined;
    } else {
      cur = (cur as unknown as Record<PropertyKey, EvalValue>)[key];
    }
    const recorded = obj.optionLocations[path.slice(0, depth).map(String).join(".")];
    if (recorded) best = recorded;
    if (isProjection(cur) && depth < path.length) best = cur.location;
  }
  return best;
}
