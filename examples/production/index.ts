// Everything the project defines, for tests and notebooks that want one import.
export * from "./entities.js";
export * from "./sources.js";
export * from "./driver_features.js";
export * from "./stream_features.js";
export * from "./customer_features.js";
export * from "./services.js";
