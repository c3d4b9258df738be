import { VERSION } from "./version.js";

/**
 * Process entry: runs the CLI and turns an unexpected failure into one line on stderr (the
 * stack only with FSOPS_DEBUG=1), never a raw trace for a user mistake.
 */
export function run(): void {
  // The AWS SDK warns on every Node < 22 run that *future* SDK releases will need Node 22; on
  // Node 20 (supported by fsops) that is noise in every plan using an S3 registry.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const argv = process.argv.slice(2);
  // `fsops --version` alone answers before the argument parser and the command table load
  // (about half of its start-up, measured: bench startup/version); the same text commander
  // prints. Everything else, `--help` included, goes through main().
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  import("./main.js")
    .then(({ main }) => main(argv, process.env))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        const debug = process.env.FSOPS_DEBUG === "1";
        process.stderr.write(
          `fsops: internal error: ${err instanceof Error ? err.message : String(err)}\n` +
            (debug && err instanceof Error && err.stack
              ? `${err.stack}\n`
              : "  (set FSOPS_DEBUG=1 for details)\n"),
        );
        process.exitCode = 1;
      },
    );
}
