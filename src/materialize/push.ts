/**
 * Push: write rows for a PushSource to the online store (event-time guarded, like materialize)
 * and/or append them to its batch source. Every row is checked against every view fed by the
 * source BEFORE anything is written: one bad row rejects the whole push, naming row and column.
 *
 *   pushRows({ config, who }, { source: "driver_stats_push", rows, to: "online_and_offline" })
 *   parsePushFile(text, "jsonl" | "csv")  → rows (for the CLI)
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProjectConfig } from "../model/config.js";
import type { RegistryState } from "../model/registry.js";
import type { DataSourceSpec } from "../model/spec.js";
import type { CanonicalRow, JsonValue } from "../offline/canonical.js";
import { isoFromUs } from "../offline/canonical.js";
import type { MappedColumn, ViewSource } from "../offline/view-source.js";
import { isDummyKey, viewNames, viewSource, DUMMY_ENTITY_VALUE } from "../offline/view-source.js";
import {
  localFolderFormats,
  localSourcePath,
  openDuckDb,
  S3_PATH,
  s3Client,
  s3PrefixFormats,
} from "../offline/file-source.js";
import { newOfflineClient, offlineConnectionError, parseTableName } from "../offline/postgres-source.js";
import { isConnectionError } from "../infra/sqlstate.js";
import { OfflineSourceError, sourceLocation } from "../offline/errors.js";
import { OfflineStoreError } from "../infra/errors.js";
import { connectionSecrets, redactSecrets } from "../config/redact.js";
import { quoteIdent, quoteLiteral } from "../infra/sql.js";
import { duckdbColumnType } from "../offline/sql-types.js";
import type { OpenOnline } from "./online-store.js";
import { MaterializeError, onlineTargets, openOnlineForWrites } from "./online-store.js";

export type PushTarget = "online" | "offline" | "online_and_offline";

export interface PushContext {
  config: ProjectConfig;
  who: string;
  state?: RegistryState;
  online?: OpenOnline;
  dirLabel?: string;
}

export interface PushRequest {
  /** Name of the PushSource. */
  source: string;
  rows: readonly Record<string, unknown>[];
  to?: PushTarget;
  /** Row numbers to report (e.g. file lines); defaults to 1, 2, … */
  rowNumbers?: readonly number[];
}

export interface PushResult {
  source: string;
  rows: number;
  views: string[];
  to: PushTarget;
  online: boolean;
  offline: boolean;
}

/** A push input that breaks the schema: nothing was written. */
export class PushValidationError extends MaterializeError {
  constructor(
    readonly row: number,
    readonly column: string,
    message: string,
    hint?: string,
    /** False when the column itself is wrong (unknown), not one row's value of it. */
    readonly cell = true,
  ) {
    super(`row ${row}${column === "" ? "" : `, column ${JSON.stringify(column)}`}: ${message}`, hint);
    this.name = "PushValidationError";
  }
}

// ------------------------------------------------------------------ input files

/** Rows of a JSON Lines or CSV text with the line number of each (for messages). */
export function parsePushFile(
  text: string,
  format: "jsonl" | "csv",
): { rows: Record<string, unknown>[]; rowNumbers: number[] } {
  const rows: Record<string, unknown>[] = [];
  const rowNumbers: number[] = [];
  if (format === "jsonl") {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new PushValidationError(i + 1, "", `not valid JSON: ${(e as Error).message}`);
      }
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new PushValidationError(i + 1, "", "expected a JSON object per line");
      }
      rows.push(value as Record<string, unknown>);
      rowNumbers.push(i + 1);
    });
    return { rows, rowNumbers };
  }
  const records = parseCsv(text);
  const header = records[0]?.fields;
  if (header === undefined) return { rows, rowNumbers };
  const twice = header.find((h, i) => header.indexOf(h) !== i);
  if (twice !== undefined) {
    throw new PushValidationError(
      1,
      twice,
      "appears twice in the header; which value to push would be a guess",
    );
  }
  for (const rec of records.slice(1)) {
    if (rec.fields.length === 1 && rec.fields[0] === "") continue;
    if (rec.fields.length !== header.length) {
      throw new PushValidationError(
        rec.line,
        "",
        `has ${rec.fields.length} fields, the header has ${header.length}`,
      );
    }
    const row: Record<string, unknown> = {};
    header.forEach((h, i) => (row[h] = rec.fields[i] === "" ? null : rec.fields[i]));
    rows.push(row);
    rowNumbers.push(rec.line);
  }
  return { rows, rowNumbers };
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
function parseCsv(text: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      fields.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      out.push({ fields, line: startLine });
      fields = [];
      field = "";
      line++;
      startLine = line;
    } else field += ch;
  }
  if (quoted) {
    throw new PushValidationError(startLine, "", 'a quoted field is never closed (a " is missing)');
  }
  if (field !== "" || fields.length > 0) {
    fields.push(field);
    out.push({ fields, line: startLine });
  }
  return out;
}

// ------------------------------------------------------------------ checking values

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
/** A decimal number as text (no hex, binary or `Infinity`, which `Number()` would accept). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** A lone UTF-16 surrogate: not valid Unicode, refused by Postgres text and jsonb. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A value as a message shows it (`JSON.stringify` would show NaN and Infinity as null). */
function shown(value: unknown): string {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

/**
 * A pushed value → its canonical form for `dtype`, or an error message. Everything a store
 * would refuse later (out-of-range numbers, NUL in text, impossible dates) is refused here,
 * before anything is written.
 */
export function canonicalValue(dtype: string, value: unknown): { ok: JsonValue } | { error: string } {
  if (value === null || value === undefined) return { ok: null };
  if (dtype.endsWith("[]")) {
    let list = value;
    if (typeof list === "string") {
      try {
        list = JSON.parse(list);
      } catch {
        return { error: `expected a list (${dtype}) as a JSON array, got ${shown(value)}` };
      }
    }
    if (!Array.isArray(list)) return { error: `expected a list (${dtype}), got ${shown(value)}` };
    const out: JsonValue[] = [];
    for (const [i, item] of list.entries()) {
      const v = canonicalValue(dtype.slice(0, -2), item);
      if ("error" in v) return { error: `item ${i}: ${v.error}` };
      out.push(v.ok);
    }
    return { ok: out };
  }
  switch (dtype) {
    case "int32":
    case "int64": {
      if (typeof value === "number" && Number.isInteger(value) && Math.abs(value) > Number.MAX_SAFE_INTEGER)
        return { error: `${shown(value)} is past 2^53: pass ${dtype} as a string of digits` };
      const text =
        typeof value === "number"
          ? Number.isInteger(value)
            ? String(value)
            : ""
          : typeof value === "string"
            ? value.trim()
            : "";
      if (!/^-?\d+$/.test(text)) return { error: `expected an integer (${dtype}), got ${shown(value)}` };
      const n = BigInt(text);
      const [lo, hi] = INT_RANGE[dtype]!;
      if (n < lo || n > hi) return { error: `${text} is out of range for ${dtype} (${lo} to ${hi})` };
      return { ok: dtype === "int32" ? Number(n) : n.toString() };
    }
    case "float32":
    case "float64": {
      const n =
        typeof value === "number"
          ? value
          : typeof value === "string" && DECIMAL.test(value.trim())
            ? Number(value.trim())
            : NaN;
      if (!Number.isFinite(n)) {
        return {
          error:
            typeof value === "number" ||
            (typeof value === "string" && /^[+-]?(nan|inf(inity)?)$/i.test(value.trim()))
              ? `${shown(value)} is not a finite number (${dtype}): NaN and Infinity cannot be pushed`
              : `expected a number (${dtype}), got ${shown(value)}`,
        };
      }
      if (dtype === "float32") {
        // Exactly what Postgres \`real\` takes: a value that rounds to a finite float32 (subnormals
        // included), but not one that overflows or underflows to zero, which the store would
        // refuse mid-write ("out of range for type real") after other rows were written.
        const f = Math.fround(n);
        if (!Number.isFinite(f) || (f === 0 && n !== 0))
          return {
            error: `${shown(value)} is out of range for float32 (${Number.isFinite(f) ? "nonzero magnitude below 1.4e-45, which rounds to 0" : "magnitude above 3.4028235e38"})`,
          };
      }
      return { ok: n };
    }
    case "string":
      if (typeof value !== "string") return { error: `expected a string, got ${shown(value)}` };
      if (value.includes("\u0000"))
        return { error: "contains a NUL character (\\u0000), which text cannot hold" };
      if (LONE_SURROGATE.test(value))
        return { error: "contains a lone UTF-16 surrogate (not valid Unicode)" };
      return { ok: value };
    case "bool":
      if (typeof value === "boolean") return { ok: value };
      if (value === "true" || value === "false") return { ok: value === "true" };
      return { error: `expected true or false, got ${shown(value)}` };
    case "bytes":
      if (typeof value === "string" && /^\\x([0-9a-fA-F]{2})*$/.test(value))
        return { ok: value.toLowerCase() };
      return { error: `expected bytes as \\x-prefixed hex, got ${shown(value)}` };
    case "unix_timestamp": {
      const t = parseTimestamp(value);
      return "error" in t ? t : { ok: isoFromUs(t.us) };
    }
    default:
      // viewSource refuses the dtypes push cannot read before any row is checked.
      return { error: `unknown dtype ${dtype}` };
  }
}

/** Epoch µs of the first and last instants of the years 0001–9999, which every store takes. */
const FIRST_US = Date.parse("0001-01-01T00:00:00Z") * 1000;
const LIMIT_US = Date.parse("9999-12-31T23:59:59.999Z") * 1000 + 999;

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.(\d{1,6}))?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * Epoch µs of an ISO 8601 text (µs precision kept; no zone = UTC; a date alone = midnight) or of
 * epoch seconds (a number or a decimal text); an error naming what is wrong otherwise. Impossible
 * dates (Feb 30, hour 25) and years outside 0001–9999 are errors, not silently moved.
 */
export function parseTimestamp(value: unknown): { us: number } | { error: string } {
  const bad = { error: `expected an ISO 8601 time or epoch seconds, got ${shown(value)}` };
  let us: number;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return bad;
    us = Math.round(value * 1_000_000);
  } else if (typeof value === "string") {
    const text = value.trim();
    if (/^-?\d+(\.\d+)?$/.test(text)) us = Math.round(Number(text) * 1_000_000);
    else {
      const m = ISO_TIME.exec(text);
      if (m === null) return bad;
      const [, y, mo, d, h = "00", mi = "00", sec = "00", frac = "", zone] = m;
      const days = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate(); // last day of the month
      if (
        Number(mo) < 1 ||
        Number(mo) > 12 ||
        Number(d) < 1 ||
        Number(d) > days ||
        Number(h) > 23 ||
        Number(mi) > 59 ||
        Number(sec) > 59
      ) {
        return { error: `${shown(value)} is not a valid date and time` };
      }
      const z =
        zone === undefined || zone.toUpperCase() === "Z"
          ? "Z"
          : zone.length === 3
            ? `${zone}:00`
            : zone.length === 5
              ? `${zone.slice(0, 3)}:${zone.slice(3)}`
              : zone;
      const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${sec}${z}`);
      if (Number.isNaN(ms)) return { error: `${shown(value)} is not a valid date and time` };
      us = ms * 1000 + Number(frac.padEnd(6, "0"));
    }
  } else return bad;
  if (us < FIRST_US || us > LIMIT_US) {
    return {
      error: `${shown(value)} is outside the years 0001–9999${typeof value === "number" || /^-?\d+(\.\d+)?$/.test(String(value).trim()) ? " (epoch seconds, not milliseconds?)" : ""}`,
    };
  }
  return { us };
}

/** The views fed by push source `source` (feature views and stream views), sorted. */
export function viewsOfPushSource(state: RegistryState, source: string): ViewSource[] {
  const spec = state.objects.find((o) => o.kind === "data_source" && o.name === source)?.spec as
    DataSourceSpec | undefined;
  if (spec === undefined || spec.type !== "push") {
    const pushes = state.objects
      .filter((o) => o.kind === "data_source" && (o.spec as DataSourceSpec).type === "push")
      .map((o) => o.name);
    throw new MaterializeError(
      spec === undefined
        ? `no source named ${JSON.stringify(source)} in the applied registry state`
        : `source ${source} is a ${spec.type} source, not a PushSource`,
      `push sources: ${pushes.join(", ") || "(none)"}`,
    );
  }
  // Only the views this source feeds are resolved: another view's problem (a dtype push cannot
  // read, a source without offline data) is not this push's.
  const fed = new Set(
    state.objects
      .filter((o) => o.kind === "feature_view" || o.kind === "stream_feature_view")
      .filter((o) => (o.spec as { source: string }).source === source)
      .map((o) => o.name),
  );
  return viewNames(state)
    .filter((v) => fed.has(v))
    .map((v) => viewSource(state, v))
    .filter((vs) => vs.pushSource === source);
}

interface CheckedRow {
  /** Canonical values by `valueKey` (a column two views give different dtypes has one each). */
  values: Map<string, JsonValue>;
  eventUs: number;
  createdUs: number | null;
}

/** Where a checked row keeps the canonical value of column `c` (per dtype: see checkRows). */
const valueKey = (c: { name: string; dtype: string }): string => `${c.dtype} ${c.name}`;

/**
 * The source columns the views of one push source hold between them (they share its batch
 * source, so one fieldMapping): non-dummy keys then features, each name once, the first view's
 * dtype when two views differ.
 */
function unionColumns(views: ViewSource[]): MappedColumn[] {
  const seen = new Map<string, MappedColumn>();
  for (const c of [...views.flatMap((v) => v.keys), ...views.flatMap((v) => v.features)])
    if (!isDummyKey(c) && !seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()];
}

/** Check every row against every view (throws PushValidationError at the first bad cell). */
function checkRows(views: ViewSource[], req: PushRequest): CheckedRow[] {
  const first = views[0]!;
  const tsColumn = first.eventTimestamp;
  const createdColumn = first.createdTimestamp;
  // Every dtype any view gives a column: a value must suit each (one view's int32 and another's
  // int64 refuse 2^31 for the first), or the store of the stricter view refuses it mid-write.
  const dtypes = new Map<string, string[]>();
  for (const vs of views) {
    for (const c of [...vs.keys, ...vs.features]) {
      if (isDummyKey(c)) continue;
      const list = dtypes.get(c.name) ?? [];
      if (!list.includes(c.dtype)) list.push(c.dtype);
      dtypes.set(c.name, list);
    }
  }
  const keys = new Set(views.flatMap((vs) => vs.keys.filter((k) => !isDummyKey(k)).map((k) => k.name)));
  const known = [...dtypes.keys(), tsColumn, ...(createdColumn ? [createdColumn] : [])];
  return req.rows.map((row, i) => {
    const n = req.rowNumbers?.[i] ?? i + 1;
    for (const column of Object.keys(row)) {
      if (!known.includes(column)) {
        throw new PushValidationError(n, column, "unknown column", `columns: ${known.join(", ")}`, false);
      }
    }
    const values = new Map<string, JsonValue>();
    for (const [name, list] of dtypes) {
      const raw = row[name];
      if (keys.has(name) && (raw === undefined || raw === null || raw === "")) {
        throw new PushValidationError(n, name, "missing join key");
      }
      for (const dtype of list) {
        const v = canonicalValue(dtype, raw);
        if ("error" in v) throw new PushValidationError(n, name, v.error);
        values.set(valueKey({ name, dtype }), v.ok);
      }
    }
    const raw = row[tsColumn];
    if (raw === undefined || raw === null || raw === "")
      throw new PushValidationError(n, tsColumn, "missing event timestamp");
    const event = parseTimestamp(raw);
    if ("error" in event) throw new PushValidationError(n, tsColumn, event.error);
    const eventUs = event.us;
    let createdUs: number | null = null;
    if (createdColumn !== null && row[createdColumn] !== undefined && row[createdColumn] !== null) {
      const created = parseTimestamp(row[createdColumn]);
      if ("error" in created) throw new PushValidationError(n, createdColumn, created.error);
      createdUs = created.us;
    }
    return { values, eventUs, createdUs };
  });
}

/** The newest row per entity key (event time, then created time), as the online writers want. */
function latestPerKey(vs: ViewSource, rows: CheckedRow[]): CanonicalRow[] {
  const best = new Map<string, CanonicalRow>();
  for (const r of rows) {
    const keys = vs.keys.map((k) =>
      isDummyKey(k) ? DUMMY_ENTITY_VALUE : (r.values.get(valueKey(k)) ?? null),
    );
    const id = JSON.stringify(keys);
    const row: CanonicalRow = {
      keys,
      features: vs.features.map((f) => r.values.get(valueKey(f)) ?? null),
      eventUs: r.eventUs,
      createdUs: r.createdUs,
    };
    const cur = best.get(id);
    if (
      cur === undefined ||
      row.eventUs > cur.eventUs ||
      (row.eventUs === cur.eventUs && (row.createdUs ?? -Infinity) >= (cur.createdUs ?? -Infinity))
    )
      best.set(id, row);
  }
  return [...best.values()];
}

async function appliedState(ctx: PushContext): Promise<RegistryState> {
  if (ctx.state) return ctx.state;
  const { openRegistryStore } = await import("../registry/open-store.js");
  const registry = openRegistryStore(ctx.config.registry);
  try {
    const { state } = await registry.read(ctx.config.project);
    if (state === null) {
      throw new MaterializeError(
        `${ctx.config.project}: nothing applied yet`,
        `push works from the applied registry state: run fsops apply ${ctx.dirLabel ?? "."} first`,
      );
    }
    return state;
  } finally {
    await registry.close();
  }
}

/**
 * A push that failed after writing part of what it was asked to: says exactly what was written
 * and what was not, and whether running the same push again is safe. Not a MaterializeError:
 * a store failing is not the caller's mistake (a 5xx over HTTP, not a 400).
 */
export class PushWriteError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    /** What is in the stores now. */
    readonly written: {
      onlineViews: string[];
      /** The view whose write failed midway (some of its keys may be written), or null. */
      onlinePartial: string | null;
      offline: boolean | "unknown";
    },
  ) {
    super(message);
    this.name = "PushWriteError";
  }
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Validate every row, then write. The order makes `online_and_offline` as close to atomic as two
 * stores without a shared transaction allow (a two-phase commit would need the offline store's
 * `max_prepared_transactions` and does not exist for files, S3 or Redis):
 *
 *   1. every row is checked against every view: a bad row writes nothing;
 *   2. the offline append is prepared, not yet visible: a Postgres INSERT inside an open
 *      transaction, or the Parquet part file written under a temporary name. A missing table,
 *      a refused connection or a bad column fails here, with nothing written anywhere;
 *   3. the online rows are written under the event-time guard, view by view. If this fails the
 *      offline append is rolled back: offline holds nothing, online holds the views written so
 *      far. Rewriting the same rows online is idempotent (an equal event rewrites the same
 *      values, an older one never overwrites), so the same push can simply be run again;
 *   4. the offline append is made visible: COMMIT, or the part file renamed / uploaded under
 *      its final name. Only this step can leave online written and offline not; the error says
 *      so, and whether the commit's outcome is unknown (connection lost during COMMIT).
 *
 * Reruns and duplicates: a part file is named after a hash of its rows, so pushing the same rows
 * again replaces the file with itself (no duplicates). A Postgres table has no such name: a
 * rerun of a push whose append committed appends its rows again (identical rows, which
 * materialize and point-in-time joins treat as one).
 */
export async function pushRows(ctx: PushContext, req: PushRequest): Promise<PushResult> {
  const to = req.to ?? "online";
  const state = await appliedState(ctx);
  const views = viewsOfPushSource(state, req.source);
  if (views.length === 0) {
    throw new MaterializeError(`no feature view reads push source ${req.source}`);
  }
  const rows = checkRows(views, req);
  const result: PushResult = {
    source: req.source,
    rows: rows.length,
    views: views.map((v) => v.view),
    to,
    online: false,
    offline: false,
  };
  if (rows.length === 0) return result;
  const targets = onlineTargets(state);
  const onlineViews = views.filter((vs) => vs.online && targets.has(vs.view));
  if (to !== "offline" && onlineViews.length === 0) {
    throw new MaterializeError(`no online view reads push source ${req.source}`, "push with --to offline");
  }
  let online: OpenOnline | null = null;
  let append: PreparedAppend | null = null;
  try {
    if (to !== "offline") {
      if (ctx.online) online = ctx.online;
      else if (ctx.config.onlineStore) online = await openOnlineForWrites(ctx.config.onlineStore);
      else throw new MaterializeError(`${ctx.config.project}: fsops.yaml has no online_store`);
      for (const vs of onlineViews) await online.checkTarget(targets.get(vs.view)!, ctx.dirLabel ?? ".");
    }
    if (to !== "online") append = await prepareOffline(ctx.config, views, rows);
    if (online !== null) {
      const done: string[] = [];
      for (const vs of onlineViews) {
        try {
          await online.writer.write(targets.get(vs.view)!, latestPerKey(vs, rows));
        } catch (e) {
          const rest = onlineViews.map((v) => v.view).filter((v) => v !== vs.view && !done.includes(v));
          // Never made visible: a Postgres transaction left uncommitted rolls back even when the
          // ROLLBACK itself fails; readers skip an unrenamed temporary part file.
          if (append !== null) await append.abort().catch(() => undefined);
          append = null;
          throw new PushWriteError(
            `push of ${rows.length} rows of ${req.source} failed writing view ${vs.view} to the online store: ${reasonOf(e)}. ` +
              `Written: online ${done.length > 0 ? `views ${done.join(", ")}` : "nothing"}; view ${vs.view} possibly in part` +
              `${rest.length > 0 ? `; not written: online views ${rest.join(", ")}` : ""}` +
              `${to === "online" ? "" : "; offline: nothing (the prepared append was discarded)"}.`,
            "rerunning the same push is safe: online writes are guarded by event time (rewriting the same rows changes nothing newer)",
            { onlineViews: done, onlinePartial: vs.view, offline: false },
          );
        }
        done.push(vs.view);
      }
      result.online = true;
    }
    if (append !== null) {
      const pending = append;
      append = null;
      try {
        await pending.commit();
      } catch (e) {
        const inDoubt = pending.inDoubt(e);
        const onlineSafe =
          online !== null ? "the online rows are rewritten unchanged (event-time guard)" : null;
        throw new PushWriteError(
          `push of ${rows.length} rows of ${req.source}: the offline append to ${pending.where} failed: ${reasonOf(e)}. ` +
            `Written: ${online !== null ? `online views ${onlineViews.map((v) => v.view).join(", ")}` : "nothing online (--to offline)"}; ` +
            `offline: ${inDoubt !== null ? `unknown (${inDoubt})` : "nothing appended"}.`,
          pending.idempotent
            ? `rerunning the same push is safe: ${onlineSafe ? `${onlineSafe}, and ` : ""}the part file is named after its rows (a rerun writes the same file once)`
            : inDoubt !== null
              ? `look for the pushed rows in ${pending.where} before rerunning: a rerun appends them again if the commit went through${onlineSafe ? `; ${onlineSafe}` : ""}`
              : `rerunning the same push is safe: ${onlineSafe ? `${onlineSafe}, and ` : ""}the offline rows are appended once`,
          {
            onlineViews: online !== null ? onlineViews.map((v) => v.view) : [],
            onlinePartial: null,
            offline: inDoubt !== null ? "unknown" : false,
          },
        );
      }
      result.offline = true;
    }
  } finally {
    if (append !== null) await append.abort().catch(() => undefined);
    if (online !== null && ctx.online === undefined) await online.close();
  }
  return result;
}

/** An offline append written but not yet visible (see `pushRows`). */
interface PreparedAppend {
  /** Where it goes, for messages: `table offline.stats_events`, `s3://b/p/part-….parquet`. */
  where: string;
  /** Appending the same rows again leaves one copy (content-named part file). */
  idempotent: boolean;
  /** Make it visible. */
  commit(): Promise<void>;
  /** Drop it (nothing becomes visible). */
  abort(): Promise<void>;
  /** Why a failed commit may still have gone through, or null when it surely did not. */
  inDoubt(e: unknown): string | null;
}

/**
 * The rows as the batch source stores them: every view's keys and features under their source
 * column names (fieldMapping reversed).
 */
function sourceRecords(views: ViewSource[], rows: CheckedRow[]): Record<string, JsonValue>[] {
  const vs = views[0]!;
  const columns = unionColumns(views);
  return rows.map((r) => {
    const o: Record<string, JsonValue> = {};
    for (const c of columns) o[c.column] = r.values.get(valueKey(c)) ?? null;
    o[vs.eventTimestamp] = isoFromUs(r.eventUs);
    if (vs.createdTimestamp !== null)
      o[vs.createdTimestamp] = r.createdUs === null ? null : isoFromUs(r.createdUs);
    return o;
  });
}

/**
 * JSON writes -0 as 0. As a JSON string it reaches the column type's conversion (Postgres's
 * input function, DuckDB's cast in read_json), which keeps the sign of a float's zero and reads
 * an integer's "-0" as 0.
 */
function keepNegativeZero(_key: string, value: unknown): unknown {
  return Object.is(value, -0) ? "-0" : value;
}

/**
 * Prepare the append of `rows` to the batch source the `views` of one push source share (see
 * `pushRows`): everything that can fail for a reason of the source or the store fails here,
 * before anything is visible.
 */
async function prepareOffline(
  config: ProjectConfig,
  views: ViewSource[],
  rows: CheckedRow[],
): Promise<PreparedAppend> {
  const vs = views[0]!;
  const spec = vs.source.spec;
  const records = sourceRecords(views, rows);
  if (spec.type === "postgres") {
    if (spec.table === null) {
      throw new MaterializeError(
        `source ${vs.source.name} is a query; rows cannot be appended to it`,
        "push with --to online, or give the PostgresSource a table",
      );
    }
    if (config.offlineStore?.type !== "postgres") {
      throw new MaterializeError(
        `source ${vs.source.name} is a PostgresSource but fsops.yaml has no postgres offline_store`,
      );
    }
    const table = parseTableName(spec.table).map(quoteIdent).join(".");
    const columns = Object.keys(records[0] ?? {})
      .map(quoteIdent)
      .join(", ");
    const url = config.offlineStore.connectionString;
    let client: Awaited<ReturnType<typeof newOfflineClient>>;
    try {
      client = await newOfflineClient(url, "fsops push");
    } catch (e) {
      throw offlineConnectionError(url, e);
    }
    const end = () => client.end().catch(() => undefined);
    try {
      await client.query("BEGIN");
      // The table's own row type converts each JSON value to its column type.
      await client.query(
        `INSERT INTO ${table} (${columns}) SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb)`,
        [JSON.stringify(records, keepNegativeZero)],
      );
    } catch (e) {
      await end();
      if (isConnectionError(e)) throw offlineConnectionError(url, e);
      throw new OfflineSourceError(
        `${sourceLocation(vs)}source ${vs.source.name}: cannot append the pushed rows to table ${spec.table}: ${redactSecrets(reasonOf(e), connectionSecrets(url))}`,
        "the table needs the source's columns (after fieldMapping) with types that take the pushed values",
        "FS401",
      );
    }
    return {
      where: `table ${spec.table}`,
      idempotent: false,
      commit: async () => {
        try {
          await client.query("COMMIT");
        } catch (e) {
          throw isConnectionError(e) ? offlineConnectionError(url, e) : e;
        } finally {
          await end();
        }
      },
      abort: async () => {
        try {
          await client.query("ROLLBACK");
        } finally {
          await end();
        }
      },
      // Sent COMMIT and lost the connection before its answer: the server may have committed.
      inDoubt: (e) => (e instanceof OfflineStoreError ? "the connection was lost during COMMIT" : null),
    };
  }
  // FileSource: a new Parquet part file in its folder (a single-file source cannot grow).
  const path = spec.path;
  if (/\.(parquet|pq|csv)(\.gz)?$/i.test(path)) {
    throw new MaterializeError(
      `source ${vs.source.name} is one file (${path}); push appends a part file to a folder`,
      "point the FileSource at a folder (or S3 prefix) of Parquet files",
    );
  }
  const s3 = S3_PATH.exec(path);
  let formats: Set<string>;
  try {
    formats = s3
      ? await s3PrefixFormats(path, config.offlineStore?.s3 ?? null)
      : await localFolderFormats(localSourcePath(path, config.dir));
  } catch (e) {
    throw new OfflineSourceError(
      `${sourceLocation(vs)}source ${vs.source.name}: cannot list ${path}: ${reasonOf(e)}`,
      /^s3:/i.test(path)
        ? "check offline_store.s3 (endpoint, region, force_path_style) and the AWS credentials"
        : undefined,
    );
  }
  if (formats.has("csv")) {
    // A Parquet part among CSV files would make every later read of the source fail ("mixes
    // Parquet and CSV files"); a CSV part cannot carry lists and bytes as their types.
    throw new OfflineSourceError(
      `${sourceLocation(vs)}source ${vs.source.name}: folder ${path} holds CSV files; push appends Parquet part files, and a folder cannot mix the two`,
      "convert the folder's CSV files to Parquet (or point the FileSource at a Parquet folder), or push with --to online",
    );
  }
  const columns = parquetColumns(views);
  // Named after its content: pushing the same rows again writes the same name (no duplicate).
  const recordsJson = JSON.stringify(records, keepNegativeZero);
  // The text of JSON.stringify([columns, records]), without serializing the rows twice.
  const digest = createHash("sha256")
    .update(`[${JSON.stringify(columns)},${recordsJson}]`)
    .digest("hex")
    .slice(0, 32);
  const name = `part-push-${digest}.parquet`;
  const folder = s3 ? await mkdtemp(join(tmpdir(), "fsops-push-")) : localSourcePath(path, config.dir);
  const stage = `.${name}.${randomBytes(4).toString("hex")}`;
  const json = join(folder, `${stage}.json`);
  const temp = join(folder, stage);
  const cleanup = async () => {
    await rm(temp, { force: true });
    if (s3) await rm(folder, { recursive: true, force: true });
  };
  try {
    await mkdir(folder, { recursive: true });
    const db = await openDuckDb();
    try {
      await writeFile(json, recordsJson);
      const spec = columns.map((c) => `${quoteLiteral(c.name)}: ${quoteLiteral(c.read)}`).join(", ");
      const select = columns.map((c) => `${c.select} AS ${quoteIdent(c.name)}`).join(", ");
      await db.run(
        `COPY (SELECT ${select} FROM read_json(${quoteLiteral(json)}, columns = {${spec}}, format = 'array')) TO ${quoteLiteral(temp)} (FORMAT parquet)`,
      );
    } finally {
      db.close();
      await rm(json, { force: true });
    }
  } catch (e) {
    await cleanup();
    throw new OfflineSourceError(
      `${sourceLocation(vs)}source ${vs.source.name}: cannot write a part file into ${path}: ${reasonOf(e)}`,
    );
  }
  if (!s3) {
    return {
      where: join(path, name),
      idempotent: true,
      // Readers skip dot-files: the part appears whole, by rename, or not at all.
      commit: async () => {
        try {
          await rename(temp, join(folder, name));
        } finally {
          await cleanup();
        }
      },
      abort: cleanup,
      inDoubt: () => null,
    };
  }
  const prefix = (s3[2] ?? "").replace(/\/*$/, "");
  const key = prefix ? `${prefix}/${name}` : name;
  return {
    where: `s3://${s3[1]}/${key}`,
    idempotent: true,
    // One PutObject: the object appears whole or not at all.
    commit: async () => {
      const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
      const client = s3Client(S3Client, config.offlineStore?.s3 ?? null);
      try {
        await client.send(new PutObjectCommand({ Bucket: s3[1]!, Key: key, Body: await readFile(temp) }));
      } finally {
        client.destroy();
        await cleanup();
      }
    },
    abort: cleanup,
    // No HTTP answer (a network error): the object may have been stored all the same.
    inDoubt: (e) =>
      (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === undefined
        ? "the upload got no answer"
        : null,
  };
}

interface PartColumn {
  name: string;
  /** DuckDB type the JSON value is read as. */
  read: string;
  /** Expression giving the Parquet column its dtype's type. */
  select: string;
}

/**
 * The source columns a pushed part file holds. Bytes travel through JSON as `\x…` hex text:
 * they are read as text and decoded to a real BLOB (a cast would keep the hex text as bytes).
 */
function parquetColumns(views: ViewSource[]): PartColumn[] {
  const vs = views[0]!;
  const out: PartColumn[] = [];
  for (const c of unionColumns(views)) {
    const col = quoteIdent(c.column);
    if (c.dtype === "bytes")
      out.push({ name: c.column, read: "VARCHAR", select: `unhex(substr(${col}, 3))` });
    else if (c.dtype === "bytes[]")
      out.push({
        name: c.column,
        read: "VARCHAR[]",
        select: `list_transform(${col}, x -> unhex(substr(x, 3)))`,
      });
    else out.push({ name: c.column, read: duckdbColumnType(c.dtype), select: col });
  }
  for (const ts of [vs.eventTimestamp, vs.createdTimestamp]) {
    if (ts !== null) out.push({ name: ts, read: "TIMESTAMPTZ", select: quoteIdent(ts) });
  }
  return out;
}
