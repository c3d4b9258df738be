import { main } from "./main.js";

/**
 * Process entry: runs the CLI and turns an unexpected failure into one line on stderr (the
 * stack only with FSOPS_DEBUG=1), never a raw trace for a user mistake.
 */
export function run(): void {
  main(process.argv.slice(2), process.env).then(
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
