export { CONFIG_CODES } from "./codes.js";
export type { ConfigCode } from "./codes.js";
export { interpolate } from "./interpolate.js";
export type { Env, Interpolation } from "./interpolate.js";
export { CONFIG_FILE_NAME, loadProjectConfig } from "./load.js";
export type { LoadedConfigResult } from "./load.js";
export {
  DEFAULT_REGISTRY_PATH,
  EMBEDDED_ONLINE_STORE_PATH,
  PROJECT_MAX_LENGTH,
  PROJECT_PATTERN,
  parseProjectConfig,
  suggest,
} from "./parse.js";
export type { ConfigParseOptions, ConfigResult } from "./parse.js";
export { connectionStringPasswords, maskConnectionString, redactSecrets } from "./redact.js";
