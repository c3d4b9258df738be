/**
 * Renders Markdown the way GitHub does (GFM, via marked) and checks the HTML is well formed:
 * every tag closed in order, no marker or <details> escaped into visible text, no table row
 * left as a paragraph.
 */
import { Marked } from "marked";

const VOID = new Set(["br", "hr", "img", "input", "wbr"]);

export interface WellFormedReport {
  html: string;
  problems: string[];
  tables: number;
  details: number;
}

/** `escapedTagsAllowed`: the input quotes user text that itself mentions <details>. */
export function checkWellFormed(
  markdown: string,
  opts: { escapedTagsAllowed?: boolean } = {},
): WellFormedReport {
  const html = new Marked({ gfm: true }).parse(markdown, { async: false });
  const problems: string[] = [];
  const stack: string[] = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, "");
  for (const m of withoutComments.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(\/?)>/g)) {
    const [, closing, rawName, selfClosing] = m;
    const name = rawName!.toLowerCase();
    if (VOID.has(name) || selfClosing) continue;
    if (!closing) {
      stack.push(name);
      continue;
    }
    const open = stack.pop();
    if (open !== name) {
      problems.push(
        `</${name}> closes <${open ?? "nothing"}> near …${withoutComments.slice(Math.max(0, m.index - 80), m.index + 20)}…`,
      );
      break;
    }
  }
  if (stack.length > 0 && problems.length === 0) problems.push(`unclosed: ${stack.join(" > ")}`);
  if (html.includes("&lt;!--")) problems.push("an HTML comment (marker) is shown as text");
  if (!opts.escapedTagsAllowed && /&lt;\/?(details|summary)/.test(html)) {
    problems.push("<details>/<summary> is shown as text");
  }
  for (const m of html.matchAll(/<p>([^<]*)/g)) {
    if (/^\s*\|.*\|\s*$/m.test(m[1]!))
      problems.push(`a table row rendered as a paragraph: ${m[1]!.slice(0, 80)}`);
  }
  return {
    html,
    problems,
    tables: (html.match(/<table>/g) ?? []).length,
    details: (html.match(/<details>/g) ?? []).length,
  };
}
