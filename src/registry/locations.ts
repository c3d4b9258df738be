import { maskConnectionString } from "../config/redact.js";

/**
 * Where an S3 or Postgres registry lives, safe to print (passwords masked). Here, not in the
 * stores, so a registry can name its location before its driver (AWS SDK, pg) is loaded.
 */
export function s3RegistryLocation(config: { bucket: string; key: string; endpoint: string | null }): string {
  return `s3://${config.bucket}/${config.key}${config.endpoint ? ` at ${maskConnectionString(config.endpoint)}` : ""}`;
}

export function postgresRegistryLocation(config: { connectionString: string; schema: string }): string {
  const schema = config.schema || "public";
  return `${maskConnectionString(config.connectionString)}${schema === "public" ? "" : ` (schema ${schema})`}`;
}
