/**
 * Secret hygiene for every output path (terminal, Markdown, JSON, logs, errors). Pure string
 * functions: callers pass `ProjectConfig.secrets` and the text they are about to print.
 */

const MASK = "***";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The forms a secret takes once embedded in output: as is, percent-encoded (inside a URL), and
 * JSON-escaped (inside a JSON string), so `--json` output is covered too.
 */
function secretVariants(secret: string): string[] {
  const variants = [secret, JSON.stringify(secret).slice(1, -1)];
  try {
    variants.push(encodeURIComponent(secret));
  } catch {
    // A lone surrogate cannot be percent-encoded; the raw form is still redacted.
  }
  return variants;
}

/**
 * Replaces every occurrence of every secret with `***`. One pass over the text with the longest
 * secrets first, so a secret that contains another is masked whole and `***` itself is never
 * re-matched.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  const variants = new Set<string>();
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    for (const v of secretVariants(secret)) if (v.length > 0) variants.add(v);
  }
  if (variants.size === 0) return text;
  const ordered = [...variants].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  const pattern = new RegExp(ordered.map(escapeRegExp).join("|"), "g");
  return text.replace(pattern, MASK);
}

interface UrlParts {
  /** `scheme://` */
  prefix: string;
  /** Everything between `scheme://` and the last `@` of the authority, or null without one. */
  userinfo: string | null;
  /** From the host on. */
  rest: string;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Splits a URL without normalizing it (so the masked form is the string as written). The
 * userinfo ends at the last `@` before the query: passwords with an unencoded `@` or `/` are
 * common in hand-written connection strings and must still be masked whole.
 */
function splitUrl(url: string): UrlParts | null {
  const scheme = SCHEME.exec(url);
  if (!scheme) return null;
  const prefix = scheme[0];
  const afterScheme = url.slice(prefix.length);
  const queryStart = afterScheme.search(/[?#]/);
  const head = queryStart < 0 ? afterScheme : afterScheme.slice(0, queryStart);
  const at = head.lastIndexOf("@");
  if (at < 0) return { prefix, userinfo: null, rest: afterScheme };
  return { prefix, userinfo: afterScheme.slice(0, at), rest: afterScheme.slice(at + 1) };
}

const QUERY_PASSWORD = /([?&](?:password|pass|sslpassword)=)([^&#]*)/gi;
/** libpq keyword/value form: `host=db password=s3cret` or `password='s 3cret'`. */
const DSN_PASSWORD = /(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s]*)/gi;

/**
 * `postgresql://user:pw@host:5432/db` → `postgresql://user:***@host:5432/db`,
 * `redis://:pw@host` → `redis://:***@host`; passwords in the query (`?password=`) and in libpq
 * keyword/value strings are masked too. Anything else is returned unchanged. Never throws.
 */
export function maskConnectionString(url: string): string {
  const parts = splitUrl(url);
  if (!parts)
    return url.replace(DSN_PASSWORD, (_m, key: string, value: string) => (value ? key + MASK : key));
  let userinfo = "";
  if (parts.userinfo !== null) {
    const colon = parts.userinfo.indexOf(":");
    userinfo =
      colon < 0 || colon === parts.userinfo.length - 1
        ? `${parts.userinfo}@`
        : `${parts.userinfo.slice(0, colon)}:${MASK}@`;
  }
  const rest = parts.rest.replace(QUERY_PASSWORD, (_m, key: string, value: string) =>
    value ? key + MASK : key,
  );
  return parts.prefix + userinfo + rest;
}

/**
 * The password written in a connection string (URL userinfo, `?password=`, or libpq
 * `password=`), in both its written and decoded forms, so it can be added to the secrets even
 * when the string itself was not interpolated.
 */
export function connectionStringPasswords(url: string): string[] {
  const found: string[] = [];
  const parts = splitUrl(url);
  if (parts) {
    if (parts.userinfo !== null) {
      const colon = parts.userinfo.indexOf(":");
      if (colon >= 0) found.push(parts.userinfo.slice(colon + 1));
    }
    for (const m of parts.rest.matchAll(QUERY_PASSWORD)) found.push(m[2] ?? "");
  } else {
    for (const m of url.matchAll(DSN_PASSWORD)) {
      const value = m[2] ?? "";
      found.push(value.startsWith("'") ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value);
    }
  }
  const out = new Set<string>();
  for (const pw of found) {
    if (!pw) continue;
    out.add(pw);
    try {
      out.add(decodeURIComponent(pw));
    } catch {
      // Not valid percent-encoding: the written form is the password.
    }
  }
  return [...out];
}

/**
 * Everything to redact from a driver's error about this connection: the string itself (drivers
 * echo it) and its password in every form.
 */
export function connectionSecrets(connectionString: string): string[] {
  return [connectionString, ...connectionStringPasswords(connectionString)].filter((s) => s.length > 0);
}

/** Anything shaped like `scheme://…` in a text, up to whitespace or a quote. */
const URL_IN_TEXT = /[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"'`]+/g;

/**
 * fsops.yaml as it may be shown (code frames of diagnostics): every password written in a
 * connection string (URL userinfo, `?password=`, libpq `password=`) masked. Works on the raw text,
 * so it holds even when the file does not parse.
 */
export function maskConfigText(text: string): string {
  return text
    .replace(URL_IN_TEXT, (url) => maskConnectionString(url))
    .replace(DSN_PASSWORD, (_m, key: string, value: string) => (value ? key + MASK : key));
}

/** Every password written literally in fsops.yaml's text (see `maskConfigText`). */
export function literalPasswords(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(URL_IN_TEXT)) for (const pw of connectionStringPasswords(m[0])) out.add(pw);
  for (const m of text.matchAll(DSN_PASSWORD)) {
    for (const pw of connectionStringPasswords(m[0])) out.add(pw);
  }
  return [...out];
}
