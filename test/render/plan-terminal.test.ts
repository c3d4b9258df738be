import { describe, expect, it } from "vitest";
import { renderPlanTerminal } from "../../src/render/plan-terminal.js";
import { planChanges } from "../../src/plan/plan-changes.js";
import { driverRankingV1, modify, stateOf } from "../plan/fixture.js";
import { fixturePlan, noChangePlan, stripAnsi } from "./plans.js";

describe("renderPlanTerminal", () => {
  const plan = fixturePlan();
  const text = renderPlanTerminal(plan, { color: false });

  it("matches the reviewed rendering of the driver-ranking plan", async () => {
    await expect(text).toMatchFileSnapshot("./__snapshots__/plan-terminal.txt");
  });

  it("marks each object with its action and impact, and ends with the counts", () => {
    expect(text).toContain("-/+ entity.customer  (rebuild)  entities.ts:9");
    expect(text).toContain("  ~ feature_view.driver_hourly_stats  (rebuild)  features/driver.ts:8");
    expect(text).toContain("  + feature_view.driver_weekly_stats  (safe)  features/driver_weekly.ts:3");
    expect(text).toContain(
      "  - stream_feature_view.driver_trips_stream  (destructive)  features/stream.ts:7",
    );
    const lines = text.trimEnd().split("\n");
    expect(lines.at(-2)).toBe("Plan: 2 to create, 4 to update, 1 to replace, 2 to delete.");
    expect(lines.at(-1)).toBe("Online store: 5 actions (1 destructive, 2 rebuild).");
  });

  it("shows field diffs by name, durations as durations, and what forces a replacement", () => {
    expect(text).toContain('      ~ schema.conv_rate.dtype: "float32" → "float64"\n');
    expect(text).toContain("      + schema.trips_today: int32\n");
    expect(text).toContain("      ~ ttl: 1d → 2d\n");
    expect(text).toContain('      ~ valueType: "string" → "int64"  # forces replacement\n');
    expect(text).toContain("      rebuilds: feature_view.customer_daily_profile\n");
    expect(text).toContain(
      "      affects: on_demand_feature_view.transformed_conv_rate, feature_service.driver_ranking_v1, feature_service.driver_ranking_v2, feature_service.driver_ranking_v3\n",
    );
  });

  it("shows a changed transform as a unified line diff", () => {
    expect(text).toContain(
      [
        "      ~ transform:",
        "          @@ -1,6 +1,6 @@",
        "           (inputs) => {",
        "             const df = {};",
        "             df.conv_rate_plus_val1 = inputs.conv_rate + inputs.val_to_add;",
        "          -  df.conv_rate_plus_val2 = inputs.conv_rate + inputs.val_to_add_2;",
        "          +  df.conv_rate_plus_val2 = inputs.conv_rate * 2 + inputs.val_to_add_2;",
      ].join("\n"),
    );
  });

  it("lists the online-store statements and the protected objects it keeps", () => {
    expect(text).toContain(
      '  - drop_table driver_ranking_staging__driver_trips_stream  (destructive)  view deleted\n      DROP TABLE IF EXISTS "driver_ranking_staging__driver_trips_stream";\n',
    );
    expect(text).toContain(
      'Kept (tagged fsops.protect: "true", never deleted by apply):\n    feature_view.legacy_driver_scores',
    );
  });

  it("says No changes. when there are none", () => {
    const out = renderPlanTerminal(noChangePlan(), { color: false });
    expect(out).toMatch(/\nNo changes\. The registry matches the definitions\.\n$/);
    expect(out).not.toContain("Plan:");
  });

  it("colors only when asked, and the colored text is the plain text plus escapes", () => {
    const colored = renderPlanTerminal(plan, { color: true });
    // eslint-disable-next-line no-control-regex -- looking for ANSI escapes
    expect(colored).toMatch(/\u001b\[3[12]m/);
    expect(text).not.toContain("\u001b");
    expect(stripAnsi(colored)).toBe(text);
  });

  it("never lets a definition write control characters to the terminal", () => {
    const v1 = driverRankingV1();
    const evil = modify(v1, "entity", "driver", (s) => ({
      ...s,
      description: "ok\u001b[2J\u001b]0;pwned\u0007",
    }));
    const out = renderPlanTerminal(planChanges(evil, stateOf(v1)), { color: false });
    // eslint-disable-next-line no-control-regex -- looking for control characters
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(out).toContain("\\u001b[2J");
  });
});
