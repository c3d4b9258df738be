/**
 * `fsops get-historical-features`: a point-in-time correct training set from the registry's
 * applied state, written to --out (Parquet or CSV) through a temp file renamed at the end, so a
 * failure never leaves a partial file there.
 */
import { resolve } from "node:path";
import { redactSecrets } from "../config/redact.js";
import { describeError } from "../commands/errors.js";
import { loadConfig } from "../commands/load-project.js";
import { openRegistryStore } from "../registry/open-store.js";
import { renderDiagnostics } from "../render/diagnostics.js";
import type { Output } from "./io.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface HistoricalFlags {
  entities?: string;
  entitySql?: string;
  features?: string;
  featureService?: string;
  out?: string;
  createdBefore?: string;
  fullFeatureNames?: boolean;
}

export async function runGetHistoricalFeatures(
  dirArg: string | undefined,
  flags: HistoricalFlags,
  env: Env,
  io: Output,
): Promise<number> {
  const usage = (m: string) => {
    io.err(
      `error: ${m}\n  usage: fsops get-historical-features [DIR] (--entities FILE | --entity-sql SQL) (--features view:feature,… | --feature-service NAME) --out FILE.(parquet|csv) [--created-before TIME]`,
    );
    return 2;
  };
  if ((flags.entities === undefined) === (flags.entitySql === undefined))
    return usage("give exactly one of --entities FILE or --entity-sql SQL");
  if ((flags.features === undefined) === (flags.featureService === undefined))
    return usage("give exactly one of --features or --feature-service");
  if (flags.out === undefined) return usage("--out FILE.parquet|FILE.csv is required");
  const dir = resolve(dirArg ?? ".");
  const loaded = await loadConfig(dir, { env });
  if (loaded.status === "invalid") {
    io.err(renderDiagnostics(loaded.diagnostics, loaded.sources, { color: io.color }));
    return 1;
  }
  const config = loaded.config;
  io.addSecrets(config.secrets);
  const started = Date.now();
  try {
    const { getHistoricalFeatures, outputFormat } = await import("../training/index.js");
    outputFormat(flags.out);
    const registry = openRegistryStore(config.registry);
    let state;
    try {
      state = (await registry.read(config.project)).state;
    } finally {
      await registry.close();
    }
    if (state === null) {
      io.err(
        `error: ${config.project}: nothing applied yet\n  hint: run fsops apply first: training data reads the applied state`,
      );
      return 1;
    }
    const result = await getHistoricalFeatures(
      { projectDir: dir, config, state },
      {
        ...(flags.entities !== undefined
          ? { entityFile: resolve(flags.entities) }
          : { entitySql: flags.entitySql! }),
        ...(flags.features !== undefined
          ? {
              features: flags.features
                .split(",")
                .map((f) => f.trim())
                .filter((f) => f !== ""),
            }
          : { featureService: flags.featureService! }),
        ...(flags.createdBefore !== undefined ? { createdBefore: flags.createdBefore } : {}),
        ...(flags.fullFeatureNames ? { fullFeatureNames: true } : {}),
      },
    );
    const { rows } = await result.writeFile(flags.out);
    io.out(`wrote ${rows} rows to ${flags.out} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return 0;
  } catch (err) {
    const { message, hint } = describeError(err, config.secrets);
    const extra = hint ?? (err as { hint?: unknown }).hint;
    io.err(
      `error: ${message}${typeof extra === "string" ? `\n  hint: ${redactSecrets(extra, config.secrets)}` : ""}`,
    );
    return 1;
  }
}
