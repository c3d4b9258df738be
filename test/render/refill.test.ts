import { describe, expect, it } from "vitest";
import { refillCommand } from "../../src/render/refill.js";
import { fixturePlan, noChangePlan } from "./plans.js";

describe("the refill command of a plan with rebuilds", () => {
  it("names every rebuilt view, sorted, in one materialize-incremental command", () => {
    expect(refillCommand(fixturePlan(), "examples/staging")).toBe(
      "fsops materialize-incremental examples/staging --views customer_daily_profile,driver_hourly_stats",
    );
    expect(refillCommand(fixturePlan(), "my project")).toMatch(
      /^fsops materialize-incremental "my project" /,
    );
  });
  it("is null without rebuilds", () => {
    expect(refillCommand(noChangePlan(), ".")).toBeNull();
  });
});
