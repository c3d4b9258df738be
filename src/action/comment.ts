/**
 * The sticky PR comment: its hidden markers, the size-bounded body, and the fingerprints that
 * apply reads back. Pure: strings in, strings out.
 */

/** Finds the comment again on every push; only comments by the same login count. */
export const COMMENT_MARKER = "<!-- fsops:plan -->";
/** GitHub rejects issue comments longer than this (in characters). */
export const COMMENT_LIMIT = 65_536;
/** Room kept per section so apply can add its status block without re-rendering the plan. */
export const STATUS_RESERVE = 1_200;

/** How much of a plan a section shows; each stage drops one more layer of detail. */
export type Detail = "full" | "no-diagrams" | "no-fields" | "summary";
const DETAIL_STAGES: readonly Detail[] = ["full", "no-diagrams", "no-fields", "summary"];

/** The plan a reviewer saw, recorded in the comment and checked again on merge. */
export interface FingerprintRecord {
  project: string;
  /** Project folder relative to the repository root (the section's key). */
  dir: string;
  value: string;
  lineage: string | null;
  serial: number;
  /** The PR head commit the plan was computed for. */
  commit: string;
}

export interface CommentSection {
  /** Project folder relative to the repository root; unique per comment. */
  dir: string;
  /** Heading text (Markdown). */
  title: string;
  fingerprint: FingerprintRecord | null;
  /** Apply's result block (Markdown), or "" before apply. */
  status: string;
  /**
   * The section body at a detail stage (pure; called at most once per stage). `summary` keeps
   * the summary line and destructive warnings; `minimal`, the last resort when even `summary`
   * does not fit, is a few lines: the summary line and counts. `rows` (with `no-fields` only)
   * cuts the table of changes to its first `rows` rows, to fill the room a summary leaves.
   */
  body: (detail: Detail | "minimal", rows?: number) => string;
  /** Rows of the section's table of changes (0 when it has none): how far `rows` can go. */
  rows?: number;
}

export interface CommentFrame {
  /** e.g. "fsops plan". */
  heading: string;
  /** e.g. "Planned at commit `abc1234`." */
  subtitle: string;
  /** Where the full plan is: job summary link and the plan-json file (Markdown, one line). */
  fullPlan: string;
}

export interface BuiltComment {
  body: string;
  /** Detail stage each section ended at (`minimal` beyond `summary`), in section order. */
  details: (Detail | "minimal")[];
  /** True when anything was left out (a stage below `full`, or a table cut to fit). */
  cut: boolean;
}

const SECTION_END = "<!-- fsops:section:end -->";
const STATUS_START = "<!-- fsops:status -->";
const STATUS_END = "<!-- fsops:status:end -->";

/**
 * The comment body, never longer than `limit`. When the full plan does not fit, sections lose
 * detail in stages (diagrams, then field diffs, then per-object rows), the largest section
 * first, until it fits; summary lines, destructive warnings and fingerprints always stay. Then
 * the room left is filled again: a section that fell to its summary gets back as many rows of
 * its table of changes as fit, so a huge plan fills the comment instead of a few lines.
 * Rendering everything once per step is quadratic in the number of projects, which stays small.
 */
export function buildComment(
  sections: readonly CommentSection[],
  limit: number,
  frame: CommentFrame,
): BuiltComment {
  const levels: number[] = sections.map(() => 0);
  /** Rows of the table kept at `no-fields` (a refill), or undefined for the whole table. */
  const rows: (number | undefined)[] = sections.map(() => undefined);
  const LAST = DETAIL_STAGES.length; // index of `minimal`
  const NO_FIELDS = DETAIL_STAGES.indexOf("no-fields");
  const cache = new Map<string, string>();
  const bodyOf = (i: number, level: number, r?: number): string => {
    const key = `${i}:${level}:${r ?? ""}`;
    let text = cache.get(key);
    if (text === undefined) {
      const detail = level >= LAST ? "minimal" : DETAIL_STAGES[level]!;
      text = r === undefined ? sections[i]!.body(detail) : sections[i]!.body(detail, r);
      cache.set(key, text);
    }
    return text;
  };
  const bodyAt = (i: number): string => bodyOf(i, levels[i]!, rows[i]);
  const isCut = (): boolean => levels.some((l) => l > 0) || rows.some((r) => r !== undefined);
  const render = (): string =>
    assemble(
      frame,
      sections.map((s, i) => renderSection(s, bodyAt(i))),
      isCut(),
      limit,
    );
  const result = (body: string): BuiltComment => ({
    body,
    details: levels.map((l) => (l >= LAST ? "minimal" : DETAIL_STAGES[l]!)),
    cut: isCut(),
  });

  let body = render();
  if (body.length <= limit) return result(body);
  // Greedy: always shrink the largest section that can still lose detail, one stage at a time,
  // so a small project keeps its diagram while a huge one sheds rows.
  for (;;) {
    let pick = -1;
    for (let i = 0; i < sections.length; i++) {
      if (levels[i]! >= LAST) continue;
      if (pick < 0 || bodyAt(i).length > bodyAt(pick).length) pick = i;
    }
    if (pick < 0) break;
    levels[pick]!++;
    body = render();
    if (body.length <= limit) return result(refill(body));
  }
  // Only reachable with hundreds of projects: keep every heading and fingerprint, cut the rest.
  const headsOnly = assemble(
    frame,
    sections.map((s, i) => renderSection({ ...s, status: "" }, firstLine(bodyOf(i, LAST)))),
    true,
    limit,
  );
  return result(headsOnly.length <= limit ? headsOnly : truncate(headsOnly, limit));

  /** Give sections below `no-fields` the most table rows that still fit (binary search), in order. */
  function refill(fitting: string): string {
    let best = fitting;
    for (let i = 0; i < sections.length; i++) {
      const total = sections[i]!.rows ?? 0;
      if (levels[i]! <= NO_FIELDS || total === 0) continue;
      const [level, kept] = [levels[i]!, rows[i]];
      let lo = 0; // rows known to fit (0: stay at the lower stage)
      let hi = total;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        levels[i] = NO_FIELDS;
        rows[i] = mid;
        if (render().length <= limit) lo = mid;
        else hi = mid - 1;
      }
      if (lo > 0) {
        levels[i] = NO_FIELDS;
        rows[i] = lo;
        best = render();
      } else {
        levels[i] = level;
        rows[i] = kept;
      }
    }
    return best;
  }
}

function assemble(frame: CommentFrame, sections: string[], degraded: boolean, limit: number): string {
  const parts = [COMMENT_MARKER, `## ${frame.heading}`, "", frame.subtitle, ""];
  if (degraded && frame.fullPlan !== "") {
    parts.push(
      "> [!NOTE]",
      `> Some detail is left out to stay under the ${groupThousands(limit)}-character limit.`,
      `> ${frame.fullPlan}`,
      "",
    );
  }
  parts.push(sections.join("\n\n"), "");
  if (frame.fullPlan !== "") parts.push("---", `<sub>${frame.fullPlan}</sub>`, "");
  return parts.join("\n");
}

function renderSection(s: CommentSection, body: string): string {
  const lines = [`<!-- fsops:section dir=${encode(s.dir)} -->`, `### ${s.title}`, ""];
  if (s.fingerprint) lines.push(fingerprintMarker(s.fingerprint));
  lines.push(statusBlock(s.status), "", body.trimEnd(), "", SECTION_END);
  return lines.join("\n");
}

export function fingerprintMarker(f: FingerprintRecord): string {
  const attrs: [string, string][] = [
    ["project", f.project],
    ["dir", f.dir],
    ["value", f.value],
    ["lineage", f.lineage ?? "none"],
    ["serial", String(f.serial)],
    ["commit", f.commit],
  ];
  return `<!-- fsops:fingerprint ${attrs.map(([k, v]) => `${k}=${encode(v)}`).join(" ")} -->`;
}

/** Every fingerprint recorded in a comment body; malformed markers are skipped. */
export function parseFingerprints(body: string): FingerprintRecord[] {
  const out: FingerprintRecord[] = [];
  for (const m of body.matchAll(/<!-- fsops:fingerprint ([^<>]*?) -->/g)) {
    const attrs = new Map<string, string>();
    for (const pair of m[1]!.split(" ")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const value = decode(pair.slice(eq + 1));
      if (value !== null) attrs.set(pair.slice(0, eq), value);
    }
    const project = attrs.get("project");
    const dir = attrs.get("dir");
    const value = attrs.get("value");
    const serial = Number(attrs.get("serial"));
    const lineage = attrs.get("lineage");
    if (!project || !dir || !value || !Number.isInteger(serial) || serial < 0 || lineage === undefined)
      continue;
    out.push({
      project,
      dir,
      value,
      lineage: lineage === "none" ? null : lineage,
      serial,
      commit: attrs.get("commit") ?? "",
    });
  }
  return out;
}

/**
 * The fsops comment among a PR's comments: the oldest that carries the marker and was written by
 * `login`, the account the token acts as (a person, or an App's bot account such as
 * `github-actions[bot]`). Logins are unique on GitHub, so no other App or person can write as
 * `login`; anyone may write the marker. Without a login nothing is ours: a comment by "some bot"
 * could be another App's forgery, and apply trusts the fingerprints in this comment.
 */
export function findStickyComment<C extends { body: string; author: string | null }>(
  comments: readonly C[],
  login: string | null,
): C | undefined {
  if (login === null) return undefined;
  return comments.find((c) => c.author === login && c.body.includes(COMMENT_MARKER));
}

/**
 * Replace the status block of the section for `dir` (apply's result). Returns null when the
 * comment has no such section. The status is cut so the body stays within `limit`.
 */
export function setSectionStatus(
  body: string,
  dir: string,
  status: string,
  limit = COMMENT_LIMIT,
): string | null {
  const start = body.indexOf(`<!-- fsops:section dir=${encode(dir)} -->`);
  if (start < 0) return null;
  const end = body.indexOf(SECTION_END, start);
  const statusStart = body.indexOf(STATUS_START, start);
  const statusEnd = body.indexOf(STATUS_END, start);
  if (end < 0 || statusStart < 0 || statusEnd < 0 || statusEnd > end) return null;
  const before = body.slice(0, statusStart);
  const after = body.slice(statusEnd + STATUS_END.length);
  const room = Math.min(STATUS_RESERVE, limit - before.length - after.length - statusBlock("x").length);
  const capped = status.length > room ? truncate(status, Math.max(0, room)) : status;
  return before + statusBlock(capped) + after;
}

// Blank lines around the status keep it a Markdown block of its own between the HTML comments.
function statusBlock(status: string): string {
  const inner = status.trim();
  return inner === "" ? `${STATUS_START}\n${STATUS_END}` : `${STATUS_START}\n\n${inner}\n\n${STATUS_END}`;
}

function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The first non-blank line: what is left of a body when only its heading fits. */
export function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim() !== "") ?? "";
}

function truncate(text: string, limit: number): string {
  const tail = "\n\n… (cut to fit)\n";
  if (limit <= tail.length) return text.slice(0, Math.max(0, limit));
  return text.slice(0, limit - tail.length) + tail;
}

// Marker attribute values may hold spaces, `>` or `--`: percent-encode so a marker stays one HTML comment.
function encode(value: string): string {
  return encodeURIComponent(value).replace(/%2F/g, "/");
}

function decode(value: string): string | null {
  try {
    return decodeURIComponent(value);
  } catch {
    return null;
  }
}
