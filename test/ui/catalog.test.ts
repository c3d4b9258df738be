/** The registry browser's pure parts: catalog, lineage, environment comparison, links, export guard. */
import { mkdir, mkdtemp, readFile, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syntheticSnapshot } from "../../bench/lib/ui-registry.js";
import { buildCatalog } from "../../src/ui/catalog.js";
import { compareEnvironments } from "../../src/ui/environments.js";
import { ExportError, exportSite } from "../../src/ui/export.js";
import { escapeHtml, pathSegment, relativeHref } from "../../src/ui/html.js";
import { LINEAGE_MAX_NODES, lineageOf } from "../../src/ui/lineage.js";
import { objectPath, renderSite } from "../../src/ui/pages.js";
import { buildSite } from "../../src/ui/site.js";

describe("links", () => {
  it("are relative from every depth, so the site works under any prefix and from file://", () => {
    expect(relativeHref("index.html", "objects.html")).toBe("objects.html");
    expect(relativeHref("p/a/feature_view/v.html", "objects.html")).toBe("../../../objects.html");
    expect(relativeHref("p/a/feature_view/v.html", "p/a/entity/e.html")).toBe("../entity/e.html");
    expect(relativeHref("p/a/feature_view/v.html", "p/a/feature_view/w.html")).toBe("w.html");
  });

  it("keep names apart that differ only in case or in characters a path cannot hold", () => {
    const names = ["Driver", "driver", "a.b", "a~2e~b", "a/b", "a b", "ü", ""];
    const segments = names.map(pathSegment);
    expect(new Set(segments).size).toBe(names.length);
    for (const s of segments) expect(s).toMatch(/^[A-Za-z0-9_~-]+$/);
  });

  it("escape markup in names and descriptions", () => {
    expect(escapeHtml(`<script>"x"&'y'</script>`)).toBe(
      "&lt;script&gt;&quot;x&quot;&amp;&#39;y&#39;&lt;/script&gt;",
    );
  });
});

describe("catalog", () => {
  const snap = syntheticSnapshot("alpha", 120, 4);
  const catalog = buildCatalog([snap]);
  const project = catalog.projects[0]!;

  it("lists every registered object and every feature of every view", () => {
    expect(project.objects).toHaveLength(snap.state!.objects.length);
    expect(project.features).toHaveLength(120 * 4);
    expect(project.countsByKind).toEqual({
      entity: 1,
      data_source: 120,
      feature_view: 120,
      feature_service: 3,
    });
  });

  it("links dependencies both ways", () => {
    const view = project.objects.find((o) => o.id === "feature_view:view_7")!;
    expect(view.dependsOn).toEqual(["data_source:source_7", "entity:entity_0"]);
    expect(view.dependents).toEqual(["feature_service:service_0"]);
  });

  it("bounds a lineage picture around a hub and says how much it left out", () => {
    const graph = lineageOf("entity:entity_0", project.edges);
    expect(graph.nodes).toHaveLength(LINEAGE_MAX_NODES);
    expect(graph.nodes).toContain("entity:entity_0");
    // Downstream of the entity: 120 views and 3 services (sources are upstream of the views only).
    expect(graph.omitted).toBe(1 + 120 + 3 - LINEAGE_MAX_NODES);
    for (const e of graph.edges) {
      expect(graph.nodes).toContain(e.from);
      expect(graph.nodes).toContain(e.to);
    }
  });

  it("renders the same bytes for the same registries", () => {
    const a = renderSite(buildCatalog([snap]), { live: false });
    const b = renderSite(buildCatalog([syntheticSnapshot("alpha", 120, 4)]), { live: false });
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [path, text] of a) expect(b.get(path)).toBe(text);
    expect(a.has(objectPath("alpha", "feature_view", "view_3"))).toBe(true);
  });
});

describe("object pages", () => {
  it("show a view's online table and when it was last materialized, and say so when it never was", () => {
    const snap = syntheticSnapshot("alpha", 2, 1);
    snap.materializedUntil = { view_0: "2026-12-01T06:00:00.000Z" };
    snap.state!.infra = {
      formatVersion: 1,
      store: "postgres",
      schema: "serving",
      tables: {
        view_0: {
          object: "feature_view:view_0",
          entities: ["entity_0"],
          keys: [{ name: "key_0", dtype: "int64" }],
          features: [{ name: "feature_0_0", dtype: "int64" }],
          table: "alpha__view_0",
        },
      },
    };
    const site = renderSite(buildCatalog([snap]), { live: false });
    const page = site.get(objectPath("alpha", "feature_view", "view_0"))!;
    expect(page).toContain('<time datetime="2026-12-01T06:00:00.000Z">');
    expect(page).toContain('data-since="2026-12-01T06:00:00.000Z"');
    expect(page).toContain("<code>serving.alpha__view_0</code>");
    expect(site.get(objectPath("alpha", "feature_view", "view_1"))).toContain("never materialized");
  });
});

describe("environments", () => {
  it("lists what only one side has and every field that differs", () => {
    const staging = syntheticSnapshot("staging", 6, 2);
    const production = syntheticSnapshot("production", 4, 2);
    const view = production.state!.objects.find((o) => o.name === "view_1")!;
    (view.spec as unknown as { ttl: number }).ttl = 3600;
    const [s, p] = buildCatalog([staging, production]).projects;
    const c = compareEnvironments(s!, p!);
    expect(c.onlyLeft.map((o) => o.id)).toEqual([
      "data_source:source_4",
      "data_source:source_5",
      "feature_view:view_4",
      "feature_view:view_5",
    ]);
    expect(c.onlyRight).toEqual([]);
    // service_0 differs too: it lists the views each side has.
    expect(c.differing.map((d) => [d.left.id, d.fields.map((f) => f.path)])).toEqual([
      ["feature_view:view_1", ["ttl"]],
      ["feature_service:service_0", ["features.view_4", "features.view_5"]],
    ]);
  });
});

describe("secrets", () => {
  it("never reach a page, whatever quotes them", () => {
    const snap = syntheticSnapshot("alpha", 3, 1);
    (snap.state!.objects[0]!.spec as unknown as { description: string }).description = "uses hunter2-pw";
    const site = buildSite([snap], ["hunter2-pw"], false);
    for (const text of site.values()) expect(text).not.toContain("hunter2-pw");
    expect([...site.values()].some((t) => t.includes("uses ***"))).toBe(true);
  });

  it("are masked in their HTML- and JSON-escaped forms too", () => {
    const secret = `p&ss<w0rd"x`;
    const snap = syntheticSnapshot("alpha", 2, 1);
    (snap.state!.objects[0]!.spec as unknown as { description: string }).description = `pw ${secret}`;
    const site = buildSite([snap], [secret], false);
    for (const text of site.values()) {
      expect(text).not.toContain("p&amp;ss&lt;w0rd");
      expect(text).not.toContain("w0rd");
    }
  });
});

describe("export", () => {
  it("refuses a folder that holds something else, and replaces an earlier export whole", async () => {
    const root = await mkdtemp(join(tmpdir(), "fsops-ui-export-"));
    const other = join(root, "other");
    await mkdir(other);
    await writeFile(join(other, "keep.txt"), "mine");
    const site = renderSite(buildCatalog([syntheticSnapshot("alpha", 2, 1)]), { live: false });
    expect(() => exportSite(site, other)).toThrow(ExportError);
    expect(await readFile(join(other, "keep.txt"), "utf8")).toBe("mine");

    const out = join(root, "site");
    exportSite(site, out);
    const smaller = renderSite(buildCatalog([syntheticSnapshot("alpha", 1, 1)]), { live: false });
    exportSite(smaller, out);
    const views = await readdir(join(out, "p", "alpha", "feature_view"));
    expect(views).toEqual(["view_0.html"]);
    expect((await readdir(root)).sort()).toEqual(["other", "site"]);
  });
});
