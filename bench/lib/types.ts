/**
 * The benchmark's extension points. A case (bench/cases/*.ts) prepares its inputs for each size
 * and names two workloads: the subject (what fsops does) and its floor (the least any tool could
 * do for the same input). Each workload runs in its own child process, so its peak RSS is clean.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A workload module (run in a child) and the JSON arguments it gets. */
export interface TaskSpec {
  /** Absolute path of a module whose default export is a `Workload`. */
  module: string;
  args: JsonValue;
  /** Timed repetitions; the best counts. */
  runs: number;
}

/**
 * `prepare` runs once, untimed (reading inputs the floor is not charged for, opening
 * connections); `run` is timed on each repetition and returns a summary the case checks.
 */
export interface Workload<P = unknown> {
  prepare(args: JsonValue): Promise<P> | P;
  /**
   * Optional, untimed, before each run: restore what a run consumes (an apply needs an empty
   * registry or database every time). Runs without it see what the previous run left.
   */
  reset?(prepared: P): Promise<void> | void;
  run(prepared: P): Promise<JsonValue> | JsonValue;
  /**
   * Optional, untimed, after each run: checks too slow to sit inside the timing (count the tables
   * an apply made); its result replaces the run's summary.
   */
  check?(prepared: P, summary: JsonValue): Promise<JsonValue> | JsonValue;
  /**
   * Optional: cumulative CPU ms of the other processes the run makes work (a database server, a
   * spawned psql), read before and after each run and added to its CPU time, so a client that
   * pushes work to a server is not judged on its own CPU alone.
   */
  externalCpuMs?(prepared: P): Promise<number> | number;
  /** Optional, untimed, after the last run: close what `prepare` opened (servers, pools). */
  teardown?(prepared: P): Promise<void> | void;
}

export interface Target {
  /** Subject time at most `ratio` × floor time. */
  ratio?: number;
  /** Subject peak RSS below this. */
  maxRssMb?: number;
  /** Subject time below this (absolute targets, e.g. an apply under 5 s). */
  maxMs?: number;
  /** Targets judged by `Prepared.assess`, as shown in the table (e.g. "PING max <50 ms"). */
  other?: string;
}

export interface Prepared {
  subject: TaskSpec;
  floor: TaskSpec | null;
  /** Human description of the floor, printed under the table. */
  floorLabel: string;
  /** Checks the subject's summary (e.g. every object found, no errors); a message when wrong. */
  verify(summary: JsonValue): string | null;
  /** Extra facts about the input, recorded in results.json. */
  input: Record<string, JsonValue>;
  /**
   * Optional: targets that are not times (e.g. Redis PING latency during a clean-up) and notes
   * for the report, from the subject's summaries (one per child, i.e. per round).
   */
  assess?(summaries: JsonValue[]): { notes?: string[]; misses?: string[] };
  cleanup(): Promise<void>;
}

export interface BenchCase {
  name: string;
  /**
   * Real servers the case needs (started once by the runner before the cases, on free ports in
   * a temp dir, stopped at the end; see lib/services.ts).
   */
  services?: readonly BenchService[];
  sizes: readonly number[];
  /** Why the case cannot run here (a missing module, a missing server), or null. */
  unavailable(): Promise<string | null>;
  target(size: number): Target | null;
  prepare(size: number, workDir: string): Promise<Prepared>;
}

/** What a child reports. */
export interface TaskResult {
  /** Wall time of each run. */
  timesMs: number[];
  /** CPU time (user + system, all threads) of each run: robust when the machine is shared. */
  cpuMs: number[];
  bestMs: number;
  bestCpuMs: number;
  peakRssMb: number;
  /** The part of each run's `cpuMs` spent by other processes (`Workload.externalCpuMs`). */
  externalCpuMs?: number[];
  summary: JsonValue;
}

/** Servers the bench can start (test/services). */
export type BenchService = "postgres" | "redis" | "s3";
