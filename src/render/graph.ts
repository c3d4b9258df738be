import { OBJECT_KINDS, objectId } from "../model/index.js";
import type { DesiredState, ObjectKind } from "../model/index.js";
import { compareEdges, compareObjects } from "../plan/references.js";

export type GraphFormat = "mermaid" | "dot" | "json";

/** `fsops graph --format json`: exactly this shape. */
export interface GraphJson {
  nodes: { id: string; kind: ObjectKind; name: string }[];
  edges: { from: string; to: string }[];
}

/**
 * The desired-state graph, edges from the dependent to what it depends on (as in
 * `DesiredState.edges`). Mermaid and DOT group nodes by kind (subgraphs / clusters); node ids
 * there are derived from `kind:name` so that no name can break the syntax, and labels keep the
 * real name.
 */
export function renderGraph(state: DesiredState, format: GraphFormat): string {
  const nodes = [...state.objects]
    .map((o) => ({ id: objectId(o.kind, o.name) as string, kind: o.kind, name: o.name }))
    .sort(compareObjects);
  const edges = [...state.edges].map((e) => ({ from: e.from, to: e.to })).sort(compareEdges);
  switch (format) {
    case "json":
      return JSON.stringify({ nodes, edges } satisfies GraphJson, null, 2) + "\n";
    case "mermaid":
      return mermaid(nodes, edges);
    case "dot":
      return dot(state.project, nodes, edges);
  }
}

type Node = GraphJson["nodes"][number];
type Edge = GraphJson["edges"][number];

function byKind(nodes: readonly Node[]): [ObjectKind, Node[]][] {
  return OBJECT_KINDS.map((k) => [k, nodes.filter((n) => n.kind === k)] as [ObjectKind, Node[]]).filter(
    ([, list]) => list.length > 0,
  );
}

function mermaid(nodes: readonly Node[], edges: readonly Edge[]): string {
  const lines = ["flowchart LR"];
  for (const [kind, list] of byKind(nodes)) {
    lines.push(`  subgraph ${kind}_group["${mermaidLabel(kind)}"]`);
    for (const n of list) lines.push(`    ${mermaidId(n.id)}["${mermaidLabel(n.name)}"]`);
    lines.push("  end");
  }
  const known = new Set(nodes.map((n) => n.id));
  for (const e of edges) {
    // An edge to an object that is not a node would make Mermaid invent a bare node; skip it.
    if (known.has(e.from) && known.has(e.to)) lines.push(`  ${mermaidId(e.from)} --> ${mermaidId(e.to)}`);
  }
  return lines.join("\n") + "\n";
}

/**
 * `kind:name` → `kind__name`, every character outside `[a-z0-9_]` written as `X<hex>X`.
 * Injective: valid names hold no `X`, and every other character is escaped. Ids always begin
 * with a kind, so never with Mermaid's reserved `end` or an `o`/`x` right after an arrow
 * (arrows are written with spaces around them anyway).
 */
export function mermaidId(id: string): string {
  const i = id.indexOf(":");
  const name = id
    .slice(i + 1)
    .replace(/[^a-z0-9_]/gu, (ch) => `X${ch.codePointAt(0)!.toString(16).toUpperCase()}X`);
  return `${id.slice(0, i)}__${name}`;
}

/** Text inside a quoted Mermaid label: quotes, markup and `%` (directives are `%%{…}%%` anywhere) as entity codes. */
export function mermaidLabel(s: string): string {
  return s.replace(/[#"<>&%]/g, (ch) => `#${ch.charCodeAt(0)};`).replace(/\r?\n|\r/g, " ");
}

function dot(project: string, nodes: readonly Node[], edges: readonly Edge[]): string {
  const lines = [`digraph ${dotString(project)} {`, "  rankdir=LR;", '  node [shape=box, style="rounded"];'];
  for (const [kind, list] of byKind(nodes)) {
    lines.push(`  subgraph ${dotString(`cluster_${kind}`)} {`, `    label=${dotString(kind)};`);
    for (const n of list) lines.push(`    ${dotString(n.id)} [label=${dotString(n.name)}];`);
    lines.push("  }");
  }
  for (const e of edges) lines.push(`  ${dotString(e.from)} -> ${dotString(e.to)};`);
  lines.push("}");
  return lines.join("\n") + "\n";
}

/** A DOT quoted string: any id is legal once quoted, with `"` and `\` escaped. */
function dotString(s: string): string {
  return `"${s
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\r?\n|\r/g, "\\n")}"`;
}
