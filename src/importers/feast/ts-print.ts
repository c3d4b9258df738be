/**
 * A tiny TypeScript printer for the values the importer writes: object literals, arrays and
 * constructor calls, inline when short, one entry per line otherwise, with comments kept on the
 * entry they were written above. Deterministic: the same tree prints the same text.
 */
export type Ts =
  | { k: "raw"; text: string }
  | { k: "obj"; entries: TsEntry[] }
  | { k: "arr"; items: Ts[]; comments?: string[][] }
  /** `head(args)`, e.g. `new Entity(` + options + `)` or `view.select(` + list + `)`. */
  | { k: "call"; head: string; args: Ts[]; tail?: string };

export interface TsEntry {
  /** Printed as written: an identifier, a quoted string, or `...x` for a spread (value ignored). */
  key: string;
  value: Ts;
  comments: string[];
  spread?: boolean;
}

export const raw = (text: string): Ts => ({ k: "raw", text });
export const str = (value: string): Ts => raw(quote(value));

const WIDTH = 100;

export function quote(value: string): string {
  // Multi-line text (SQL queries, schemas) reads better as a template literal.
  if (value.includes("\n") && !/[`\\]|\$\{/.test(value)) return "`" + value + "`";
  return JSON.stringify(value);
}

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
export function propertyKey(name: string): string {
  return IDENT.test(name) ? name : JSON.stringify(name);
}

function inline(t: Ts): string | null {
  switch (t.k) {
    case "raw":
      return t.text.includes("\n") && !t.text.startsWith("`") ? null : t.text;
    case "arr": {
      if (t.comments?.some((c) => c.length > 0)) return null;
      const parts = t.items.map(inline);
      if (parts.some((p) => p === null)) return null;
      return `[${parts.join(", ")}]`;
    }
    case "obj": {
      if (t.entries.length === 0) return "{}";
      if (t.entries.some((e) => e.comments.length > 0)) return null;
      const parts = t.entries.map((e) => (e.spread ? e.key : `${e.key}: ${inline(e.value) ?? "\n"}`));
      if (parts.some((p) => p.includes("\n"))) return null;
      return `{ ${parts.join(", ")} }`;
    }
    case "call": {
      const parts = t.args.map(inline);
      if (parts.some((p) => p === null)) return null;
      return `${t.head}(${parts.join(", ")})${t.tail ?? ""}`;
    }
  }
}

export function printTs(t: Ts, indent = 0, prefixWidth = 0): string {
  const one = inline(t);
  if (one !== null && indent + prefixWidth + one.length <= WIDTH && !one.includes("\n")) return one;
  if (one !== null && one.startsWith("`")) return one;
  const pad = "  ".repeat(indent + 1);
  const end = "  ".repeat(indent);
  switch (t.k) {
    case "raw":
      return t.text;
    case "arr": {
      if (t.items.length === 0) return "[]";
      const item = (i: Ts, n: number) =>
        `${(t.comments?.[n] ?? []).map((c) => `${pad}// ${c}\n`).join("")}${pad}${printTs(i, indent + 1)},\n`;
      return `[\n${t.items.map(item).join("")}${end}]`;
    }
    case "obj": {
      const lines = t.entries.map((e) => {
        const comments = e.comments.map((c) => `${pad}// ${c}\n`).join("");
        if (e.spread) return `${comments}${pad}${e.key},\n`;
        return `${comments}${pad}${e.key}: ${printTs(e.value, indent + 1, e.key.length + 2)},\n`;
      });
      return `{\n${lines.join("")}${end}}`;
    }
    case "call": {
      // A single object or array argument hugs the parentheses: new X({\n ... \n})
      if (t.args.length === 1 && (t.args[0]?.k === "obj" || t.args[0]?.k === "arr"))
        return `${t.head}(${printTs(t.args[0], indent, t.head.length)})${t.tail ?? ""}`;
      return `${t.head}(\n${t.args.map((a) => `${pad}${printTs(a, indent + 1)},\n`).join("")}${end})${t.tail ?? ""}`;
    }
  }
}
