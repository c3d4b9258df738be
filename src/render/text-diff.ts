import { structuredPatch } from "diff";
import type { Json } from "../model/index.js";

// Its own module (not format.ts): the diff library is for plans, and `validate`, which renders
// diagnostics with format.ts, does not load it.

/**
 * A unified line diff of two texts (either may be absent), as `[" "|"-"|"+", line]` and hunk
 * header lines (`@@ -1,4 +1,4 @@`), context of 3 lines.
 */
export function textDiffLines(before: Json, after: Json): { mark: " " | "-" | "+" | "@"; text: string }[] {
  const b = typeof before === "string" ? before : "";
  const a = typeof after === "string" ? after : "";
  const patch = structuredPatch("before", "after", withNewline(b), withNewline(a), undefined, undefined, {
    context: 3,
  });
  const out: { mark: " " | "-" | "+" | "@"; text: string }[] = [];
  for (const h of patch.hunks) {
    out.push({ mark: "@", text: `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@` });
    for (const line of h.lines) {
      if (line.startsWith("\\")) continue; // "\ No newline at end of file": withNewline avoids it
      const mark = line[0] === "-" || line[0] === "+" ? line[0] : " ";
      out.push({ mark, text: line.slice(1) });
    }
  }
  return out;
}

function withNewline(s: string): string {
  return s === "" || s.endsWith("\n") ? s : `${s}\n`;
}
