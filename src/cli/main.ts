import { Output, useColor } from "./io.js";
import { quickValidate } from "./quick-args.js";
import { VERSION } from "./version.js";

const USAGE_EXIT = 2;

/**
 * The only place that reads argv, the environment and the TTY, and sets the exit code.
 * Returns the exit code instead of exiting so tests can run it in-process.
 *
 * Every command's module is imported inside its action (`await import("./run-x.js")`): a
 * command loads only what it uses, so `--version`, `--help` and `show` never pay for the
 * TypeScript compiler or the database drivers (test/startup/lazy-loading.test.ts guards this).
 * A plain `validate [dir] [--json]` skips the argument parser too (quick-args.ts).
 */
export async function main(
  argv: string[],
  env: Readonly<Record<string, string | undefined>>,
): Promise<number> {
  const io = new Output(process.stdout, process.stderr, useColor(env, process.stdout));
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && env.CI !== "true";
  let code = 0;
  const set = (p: Promise<number>) => p.then((c) => void (code = c));

  const quick = quickValidate(argv);
  if (quick !== null) {
    const opts = quick.json ? { json: true } : {};
    return (await import("./run-validate.js")).runValidate(quick.dir, opts, env, io);
  }

  const { Command, CommanderError, Option } = await import("commander");

  const program = new Command("fsops")
    .description("GitOps for feature stores: plan and apply feature definitions written in TypeScript.")
    .version(VERSION, "-V, --version")
    .exitOverride()
    .showHelpAfterError("(run fsops --help for usage)")
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  program
    .command("validate")
    .description("read the definitions (without running them) and report every problem")
    .argument("[dir]", "project folder", ".")
    .option("--json", "machine-readable output")
    .action(async (dir: string, opts: { json?: boolean }) =>
      set((await import("./run-validate.js")).runValidate(dir, opts, env, io)),
    );

  program
    .command("graph")
    .description("print the dependency graph of the definitions")
    .argument("[dir]", "project folder", ".")
    .addOption(
      new Option("--format <format>", "output format").choices(["mermaid", "dot", "json"]).default("mermaid"),
    )
    .option("--json", "same as --format json")
    .action(async (dir: string, opts: { format?: string; json?: boolean }) =>
      set((await import("./run-validate.js")).runGraph(dir, opts, env, io)),
    );

  program
    .command("plan")
    .description("show what apply would change in the registry and the online store")
    .argument("[dirs...]", "project folders (default: .)")
    .option("--json", "print the plan as versioned JSON")
    .option("--markdown", "print the plan as Markdown (PR comment body)")
    .option("--out <file>", "save the plan as JSON for fsops apply --plan")
    .option("--detailed-exitcode", "exit 0 when there are no changes, 2 when there are")
    .option("--check-sources", "check PostgresSource tables/queries against the offline store")
    .action(async (dirs: string[], opts) =>
      set((await import("./run-plan.js")).runPlan(dirs, opts, env, io)),
    );

  program
    .command("apply")
    .description("apply the plan: provision the online store, then commit the registry atomically")
    .argument("[dir]", "project folder", ".")
    .option("--plan <file>", "apply only if this saved plan (fsops plan --out) is still current")
    .option("--auto-approve", "skip the interactive confirmation")
    .option(
      "--allow-destroy",
      "allow destructive changes (deletes, dropped columns and tables); implies --allow-rebuild",
    )
    .option(
      "--allow-rebuild",
      "allow rebuilds (online tables dropped and recreated empty until materialized)",
    )
    .action(async (dir: string, opts) =>
      set((await import("./run-apply.js")).runApply(dir, opts, env, io, interactive)),
    );

  program
    .command("show")
    .description("print what the registry holds for the project")
    .argument("[dir]", "project folder", ".")
    .option("--json", "print the registry state as JSON")
    .action(async (dir: string, opts: { json?: boolean }) =>
      set((await import("./run-registry.js")).runShow(dir, opts, env, io)),
    );

  program
    .command("history")
    .description("list the applies recorded for the project")
    .argument("[dir]", "project folder", ".")
    .option("--json", "print the history as JSON")
    .action(async (dir: string, opts: { json?: boolean }) =>
      set((await import("./run-registry.js")).runHistory(dir, opts, env, io)),
    );

  program
    .command("force-unlock")
    .description("remove a lock left behind by a crashed apply")
    .argument("<lock-id>", "the lock id printed by the refused apply")
    .argument("[dir]", "project folder", ".")
    .action(async (lockId: string, dir: string) =>
      set((await import("./run-registry.js")).runForceUnlock(lockId, dir, env, io)),
    );

  program
    .command("destroy")
    .description("drop the project's online tables/keys and delete its registry state (history kept)")
    .argument("[dir]", "project folder", ".")
    .option("--auto-approve", "skip the interactive confirmation")
    .action(async (dir: string, opts: { autoApprove?: boolean }) =>
      set((await import("./run-registry.js")).runDestroy(dir, opts, env, io, interactive)),
    );

  program
    .command("materialize")
    .description("fill the online store from the offline store for a time window (applied state)")
    .argument("[dir]", "project folder", ".")
    .requiredOption("--start <time>", "window start, exclusive (ISO 8601)")
    .option("--end <time>", "window end, inclusive (ISO 8601; default now)")
    .option("--views <names>", "comma-separated views (default: every online view)")
    .option("--json", "print the per-view results as JSON")
    .action(async (dir: string, opts) =>
      set((await import("./run-materialize.js")).runMaterialize(dir, opts, env, io)),
    );

  program
    .command("materialize-incremental")
    .description("fill the online store from each view's last materialized end up to --end")
    .argument("[dir]", "project folder", ".")
    .option("--end <time>", "window end, inclusive (ISO 8601; default now)")
    .option("--views <names>", "comma-separated views (default: every online view)")
    .option("--due", "only views whose batchSchedule has ticked since their last end")
    .option("--json", "print the per-view results as JSON")
    .action(async (dir: string, opts) =>
      set((await import("./run-materialize.js")).runMaterializeIncremental(dir, opts, env, io)),
    );

  program
    .command("push")
    .description("write rows of a PushSource to the online store and/or its batch source")
    .argument("<args...>", "[dir] source")
    .requiredOption("--file <rows>", "rows to push: a .jsonl or .csv file")
    .addOption(
      new Option("--to <target>", "where to write")
        .choices(["online", "offline", "online_and_offline"])
        .default("online"),
    )
    .option("--json", "print the result as JSON")
    .action(async (args: string[], opts) =>
      set((await import("./run-materialize.js")).runPush(args, opts, env, io)),
    );

  program
    .command("get-historical-features")
    .description("build a point-in-time correct training set from the applied registry state")
    .argument("[dir]", "project folder", ".")
    .option(
      "--entities <file>",
      "entity rows: .csv (header), .parquet or .jsonl with the join keys and event_timestamp",
    )
    .option("--entity-sql <sql>", "entity rows: a query run in the offline Postgres")
    .option("--features <list>", "comma-separated view:feature names")
    .option("--feature-service <name>", "the features of a feature service")
    .option("--out <file>", "where to write the result: .parquet or .csv")
    .option(
      "--created-before <time>",
      "only feature rows created at or before this time (ISO 8601; no zone = UTC)",
    )
    .option("--full-feature-names", "name feature columns view__feature")
    .action(async (dir: string, opts) =>
      set((await import("./run-historical.js")).runGetHistoricalFeatures(dir, opts, env, io)),
    );

  program
    .command("serve")
    .description("serve online features over HTTP (the JSON of Feast's feature server)")
    .argument("[dir]", "project folder", ".")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on", "6566")
    .option("--max-body-bytes <n>", "largest request body accepted (default 1 MiB)")
    .action(async (dir: string, opts: { host?: string; port?: string; maxBodyBytes?: string }) =>
      set((await import("./run-serve.js")).runServe(dir, opts, env, io)),
    );

  program
    .command("ui")
    .description("browse the registries of one or more projects in a web page, or export it as static files")
    .argument("[dirs...]", "project folders (default: .), e.g. examples/staging examples/production")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", "8888")
    .option("--refresh <seconds>", "how often to re-read the registries (0: never)", "5")
    .option("--export <dir>", "write the site as static files to this folder and exit")
    .action(async (dirs: string[], opts) => set((await import("./run-ui.js")).runUi(dirs, opts, env, io)));

  const importCommand = program
    .command("import")
    .description("convert definitions written for another tool into an fsops project");
  importCommand
    .command("feast")
    .description("convert a Feast feature repository (read statically, never run) into an fsops project")
    .argument("<feast-repo>", "folder holding feature_store.yaml and the .py definitions")
    .option("--out <dir>", "output folder (default: a sibling folder named after the project)")
    .option("--force", "write into a non-empty output folder")
    .action(async (repo: string, opts: { out?: string; force?: boolean }) =>
      set((await import("./run-import.js")).runImportFeast(repo, opts, io)),
    );

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage mistakes exit 2.
      return err.exitCode === 0 ? 0 : USAGE_EXIT;
    }
    throw err;
  }
  return code;
}
