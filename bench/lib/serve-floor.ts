/**
 * The floor of `/get-online-features`: a bare `node:http` server that knows the benchmark's
 * layout by heart (no registry, no validation beyond JSON.parse) and does the same single read
 * (one pipeline of HMGETs, or one `= ANY($1)` select per table on a pool) and the same
 * column-oriented JSON encoding.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { Redis } from "ioredis";
import { FEATURES, PROJECT, SCHEMA, VIEWS, type Store } from "./serve-fixture.js";

interface Wanted {
  ids: number[];
  /** [view, feature] in output order. */
  refs: [string, string][];
}

function wanted(body: {
  entities: { driver_id: number[] };
  features?: string[];
  feature_service?: string;
  full_feature_names?: boolean;
}): Wanted & { full: boolean } {
  const refs: [string, string][] = body.features
    ? body.features.map((f) => f.split(":") as [string, string])
    : VIEWS.flatMap((v) => FEATURES.map((f) => [v, f] as [string, string]));
  return { ids: body.entities.driver_id, refs, full: body.full_feature_names === true };
}

const stamp = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

export interface FloorReader {
  /** view → id → [values by feature name, event time]. */
  read(w: Wanted): Promise<Map<string, Map<number, [Record<string, unknown>, Date]>>>;
  close(): Promise<void>;
}

export function floorReader(store: Store, url: string): FloorReader {
  if (store === "redis") {
    const client = new Redis(url);
    return {
      async read(w) {
        const views = [...new Set(w.refs.map((r) => r[0]))];
        const pipeline = client.pipeline();
        const feats = new Map(views.map((v) => [v, w.refs.filter((r) => r[0] === v).map((r) => r[1])]));
        for (const v of views)
          for (const id of w.ids)
            pipeline.hmget(`fsops:${PROJECT}:${v}:["${id}"]`, ...(feats.get(v) as string[]), "__event_ts");
        const replies = (await pipeline.exec()) ?? [];
        const out = new Map<string, Map<number, [Record<string, unknown>, Date]>>();
        let i = 0;
        for (const v of views) {
          const rows = new Map<number, [Record<string, unknown>, Date]>();
          for (const id of w.ids) {
            const reply = replies[i++]?.[1] as (string | null)[];
            const fs = feats.get(v) as string[];
            const values: Record<string, unknown> = {};
            fs.forEach((f, j) => (values[f] = reply[j] === null ? null : JSON.parse(reply[j] as string)));
            rows.set(id, [values, new Date(Number(reply[fs.length]) / 1000)]);
          }
          out.set(v, rows);
        }
        return out;
      },
      close: async () => void client.disconnect(),
    };
  }
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  return {
    async read(w) {
      const views = [...new Set(w.refs.map((r) => r[0]))];
      const out = new Map<string, Map<number, [Record<string, unknown>, Date]>>();
      await Promise.all(
        views.map(async (v) => {
          const fs = w.refs.filter((r) => r[0] === v).map((r) => `"${r[1]}"`);
          const res = await pool.query(
            `SELECT "driver_id", ${fs.join(", ")}, "event_ts" FROM "${SCHEMA}"."${PROJECT}__${v}" WHERE "driver_id" = ANY($1::bigint[])`,
            [w.ids],
          );
          const rows = new Map<number, [Record<string, unknown>, Date]>();
          for (const r of res.rows as Record<string, unknown>[])
            rows.set(Number(r.driver_id), [r, r.event_ts as Date]);
          out.set(v, rows);
        }),
      );
      return out;
    },
    close: () => pool.end(),
  };
}

export async function startFloorServer(reader: FloorReader): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const w = wanted(JSON.parse(Buffer.concat(chunks).toString()));
      reader.read(w).then(
        (data) => {
          const names = ["driver_id", ...w.refs.map((r) => (w.full ? `${r[0]}__${r[1]}` : r[1]))];
          const results = [
            `{"values":${JSON.stringify(w.ids)},"statuses":[${w.ids.map(() => '"PRESENT"').join(",")}],"event_timestamps":[${w.ids.map(() => '"1970-01-01T00:00:00Z"').join(",")}]}`,
            ...w.refs.map(([v, f]) => {
              const rows = data.get(v) as Map<number, [Record<string, unknown>, Date]>;
              const values: string[] = [];
              const statuses: string[] = [];
              const times: string[] = [];
              for (const id of w.ids) {
                const row = rows.get(id);
                values.push(JSON.stringify(row?.[0][f] ?? null));
                statuses.push(row ? '"PRESENT"' : '"NOT_FOUND"');
                times.push(`"${row ? stamp(row[1]) : "1970-01-01T00:00:00Z"}"`);
              }
              return `{"values":[${values.join(",")}],"statuses":[${statuses.join(",")}],"event_timestamps":[${times.join(",")}]}`;
            }),
          ];
          const body = `{"metadata":{"feature_names":${JSON.stringify(names)}},"results":[${results.join(",")}]}`;
          res.writeHead(200, {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
          });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
