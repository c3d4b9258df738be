/**
 * Lets `${VAR}` stand unquoted anywhere in fsops.yaml, including inside flow mappings
 * (`online_store: { type: postgres, connection_string: ${FSOPS_ONLINE_PG:-} }`), where `{` and `}`
 * would otherwise end the scalar. Before YAML parsing, every reference is replaced by a token of
 * the same length made of private-use characters (so every offset, line and column the parser
 * reports stays true); `restore` turns tokens in parsed strings back into the references.
 */

import { closingBrace } from "./interpolate.js";

const PRIVATE_USE = /[\uE000-\uF8FF]/;
const START = 0xe000;
const PAD = 0xe001;
const DIGIT_BASE = 0xe100;
const RADIX = 0x1000;
const TOKEN = /\uE000[\uE100-\uF0FF]*\uE001*/g;

export interface Shielded {
  text: string;
  restore: (s: string) => string;
}

function digits(n: number): number[] {
  const out: number[] = [];
  do {
    out.unshift(n % RADIX);
    n = Math.floor(n / RADIX);
  } while (n > 0);
  return out;
}

/**
 * Replace every `${…}` (not preceded by `$`, on one line, nested references included: `${A:-${B}}`)
 * by `replace(reference)`.
 */
function replaceReferences(text: string, replace: (ref: string) => string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf("${", i);
    if (start < 0) break;
    if (start > 0 && text[start - 1] === "$") {
      out += text.slice(i, start + 2);
      i = start + 2;
      continue;
    }
    const close = closingBrace(text, start + 2);
    const newline = text.indexOf("\n", start);
    if (close < 0 || (newline >= 0 && newline < close)) {
      out += text.slice(i, start + 2);
      i = start + 2;
      continue;
    }
    out += text.slice(i, start) + replace(text.slice(start, close + 1));
    i = close + 1;
  }
  return out + text.slice(i);
}

export function shieldReferences(text: string): Shielded {
  // A file that already uses private-use characters is parsed as written (no shielding).
  if (PRIVATE_USE.test(text)) return { text, restore: (s) => s };
  const originals: string[] = [];
  let overflow = false;
  const shielded = replaceReferences(text, (ref) => {
    const code = digits(originals.length);
    if (code.length + 1 > ref.length) {
      overflow = true;
      return ref;
    }
    originals.push(ref);
    const token = [START, ...code.map((d) => DIGIT_BASE + d)];
    while (token.length < ref.length) token.push(PAD);
    return String.fromCharCode(...token);
  });
  if (overflow || originals.length === 0) return { text, restore: (s) => s };
  const restore = (s: string): string =>
    PRIVATE_USE.test(s)
      ? s.replace(TOKEN, (token) => {
          let n = 0;
          for (const ch of token.slice(1)) {
            const c = ch.charCodeAt(0);
            if (c === PAD) break;
            n = n * RADIX + (c - DIGIT_BASE);
          }
          return originals[n] ?? token;
        })
      : s;
  return { text: shielded, restore };
}
