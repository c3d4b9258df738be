export * from "./kinds.js";
export * from "./diagnostic.js";
export * from "./json.js";
export * from "./evaluated.js";
export * from "./spec.js";
export * from "./registry.js";
export * from "./plan.js";
export * from "./config.js";
