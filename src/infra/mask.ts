/**
 * Connection strings carry passwords. Everything fsops prints about a store goes through here:
 * `maskConnectionString` for locations, `redact` for error messages that might echo one.
 */

const MASK = "***";

/** The connection string with its password replaced by `***` (URL and `key=value` forms). */
export function maskConnectionString(connectionString: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(connectionString)) {
    // URL() cannot hold a multi-host authority (redis+cluster://a:1,b:2); mask textually.
    return connectionString.replace(
      /^([a-z][a-z0-9+.-]*:\/\/)([^@/]*)@/i,
      (_m, scheme: string, auth: string) => {
        const colon = auth.indexOf(":");
        return colon === -1 ? `${scheme}${auth}@` : `${scheme}${auth.slice(0, colon)}:${MASK}@`;
      },
    );
  }
  return connectionString.replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)/gi, `$1${MASK}`);
}

/** The secret parts of a connection string, raw and URL-decoded, longest first. */
export function connectionSecrets(connectionString: string): string[] {
  const secrets = new Set<string>();
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^@/]*)@/i.exec(connectionString);
  if (m?.[1] !== undefined) {
    const auth = m[1];
    const colon = auth.indexOf(":");
    if (colon !== -1) {
      const raw = auth.slice(colon + 1);
      secrets.add(raw);
      try {
        secrets.add(decodeURIComponent(raw));
      } catch {
        // a malformed escape: the raw form is still redacted
      }
    }
  }
  const kv = /password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)/i.exec(connectionString);
  if (kv?.[1] !== undefined) secrets.add(kv[1].replace(/^'|'$/g, ""));
  secrets.add(connectionString);
  return [...secrets].filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
}

/** `message` with every secret replaced by `***`. */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join(MASK);
  return out;
}
