/**
 * The serving SDK: `import { FeatureStore } from "fsops/serving"`.
 *
 * It reads `fsops.yaml` and the **registry** (what was reviewed and applied), never the local
 * definitions. A registry version (state, catalog, compiled transforms) is immutable: a request
 * takes the current one when it starts and runs on it to the end, while a refresh swaps in the
 * next one for the requests after it.
 */
import { resolve } from "node:path";
import { CommandError } from "../commands/errors.js";
import { loadProjectConfig } from "../config/load.js";
import { redactSecrets } from "../config/redact.js";
import type { ProjectConfig } from "../model/config.js";
import type { RegistryState, RegistryStore } from "../model/registry.js";
import { openRegistryStore } from "../registry/open-store.js";
import type { S3RegistryStore } from "../registry/s3-store.js";
import { DEFAULT_SCHEMA } from "../infra/plan-infra.js";
import type { Catalog } from "./catalog.js";
import { buildCatalog, ServingRequestError } from "./catalog.js";
import type { OnlineReader } from "./online-reader.js";
import { openOnlineReader } from "./open-reader.js";
import type { RegistryWatcher } from "./registry-watch.js";
import { watchRegistry } from "./registry-watch.js";
import type { OnlineColumns, OnlineFeaturesRequest, OnlineFeaturesResponse } from "./retrieve.js";
import { getOnlineColumns, rowsOf } from "./retrieve.js";
import type { TransformRunner } from "./transforms.js";
import type { HistoricalFeatures, HistoricalRequest } from "../training/index.js";
import { createTransformRunner } from "./transforms.js";

/** A problem opening or running the store (no config, nothing applied …): message + hint, no stack. */
export class ServingError extends CommandError {
  constructor(message: string, hint?: string) {
    super(message, hint);
    this.name = "ServingError";
  }
}

export interface FeatureStoreOptions {
  /** Environment for `${VAR}` interpolation in fsops.yaml (default: process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Per-call time limit of on-demand transforms (default 500 ms). */
  transformTimeoutMs?: number;
  /** Postgres online store pool size (default 10). */
  poolSize?: number;
  /** Follow registry changes (LISTEN/NOTIFY, file watch, S3 poll). Default false in the SDK. */
  watch?: boolean;
  /** S3 registry poll interval when watching (default 5 s). */
  s3PollMs?: number;
  /** Told of background problems (a lost LISTEN connection, a failed re-read); redacted. */
  onWarning?: (message: string) => void;
}

/** One registry version, with what serving derives from it. */
export interface RegistryVersion {
  readonly state: RegistryState;
  readonly catalog: Catalog;
  transforms(): TransformRunner;
}

export class FeatureStore {
  private current: RegistryVersion;
  private watcher: RegistryWatcher | null = null;
  private s3Etag: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private refreshAgain = false;
  private closed = false;
  private readonly listeners = new Set<(version: RegistryVersion) => void>();

  private constructor(
    readonly config: ProjectConfig,
    private readonly registry: RegistryStore,
    readonly reader: OnlineReader,
    state: RegistryState,
    private readonly options: FeatureStoreOptions,
  ) {
    this.current = this.buildVersion(state);
  }

  /** Open the project in `dir`: its fsops.yaml, its registry state and its online store. */
  static async open(dir: string, options: FeatureStoreOptions = {}): Promise<FeatureStore> {
    const loaded = await loadProjectConfig(resolve(dir), options.env ?? process.env);
    if (loaded.config === null || loaded.diagnostics.some((d) => d.severity === "error")) {
      const first = loaded.diagnostics.find((d) => d.severity === "error");
      throw new ServingError(
        `${resolve(dir, loaded.file)}${first ? `:${first.line}:${first.column}: ${first.message}` : ": invalid"}`,
        first?.hint,
      );
    }
    const config = loaded.config;
    if (config.onlineStore === null) {
      throw new ServingError(
        `${config.configFile}: no online_store configured, so there is nothing to serve`,
        "add online_store (postgres, redis, or an empty connection_string for the embedded store)",
      );
    }
    const registry = openRegistryStore(config.registry);
    let reader: OnlineReader | null = null;
    try {
      const state = await readState(registry, config);
      reader = await openOnlineReader(config.onlineStore, { poolSize: options.poolSize });
      const store = new FeatureStore(config, registry, reader, state, options);
      if (options.watch) store.startWatching();
      return store;
    } catch (e) {
      await reader?.close().catch(() => undefined);
      await registry.close().catch(() => undefined);
      throw redacted(e, config.secrets);
    }
  }

  /** The registry version requests run on now. */
  get version(): RegistryVersion {
    return this.current;
  }

  get project(): string {
    return this.config.project;
  }

  /** Called after each switch to a new registry version. */
  onVersion(listener: (version: RegistryVersion) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Online features for entity rows: values with a status each (`PRESENT`, `NULL_VALUE`,
   * `NOT_FOUND`, `OUTSIDE_MAX_AGE`) and their event timestamps; ttl applied at read time.
   * int64 values are bigints (see README, "Serving").
   */
  async getOnlineFeatures(request: OnlineFeaturesRequest): Promise<OnlineFeaturesResponse> {
    return rowsOf(await this.getOnlineColumns(request));
  }

  /**
   * The same answer column by column (one array per name in `featureNames`), as Feast's server
   * writes it: what `fsops serve` encodes, without building an object per row.
   */
  async getOnlineColumns(request: OnlineFeaturesRequest): Promise<OnlineColumns> {
    const version = this.current; // the whole request runs on this one version
    try {
      return await getOnlineColumns(
        { catalog: version.catalog, reader: this.reader, transforms: () => version.transforms() },
        request,
      );
    } catch (e) {
      throw redacted(e, this.config.secrets);
    }
  }

  /**
   * Point-in-time correct training data (src/training, loaded on first use so online serving
   * never loads DuckDB), from the registry version being served.
   */
  async getHistoricalFeatures(request: HistoricalRequest): Promise<HistoricalFeatures> {
    const training = await import("../training/index.js");
    const version = this.current;
    return training.getHistoricalFeatures(
      { projectDir: this.config.dir, config: this.config, state: version.state },
      request,
    );
  }

  /**
   * Re-read the registry and switch when it holds a different version. Returns true when it
   * switched. Concurrent calls share one read (and one more read follows if asked meanwhile).
   */
  async refresh(): Promise<boolean> {
    if (this.refreshing !== null) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const run = async (): Promise<boolean> => {
      let switched = false;
      do {
        this.refreshAgain = false;
        const state = await this.readLatest();
        if (state === undefined || this.closed) continue;
        const now = this.current.state;
        if (state.serial !== now.serial || state.lineage !== now.lineage) {
          this.current = this.buildVersion(state);
          switched = true;
          for (const l of this.listeners) l(this.current);
        }
      } while (this.refreshAgain && !this.closed);
      return switched;
    };
    this.refreshing = run().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Ping the registry and the online store; throws (redacted) when either does not answer. */
  async health(): Promise<void> {
    try {
      await Promise.all([this.reader.ping(), this.registry.read(this.config.project)]);
    } catch (e) {
      throw redacted(e, this.config.secrets);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.close();
    await this.refreshing?.catch(() => undefined);
    await Promise.all([this.reader.close(), this.registry.close()]);
  }

  /** Follow the registry (the server does this). */
  startWatching(): void {
    if (this.watcher !== null) return;
    const warn = (e: unknown) => this.options.onWarning?.(redacted(e, this.config.secrets).message);
    this.watcher = watchRegistry(this.config.registry, this.config.project, {
      onChange: () => void this.refresh().catch(warn),
      onError: warn,
      s3PollMs: this.options.s3PollMs,
      s3Poll: async () => {
        await this.refresh();
      },
    });
  }

  /** The registry's latest state; undefined when S3 says it did not change. */
  private async readLatest(): Promise<RegistryState | undefined> {
    const registry = this.registry as Partial<S3RegistryStore>;
    if (this.config.registry.type === "s3" && typeof registry.readIfChanged === "function") {
      const got = await registry.readIfChanged.call(this.registry, this.config.project, this.s3Etag);
      if (got === "unchanged") return undefined;
      this.s3Etag = got.etag;
      if (got.state === null) throw noState(this.config);
      return got.state;
    }
    return readState(this.registry, this.config);
  }

  private buildVersion(state: RegistryState): RegistryVersion {
    const schema =
      this.config.onlineStore?.type === "postgres"
        ? this.config.onlineStore.schema || DEFAULT_SCHEMA
        : DEFAULT_SCHEMA;
    let runner: TransformRunner | null = null;
    return {
      state,
      catalog: buildCatalog(state, schema),
      transforms: () =>
        (runner ??= createTransformRunner(state, { timeoutMs: this.options.transformTimeoutMs })),
    };
  }
}

async function readState(registry: RegistryStore, config: ProjectConfig): Promise<RegistryState> {
  const { state } = await registry.read(config.project);
  if (state === null) throw noState(config);
  return state;
}

function noState(config: ProjectConfig): ServingError {
  return new ServingError(
    `project ${config.project} has nothing applied in its registry (${redactSecrets(describeRegistry(config), config.secrets)})`,
    "run fsops apply first",
  );
}

function describeRegistry(config: ProjectConfig): string {
  switch (config.registry.type) {
    case "file":
      return config.registry.display;
    case "s3":
      return `s3://${config.registry.bucket}/${config.registry.key}`;
    case "postgres":
      return "postgres";
  }
}

function redacted(e: unknown, secrets: readonly string[]): Error {
  if (e instanceof ServingRequestError || e instanceof ServingError) return e;
  if (!(e instanceof Error)) return new Error(redactSecrets(String(e), [...secrets]));
  const clean = redactSecrets(e.message, [...secrets]);
  if (clean !== e.message) e.message = clean;
  return e;
}
