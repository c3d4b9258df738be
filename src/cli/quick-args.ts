/**
 * The most common command line, `fsops validate [dir] [--json]` (CI, editors, pre-commit hooks),
 * read without the argument parser: commander and the command table are ~10 % of a validate's
 * start-up (bench startup/validate). Anything else, however close (an unknown option, a second
 * folder, `--help`, an empty argument), returns null and goes through commander, which owns
 * every usage message; what this accepts, commander reads the same way (test/cli/quick-args.test.ts).
 */
export interface QuickValidate {
  dir: string;
  json: boolean;
}

export function quickValidate(argv: readonly string[]): QuickValidate | null {
  if (argv[0] !== "validate" || argv.length > 3) return null;
  let dir: string | null = null;
  let json = false;
  for (const arg of argv.slice(1)) {
    if (arg === "--json" && !json) json = true;
    else if (dir === null && arg !== "" && !arg.startsWith("-")) dir = arg;
    else return null;
  }
  return { dir: dir ?? ".", json };
}
