import { lexer } from "marked";
import type { Token, Tokens } from "marked";

/** What a GFM parser makes of a rendered comment, reduced to what can go wrong structurally. */
export interface MarkdownStructure {
  tokens: Token[];
  /** Raw HTML seen by the parser (block and inline), in document order. */
  html: string[];
  /** `<details>` depth never negative and back to zero at the end. */
  detailsBalanced: boolean;
  detailsCount: number;
  tables: { header: string[]; rows: string[][] }[];
  codeBlocks: { lang: string; text: string }[];
  blockquotes: string[];
}

export function markdownStructure(md: string): MarkdownStructure {
  const tokens = lexer(md, { gfm: true });
  const html: string[] = [];
  const tables: MarkdownStructure["tables"] = [];
  const codeBlocks: MarkdownStructure["codeBlocks"] = [];
  const blockquotes: string[] = [];
  const visit = (list: readonly Token[] | undefined): void => {
    for (const t of list ?? []) {
      if (t.type === "html") html.push(t.raw);
      if (t.type === "code")
        codeBlocks.push({ lang: (t as Tokens.Code).lang ?? "", text: (t as Tokens.Code).text });
      if (t.type === "blockquote") blockquotes.push((t as Tokens.Blockquote).text);
      if (t.type === "table") {
        const table = t as Tokens.Table;
        tables.push({
          header: table.header.map((c) => c.text),
          rows: table.rows.map((r) => r.map((c) => c.text)),
        });
        for (const cell of [...table.header, ...table.rows.flat()]) visit(cell.tokens);
      }
      if (t.type === "list") for (const item of (t as Tokens.List).items) visit(item.tokens);
      if ("tokens" in t && Array.isArray(t.tokens)) visit(t.tokens as Token[]);
    }
  };
  visit(tokens);

  let depth = 0;
  let balanced = true;
  let count = 0;
  for (const raw of html) {
    for (const m of raw.matchAll(/<(\/?)details\b/gi)) {
      if (m[1] === "/") depth--;
      else {
        depth++;
        count++;
      }
      if (depth < 0) balanced = false;
    }
  }
  return {
    tokens,
    html,
    detailsBalanced: balanced && depth === 0,
    detailsCount: count,
    tables,
    codeBlocks,
    blockquotes,
  };
}
