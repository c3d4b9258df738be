/**
 * `fsops serve`: an HTTP server speaking the JSON of Feast's Python feature server, so clients
 * written for Feast work unchanged. Plain `node:http` (a framework would add its routing and
 * validation cost to every request; this server has six routes).
 *
 *   POST /get-online-features     { entities, features | feature_service, full_feature_names, request_context }
 *   POST /push                    { push_source_name, df, to }
 *   POST /materialize             { start_ts, end_ts, feature_views? }
 *   POST /materialize-incremental { end_ts, feature_views? }
 *   GET  /health                  200 when the registry and the online store answer, else 503;
 *                                 an empty body either way, as Feast's (the served registry serial
 *                                 is in the x-fsops-registry-serial header)
 *   GET  /metrics                 Prometheus text
 *
 * A user's mistake is a 400 with `{"error": "…"}` naming the field; anything else is a 500 (or
 * 503 when a store is down) whose message is redacted; the server keeps serving either way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { redactSecrets } from "../config/redact.js";
import { ServingRequestError } from "./catalog.js";
import type { FeatureStore } from "./feature-store.js";
import { ServingError } from "./feature-store.js";
import { columnsToFeastJson } from "./retrieve.js";
import type { OnlineFeaturesRequest } from "./retrieve.js";
import { TransformError } from "./transforms.js";
import type { ServerMetrics } from "./metrics.js";
import { createMetrics } from "./metrics.js";

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 6566;
/** 1 MiB: a batch of 1,000 entities with request data fits many times over. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * The write side (push, materialize), given by the caller so the read path does not load it.
 * Each gets the parsed JSON body and returns a JSON-able result; a `ServingRequestError`
 * becomes a 400.
 */
export interface DataActions {
  push?(body: Record<string, unknown>): Promise<unknown>;
  materialize?(body: Record<string, unknown>): Promise<unknown>;
  materializeIncremental?(body: Record<string, unknown>): Promise<unknown>;
  /** Per view, the end of the last materialized interval (for the freshness metric). */
  freshness?(): Promise<Map<string, Date | null>>;
  /** Release what the actions opened (called on shutdown, after the last request). */
  close?(): Promise<void>;
}

export interface ServeOptions {
  host?: string;
  port?: number;
  maxBodyBytes?: number;
  actions?: DataActions;
  /** One line per notable event (start, server errors); never a secret. */
  log?: (line: string) => void;
}

export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  readonly metrics: ServerMetrics;
  /** Stop accepting, let in-flight requests finish, then close the feature store. */
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startServer(store: FeatureStore, options: ServeOptions = {}): Promise<RunningServer> {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const secrets = store.config.secrets;
  const log = (line: string) => options.log?.(redactSecrets(line, [...secrets]));
  const actions = options.actions ?? {};
  const metrics = await createMetrics(store, actions);

  const routes: Record<string, { method: "GET" | "POST"; handle: (body: unknown) => Promise<Reply> }> = {
    "/get-online-features": { method: "POST", handle: (body) => getOnlineFeatures(store, body) },
    "/push": { method: "POST", handle: (body) => action("push", actions.push, body) },
    "/materialize": { method: "POST", handle: (body) => action("materialize", actions.materialize, body) },
    "/materialize-incremental": {
      method: "POST",
      handle: (body) => action("materialize-incremental", actions.materializeIncremental, body),
    },
    "/health": { method: "GET", handle: () => health(store, log) },
    "/metrics": { method: "GET", handle: async () => metrics.render() },
  };

  let closing: Promise<void> | null = null;
  const server = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const path = (req.url ?? "/").split("?")[0] as string;
    const route = routes[path];
    const endpoint = route === undefined ? "other" : path;
    const finish = (reply: Reply) => {
      // Draining: each connection ends with its current answer. Node keeps serving keep-alive
      // connections after server.close(), so a client that never pauses would hold it open.
      if (closing !== null) res.setHeader("connection", "close");
      send(res, reply);
      metrics.observe(endpoint, reply.status, Number(process.hrtime.bigint() - started) / 1e9);
    };
    if (route === undefined) {
      drain(req, maxBody);
      finish(
        errorReply(404, `no such endpoint ${path}; this server answers ${Object.keys(routes).join(", ")}`),
      );
      return;
    }
    if (req.method !== route.method) {
      drain(req, maxBody);
      finish({ ...errorReply(405, `${path} takes ${route.method}`), headers: { allow: route.method } });
      return;
    }
    const handle = async (): Promise<Reply> => {
      const body = route.method === "POST" ? await readJson(req, maxBody) : undefined;
      return route.handle(body);
    };
    handle().then(finish, (e: unknown) => {
      const reply = toErrorReply(e, secrets);
      if (reply.status >= 500) log(`${path}: ${reply.message}`);
      if (e instanceof TransformError) metrics.transformError(e.view);
      finish(reply);
    });
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeouts
  server.headersTimeout = 66_000;

  await new Promise<void>((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? DEFAULT_PORT, options.host ?? DEFAULT_HOST, () => {
      server.off("error", reject);
      resolvePromise();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  return {
    server,
    url,
    metrics,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        // Keep-alive connections with no request in flight would hold close() open.
        server.closeIdleConnections();
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        await closed;
        clearInterval(idle);
        await actions.close?.().catch(() => undefined);
        await store.close();
      })()),
  };
}

/** The header carrying the served registry serial on `/health` answers. */
export const SERIAL_HEADER = "x-fsops-registry-serial";

interface Reply {
  status: number;
  body: string;
  /** Default application/json; null: none (an empty body). */
  contentType?: string | null;
  headers?: Record<string, string>;
  /** For logs. */
  message?: string;
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | number> = { "content-length": Buffer.byteLength(reply.body) };
  if (reply.contentType !== null) headers["content-type"] = reply.contentType ?? "application/json";
  res.writeHead(reply.status, { ...headers, ...reply.headers });
  res.end(reply.body);
}

function errorReply(status: number, message: string): Reply {
  return { status, body: JSON.stringify({ error: message }), message };
}

function toErrorReply(e: unknown, secrets: readonly string[]): Reply {
  if (e instanceof HttpError) return errorReply(e.status, e.message);
  if (e instanceof ServingRequestError) return errorReply(400, e.message);
  if (e instanceof TransformError) return errorReply(500, e.message);
  const message = redactSecrets(e instanceof Error ? e.message : String(e), [...secrets]);
  if (e instanceof ServingError) return errorReply(503, message);
  return errorReply(500, message);
}

/**
 * Reads and drops the body of a request answered without it (404, 405), bounded as for an
 * oversized body: at most OVERSIZE_DRAIN_MS, or OVERSIZE_DRAIN_FACTOR × `max` bytes, then the
 * connection is cut, so no client can hold a connection open or stream without end to a route
 * that does not read its body.
 */
function drain(req: IncomingMessage, max: number): void {
  let size = 0;
  cutAfterDrainTime(req);
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > max * OVERSIZE_DRAIN_FACTOR) req.destroy();
  });
  req.resume();
}

/**
 * After refusing an oversized body, the rest of it is read and dropped (so a client still sending
 * is not cut off before it reads the answer: a reset would lose it) for at most this long, or
 * OVERSIZE_DRAIN_FACTOR × the limit, whichever comes first; then the connection is cut.
 */
export const OVERSIZE_DRAIN_MS = 2_000;
export const OVERSIZE_DRAIN_FACTOR = 64;

/** Cuts the connection if the body has not ended within OVERSIZE_DRAIN_MS. */
function cutAfterDrainTime(req: IncomingMessage): void {
  const cut = setTimeout(() => req.destroy(), OVERSIZE_DRAIN_MS);
  const stop = () => clearTimeout(cut);
  req.once("end", stop);
  req.once("close", stop);
}

/**
 * The body as JSON, refusing (400) bodies over `max` bytes without holding them in memory. The
 * promise always settles: on the body's end, as soon as it is known to be too large (declared or
 * counted), or when the client goes away.
 */
function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    let size = 0;
    let chunks: Buffer[] = [];
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      done();
    };
    const refuse = () => {
      chunks = [];
      settle(() =>
        reject(
          new HttpError(400, `request body is larger than the ${max}-byte limit (serve --max-body-bytes)`),
        ),
      );
      cutAfterDrainTime(req);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (settled) {
        if (size > max * OVERSIZE_DRAIN_FACTOR) req.destroy();
        return;
      }
      if (size > max) return refuse();
      chunks.push(chunk);
    });
    req.on("error", (e) => settle(() => reject(e)));
    req.on("close", () =>
      settle(() =>
        reject(new HttpError(400, "the client closed the connection before the request body ended")),
      ),
    );
    req.on("end", () =>
      settle(() => {
        const text = Buffer.concat(chunks).toString("utf8");
        chunks = [];
        if (text.trim() === "")
          return reject(new HttpError(400, "the request body is empty; send a JSON object"));
        try {
          resolvePromise(JSON.parse(text));
        } catch (e) {
          reject(new HttpError(400, `the request body is not JSON: ${(e as Error).message}`));
        }
      }),
    );
    if (Number(req.headers["content-length"] ?? "0") > max) refuse();
  });
}

function object(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new ServingRequestError("the request body must be a JSON object", "body");
  }
  return body as Record<string, unknown>;
}

/** Feast's request `{entities: {key: [..]}, features | feature_service, full_feature_names, request_context}`. */
export function parseOnlineRequest(input: unknown): OnlineFeaturesRequest {
  const body = object(input);
  const entities = body.entities;
  if (entities === null || typeof entities !== "object" || Array.isArray(entities)) {
    throw new ServingRequestError(
      'entities: expected an object of columns, e.g. {"driver_id": [1001, 1002]}',
      "entities",
    );
  }
  let n: number | null = null;
  const columns = Object.entries(entities as Record<string, unknown>);
  for (const [key, column] of columns) {
    if (!Array.isArray(column))
      throw new ServingRequestError(`entities.${key}: expected an array of values`, `entities.${key}`);
    if (n !== null && column.length !== n) {
      throw new ServingRequestError(
        `entities.${key}: has ${column.length} values where the other keys have ${n}`,
        `entities.${key}`,
      );
    }
    n = column.length;
  }
  const entityRows: Record<string, unknown>[] = [];
  for (let i = 0; i < (n ?? 0); i++) {
    const row: Record<string, unknown> = {};
    for (const [key, column] of columns) row[key] = (column as unknown[])[i];
    entityRows.push(row);
  }
  const request: OnlineFeaturesRequest = { entityRows };
  if (body.features !== undefined && body.features !== null) {
    if (!Array.isArray(body.features) || body.features.some((f) => typeof f !== "string")) {
      throw new ServingRequestError('features: expected an array of "view:feature" strings', "features");
    }
    request.features = body.features as string[];
  }
  if (body.feature_service !== undefined && body.feature_service !== null) {
    if (typeof body.feature_service !== "string") {
      throw new ServingRequestError(
        "feature_service: expected the name of a feature service (a string)",
        "feature_service",
      );
    }
    request.featureService = body.feature_service;
  }
  if (body.full_feature_names !== undefined && body.full_feature_names !== null) {
    if (typeof body.full_feature_names !== "boolean") {
      throw new ServingRequestError("full_feature_names: expected true or false", "full_feature_names");
    }
    request.fullFeatureNames = body.full_feature_names;
  }
  if (body.request_context !== undefined && body.request_context !== null) {
    const rc = body.request_context;
    if (typeof rc !== "object" || Array.isArray(rc)) {
      throw new ServingRequestError("request_context: expected an object of columns", "request_context");
    }
    request.requestContext = rc as Record<string, unknown[]>;
  }
  return request;
}

async function getOnlineFeatures(store: FeatureStore, body: unknown): Promise<Reply> {
  const columns = await store.getOnlineColumns(parseOnlineRequest(body));
  return { status: 200, body: columnsToFeastJson(columns) };
}

async function action(
  name: string,
  fn: ((body: Record<string, unknown>) => Promise<unknown>) | undefined,
  body: unknown,
): Promise<Reply> {
  if (fn === undefined) throw new HttpError(501, `${name} is not available in this server`);
  const result = await fn(object(body));
  return { status: 200, body: JSON.stringify(result ?? { ok: true }) };
}

/**
 * Feast's feature server answers `/health` with an empty body: 200, or 503. The same here, so a
 * probe written for Feast reads it the same; the serial rides in a header, the reason for a 503
 * goes to the log.
 */
async function health(store: FeatureStore, log: (line: string) => void): Promise<Reply> {
  const headers = { [SERIAL_HEADER]: String(store.version.state.serial) };
  try {
    await withTimeout(store.health(), 2_000);
    return { status: 200, body: "", contentType: null, headers };
  } catch (e) {
    const message = redactSecrets(e instanceof Error ? e.message : String(e), [...store.config.secrets]);
    log(`/health: unavailable: ${message}`);
    return { status: 503, body: "", contentType: null, headers };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolvePromise(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
