import type * as z from "zod";
import type { Diagnostic, Severity, SourceLocation } from "../model/diagnostic.js";
import type { DslObject } from "../model/evaluated.js";
import { isDslObject } from "../model/evaluated.js";
import { CODES } from "./codes.js";
import type { ValidationCode } from "./codes.js";
import type { OptionPath } from "./describe.js";
import { describeValue, displayPath, locate, quote, subject, valueAt } from "./describe.js";
import { nearest, suggestionHint } from "./names.js";
import { optionNames, referenceHint } from "./schemas.js";
import type { ProblemParams } from "./schemas.js";

/** A diagnostic about `obj` at the location of the option at `path`. */
export function diagnosticAt(
  obj: DslObject,
  path: OptionPath,
  code: ValidationCode,
  message: string,
  hint?: string | null,
): Diagnostic {
  return diagnosticAtLocation(obj, locate(obj, path), code, message, hint);
}

/** A diagnostic about `obj` at a location elsewhere (e.g. inside an object it references). */
export function diagnosticAtLocation(
  obj: DslObject,
  at: SourceLocation,
  code: ValidationCode,
  message: string,
  hint?: string | null,
  severity: Severity = "error",
): Diagnostic {
  const d: Diagnostic = {
    severity,
    code,
    message: `${subject(obj)}: ${message}`,
    file: at.file,
    line: at.line,
    column: at.column,
  };
  if (hint) d.hint = hint;
  return d;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: "a string",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object of strings",
};

/** What a list option holds, for "needs at least one …". */
const ITEM_WORDS: Record<string, string> = {
  entities: "Entity",
  schema: "Field",
  joinKeys: "join key",
  sources: "source",
  features: "feature view or projection",
};

/** Words users reach for that are not the DSL's spelling, so a plain typo distance misleads. */
const CHOICE_ALIASES: Record<string, string> = {
  average: "avg",
  stddev: "std",
  total: "sum",
  latest: "last",
  minimum: "min",
  maximum: "max",
};

/** Every zod issue of one object's options, as diagnostics at the options' locations. */
export function issuesToDiagnostics(
  obj: DslObject,
  issues: readonly z.core.$ZodIssue[],
  skipAbsent = false,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    if (skipAbsent && issue.code !== "unrecognized_keys" && valueAt(obj, issue.path) === undefined) continue;
    const path = issue.path;
    const where = displayPath(path);
    if (issue.code === "unrecognized_keys") {
      const valid = path.length === 0 ? optionNames(obj.$dsl) : [];
      for (const key of issue.keys) {
        out.push(
          diagnosticAt(
            obj,
            [...path, key],
            CODES.unknownOption,
            `unknown option ${quote(key)}${where ? ` in ${where}` : ""}`,
            suggestionHint(key, valid),
          ),
        );
      }
      continue;
    }
    const value = valueAt(obj, path);
    const params = issue.code === "custom" ? (issue.params as ProblemParams | undefined) : undefined;
    if ((path.length === 1 && value === undefined) || params?.fsCode === CODES.missingOption) {
      out.push(diagnosticAt(obj, path, CODES.missingOption, `missing required option ${quote(where)}`));
      continue;
    }
    if (issue.code === "custom") {
      const code = params?.fsCode ?? CODES.wrongType;
      const named = displayPath(path.slice(0, path.length - (params?.innerDepth ?? 0)));
      const sep = named !== where ? ":" : "";
      const hint = params?.allowed ? referenceHint(value, params.allowed) : params?.hint;
      out.push(diagnosticAt(obj, path, code, `${named}${sep} ${issue.message}`, hint));
      continue;
    }
    switch (issue.code) {
      case "invalid_type": {
        const expected = EXPECTED_WORDS[issue.expected] ?? issue.expected;
        const hint =
          issue.expected === "array" && isDslObject(value) ? "wrap it in a list: [ … ]" : undefined;
        out.push(
          diagnosticAt(
            obj,
            path,
            CODES.wrongType,
            `${where} must be ${expected}; got ${describeValue(value)}`,
            hint,
          ),
        );
        break;
      }
      case "too_small": {
        const key = String(path[path.length - 1] ?? "");
        const detail =
          issue.origin === "array"
            ? `must list at least one ${ITEM_WORDS[key] ?? "entry"}`
            : "must not be empty";
        out.push(diagnosticAt(obj, path, CODES.emptyValue, `${where} ${detail}`));
        break;
      }
      case "invalid_value": {
        const choices = issue.values.map(String);
        const alias = typeof value === "string" ? CHOICE_ALIASES[value.toLowerCase()] : undefined;
        const near =
          alias !== undefined && choices.includes(alias)
            ? alias
            : typeof value === "string"
              ? nearest(value, choices)
              : null;
        out.push(
          diagnosticAt(
            obj,
            path,
            CODES.invalidChoice,
            `${where} must be one of ${choices.join(", ")}; got ${describeValue(value)}`,
            near ? `did you mean ${quote(near)}?` : null,
          ),
        );
        break;
      }
      default:
        out.push(diagnosticAt(obj, path, CODES.wrongType, `${where}: ${issue.message}`));
    }
  }
  return out;
}
