/**
 * `/metrics` of `fsops serve` (prom-client, a registry of its own: nothing global).
 *
 *   fsops_serve_request_duration_seconds{endpoint,code}   histogram, per endpoint
 *   fsops_serve_request_errors_total{endpoint,code}       counter of 4xx/5xx answers
 *   fsops_serve_transform_errors_total{view}              on-demand transforms that failed
 *   fsops_registry_serial                                 the registry version being served
 *   fsops_feature_view_freshness_seconds{view}            now − end of the last materialized interval
 */
import type { FeatureStore } from "./feature-store.js";
import type { DataActions } from "./server.js";

export interface ServerMetrics {
  observe(endpoint: string, status: number, seconds: number): void;
  transformError(view: string): void;
  render(): Promise<{ status: number; body: string; contentType: string }>;
}

/** Sub-millisecond buckets: an online read is expected in the low milliseconds. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export async function createMetrics(store: FeatureStore, actions: DataActions): Promise<ServerMetrics> {
  const client = await import("prom-client");
  const registry = new client.Registry();
  const duration = new client.Histogram({
    name: "fsops_serve_request_duration_seconds",
    help: "Request latency per endpoint",
    labelNames: ["endpoint", "code"] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  const errors = new client.Counter({
    name: "fsops_serve_request_errors_total",
    help: "Requests answered with a 4xx or 5xx, per endpoint and status",
    labelNames: ["endpoint", "code"] as const,
    registers: [registry],
  });
  const transformErrors = new client.Counter({
    name: "fsops_serve_transform_errors_total",
    help: "On-demand transforms that threw, timed out or returned the wrong shape",
    labelNames: ["view"] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: "fsops_registry_serial",
    help: "Serial of the registry version being served",
    registers: [registry],
    collect() {
      this.set(store.version.state.serial);
    },
  });
  new client.Gauge({
    name: "fsops_feature_view_freshness_seconds",
    help: "Seconds since the end of the last materialized interval, per feature view",
    labelNames: ["view"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (actions.freshness === undefined) return;
      const now = Date.now();
      for (const [view, end] of await actions.freshness()) {
        if (end !== null) this.set({ view }, Math.max(0, (now - end.getTime()) / 1000));
      }
    },
  });
  // One labelled child per (endpoint, status), looked up once: observe() is on every request.
  const children = new Map<string, { observe(v: number): void }>();
  return {
    observe(endpoint, status, seconds) {
      const key = `${endpoint} ${status}`;
      let child = children.get(key);
      if (child === undefined) {
        const code = String(status);
        children.set(key, (child = duration.labels({ endpoint, code })));
      }
      child.observe(seconds);
      if (status >= 400) errors.inc({ endpoint, code: String(status) });
    },
    transformError(view) {
      transformErrors.inc({ view });
    },
    async render() {
      return { status: 200, body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
