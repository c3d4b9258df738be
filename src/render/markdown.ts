/**
 * Escaping for GitHub-flavoured Markdown. Everything a definition's author controls (names,
 * descriptions, tags, transforms, file paths) passes through one of these, so no definition
 * can close a `<details>`, split a table row, end a code fence or inject HTML into a comment.
 */

/** HTML text or attribute content (inline Markdown text needs only `& < >`, see escapeInline). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch]!);
}
const HTML_ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Inline Markdown text: HTML-escaped, Markdown punctuation backslash-escaped, newlines folded
 * (a newline would end a table row or a list item). `@` is entity-encoded so a description
 * cannot mention (and notify) people or teams.
 */
export function escapeInline(s: string): string {
  // Backslashes first, entities after: an entity's `#` must not be backslash-escaped.
  const md = s.replace(/\r?\n|\r/g, " ").replace(/[\\`*_{}[\]()#+\-.!|~]/g, (ch) => `\\${ch}`);
  return md.replace(/[&<>]/g, (ch) => HTML_ENTITIES[ch]!).replace(/@/g, "&#64;");
}

/**
 * A code span that survives any content: the fence is one backtick longer than the longest
 * run inside, and padded when the content starts or ends with a backtick. In a table cell `|`
 * must still be escaped (GFM splits cells before parsing code spans), hence `inTable`.
 */
export function codeSpan(s: string, inTable = false): string {
  const text = s.replace(/\r?\n|\r/g, " ");
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") || text === "" ? " " : "";
  const span = `${fence}${pad}${text}${pad}${fence}`;
  return inTable ? span.replace(/\|/g, "\\|") : span;
}

/** A fenced code block whose fence no line of `body` can close. */
export function codeBlock(lang: string, body: string): string {
  const longest = Math.max(0, ...[...body.matchAll(/^ {0,3}(`{3,})/gm)].map((m) => m[1]!.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body.endsWith("\n") ? body : `${body}\n`}${fence}`;
}

/** A table cell: escaped inline text with no raw pipe or newline. */
export function tableCell(s: string): string {
  return escapeInline(s);
}

/**
 * A URL safe inside `(...)` of a Markdown link. Only what would end or split the destination
 * is encoded (already-encoded parts are left alone): spaces, parentheses, angle brackets.
 */
export function linkUrl(url: string): string {
  return url.replace(/[\s()<>]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
}
