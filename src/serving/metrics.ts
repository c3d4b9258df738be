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
  const duration = new LatencyHistogram();
  registry.registerMetric(duration as unknown as Parameters<typeof registry.registerMetric>[0]);
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
  return {
    observe(endpoint, status, seconds) {
      duration.observe(endpoint, status, seconds);
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

interface Series {
  labels: { endpoint: string; code: string };
  /** Per bucket, the observations that fell in it (not cumulative). */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * `fsops_serve_request_duration_seconds`, counted in plain arrays and rendered by the same
 * prom-client registry in the text its own Histogram writes (buckets `le` first, then the labels,
 * `+Inf`, `_sum`, `_count`). prom-client's `observe()` converts, validates and hashes the labels
 * on every call, a cost every request paid (~20 µs, more than the rest of the metrics together).
 */
class LatencyHistogram {
  readonly name = "fsops_serve_request_duration_seconds";
  readonly help = "Request latency per endpoint";
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  observe(endpoint: string, status: number, seconds: number): void {
    const key = `${endpoint} ${status}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        labels: { endpoint, code: String(status) },
        counts: new Array<number>(BUCKETS.length).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(key, series);
    }
    let i = 0;
    while (i < BUCKETS.length && seconds > (BUCKETS[i] as number)) i++;
    if (i < BUCKETS.length) series.counts[i] = (series.counts[i] as number) + 1;
    series.sum += seconds;
    series.count += 1;
  }

  reset(): void {
    this.series.clear();
  }

  get(): {
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: {
      labels: Record<string, string | number>;
      sharedLabels: Record<string, string>;
      value: number;
      metricName: string;
    }[];
  } {
    const values: ReturnType<LatencyHistogram["get"]>["values"] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((le, i) => {
        cumulative += s.counts[i] as number;
        values.push({
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: `${this.name}_bucket`,
        });
      });
      values.push(
        { labels: { le: "+Inf" }, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_bucket` },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
