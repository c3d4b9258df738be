import { Graph, layout } from "@dagrejs/dagre";
import type { EdgeLabel, Point } from "@dagrejs/dagre";
import type { GraphEdge } from "../model/index.js";
import { escapeHtml } from "./html.js";

/** Most nodes one lineage picture shows; a hub entity can reach thousands of views. */
export const LINEAGE_MAX_NODES = 60;

export interface LineageGraph {
  nodes: string[];
  edges: GraphEdge[];
  /** Objects upstream or downstream that were left out to keep the picture readable. */
  omitted: number;
}

/**
 * Everything upstream (what `id` depends on, transitively) and downstream (what depends on it)
 * of one object, nearest first, within LINEAGE_MAX_NODES. Edges point dependent → dependency,
 * as in DesiredState.
 */
export function lineageOf(id: string, edges: readonly GraphEdge[]): LineageGraph {
  const { up, down } = adjacency(edges);
  // Breadth-first in both directions over the whole neighbourhood, then the nearest are kept,
  // so a capped picture shows the closest relatives and the count of the rest is exact.
  const distance = new Map<string, number>([[id, 0]]);
  for (const direction of [up, down]) {
    const seen = new Set<string>([id]);
    let frontier = [id];
    for (let d = 1; frontier.length > 0; d++) {
      const next: string[] = [];
      for (const node of frontier) {
        for (const n of direction.get(node) ?? []) {
          if (seen.has(n)) continue;
          seen.add(n);
          next.push(n);
          if ((distance.get(n) ?? Infinity) > d) distance.set(n, d);
        }
      }
      frontier = next;
    }
  }
  const ordered = [...distance].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const reached = new Set(ordered.slice(0, LINEAGE_MAX_NODES).map(([n]) => n));
  const nodes = [...reached].sort();
  const kept: GraphEdge[] = [];
  for (const from of nodes) for (const to of up.get(from) ?? []) if (reached.has(to)) kept.push({ from, to });
  return { nodes, edges: kept, omitted: ordered.length - reached.size };
}

interface Adjacency {
  /** dependent → its dependencies */
  up: Map<string, string[]>;
  /** dependency → its dependents */
  down: Map<string, string[]>;
}

// One index per edge list: a site renders a lineage for every object of a project, and
// rebuilding the maps for each would make a 5,000-view export quadratic.
const adjacencyCache = new WeakMap<readonly GraphEdge[], Adjacency>();

function adjacency(edges: readonly GraphEdge[]): Adjacency {
  const cached = adjacencyCache.get(edges);
  if (cached) return cached;
  const up = new Map<string, string[]>();
  const down = new Map<string, string[]>();
  for (const e of edges) {
    (up.get(e.from) ?? up.set(e.from, []).get(e.from)!).push(e.to);
    (down.get(e.to) ?? down.set(e.to, []).get(e.to)!).push(e.from);
  }
  const built = { up, down };
  adjacencyCache.set(edges, built);
  return built;
}

const NODE_HEIGHT = 34;
const CHAR_WIDTH = 7.2;
const WIDTH_STEP = 30;

/**
 * The lineage as an inline SVG, laid out by dagre (left to right: sources and entities first,
 * services last). Each node links to its object page (`href(id)`); the focused one is marked.
 * Rendered once when the site is built, so reading it needs no JavaScript.
 */
export function lineageSvg(graph: LineageGraph, focus: string, href: (id: string) => string): string {
  const widths = graph.nodes.map(
    (id) => WIDTH_STEP * Math.ceil((label(id).length * CHAR_WIDTH + 24) / WIDTH_STEP),
  );
  const index = new Map(graph.nodes.map((id, i) => [id, i]));
  // Drawn dependency → dependent, so data flows left to right.
  const drawn = graph.edges.map((e) => [index.get(e.to)!, index.get(e.from)!] as const);
  const placed = layoutOf(widths, drawn);

  const parts: string[] = [];
  parts.push(
    `<svg class="lineage" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Lineage of ${escapeHtml(label(focus))}" viewBox="0 0 ${placed.width} ${placed.height}" width="${placed.width}" height="${placed.height}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"/></marker></defs>`,
  );
  drawn.forEach(([from, to], i) => {
    const d = placed.edges[i]!.map((p, j) => `${j === 0 ? "M" : "L"}${p.x},${p.y}`).join(" ");
    parts.push(
      `<path class="edge" data-from="${escapeHtml(graph.nodes[from]!)}" data-to="${escapeHtml(graph.nodes[to]!)}" d="${d}" marker-end="url(#arrow)"/>`,
    );
  });
  graph.nodes.forEach((id, i) => {
    const n = placed.nodes[i]!;
    const cls = id === focus ? "node focus" : "node";
    parts.push(
      `<a href="${escapeHtml(href(id))}" class="${cls}" data-id="${escapeHtml(id)}">` +
        `<rect x="${round(n.x - widths[i]! / 2)}" y="${round(n.y - NODE_HEIGHT / 2)}" width="${widths[i]}" height="${NODE_HEIGHT}" rx="6"/>` +
        `<text x="${n.x}" y="${n.y}" dominant-baseline="central" text-anchor="middle">${escapeHtml(label(id))}</text>` +
        `</a>`,
    );
  });
  parts.push("</svg>");
  return parts.join("");
}

interface Placed {
  width: number;
  height: number;
  nodes: Point[];
  edges: Point[][];
}

/**
 * Most lineages of a registry share a few shapes (source → view → service), so layouts are
 * cached by shape: node widths (in steps) and edges by node index. Dagre takes milliseconds
 * per graph; a 5,000-view export would otherwise spend most of its time re-laying the same shape.
 */
const layoutCache = new Map<string, Placed>();
const LAYOUT_CACHE_MAX = 2000;

function layoutOf(widths: readonly number[], edges: readonly (readonly [number, number])[]): Placed {
  const key = `${widths.join(",")}|${edges.map(([a, b]) => `${a}-${b}`).join(",")}`;
  const cached = layoutCache.get(key);
  if (cached) return cached;
  const g = new Graph();
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  widths.forEach((width, i) => g.setNode(String(i), { width, height: NODE_HEIGHT }));
  for (const [a, b] of edges) g.setEdge(String(a), String(b));
  layout(g);
  const { width = 0, height = 0 } = g.graph();
  const placed: Placed = {
    width: Math.ceil(width),
    height: Math.ceil(height),
    nodes: widths.map((_, i) => {
      const n = g.node(String(i));
      return { x: round(n.x), y: round(n.y) };
    }),
    edges: edges.map(([a, b]) =>
      ((g.edge({ v: String(a), w: String(b) }) as EdgeLabel | undefined)?.points ?? []).map((p: Point) => ({
        x: round(p.x),
        y: round(p.y),
      })),
    ),
  };
  if (layoutCache.size >= LAYOUT_CACHE_MAX) layoutCache.delete(layoutCache.keys().next().value!);
  layoutCache.set(key, placed);
  return placed;
}

function label(id: string): string {
  const i = id.indexOf(":");
  return `${KIND_SHORT[id.slice(0, i)] ?? id.slice(0, i)} ${id.slice(i + 1)}`;
}

const KIND_SHORT: Record<string, string> = {
  entity: "entity",
  data_source: "source",
  feature_view: "view",
  on_demand_feature_view: "on-demand",
  stream_feature_view: "stream",
  feature_service: "service",
};

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
