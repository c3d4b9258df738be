/**
 * The resolved `fsops.yaml` of one project. Values interpolated from the environment are
 * secrets: `secrets` lists them so every output path can redact them.
 */
export type RegistryConfig =
  | { type: "file"; /** absolute */ path: string; /** as written, relative to the project */ display: string }
  | {
      type: "s3";
      bucket: string;
      key: string;
      endpoint: string | null;
      region: string | null;
      forcePathStyle: boolean;
    }
  | { type: "postgres"; connectionString: string; schema: string };

export type OnlineStoreConfig =
  | { type: "postgres"; connectionString: string; schema: string }
  /** PGlite kept under the project's `.fsops/` folder: Postgres with no server. */
  | { type: "embedded"; path: string }
  | { type: "redis"; connectionString: string };

/** How FileSources under `s3://` are fetched (AWS SDK; credentials from its default chain). */
export interface OfflineS3Config {
  endpoint: string | null;
  region: string | null;
  forcePathStyle: boolean;
}

/**
 * `postgres`: PostgresSources are read there (FileSources still work); `file`: only FileSources.
 * `s3` configures the client that fetches `s3://` FileSource objects.
 */
export type OfflineStoreConfig =
  | { type: "postgres"; connectionString: string; s3: OfflineS3Config | null }
  | { type: "file"; s3: OfflineS3Config | null };

export interface ProjectConfig {
  /** Absolute project folder. */
  dir: string;
  /** Absolute path of fsops.yaml. */
  configFile: string;
  project: string;
  registry: RegistryConfig;
  onlineStore: OnlineStoreConfig | null;
  offlineStore: OfflineStoreConfig | null;
  /** `protect: true`: `fsops destroy` refuses. */
  protect: boolean;
  /** Every value that came from `${VAR}` interpolation (non-empty), to be redacted from output. */
  secrets: string[];
}
