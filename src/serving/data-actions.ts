/**
 * The write side of `fsops serve` (`/push`, `/materialize`, `/materialize-incremental`, the
 * freshness metric), bound to the functions the materialize stage exports.
 */
import type { FeatureStore } from "./feature-store.js";
import type { DataActions } from "./server.js";

export function dataActions(_store: FeatureStore): DataActions {
  return {};
}
