import { resolve } from "node:path";
import { describeError } from "../commands/errors.js";
import type { Output } from "./io.js";

type Env = Readonly<Record<string, string | undefined>>;

export interface ServeFlags {
  host?: string;
  port?: string;
  maxBodyBytes?: string;
}

/**
 * `fsops serve [dir]`: serve the project's online features over HTTP until SIGTERM/SIGINT, then
 * finish the requests in flight and exit 0.
 */
export async function runServe(
  dirArg: string | undefined,
  flags: ServeFlags,
  env: Env,
  io: Output,
): Promise<number> {
  const dir = resolve(dirArg ?? ".");
  const port = flags.port === undefined ? undefined : Number(flags.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    io.err(`error: --port ${flags.port}: expected a port number (0–65535)`);
    return 2;
  }
  const maxBodyBytes = flags.maxBodyBytes === undefined ? undefined : Number(flags.maxBodyBytes);
  if (maxBodyBytes !== undefined && (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1)) {
    io.err(`error: --max-body-bytes ${flags.maxBodyBytes}: expected a positive number of bytes`);
    return 2;
  }
  const { FeatureStore } = await import("../serving/feature-store.js");
  const { startServer } = await import("../serving/server.js");
  const { dataActions } = await import("../serving/data-actions.js");
  let store;
  try {
    store = await FeatureStore.open(dir, {
      env,
      watch: true,
      onWarning: (m) => io.err(`warning: ${m}`),
    });
  } catch (err) {
    const { message, hint } = describeError(err, []);
    io.err(`error: ${message}${hint ? `\n  hint: ${hint}` : ""}`);
    return 1;
  }
  io.addSecrets(store.config.secrets);
  let running;
  try {
    running = await startServer(store, {
      host: flags.host,
      port,
      maxBodyBytes,
      actions: dataActions(store),
      log: (line) => io.err(line),
    });
  } catch (err) {
    await store.close();
    const { message } = describeError(err, store.config.secrets);
    io.err(`error: cannot listen: ${message}`);
    return 1;
  }
  store.onVersion((v) => io.err(`registry serial ${v.state.serial} is now served`));
  io.err(`serving ${store.project} (registry serial ${store.version.state.serial}) on ${running.url}`);
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      io.err(`${signal}: finishing requests in flight, then exiting`);
      process.off("SIGTERM", onTerm);
      process.off("SIGINT", onInt);
      void running.close().then(done, done);
    };
    const onTerm = () => stop("SIGTERM");
    const onInt = () => stop("SIGINT");
    process.on("SIGTERM", onTerm);
    process.on("SIGINT", onInt);
  });
  return 0;
}
