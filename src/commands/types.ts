import type { Diagnostic } from "../model/diagnostic.js";
import type { DesiredState } from "../model/spec.js";
import type { Plan } from "../model/plan.js";

/**
 * What a command needs from the outside world. Built by src/cli (argv, env) or src/action
 * (action inputs, GitHub env); the commands themselves never read process state.
 */
export interface CommandContext {
  env: Readonly<Record<string, string | undefined>>;
  /** Who applies (recorded in the registry and history). */
  who: string;
  /** Git commit being applied, when known. */
  commit: string | null;
}

/** Diagnostics plus the source text they point into (for code frames). */
export interface InvalidDefinitions {
  diagnostics: Diagnostic[];
  /** file (relative to the project dir) → text */
  sources: Map<string, string>;
}

export type ProjectPlanOutcome =
  | {
      status: "planned";
      dir: string;
      project: string;
      plan: Plan;
      desired: DesiredState;
      /** Warnings only (errors make the outcome "invalid"). */
      diagnostics: Diagnostic[];
      sources: Map<string, string>;
      /** Safe to print (masked). */
      registryLocation: string;
      onlineStoreLocation: string | null;
    }
  | ({ status: "invalid"; dir: string; project: string | null } & InvalidDefinitions)
  /** Could not plan for another reason (registry unreadable, store unreachable): message is redacted. */
  | { status: "error"; dir: string; project: string | null; message: string; hint?: string };

export type FailureReason =
  | "invalid-definitions"
  | "plan-changed"
  | "destructive-not-allowed"
  | "locked"
  | "apply-failed"
  | "materialize-failed";

export interface ApplyOptions {
  /** A saved plan names its project; applying it to another project is refused. */
  expectedProject?: string;
  /** Refuse unless the fresh plan's fingerprint equals this (saved plan, PR comment). */
  expectedFingerprint?: string;
  /** The saved plan's registry binding, to say what moved when the fingerprint differs. */
  expectedRegistry?: { lineage: string | null; serial: number };
  allowDestroy: boolean;
  /** Asked after planning when there are changes; false → nothing is applied. Absent → proceed. */
  confirm?: (plan: Plan) => Promise<boolean>;
}

export type ApplyOutcome =
  | { status: "applied"; dir: string; project: string; plan: Plan; serial: number; time: string }
  | { status: "no-changes"; dir: string; project: string; plan: Plan; serial: number }
  | { status: "cancelled"; dir: string; project: string; plan: Plan }
  | {
      status: "refused" | "failed";
      dir: string;
      project: string | null;
      reason: FailureReason;
      message: string;
      hint?: string;
      plan?: Plan;
      invalid?: InvalidDefinitions;
    };
