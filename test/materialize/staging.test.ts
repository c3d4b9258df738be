/**
 * The README's first screen: on a fresh machine, apply the staging example and run
 * materialize-incremental: the embedded store gets real rows from the example's Parquet sample.
 */
import { describe, expect, it, vi } from "vitest";
import { copyExample, runCli } from "../cli/helpers.js";

vi.setConfig({ testTimeout: 300_000 });

describe("examples/staging on a fresh machine", () => {
  it("apply then materialize-incremental fills the embedded store from offline/*.parquet", async () => {
    const dir = await copyExample("staging");
    const applied = await runCli(["apply", dir, "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    const filled = await runCli(["materialize-incremental", dir]);
    expect(filled.code, filled.stderr).toBe(0);
    expect(filled.stdout).toMatch(/✓ customer_daily_profile +\(.*\] +8 rows/);
    // Views on PostgresSources are skipped (no offline store configured), not failed.
    expect(filled.stdout).toMatch(/- driver_hourly_stats +skipped: .*no offline_store/);
    const show = await runCli(["show", dir]);
    expect(show.stdout).toMatch(/customer_daily_profile +20\d\d-/);
  });
});
