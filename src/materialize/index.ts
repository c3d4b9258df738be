/**
 * Materialization: fill the online store from the offline store, from the REGISTRY's applied
 * state (what was reviewed and applied), never from local definitions.
 *
 *   materialize(ctx, { start, end, views })            one window (start, end] per view
 *   materializeIncremental(ctx, { end, views, due })   from each view's last materialized end
 *   readMaterializations(config)                       last end per view (for show, /metrics)
 *   pushRows(ctx, …)                                   see push.ts
 *
 * Per view: the newest row per entity key with start < event_ts ≤ end (ties: newest created
 * time), ttl applied (rows older than end − ttl skipped), written with the event-time guard.
 * Same Postgres database offline and online: one INSERT … SELECT DISTINCT ON … statement (no
 * row passes through Node). Otherwise rows stream in batches (bounded memory): into Postgres /
 * PGlite, each batch is COPYed into a TEMP table and upserted from it in one statement; from a
 * FileSource, DuckDB prints each row's COPY line itself (see copy-format.ts). A failed view
 * does not stop the others; its interval is not recorded. An interval is recorded only after
 * its data is written.
 */
import type { ProjectConfig } from "../model/config.js";
import type { RegistryState } from "../model/registry.js";
import { CREATED_TS_COLUMN, EVENT_TS_COLUMN } from "../infra/layout.js";
import { qualifiedName, quoteIdent } from "../infra/sql.js";
import { canonicalSelect } from "../offline/canonical.js";
import type { Window } from "../offline/canonical.js";
import { OfflineSourceError } from "../offline/errors.js";
import { openViewReader } from "../offline/index.js";
import type { OfflineContext } from "../offline/index.js";
import { offlinePool, postgresRelation } from "../offline/postgres-source.js";
import type { ViewSource } from "../offline/view-source.js";
import { viewNames, viewSource } from "../offline/view-source.js";
import type { MaterializationRecord } from "../registry/materializations.js";
import { openMaterializationStore } from "../registry/materializations.js";
import { describeFailure } from "./failure.js";
import { SqlError } from "../infra/sql-executor.js";
import { duckCopyLinesSql } from "./copy-format.js";
import type { OnlineTarget } from "./online-writer.js";
import { PostgresOnlineWriter, WRITE_BATCH } from "./online-writer.js";
import type { OpenOnline } from "./online-store.js";
import { MaterializeError, onlineTargets, openOnlineForWrites } from "./online-store.js";
import { dueAfter } from "./schedule.js";

export { MaterializeError } from "./online-store.js";
export type { MaterializationRecord } from "../registry/materializations.js";

export interface MaterializeContext {
  config: ProjectConfig;
  /** Recorded with each interval. */
  who: string;
  /** The applied state; read from the registry when absent. */
  state?: RegistryState;
  /** An already open online store (the server's); opened and closed here when absent. */
  online?: OpenOnline;
  /** How the project folder is named in hints (`fsops apply <dir>`). */
  dirLabel?: string;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { type: "start"; view: string; estimate: number | null; mode: "pushdown" | "stream" }
  | { type: "rows"; view: string; rows: number }
  | { type: "done"; view: string; result: ViewResult };

export interface ViewResult {
  view: string;
  status: "ok" | "failed" | "skipped";
  /** Exclusive start (null: beginning of the data), ISO. */
  start: string | null;
  end: string;
  rows: number;
  durationMs: number;
  mode: "pushdown" | "stream" | null;
  /** Why it was skipped / what was up to date. */
  reason?: string;
  error?: { message: string; hint?: string };
}

export interface MaterializeOptions {
  start: Date | null;
  end: Date;
  views?: string[];
}

export interface IncrementalOptions {
  end: Date;
  views?: string[];
  /** Only views whose batchSchedule ticked since their last end. */
  due?: boolean;
}

/** Last materialized end per view (valid for the current lineage and layout), ISO. */
export interface ViewFreshness {
  view: string;
  lastEnd: string | null;
  lastAt: string | null;
  rows: number | null;
}

async function appliedState(ctx: MaterializeContext): Promise<RegistryState> {
  if (ctx.state) return ctx.state;
  const { openRegistryStore } = await import("../registry/open-store.js");
  const registry = openRegistryStore(ctx.config.registry);
  try {
    const { state } = await registry.read(ctx.config.project);
    if (state === null) {
      throw new MaterializeError(
        `${ctx.config.project}: nothing applied yet (registry ${registry.location})`,
        `materialize works from the applied registry state: run fsops apply ${ctx.dirLabel ?? "."} first`,
      );
    }
    return state;
  } finally {
    await registry.close();
  }
}

/** The views to fill: the requested ones (each must be an online view), else every online view. */
function selectViews(state: RegistryState, targets: Map<string, unknown>, requested?: string[]): string[] {
  const all = viewNames(state);
  if (requested === undefined || requested.length === 0) return all.filter((v) => targets.has(v));
  for (const v of requested) {
    if (!all.includes(v)) {
      throw new MaterializeError(
        `no feature view named ${JSON.stringify(v)} in the applied registry state`,
        `views: ${all.join(", ") || "(none)"}`,
      );
    }
  }
  return [...new Set(requested)];
}

/** The last valid record per view (current lineage, current layout). */
function lastRecords(
  records: readonly MaterializationRecord[],
  state: RegistryState,
  targets: Map<string, { layoutHash: string }>,
): Map<string, MaterializationRecord> {
  const last = new Map<string, MaterializationRecord>();
  for (const r of records) {
    if (r.lineage !== state.lineage || r.layout !== targets.get(r.view)?.layoutHash) continue;
    const prev = last.get(r.view);
    if (prev === undefined || Date.parse(r.end) >= Date.parse(prev.end)) last.set(r.view, r);
  }
  return last;
}

/** `fsops materialize`: one window for every selected view. */
export function materialize(ctx: MaterializeContext, options: MaterializeOptions): Promise<ViewResult[]> {
  if (options.start !== null && options.start.getTime() >= options.end.getTime()) {
    return Promise.reject(new MaterializeError("--start must be before --end"));
  }
  return run(ctx, options.views, () => ({ start: options.start, end: options.end }));
}

/** `fsops materialize-incremental`: from each view's last end (or end − ttl, or the beginning). */
export function materializeIncremental(
  ctx: MaterializeContext,
  options: IncrementalOptions,
): Promise<ViewResult[]> {
  return run(ctx, options.views, (vs, last) => {
    const lastEnd = last === undefined ? null : new Date(last.end);
    if (options.due) {
      if (vs.batchSchedule === null) return { skip: "no batchSchedule" };
      if (lastEnd !== null && !dueAfter(vs.batchSchedule, lastEnd, options.end)) {
        return { skip: `not due (${vs.batchSchedule}, last end ${lastEnd.toISOString()})` };
      }
    }
    if (lastEnd !== null) {
      if (lastEnd.getTime() >= options.end.getTime()) return { skip: `up to date (last end ${last!.end})` };
      return { start: lastEnd, end: options.end };
    }
    // First time: the ttl bounds the window (inclusive), else everything up to end.
    return {
      start: null,
      end: options.end,
      recordStart: vs.ttl > 0 ? new Date(options.end.getTime() - vs.ttl * 1000) : null,
    };
  });
}

class SkipView extends Error {}

type Plan = { start: Date | null; end: Date; recordStart?: Date | null } | { skip: string };

async function run(
  ctx: MaterializeContext,
  requested: string[] | undefined,
  plan: (vs: ViewSource, last: MaterializationRecord | undefined) => Plan,
): Promise<ViewResult[]> {
  const { config } = ctx;
  const dir = ctx.dirLabel ?? ".";
  if (config.onlineStore === null && ctx.online === undefined) {
    throw new MaterializeError(
      `${config.project}: fsops.yaml has no online_store to materialize into`,
      "add online_store: { type: postgres | redis | embedded, … } and run fsops apply",
    );
  }
  const state = await appliedState(ctx);
  const targets = onlineTargets(state);
  const views = selectViews(state, targets, requested);
  const results: ViewResult[] = [];
  const offline = config.offlineStore;
  // Everything opened from here on is closed in the one `finally`, whichever step throws
  // (an unreachable online store must not leave the registry or offline connections open).
  let store: ReturnType<typeof openMaterializationStore> | undefined;
  let opened: OpenOnline | undefined;
  let pool: ReturnType<typeof offlinePool> | undefined;
  try {
    store = openMaterializationStore(config.registry);
    const online = ctx.online ?? (opened = await openOnlineForWrites(config.onlineStore!));
    pool = offline?.type === "postgres" ? offlinePool(offline.connectionString) : undefined;
    const reading: OfflineContext = { projectDir: config.dir, offlineStore: offline, pool };
    const last = lastRecords(await store.read(config.project), state, targets);
    for (const view of views) {
      const started = Date.now();
      const target = targets.get(view);
      let result: ViewResult;
      let window: Plan | null = null;
      try {
        const vs = viewSource(state, view);
        if (target === undefined || !vs.online) {
          throw new MaterializeError(
            `view ${view} has no online table in the applied state (online: false, or never applied)`,
            `set online: true and run fsops apply ${dir}`,
          );
        }
        if (vs.source.spec.type === "postgres" && config.offlineStore === null) {
          // No offline store configured at all (e.g. an unset ${VAR:-}): nothing to read it from.
          throw new SkipView(
            `source ${vs.source.name} is a PostgresSource and fsops.yaml has no offline_store`,
          );
        }
        window = plan(vs, last.get(view));
        if ("skip" in window) {
          result = {
            view,
            status: "skipped",
            start: null,
            end: new Date().toISOString(),
            rows: 0,
            durationMs: 0,
            mode: null,
            reason: window.skip,
          };
        } else {
          await online.checkTarget(target, dir);
          const w = { start: window.start, end: window.end };
          const { rows, mode } = await fillView(ctx, reading, online, vs, target, w);
          const recordStart = window.recordStart !== undefined ? window.recordStart : window.start;
          const record: MaterializationRecord = {
            view,
            start: recordStart === null ? null : recordStart.toISOString(),
            end: window.end.toISOString(),
            rows,
            durationMs: Date.now() - started,
            at: new Date().toISOString(),
            by: ctx.who,
            mode,
            lineage: state.lineage,
            layout: target.layoutHash,
          };
          // After the data: an interval is never recorded for rows that were not written.
          await store.append(config.project, [record]);
          result = {
            view,
            status: "ok",
            start: record.start,
            end: record.end,
            rows,
            durationMs: record.durationMs,
            mode,
          };
        }
      } catch (e) {
        if (e instanceof SkipView) {
          results.push({
            view,
            status: "skipped",
            start: null,
            end: new Date().toISOString(),
            rows: 0,
            durationMs: 0,
            mode: null,
            reason: e.message,
          });
          ctx.onProgress?.({ type: "done", view, result: results.at(-1)! });
          continue;
        }
        const { message, hint } = describeFailure(e, config.secrets);
        result = {
          view,
          status: "failed",
          start: window && !("skip" in window) && window.start ? window.start.toISOString() : null,
          end: window && !("skip" in window) ? window.end.toISOString() : new Date().toISOString(),
          rows: 0,
          durationMs: Date.now() - started,
          mode: null,
          error: hint === undefined ? { message } : { message, hint },
        };
      }
      results.push(result);
      ctx.onProgress?.({ type: "done", view, result });
    }
  } finally {
    // Close failures must not hide the error that got us here.
    await opened?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
  }
  return results;
}

/** Offline and online are the same Postgres database (host, port, database name). */
export function sameDatabase(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const db = (u: URL) =>
      decodeURIComponent(u.pathname.replace(/^\//, "")) || decodeURIComponent(u.username);
    return (
      x.hostname === y.hostname &&
      (x.port || "5432") === (y.port || "5432") &&
      db(x) === db(y) &&
      x.search === y.search
    );
  } catch {
    return a === b;
  }
}

async function fillView(
  ctx: MaterializeContext,
  reading: OfflineContext,
  online: OpenOnline,
  vs: ViewSource,
  target: OnlineTarget,
  window: Window,
): Promise<{ rows: number; mode: "pushdown" | "stream" }> {
  const offline = ctx.config.offlineStore;
  const onlineCfg = online.config;
  if (
    vs.source.spec.type === "postgres" &&
    offline?.type === "postgres" &&
    onlineCfg.type === "postgres" &&
    online.sql !== null &&
    sameDatabase(offline.connectionString, onlineCfg.connectionString)
  ) {
    // One statement does everything. A source that lost a column or its table makes it fail:
    // only then is the source checked the way a streamed read checks it, for the error located
    // at its definition (checking first would cost a second connection on every run).
    ctx.onProgress?.({ type: "start", view: vs.view, estimate: null, mode: "pushdown" });
    const sql = online.sql;
    const rows = await sql
      .transaction(async (tx) => {
        await tx.exec("SET LOCAL TIME ZONE 'UTC'");
        // The command's row count is the rows inserted or updated (not those the guard kept).
        const res = await tx.query(pushdownSql(vs, target, window));
        return res.rowCount ?? 0;
      })
      .catch(async (e: unknown) => {
        if (e instanceof SqlError) {
          // A broken source throws its located error here; a sound one leaves `e` to report.
          // The check failing for another reason (the offline connection refused) locates
          // nothing: `e` stays the error to report.
          let reader;
          try {
            reader = await openViewReader(reading, vs);
          } catch (located) {
            throw located instanceof OfflineSourceError ? located : e;
          }
          await reader.close().catch(() => undefined);
        }
        throw e;
      });
    ctx.onProgress?.({ type: "rows", view: vs.view, rows });
    return { rows, mode: "pushdown" };
  }
  const reader = await openViewReader(reading, vs);
  try {
    // The planner's estimate gives the progress bar a total (and so an ETA); only on a terminal.
    const estimate = ctx.onProgress ? await reader.estimateLatest(window) : null;
    ctx.onProgress?.({ type: "start", view: vs.view, estimate, mode: "stream" });
    let rows = 0;
    const writer = online.writer;
    if (reader.duck !== null && writer instanceof PostgresOnlineWriter) {
      // DuckDB → Postgres: DuckDB prints each row as its COPY line; Node only joins strings.
      const sql = duckCopyLinesSql(
        reader.latestSql(window),
        vs.keys.map((k) => k.dtype),
        vs.features.map((f) => f.dtype),
      );
      let lines: string[] = [];
      const flush = async () => {
        await writer.writeCopyText(target, `${lines.join("\n")}\n`);
        rows += lines.length;
        lines = [];
        ctx.onProgress?.({ type: "rows", view: vs.view, rows });
      };
      for await (const chunk of reader.duck.strings(sql)) {
        for (const line of chunk) lines.push(line!);
        if (lines.length >= WRITE_BATCH) await flush();
      }
      if (lines.length > 0) await flush();
      return { rows, mode: "stream" };
    }
    for await (const batch of reader.latest(window)) {
      rows += await online.writer.write(target, batch);
      ctx.onProgress?.({ type: "rows", view: vs.view, rows });
    }
    return { rows, mode: "stream" };
  } finally {
    await reader.close();
  }
}

/** One statement: the latest row per key of the window, upserted under the event-time guard. */
export function pushdownSql(vs: ViewSource, target: OnlineTarget, window: Window): string {
  if (vs.source.spec.type !== "postgres") throw new Error("pushdown needs a PostgresSource");
  const select = canonicalSelect("postgres", vs, postgresRelation(vs.source.spec), window, true, true);
  const names = [
    ...target.keys.map((k) => quoteIdent(k.name)),
    ...target.features.map((f) => quoteIdent(f.name)),
    quoteIdent(EVENT_TS_COLUMN),
    quoteIdent(CREATED_TS_COLUMN),
  ];
  const updates = [...target.features.map((c) => c.name), EVENT_TS_COLUMN, CREATED_TS_COLUMN].map(
    (n) => `${quoteIdent(n)} = EXCLUDED.${quoteIdent(n)}`,
  );
  const table = qualifiedName(target.schema ?? "public", target.table ?? "");
  return (
    `INSERT INTO ${table} AS "t" (${names.join(", ")})\n${select}\n` +
    `ON CONFLICT (${target.keys.map((k) => quoteIdent(k.name)).join(", ")}) DO UPDATE SET ${updates.join(", ")}\n` +
    `WHERE EXCLUDED.${quoteIdent(EVENT_TS_COLUMN)} >= "t".${quoteIdent(EVENT_TS_COLUMN)}`
  );
}

/** Per online view: the last materialized end (current lineage and layout) and when. */
export async function readMaterializations(
  config: ProjectConfig,
  state?: RegistryState | null,
): Promise<ViewFreshness[]> {
  let applied = state;
  if (applied === undefined) {
    const { openRegistryStore } = await import("../registry/open-store.js");
    const registry = openRegistryStore(config.registry);
    try {
      applied = (await registry.read(config.project)).state;
    } finally {
      await registry.close();
    }
  }
  if (applied === null) return [];
  const targets = onlineTargets(applied);
  const store = openMaterializationStore(config.registry);
  try {
    const last = lastRecords(await store.read(config.project), applied, targets);
    return [...targets.keys()].sort().map((view) => {
      const r = last.get(view);
      return { view, lastEnd: r?.end ?? null, lastAt: r?.at ?? null, rows: r?.rows ?? null };
    });
  } finally {
    await store.close();
  }
}
