/**
 * Stable codes of parse-stage diagnostics (`FS1xx`): the single place that names them, says what
 * each means, and builds their messages and hints. Tests, CI annotations and users' searches match
 * on the codes: never renumber, only add.
 */
import type { Severity } from "../model/diagnostic.js";
import { DSL_CLASSES } from "../model/kinds.js";

export interface ParseCodeDef<A extends readonly unknown[]> {
  readonly code: string;
  readonly severity: Severity;
  /** One line: what the code means (documentation, `--help`). */
  readonly description: string;
  readonly message: (...args: A) => string;
  readonly hint?: (...args: A) => string;
}

function def<A extends readonly unknown[]>(d: ParseCodeDef<A>): ParseCodeDef<A> {
  return d;
}

const SUPPORTED_ARRAY_METHODS =
  ".map .filter .flatMap .concat .join .includes .slice, Array.from({ length: n }, fn)";
const SUPPORTED_STRING_METHODS =
  ".toLowerCase .toUpperCase .replace .replaceAll (string patterns) .split .trim .startsWith .endsWith .padStart .padEnd .includes .slice";

export const PARSE = {
  syntaxError: def({
    code: "FS100",
    severity: "error",
    description: "TypeScript syntax error (the file's definitions are not evaluated).",
    message: (text: string) => text,
  }),
  unparsableFile: def({
    code: "FS101",
    severity: "error",
    description: "The file could not be parsed at all (e.g. nested too deeply).",
    message: (reason: string) => `this file could not be parsed: ${reason}`,
    hint: () => "simplify the file; deeply nested expressions are not supported",
  }),
  unresolvedImport: def({
    code: "FS102",
    severity: "error",
    description: "A relative import used by a definition does not resolve to a .ts file of the project.",
    message: (specifier: string, why: string) => `cannot resolve "${specifier}": ${why}`,
    hint: () =>
      'import project files by relative path ("./entities" or "./entities.js"); only .ts files under the project folder are read',
  }),
  foreignImportUsed: def({
    code: "FS103",
    severity: "error",
    description:
      'A definition uses a value imported from a package other than "fsops"; fsops never loads other packages.',
    message: (name: string, specifier: string) =>
      `"${name}" is imported from "${specifier}"; definitions can only use values from "fsops" and project files`,
    hint: () => "write the value in a project file, or use `import type` if only its type is needed",
  }),
  foreignImportIgnored: def({
    code: "FS104",
    severity: "warning",
    description:
      'An import from a package other than "fsops" that no definition uses: fsops ignores it and never loads it.',
    message: (specifier: string) =>
      `import from "${specifier}" is ignored: fsops reads definitions without loading other packages`,
    hint: () => "use `import type` for types, or list helper files that need it in .fsopsignore",
  }),
  missingExport: def({
    code: "FS105",
    severity: "error",
    description: "An imported name is not exported by the module it is imported from.",
    message: (name: string, module: string) => `"${module}" has no export named "${name}"`,
    hint: (_name: string, module: string) =>
      module === "fsops"
        ? `fsops exports ${DSL_CLASSES.join(", ")}`
        : "check the spelling and that the value is exported",
  }),
  ambiguousExport: def({
    code: "FS106",
    severity: "error",
    description: "A name is exported by two `export * from` modules, so the import is ambiguous.",
    message: (name: string, module: string, first: string, second: string) =>
      `"${name}" is ambiguous in "${module}": both "${first}" and "${second}" export it`,
    hint: () => 're-export the intended one explicitly: export { name } from "./x"',
  }),
  importFromBrokenFile: def({
    code: "FS107",
    severity: "error",
    description: "A definition uses a value from a file that has syntax errors.",
    message: (name: string, file: string) => `"${name}" comes from ${file}, which has syntax errors`,
    hint: () => "fix the syntax errors reported in that file",
  }),
  unknownIdentifier: def({
    code: "FS110",
    severity: "error",
    description: "A definition uses a name that is not declared in the project.",
    message: (name: string) => `unknown identifier "${name}"`,
    hint: () => "declare it with const in a project file, or import it from one",
  }),
  environmentAccess: def({
    code: "FS111",
    severity: "error",
    description: "A definition reads the environment (`process`, `process.env`).",
    message: (what: string) => `definitions cannot read the environment (${what})`,
    hint: () => "put environment-dependent values in fsops.yaml with ${VAR}",
  }),
  clockAccess: def({
    code: "FS112",
    severity: "error",
    description: "A definition reads the clock (`Date`, `new Date()`, `Date.now()`).",
    message: (what: string) => `definitions cannot read the clock (${what})`,
    hint: () => "write the date as a string literal",
  }),
  randomness: def({
    code: "FS113",
    severity: "error",
    description: "A definition uses randomness (`Math.random`, `crypto`).",
    message: (what: string) => `definitions cannot use randomness (${what})`,
    hint: () => "definitions must give the same result every time they are read; write the value literally",
  }),
  moduleLoading: def({
    code: "FS114",
    severity: "error",
    description: "A definition loads code at run time (`require`, `import()`, `import.meta`).",
    message: (what: string) => `definitions cannot load modules at run time (${what})`,
    hint: () => 'use a static import of a project file: import { x } from "./x"',
  }),
  unsupportedGlobal: def({
    code: "FS115",
    severity: "error",
    description: "A definition uses a global that static evaluation does not support.",
    message: (what: string) => `${what} is not available to definitions`,
    hint: () =>
      "definitions support literals, const bindings, helper functions, Object.entries/fromEntries/keys/values, the array methods " +
      SUPPORTED_ARRAY_METHODS +
      " and the string methods " +
      SUPPORTED_STRING_METHODS,
  }),
  mutableBinding: def({
    code: "FS116",
    severity: "error",
    description: "A definition uses a `let`/`var` binding, or a DSL object is declared with `let`/`var`.",
    message: (name: string, keyword: string) =>
      `"${name}" is declared with ${keyword}; definitions can only use const bindings`,
    hint: () => "declare it with const",
  }),
  usedBeforeDeclaration: def({
    code: "FS117",
    severity: "error",
    description: "A const is used before its declaration has been evaluated.",
    message: (name: string) => `"${name}" is used before it is initialized`,
    hint: () => "move the declaration above its first use",
  }),
  cyclicConstant: def({
    code: "FS118",
    severity: "error",
    description: "Constants that depend on each other in a cycle.",
    message: (cycle: string) => `cyclic definition: ${cycle}`,
    hint: () => "break the cycle; a value cannot depend on itself",
  }),
  unsupportedSyntax: def({
    code: "FS120",
    severity: "error",
    description: "Syntax outside the statically evaluated subset of TypeScript.",
    message: (what: string) => `${what} cannot be evaluated statically`,
    hint: () =>
      "definitions support literals, object/array literals, spreads, template literals, arithmetic, comparisons, ?: && || ??, const bindings and pure helper functions",
  }),
  loop: def({
    code: "FS121",
    severity: "error",
    description: "A loop where definitions are built; loops are not evaluated.",
    message: (what: string) => `${what} loops are not evaluated`,
    hint: () => "build arrays with .map / .filter / .flatMap instead of loops",
  }),
  classUse: def({
    code: "FS122",
    severity: "error",
    description: "A definition uses a user-defined class.",
    message: (name: string) => `classes are not supported (${name})`,
    hint: () => "use plain objects and helper functions",
  }),
  asyncCode: def({
    code: "FS123",
    severity: "error",
    description: "`await`, async functions or generators in code a definition uses.",
    message: (what: string) => `${what} is not supported in definitions`,
    hint: () => "definitions are plain synchronous values",
  }),
  taggedTemplate: def({
    code: "FS124",
    severity: "error",
    description: "A tagged template literal: its tag is a function call fsops does not run.",
    message: () => "tagged template literals are not supported",
    hint: () => "use an untagged template literal `...${x}...`",
  }),
  notDslClass: def({
    code: "FS125",
    severity: "error",
    description: 'Construction of a class that is not an fsops DSL class imported from "fsops".',
    message: (name: string) => `${name} is not an fsops DSL class`,
    hint: () => `only ${DSL_CLASSES.join(", ")} imported from "fsops" can be constructed`,
  }),
  unsupportedCall: def({
    code: "FS126",
    severity: "error",
    description: "A call of something that is not a supported pure function.",
    message: (what: string) => `${what} cannot be called in a definition`,
    hint: () =>
      `call helper functions written in the project, Object.entries/fromEntries/keys/values, the array methods ${SUPPORTED_ARRAY_METHODS}, or the string methods ${SUPPORTED_STRING_METHODS}`,
  }),
  helperBody: def({
    code: "FS127",
    severity: "error",
    description: "A helper function whose body is not only const declarations and a final return.",
    message: (what: string) =>
      `helper functions may only contain const declarations and a final return (found ${what})`,
    hint: () => "compute values with expressions (?:, .map, .filter) and return them",
  }),
  statementNotEvaluated: def({
    code: "FS128",
    severity: "error",
    description:
      "A DSL object created in a top-level statement that fsops does not evaluate (it is not a const declaration).",
    message: (what: string) => `this DSL object is created in ${what}, which fsops does not evaluate`,
    hint: () => "declare it with a top-level const (export const x = new ...)",
  }),
  mutation: def({
    code: "FS130",
    severity: "error",
    description:
      "A binding that a definition uses is mutated somewhere in the project; reading it statically would disagree with running it.",
    message: (name: string, how: string) =>
      `"${name}" is used by a definition but ${how} here; fsops reads definitions without running them and would not see this change`,
    hint: () => 'build a new value instead, e.g. const more = [...keys, "x"] or { ...base, x: 1 }',
  }),
  mutationInDefinition: def({
    code: "FS131",
    severity: "error",
    description: "An assignment, ++/-- or delete inside a definition.",
    message: (what: string) => `${what} is not allowed in definitions`,
    hint: () => "definitions are values: build new arrays and objects instead of changing existing ones",
  }),
  notPartOfFsops: def({
    code: "FS132",
    severity: "error",
    description:
      'A name imported from "fsops" or constructed in a definition file that fsops does not have (often a Feast class): it would otherwise produce nothing.',
    message: (name: string, advice: string) => `${name} is not part of fsops: ${advice}`,
  }),
  dslClassNotImported: def({
    code: "FS133",
    severity: "error",
    description: 'A DSL class constructed without being imported from "fsops".',
    message: (name: string) => `${name} is constructed but not imported`,
    hint: (name: string) => `add ${name} to the import from "fsops": import { ${name} } from "fsops"`,
  }),
  typeError: def({
    code: "FS140",
    severity: "error",
    description:
      "An operation on a value of the wrong type (e.g. a property of undefined, spreading a number).",
    message: (what: string) => what,
  }),
  unsupportedProperty: def({
    code: "FS141",
    severity: "error",
    description: "A property that static evaluation does not provide on this kind of value.",
    message: (property: string, on: string) => `property "${property}" of ${on} is not supported`,
    hint: (_property: string, on: string) =>
      on.startsWith("a DSL object")
        ? "DSL objects expose .name, .options, .kind and .select([...])"
        : on.startsWith("an array")
          ? `arrays support .length, [index] and ${SUPPORTED_ARRAY_METHODS}`
          : "read own properties of objects, .length of strings and arrays",
  }),
  badSelect: def({
    code: "FS142",
    severity: "error",
    description: "`.select([...])` on something other than a feature view, or with wrong arguments.",
    message: (what: string) => what,
    hint: () => 'select features of a feature view: view.select(["feature_a", "feature_b"])',
  }),
  badConstructorArguments: def({
    code: "FS143",
    severity: "error",
    description: "A DSL constructor not called with exactly one options object.",
    message: (className: string, what: string) => `new ${className}(...) ${what}`,
    hint: () => 'pass one object literal: new Entity({ name: "driver" })',
  }),
  reservedKey: def({
    code: "FS144",
    severity: "error",
    description: "An object key that fsops reserves to mark evaluated DSL values.",
    message: (key: string) => `the key "${key}" is reserved by fsops`,
    hint: () => "rename the key",
  }),
  stepBudget: def({
    code: "FS150",
    severity: "error",
    description:
      "Evaluation exceeded its step budget (unbounded recursion, exponential work); evaluation stopped.",
    message: (budget: number) =>
      `evaluation stopped after ${budget} steps; definitions must be cheap to evaluate`,
    hint: () => "look for recursion that does not end or values that grow exponentially",
  }),
  sizeBudget: def({
    code: "FS151",
    severity: "error",
    description: "A value exceeded the size budget (array length, string length, object key count).",
    message: (what: string, limit: number) => `${what} exceeds the size limit of ${limit}`,
    hint: () => "definitions should be small; look for values that grow exponentially",
  }),
  tooDeep: def({
    code: "FS152",
    severity: "error",
    description: "Helper calls or expressions nested too deeply (unbounded recursion).",
    message: (what: string, limit: number) => `${what} nested deeper than ${limit} levels`,
    hint: () => "look for a helper function that calls itself without end",
  }),
  internalError: def({
    code: "FS199",
    severity: "error",
    description: "An internal error of the evaluator (a bug in fsops; please report it).",
    message: (what: string) => `internal error while evaluating this definition: ${what}`,
  }),
} as const;

export type ParseCodeName = keyof typeof PARSE;

/** Code → one-line description, for documentation and help output. */
export const PARSE_CODE_DESCRIPTIONS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(PARSE).map((d) => [d.code, d.description]),
);
