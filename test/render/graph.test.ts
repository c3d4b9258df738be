import { describe, expect, it } from "vitest";
import { mermaidId, renderGraph } from "../../src/render/graph.js";
import type { DesiredState } from "../../src/model/index.js";
import { desiredState, driverRankingV1, entity, featureView, field } from "../plan/fixture.js";

describe("renderGraph", () => {
  const state = driverRankingV1();

  it("matches the reviewed renderings", async () => {
    await expect(renderGraph(state, "mermaid")).toMatchFileSnapshot("./__snapshots__/graph.mmd");
    await expect(renderGraph(state, "dot")).toMatchFileSnapshot("./__snapshots__/graph.dot");
    await expect(renderGraph(state, "json")).toMatchFileSnapshot("./__snapshots__/graph.json");
  });

  it("prints JSON in exactly the documented shape", () => {
    const doc = JSON.parse(renderGraph(state, "json"));
    expect(Object.keys(doc)).toEqual(["nodes", "edges"]);
    expect(doc.nodes).toHaveLength(state.objects.length);
    for (const n of doc.nodes) {
      expect(Object.keys(n)).toEqual(["id", "kind", "name"]);
      expect(n.id).toBe(`${n.kind}:${n.name}`);
    }
    for (const e of doc.edges) expect(Object.keys(e)).toEqual(["from", "to"]);
    expect(doc.edges).toContainEqual({
      from: "feature_service:driver_ranking_v1",
      to: "feature_view:driver_hourly_stats",
    });
    expect(doc.edges).toContainEqual({ from: "feature_view:driver_hourly_stats", to: "entity:driver" });
    expect(doc.edges).toContainEqual({
      from: "on_demand_feature_view:transformed_conv_rate",
      to: "data_source:conv_rate_request",
    });
    expect(doc.edges).toContainEqual({
      from: "data_source:driver_stats_push_source",
      to: "data_source:driver_hourly_stats_source",
    });
  });

  it("groups Mermaid nodes by kind and draws every edge dependent → dependency", () => {
    const text = renderGraph(state, "mermaid");
    const lines = text.split("\n");
    expect(lines[0]).toBe("flowchart LR");
    expect(lines.filter((l) => l.startsWith("  subgraph "))).toHaveLength(6);
    const entities = lines.indexOf('  subgraph entity_group["entity"]');
    expect(lines.slice(entities + 1, entities + 4)).toEqual([
      '    entity__customer["customer"]',
      '    entity__driver["driver"]',
      "  end",
    ]);
    expect(lines.filter((l) => l.includes(" --> "))).toHaveLength(state.edges.length);
    expect(text).toContain("  feature_view__driver_hourly_stats --> entity__driver\n");
  });

  it("clusters DOT nodes by kind with quoted ids", () => {
    const text = renderGraph(state, "dot");
    expect(text).toContain(
      '  subgraph "cluster_entity" {\n    label="entity";\n    "entity:customer" [label="customer"];',
    );
    expect(text).toContain('  "feature_view:driver_hourly_stats" -> "entity:driver";');
  });

  it("is byte-identical whatever the input order", () => {
    const shuffled: DesiredState = {
      ...state,
      objects: [...state.objects].reverse(),
      edges: [...state.edges].reverse(),
    };
    for (const f of ["mermaid", "dot", "json"] as const)
      expect(renderGraph(shuffled, f)).toBe(renderGraph(state, f));
  });

  it("keeps ids safe and labels true for names no validator would pass", () => {
    const evil = 'x"] --> end\n%%{init}%% <b>';
    const hostile = desiredState("p", [
      entity(evil),
      featureView("end", { entities: [evil], schema: [field("a", "int64")], source: "s" }),
    ]);
    const mermaid = renderGraph(hostile, "mermaid");
    for (const line of mermaid.trimEnd().split("\n").slice(1)) {
      expect(line).toMatch(
        /^( {2}subgraph [a-z_]+\["[a-z_]+"\]| {4}[a-z_]+__[a-z0-9_X0-9A-F]+\["[^"\n]*"\]| {2}end| {2}[a-z_]+__[a-z0-9_X0-9A-F]+ --> [a-z_]+__[a-z0-9_X0-9A-F]+)$/,
      );
    }
    expect(mermaid).toContain('["x#34;] --#62; end #37;#37;{init}#37;#37; #60;b#62;"]');
    const dot = renderGraph(hostile, "dot");
    expect(dot).toContain(
      '"entity:x\\"] --> end\\n%%{init}%% <b>" [label="x\\"] --> end\\n%%{init}%% <b>"];',
    );
    expect(JSON.parse(renderGraph(hostile, "json")).nodes[0].name).toBe(evil);
  });

  it("derives distinct Mermaid ids from distinct object ids", () => {
    const names = ["a", "a_b", "a__b", "a.b", "a-b", "aX2EXb", "A", "é", "a b", "end", "_", "x"];
    const ids = names.flatMap((n) => [`entity:${n}`, `feature_view:${n}`, `feature_view_x:${n}`]);
    expect(new Set(ids.map(mermaidId)).size).toBe(ids.length);
  });
});
