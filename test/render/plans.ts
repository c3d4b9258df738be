import { planChanges } from "../../src/plan/plan-changes.js";
import type { ComputedPlan } from "../../src/plan/plan-changes.js";
import { driverRankingInfra, driverRankingV1, driverRankingV2, stateOf } from "../plan/fixture.js";

/** The driver-ranking pull request: v1 applied at serial 7, v2 proposed, with online-store DDL. */
export function fixturePlan(): ComputedPlan {
  return planChanges(driverRankingV2(), stateOf(driverRankingV1(), 7), driverRankingInfra());
}

export function noChangePlan(): ComputedPlan {
  return planChanges(driverRankingV1(), stateOf(driverRankingV1(), 7));
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, "");
