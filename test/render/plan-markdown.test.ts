import { describe, expect, it } from "vitest";
import { renderPlanMarkdown } from "../../src/render/plan-markdown.js";
import type { MarkdownDetail } from "../../src/render/plan-markdown.js";
import { planChanges } from "../../src/plan/plan-changes.js";
import type { Change, Plan } from "../../src/model/index.js";
import { desiredState, featureView, field, stateOf } from "../plan/fixture.js";
import { fixturePlan, noChangePlan } from "./plans.js";
import { markdownStructure } from "./markdown-structure.js";

const LEVELS: MarkdownDetail[] = ["full", "no-diagrams", "no-fields", "summary"];
const opts = {
  title: "staging",
  linkBase: "https://github.com/o/r/blob/0123abc/",
  projectDir: "examples/staging",
};

describe("renderPlanMarkdown", () => {
  const plan = fixturePlan();
  const full = renderPlanMarkdown(plan, opts);

  it("matches the reviewed comment section of the driver-ranking plan", async () => {
    await expect(full).toMatchFileSnapshot("./__snapshots__/plan-full.md");
    await expect(renderPlanMarkdown(plan, { ...opts, detail: "summary" })).toMatchFileSnapshot(
      "./__snapshots__/plan-summary.md",
    );
  });

  it("starts with the summary line, then the destructive changes and rebuilds", () => {
    const lines = full.split("\n");
    expect(lines[0]).toBe(
      "**staging**: 2 to create, 4 to update, 1 to replace, 2 to delete; 5 online-store actions",
    );
    const s = markdownStructure(full);
    expect(s.tokens[0]!.type).toBe("paragraph");
    expect(s.tokens.find((t) => t.type !== "space" && t !== s.tokens[0])!.type).toBe("blockquote");
    const warning = s.blockquotes[0]!;
    expect(warning).toMatch(/^\[!CAUTION\]/);
    const order = ["driver_trips_stream", "driver_ranking_v2", "entity.customer", "driver_hourly_stats"].map(
      (n) => warning.indexOf(n),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(s.blockquotes[1]).toContain("legacy_driver_scores");
  });

  it("has one well-formed table row per change, linked to the definition at the commit", () => {
    const [table] = markdownStructure(full).tables;
    expect(table!.header).toEqual(["Action", "Kind", "Name", "Impact", "Definition"]);
    expect(table!.rows).toHaveLength(plan.changes.length);
    for (const row of table!.rows) expect(row).toHaveLength(5);
    expect(full).toContain(
      "[features/driver\\.ts:8](https://github.com/o/r/blob/0123abc/examples/staging/features/driver.ts#L8)",
    );
    const plain = renderPlanMarkdown(plan, { detail: "no-fields" });
    expect(plain).toContain("| features/driver\\.ts:8 |");
    expect(plain).not.toContain("](http");
  });

  it("encodes each path segment of a link once, and nothing a link destination cannot hold", () => {
    const odd = { ...plan, changes: [{ ...plan.changes[0]!, file: "my dir/(v1)#x.ts", line: 2 }] };
    expect(renderPlanMarkdown(odd, { ...opts, detail: "no-fields" })).toContain(
      "(https://github.com/o/r/blob/0123abc/examples/staging/my%20dir/%28v1%29%23x.ts#L2)",
    );
  });

  it("puts field diffs and DDL in per-object details, and the blast radius in a Mermaid diagram", () => {
    const s = markdownStructure(full);
    const langs = s.codeBlocks.map((b) => b.lang);
    expect(langs.filter((l) => l === "diff")).toHaveLength(
      plan.changes.filter((c) => c.fields.length > 0).length,
    );
    expect(langs.filter((l) => l === "sql")).toHaveLength(plan.infra.length);
    expect(langs.filter((l) => l === "mermaid")).toHaveLength(1);
    // One details per change, one for infra without a change, one for the diagram.
    expect(s.detailsCount).toBe(plan.changes.length + 2);
    const diff = s.codeBlocks.find((b) => b.text.includes("schema.conv_rate.dtype"))!.text;
    expect(diff).toContain('- schema.conv_rate.dtype: "float32"\n+ schema.conv_rate.dtype: "float64"');
    expect(diff).toContain("- ttl: 1d\n+ ttl: 2d");
    const mermaid = s.codeBlocks.find((b) => b.lang === "mermaid")!.text;
    expect(mermaid.split("\n")[0]).toBe("flowchart LR");
    // The blast radius reaches the unchanged service that reads the retyped view.
    expect(mermaid).toMatch(/n\d+\["feature_service\.driver_ranking_v1"\]:::affected/);
  });

  it.each(LEVELS)("is well-formed at detail level %s", (detail) => {
    const md = renderPlanMarkdown(plan, { ...opts, detail });
    const s = markdownStructure(md);
    expect(s.detailsBalanced).toBe(true);
    for (const t of s.tables) for (const row of t.rows) expect(row).toHaveLength(t.header.length);
    expect(md.split("\n")[0]).toMatch(/^\*\*staging\*\*: 2 to create/);
    expect(s.blockquotes[0]).toMatch(/^\[!CAUTION\]/);
    const langs = s.codeBlocks.map((b) => b.lang);
    expect(langs.includes("mermaid")).toBe(detail === "full");
    expect(langs.includes("diff")).toBe(detail === "full" || detail === "no-diagrams");
    expect(s.tables.length).toBe(detail === "summary" ? 0 : 1);
  });

  it("gets shorter at every level", () => {
    const sizes = LEVELS.map((detail) => renderPlanMarkdown(plan, { ...opts, detail }).length);
    expect(sizes).toEqual([...sizes].sort((a, b) => b - a));
    expect(new Set(sizes).size).toBe(LEVELS.length);
  });

  it("says no changes in one line", () => {
    expect(renderPlanMarkdown(noChangePlan(), { title: "production" })).toBe("**production**: no changes.\n");
  });

  it("keeps a 3,000-view deletion plan's summary small, its warnings counted", () => {
    const views = Array.from({ length: 3000 }, (_, i) =>
      featureView(`view_${String(i).padStart(4, "0")}`, {
        entities: [],
        schema: [field("x", "int64")],
        source: "s",
      }),
    );
    const big = planChanges(desiredState("big", []), stateOf(desiredState("big", views)));
    const md = renderPlanMarkdown(big, { detail: "summary" });
    expect(md.length).toBeLessThan(5000);
    expect(md).toContain("**3000 destructive changes.**");
    expect(md).toContain("…and 2980 more");
    expect(markdownStructure(md).detailsBalanced).toBe(true);
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(renderPlanMarkdown(big))![1]!;
    expect(diagram.match(/^ {2}n\d+\[/gm)).toHaveLength(60);
  });
});

describe("renderPlanMarkdown with hostile definitions", () => {
  const nasty = "a|b `c` ``` </details> <script>alert(1)</script> @org/team [x](http://evil) *y*\n```\nz";
  const change: Change = {
    kind: "feature_view",
    name: "v|`</details>`",
    action: "update",
    impact: "destructive",
    fields: [
      { path: "description", before: "", after: nasty },
      { path: "tags.x</details>", before: null, after: nasty },
      { path: "schema.a", before: { name: "a", dtype: "int64" }, after: null },
      { path: "transform", before: "x\n```\n</details>\n", after: "y\n````\n</details>\n" },
    ],
    dependents: ["feature_service:s|</details>"],
    file: "dir with space/(x)|`.ts",
    line: 3,
    before: null,
    after: null,
  };
  const plan: Plan = {
    formatVersion: 1,
    project: "p</details>|",
    registry: { lineage: null, serial: 0 },
    summary: { create: 0, update: 1, replace: 0, delete: 0 },
    unchanged: 0,
    changes: [change],
    infra: [
      {
        store: "postgres",
        action: "drop_column",
        target: "t</details>",
        object: "feature_view:v|`</details>`",
        impact: "destructive",
        reason: nasty,
        statements: ['ALTER TABLE x DROP COLUMN IF EXISTS "a"\n```\n</details>'],
      },
    ],
    fingerprint: "0".repeat(64),
  };

  it.each(LEVELS)("cannot break the structure at level %s", (detail) => {
    const md = renderPlanMarkdown(plan, { ...opts, detail });
    const s = markdownStructure(md);
    expect(s.detailsBalanced).toBe(true);
    for (const t of s.tables) {
      expect(t.rows).toHaveLength(1);
      for (const row of t.rows) expect(row).toHaveLength(5);
    }
    // No raw HTML but ours: details, summary, code, sub.
    for (const raw of s.html) {
      for (const tag of raw.matchAll(/<\/?([a-z]+)/gi))
        expect(["details", "summary", "code", "sub"]).toContain(tag[1]);
    }
    // A mention outside code would notify people: only the entity-encoded form may appear.
    for (const text of [...s.blockquotes, ...s.tables.flatMap((t) => t.rows.flat())])
      expect(text).not.toContain("@org");
    expect(s.blockquotes.join("\n")).toContain("&#64;org/team");
    if (detail === "full" || detail === "no-diagrams") {
      const diff = s.codeBlocks.find((b) => b.lang === "diff")!;
      expect(diff.text).toContain("</details> <script>alert(1)</script>");
      const sql = s.codeBlocks.find((b) => b.lang === "sql")!;
      expect(sql.text).toContain('DROP COLUMN IF EXISTS "a"\n```\n</details>;');
    }
  });
});
