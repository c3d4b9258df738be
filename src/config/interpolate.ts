/**
 * `${VAR}` / `${VAR:-default}` interpolation of one string value from fsops.yaml.
 *
 * - `${VAR}`: the variable's value; unset → `missing` (an error naming the variable).
 * - `${VAR:-default}`: the value when set and non-empty, otherwise the default (written in the
 *   file, so not a secret).
 * - `${VAR:-${OTHER}}`, `${VAR:-a/${OTHER:-b}}`: a default is itself interpolated (nested up to
 *   `MAX_NESTING` levels), as in a POSIX shell; an error when nested deeper.
 * - `$${` is a literal `${`; a `$` not followed by `{` is kept as is (passwords contain `$`).
 */

export type Env = Readonly<Record<string, string | undefined>>;

export interface Interpolation {
  value: string;
  /** Non-empty values that came from the environment. */
  secrets: string[];
  /** Variables referenced without a default and not set. */
  missing: string[];
  /** Malformed references, described without any variable's value. */
  problems: string[];
  /** Whether the value contained at least one `${…}` reference. */
  interpolated: boolean;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** How deep `${A:-${B:-${C}}}` may nest; deeper is an error (it is never needed, and bounds recursion). */
export const MAX_NESTING = 8;

/** Index of the `}` closing the `${` whose body starts at `from`, counting nested `${…}`; -1 if none. */
export function closingBrace(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    if (text.startsWith("$${", i)) {
      i += 2;
      continue;
    }
    if (text.startsWith("${", i)) {
      depth += 1;
      i += 1;
      continue;
    }
    if (text[i] === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}

export function interpolate(text: string, env: Env): Interpolation {
  return interpolateAt(text, env, 0);
}

function interpolateAt(text: string, env: Env, depth: number): Interpolation {
  const result: Interpolation = { value: "", secrets: [], missing: [], problems: [], interpolated: false };
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      out += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      out += text[i];
      i += 1;
      continue;
    }
    result.interpolated = true;
    const close = closingBrace(text, i + 2);
    if (close < 0) {
      result.problems.push(`unterminated "\${" (write "$\${" for a literal "\${")`);
      out += text.slice(i);
      break;
    }
    const body = text.slice(i + 2, close);
    const sep = body.indexOf(":-");
    const name = sep < 0 ? body : body.slice(0, sep);
    const fallback = sep < 0 ? undefined : body.slice(sep + 2);
    i = close + 1;
    if (!VAR_NAME.test(name)) {
      result.problems.push(
        `"\${${body}}" is not a variable reference: use \${NAME} or \${NAME:-default} with NAME made of letters, digits and _`,
      );
      continue;
    }
    const value = env[name];
    if (value !== undefined && (fallback === undefined || value !== "")) {
      out += value;
      if (value !== "") result.secrets.push(value);
    } else if (fallback !== undefined) {
      if (!fallback.includes("${")) {
        out += fallback;
      } else if (depth + 1 >= MAX_NESTING) {
        result.problems.push(`defaults nest more than ${MAX_NESTING} levels deep`);
      } else {
        const inner = interpolateAt(fallback, env, depth + 1);
        out += inner.value;
        result.secrets.push(...inner.secrets);
        result.missing.push(...inner.missing);
        result.problems.push(...inner.problems);
      }
    } else {
      result.missing.push(name);
    }
  }
  result.value = out;
  return result;
}
