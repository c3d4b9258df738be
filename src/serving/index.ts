/**
 * `fsops/serving`: online retrieval for model servers. A subpath of its own so the DSL entry
 * (`fsops`) stays free of runtime dependencies; this one loads the online store's driver.
 */
export { FeatureStore, ServingError } from "./feature-store.js";
export type { FeatureStoreOptions, RegistryVersion } from "./feature-store.js";
export { ServingRequestError } from "./catalog.js";
export type { FieldStatus, OnlineFeaturesRequest, OnlineFeaturesResponse } from "./retrieve.js";
export { toFeastJson } from "./retrieve.js";
export { createTransformRunner, TransformError } from "./transforms.js";
export type { TransformRunner, TransformRunnerOptions } from "./transforms.js";
export type { HistoricalFeatures, HistoricalRequest } from "../training/index.js";
