/**
 * The write side of `fsops serve` (`/push`, `/materialize`, `/materialize-incremental`, the
 * freshness metric), bound to the functions the materialize stage exports, on the registry
 * version being served. Loaded by the CLI only (the SDK's read path never imports it).
 */
import { MaterializeError } from "../materialize/online-store.js";
import type { OpenOnline } from "../materialize/online-store.js";
import { ServingRequestError } from "./catalog.js";
import type { FeatureStore } from "./feature-store.js";
import { PostgresOnlineReader } from "./postgres-reader.js";
import type { DataActions } from "./server.js";

const WHO = "fsops serve";
const PUSH_TARGETS = ["online", "offline", "online_and_offline"] as const;

export function dataActions(store: FeatureStore): DataActions {
  let online: Promise<OpenOnline> | null = null;
  let ownsOnline = false;
  /** One writer for the server's life: the reader's PGlite when embedded, else a connection of its own. */
  const openOnline = (): Promise<OpenOnline> => {
    online ??= (async () => {
      const config = store.config.onlineStore;
      if (config === null) throw new ServingRequestError(`${store.project}: fsops.yaml has no online_store`);
      const reader = store.reader;
      if (config.type === "embedded" && reader instanceof PostgresOnlineReader && reader.embedded !== null) {
        const sql = reader.embedded;
        const { PostgresOnlineWriter } = await import("../materialize/online-writer.js");
        const shared: OpenOnline = {
          config,
          writer: new PostgresOnlineWriter(sql),
          sql,
          redis: null,
          async checkTarget(target) {
            const res = await sql.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [
              `"${target.schema ?? "public"}"."${target.table ?? ""}"`,
            ]);
            if (!res.rows[0]?.ok)
              throw new MaterializeError(`online store drift: table of view ${target.view} is missing`);
          },
          close: async () => undefined, // the reader owns it
        };
        return shared;
      }
      const { openOnlineForWrites } = await import("../materialize/online-store.js");
      ownsOnline = true;
      return openOnlineForWrites(config);
    })();
    online.catch(() => (online = null));
    return online;
  };
  const ctx = async () => ({
    config: store.config,
    who: WHO,
    state: store.version.state,
    online: await openOnline(),
    dirLabel: store.config.dir,
  });

  return {
    async push(body) {
      const source = body.push_source_name;
      if (typeof source !== "string" || source === "") {
        throw new ServingRequestError(
          "push_source_name: expected the name of a push source (a string)",
          "push_source_name",
        );
      }
      const rows = columnsToRows(body.df, "df");
      const to = body.to ?? "online";
      if (typeof to !== "string" || !(PUSH_TARGETS as readonly string[]).includes(to)) {
        throw new ServingRequestError(`to: expected one of ${PUSH_TARGETS.join(", ")}`, "to");
      }
      const { pushRows, PushValidationError } = await import("../materialize/push.js");
      return userErrors(async () => {
        try {
          return await pushRows(to === "offline" ? { ...(await ctx()), online: undefined } : await ctx(), {
            source,
            rows,
            to: to as (typeof PUSH_TARGETS)[number],
          });
        } catch (e) {
          // A bad cell is named by its JSON field (`df.conv_rate[1]`), row n being index n − 1.
          if (e instanceof PushValidationError && e.column !== "") {
            const field =
              e.cell && Object.hasOwn(body.df as object, e.column)
                ? `df.${e.column}[${e.row - 1}]`
                : `df.${e.column}`;
            throw new ServingRequestError(
              `${field}: ${e.message}${e.hint ? ` (${e.hint})` : ""}; nothing was written`,
              field,
            );
          }
          throw e;
        }
      });
    },
    async materialize(body) {
      const start = time(body.start_ts, "start_ts");
      const end = time(body.end_ts, "end_ts");
      const views = viewList(body.feature_views);
      const { materialize } = await import("../materialize/index.js");
      return userErrors(async () => ({ views: await materialize(await ctx(), { start, end, views }) }));
    },
    async materializeIncremental(body) {
      const end = time(body.end_ts, "end_ts");
      const views = viewList(body.feature_views);
      const { materializeIncremental } = await import("../materialize/index.js");
      return userErrors(async () => ({ views: await materializeIncremental(await ctx(), { end, views }) }));
    },
    async freshness() {
      const { readMaterializations } = await import("../materialize/index.js");
      const out = new Map<string, Date | null>();
      for (const f of await readMaterializations(store.config, store.version.state)) {
        out.set(f.view, f.lastEnd === null ? null : new Date(f.lastEnd));
      }
      return out;
    },
    async close() {
      if (online !== null && ownsOnline) await (await online.catch(() => null))?.close();
    },
  };
}

/** A materialize-stage error a user caused (a bad row, an unknown view) is a 400. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof MaterializeError) {
      throw new ServingRequestError(e.hint ? `${e.message} (${e.hint})` : e.message);
    }
    throw e;
  }
}

function columnsToRows(df: unknown, field: string): Record<string, unknown>[] {
  if (df === null || typeof df !== "object" || Array.isArray(df)) {
    throw new ServingRequestError(
      `${field}: expected an object of columns, e.g. {"driver_id": [1001], …}`,
      field,
    );
  }
  const columns = Object.entries(df as Record<string, unknown>);
  let n: number | null = null;
  for (const [name, column] of columns) {
    if (!Array.isArray(column))
      throw new ServingRequestError(`${field}.${name}: expected an array of values`, `${field}.${name}`);
    if (n !== null && column.length !== n) {
      throw new ServingRequestError(
        `${field}.${name}: has ${column.length} values where the other columns have ${n}`,
        `${field}.${name}`,
      );
    }
    n = column.length;
  }
  return Array.from({ length: n ?? 0 }, (_, i) => {
    const row: Record<string, unknown> = {};
    for (const [name, column] of columns) row[name] = (column as unknown[])[i];
    return row;
  });
}

function time(value: unknown, field: string): Date {
  const d = typeof value === "string" || typeof value === "number" ? new Date(value) : null;
  if (d === null || Number.isNaN(d.getTime())) {
    throw new ServingRequestError(`${field}: expected an ISO 8601 time, e.g. "2026-12-06T09:00:00Z"`, field);
  }
  return d;
}

function viewList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw new ServingRequestError("feature_views: expected an array of feature view names", "feature_views");
  }
  return value as string[];
}
