import type { RegistryConfig } from "../model/config.js";
import type { RegistryStore } from "../model/registry.js";
import { FileRegistryStore } from "./file-store.js";
import { PostgresRegistryStore } from "./postgres-store.js";
import { S3RegistryStore } from "./s3-store.js";

/**
 * The backend `fsops.yaml` names. Opening connects nothing: the first operation does, so a
 * command that never touches the registry pays nothing.
 */
export function openRegistryStore(config: RegistryConfig): RegistryStore {
  switch (config.type) {
    case "file":
      return new FileRegistryStore(config.path, config.display);
    case "s3":
      return new S3RegistryStore(config);
    case "postgres":
      return new PostgresRegistryStore(config);
  }
}
