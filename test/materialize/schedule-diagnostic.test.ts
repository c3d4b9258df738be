/** batchSchedule: valid schedules reach the spec; a bad one is FS230 located at the option. */
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../src/commands/load-project.js";
import type { FeatureViewSpec } from "../../src/model/spec.js";
import { tempDir } from "../cli/helpers.js";
import { writeProject } from "./fixtures.js";

describe("batchSchedule", () => {
  it("keeps a valid schedule in the spec and omits the field when absent", async () => {
    const dir = join(await tempDir(), "p");
    await writeProject(dir, { kind: "file", online: "", offline: "", schedule: true });
    const loaded = await loadProject(dir, { env: {} });
    expect(loaded.status).toBe("loaded");
    if (loaded.status !== "loaded") return;
    const spec = (name: string) =>
      loaded.definitions.desired.objects.find((o) => o.name === name)?.spec as FeatureViewSpec;
    expect(spec("stats").batchSchedule).toBe("@hourly");
    expect("batchSchedule" in spec("stats_ttl")).toBe(false);
  });

  it("reports a bad cron expression as FS230 at the option, with a hint", async () => {
    const dir = join(await tempDir(), "p");
    await writeProject(dir, { kind: "file", online: "", offline: "", schedule: true });
    const file = join(dir, "features.ts");
    const text = (await import("node:fs")).readFileSync(file, "utf8").replace('"@hourly"', '"61 * * * *"');
    await writeFile(file, text);
    const loaded = await loadProject(dir, { env: {} });
    expect(loaded.status).toBe("invalid");
    if (loaded.status !== "invalid") return;
    const d = loaded.diagnostics.find((x) => x.code === "FS230");
    const line = text.split("\n").findIndex((l) => l.includes("61 * * * *")) + 1;
    expect(d).toMatchObject({ severity: "error", line });
    expect(d?.column).toBe(text.split("\n")[line - 1]!.indexOf('"61 * * * *"') + 1);
    expect(d?.message).toMatch(/batchSchedule .*"61 \* \* \* \*" is not a valid schedule/);
    expect(d?.hint).toMatch(/@hourly/);
  });
});
