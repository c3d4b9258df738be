import { describe, expect, it } from "vitest";
import {
  buildComment,
  COMMENT_LIMIT,
  COMMENT_MARKER,
  fingerprintMarker,
  findStickyComment,
  parseFingerprints,
  setSectionStatus,
} from "../../src/action/comment.js";
import type { CommentFrame, CommentSection, Detail } from "../../src/action/comment.js";
import { renderApplyStatus } from "../../src/action/markdown.js";
import { checkWellFormed } from "./wellformed.js";

const frame: CommentFrame = {
  heading: "fsops plan",
  subtitle: "Planned at commit `0123456789ab`.",
  fullPlan:
    "Full plan: the [job summary](https://github.com/acme/features/actions/runs/1) and the `plan-json` file.",
};

/**
 * A section whose body at each stage is shaped like the plan renderer's: a summary line, a
 * warning, a table of `rows` objects, then per-object field diffs and a diagram that each
 * stage drops.
 */
function section(dir: string, project: string, rows: number, destructive = 0): CommentSection {
  const summary = `${project}: ${rows} to create, 0 to update, ${destructive} to delete`;
  const warning =
    destructive > 0 ? `> [!CAUTION]\n> ${destructive} destructive change(s): feature_view \`gone\`` : "";
  const table = [
    "| | Kind | Name | Impact |",
    "| --- | --- | --- | --- |",
    ...Array.from(
      { length: rows },
      (_, i) => `| + | feature_view | [fv_${i}](https://x/blob/s/${dir}/f.ts#L${i + 1}) | safe |`,
    ),
  ].join("\n");
  const fields = Array.from(
    { length: rows },
    (_, i) =>
      `<details><summary>fv_${i}</summary>\n\n\`\`\`diff\n+ schema.f${i}: float32\n\`\`\`\n\n</details>`,
  ).join("\n\n");
  const diagram =
    "```mermaid\nflowchart LR\n" +
    Array.from({ length: rows }, (_, i) => `  e --> fv_${i}`).join("\n") +
    "\n```";
  const bodies: Record<Detail | "minimal", string> = {
    full: [summary, warning, table, fields, diagram].filter(Boolean).join("\n\n"),
    "no-diagrams": [summary, warning, table, fields].filter(Boolean).join("\n\n"),
    "no-fields": [summary, warning, table].filter(Boolean).join("\n\n"),
    summary: [summary, warning].filter(Boolean).join("\n\n"),
    minimal: summary,
  };
  return {
    dir,
    title: `\`${dir}\` · project \`${project}\``,
    fingerprint: {
      project,
      dir,
      value: `sha256:${project}`,
      lineage: "lin-1",
      serial: 3,
      commit: "0123456789abcdef",
    },
    status: "",
    body: (detail) => bodies[detail],
  };
}

describe("buildComment", () => {
  it("keeps everything when it fits, and the result is well-formed GFM", () => {
    const built = buildComment(
      [section("examples/staging", "staging", 3, 1), section("examples/production", "production", 1)],
      COMMENT_LIMIT,
      frame,
    );
    expect(built.details).toEqual(["full", "full"]);
    expect(built.body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(built.body).toMatchSnapshot();
    const report = checkWellFormed(built.body);
    expect(report.problems).toEqual([]);
    expect(report.tables).toBe(2);
    expect(report.details).toBe(4);
  });

  it("drops detail in stages, largest section first, keeping summaries, warnings and fingerprints", () => {
    const big = section("examples/staging", "staging", 400, 2);
    const small = section("examples/production", "production", 2);
    const sizes = (["full", "no-diagrams", "no-fields", "summary"] as const).map((d) => big.body(d).length);
    // A limit between two stages must land on exactly the first stage that fits.
    const limit = sizes[2]! + small.body("full").length + 2000;
    expect(sizes[1]! + small.body("full").length).toBeGreaterThan(limit);
    const built = buildComment([big, small], limit, frame);
    expect(built.details).toEqual(["no-fields", "full"]);
    expect(built.body.length).toBeLessThanOrEqual(limit);
    expect(built.body).toContain("staging: 400 to create, 0 to update, 2 to delete");
    expect(built.body).toContain("2 destructive change(s)");
    expect(built.body).toContain("Some detail is left out to stay under the");
    expect(built.body).toContain("the `plan-json` file");
    expect(parseFingerprints(built.body).map((f) => f.project)).toEqual(["staging", "production"]);
    expect(checkWellFormed(built.body).problems).toEqual([]);
  });

  it("a 3,000-object plan fits under 65,536 characters with its summary line intact", () => {
    const built = buildComment([section("examples/staging", "staging", 3000, 5)], COMMENT_LIMIT, frame);
    expect(built.body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(built.details).toEqual(["summary"]);
    expect(built.body).toContain("staging: 3000 to create, 0 to update, 5 to delete");
    expect(built.body).toContain("5 destructive change(s)");
    expect(parseFingerprints(built.body)).toHaveLength(1);
    expect(built.body).toMatchSnapshot();
  });

  it("falls back to minimal bodies, then headings only, and never exceeds the limit", () => {
    const sections = Array.from({ length: 30 }, (_, i) => section(`p${i}`, `p${i}`, 50, 1));
    for (const limit of [20_000, 9_000, 4_000, 500]) {
      const built = buildComment(sections, limit, frame);
      expect(built.body.length).toBeLessThanOrEqual(limit);
    }
    const shrunk = buildComment(sections, 20_000, frame);
    expect(shrunk.details.filter((d) => d === "full" || d === "no-diagrams")).toEqual([]);
    expect(parseFingerprints(shrunk.body)).toHaveLength(30);
    expect(shrunk.body.match(/p\d+: 50 to create/g)).toHaveLength(30);
    const minimal = buildComment(sections, 9_000, frame);
    expect(minimal.details.filter((d) => d !== "minimal")).toEqual([]);
    expect(parseFingerprints(minimal.body)).toHaveLength(30);
  });

  it("is deterministic", () => {
    const make = () => buildComment([section("a", "a", 200, 1), section("b", "b", 200)], 30_000, frame).body;
    expect(make()).toBe(make());
  });
});

describe("buildComment fills the room a summary leaves", () => {
  /** Like `section`, but its table can be cut to its first rows (as plannedBody does). */
  function cuttable(rows: number): CommentSection {
    const base = section("features/big", "big", rows);
    const row = (i: number): string =>
      `| + | feature_view | [fv_${i}](https://x/blob/s/f.ts#L${i + 1}) | safe |`;
    return {
      ...base,
      rows,
      body: (detail, kept) => {
        if (detail !== "no-fields" || kept === undefined) return base.body(detail);
        const table = ["| | Kind | Name | Impact |", "| --- | --- | --- | --- |"];
        for (let i = 0; i < Math.min(kept, rows); i++) table.push(row(i));
        const rest = rows - Math.min(kept, rows);
        return [`big: ${rows} to create`, table.join("\n"), rest > 0 ? `…and ${rest} more` : ""].join("\n\n");
      },
    };
  }

  it("gives a section that fell to its summary back as many table rows as fit", () => {
    const built = buildComment([cuttable(5_000)], COMMENT_LIMIT, frame);
    expect(built.body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    // Within one row of the limit, not the summary's few hundred characters.
    expect(built.body.length).toBeGreaterThan(COMMENT_LIMIT - 100);
    expect(built.details).toEqual(["no-fields"]);
    expect(built.cut).toBe(true);
    expect(built.body).toContain("[fv_0]");
    expect(built.body).toMatch(/…and \d+ more/);
    expect(built.body).toContain("Some detail is left out");
    expect(checkWellFormed(built.body).problems).toEqual([]);
  });

  it("reports nothing cut when everything fits", () => {
    const built = buildComment([cuttable(3)], COMMENT_LIMIT, frame);
    expect(built.cut).toBe(false);
    expect(built.details).toEqual(["full"]);
  });
});

describe("fingerprint markers", () => {
  it("round-trip, with values that would break an HTML comment encoded", () => {
    const records = [
      {
        project: "staging",
        dir: "examples/staging",
        value: "abc",
        lineage: null,
        serial: 0,
        commit: "deadbeef",
      },
      { project: "p", dir: "odd dir/-->x", value: "v", lineage: "l-1", serial: 12, commit: "" },
    ];
    const body = records.map(fingerprintMarker).join("\n");
    expect(fingerprintMarker(records[0]!)).toBe(
      "<!-- fsops:fingerprint project=staging dir=examples/staging value=abc lineage=none serial=0 commit=deadbeef -->",
    );
    expect(body.match(/-->/g)).toHaveLength(2);
    expect(parseFingerprints(body)).toEqual(records);
  });

  it("skips malformed markers", () => {
    expect(parseFingerprints("<!-- fsops:fingerprint project=x value=y -->")).toEqual([]);
    expect(
      parseFingerprints("<!-- fsops:fingerprint project=x dir=d value=y lineage=none serial=-1 -->"),
    ).toEqual([]);
  });
});

describe("sticky comment lookup", () => {
  it("matches only the marker written by the same login, oldest first", () => {
    const comments = [
      { id: 1, body: `${COMMENT_MARKER} copied by a human`, author: "alice" },
      { id: 2, body: "unrelated", author: "github-actions[bot]" },
      { id: 3, body: `${COMMENT_MARKER}\nours`, author: "github-actions[bot]" },
      { id: 4, body: `${COMMENT_MARKER}\nlater duplicate`, author: "github-actions[bot]" },
    ];
    expect(findStickyComment(comments, "github-actions[bot]")?.id).toBe(3);
    expect(findStickyComment(comments, "bob")).toBeUndefined();
  });

  it("an App token's comments are its bot login's: another App's marker comment is never ours", () => {
    const comments = [
      { id: 1, body: `${COMMENT_MARKER}\nforged`, author: "other-app[bot]" },
      { id: 2, body: `${COMMENT_MARKER} copied by a human`, author: "alice" },
      { id: 3, body: `${COMMENT_MARKER}\nours`, author: "my-app[bot]" },
    ];
    expect(findStickyComment(comments, "my-app[bot]")?.id).toBe(3);
    expect(findStickyComment(comments.slice(0, 2), "my-app[bot]")).toBeUndefined();
  });

  it("without a login nothing is ours, not even the oldest marker written by a bot", () => {
    const comments = [
      { id: 1, body: `${COMMENT_MARKER}\nforged`, author: "other-app[bot]", authorType: "Bot" },
      { id: 2, body: `${COMMENT_MARKER}\nours`, author: "github-actions[bot]", authorType: "Bot" },
    ];
    expect(findStickyComment(comments, null)).toBeUndefined();
  });
});

describe("setSectionStatus", () => {
  it("replaces the status of one section, idempotently, and stays within the limit", () => {
    const body = buildComment(
      [section("examples/staging", "staging", 2), section("examples/production", "production", 2)],
      COMMENT_LIMIT,
      frame,
    ).body;
    const applied = renderApplyStatus({
      kind: "applied",
      serial: 4,
      commit: "0123456789abcdef",
      time: "2026-11-21T08:00:00.000Z",
      runUrl: null,
    });
    const once = setSectionStatus(body, "examples/production", applied)!;
    expect(setSectionStatus(once, "examples/production", applied)).toBe(once);
    const staging = once.slice(0, once.indexOf("dir=examples/production"));
    const production = once.slice(once.indexOf("dir=examples/production"));
    expect(staging).not.toContain("Applied");
    expect(production).toContain("**Applied**: registry serial 4");
    expect(checkWellFormed(once).problems).toEqual([]);
    expect(setSectionStatus(body, "examples/missing", applied)).toBeNull();
    const tight = setSectionStatus(body, "examples/staging", "x".repeat(5000), body.length + 100)!;
    expect(tight.length).toBeLessThanOrEqual(body.length + 100);
  });
});
