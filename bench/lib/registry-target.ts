/**
 * Registry backends for the plan/apply benchmark. The synthetic project's fsops.yaml names the
 * registry through `${VAR}` references, so each run can point the same project at a registry of
 * its own (an empty one for every apply) by the environment it passes to the command.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createBucket, createDatabase } from "./admin.js";

export type RegistryBackend = "file" | "s3" | "postgres";

/** Where fresh registries are made; JSON, handed to the child processes. */
export type RegistryTarget =
  | { backend: "file"; dir: string }
  | { backend: "postgres"; adminUrl: string }
  | {
      backend: "s3";
      endpoint: string;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
    };

/** fsops.yaml: registry only (no online store), so only the registry is measured. */
export function projectYaml(project: string, backend: RegistryBackend): string {
  switch (backend) {
    case "file":
    case "postgres":
      return `project: ${project}\nregistry: \${FSOPS_BENCH_REGISTRY}\n`;
    case "s3":
      return (
        `project: ${project}\nregistry:\n  type: s3\n  path: \${FSOPS_BENCH_S3_PATH}\n` +
        `  endpoint: \${FSOPS_BENCH_S3_ENDPOINT}\n  region: us-east-1\n  force_path_style: true\n`
      );
  }
}

export async function writeProjectConfig(
  dir: string,
  project: string,
  backend: RegistryBackend,
): Promise<void> {
  await writeFile(path.join(dir, "fsops.yaml"), projectYaml(project, backend));
}

let made = 0;

/**
 * A new, empty registry location; returns the environment the project's fsops.yaml reads.
 * Names are unique per process and run ([a-z0-9_-]).
 */
export async function freshRegistry(target: RegistryTarget, label = "r"): Promise<Record<string, string>> {
  const name = `${label}_${process.pid}_${Date.now().toString(36)}_${made++}`;
  switch (target.backend) {
    case "file":
      return { FSOPS_BENCH_REGISTRY: path.join(target.dir, `${name}.json`) };
    case "postgres":
      return { FSOPS_BENCH_REGISTRY: await createDatabase(target.adminUrl, name) };
    case "s3":
      return {
        FSOPS_BENCH_S3_PATH: `s3://${target.bucket}/${name}/registry.json`,
        FSOPS_BENCH_S3_ENDPOINT: target.endpoint,
      };
  }
}

/** The AWS SDK reads credentials from its own chain (here: the process environment). */
export function useS3Credentials(target: RegistryTarget): void {
  if (target.backend !== "s3") return;
  process.env.AWS_ACCESS_KEY_ID = target.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = target.secretAccessKey;
  process.env.AWS_REGION = target.region;
}

export async function ensureBucket(target: RegistryTarget): Promise<void> {
  if (target.backend !== "s3") return;
  const { bucket, ...s3 } = target;
  await createBucket(s3, bucket);
}
