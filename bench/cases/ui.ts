/**
 * Issue 16: the registry browser's list page with 100, 1,000 and 5,000 feature views (two objects
 * and ten features each), loaded in Debian's Chromium from an export. Target at 5,000: the page
 * is loaded (scripts run) in under 1 s. No floor: the time is the browser's.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CHROMIUM } from "../../test/ui/browser.js";
import type { BenchCase, JsonValue, Target } from "../lib/types.js";

const workload = fileURLToPath(new URL("../workloads/ui-list.ts", import.meta.url));

const uiCase: BenchCase = {
  name: "ui-list",
  sizes: [100, 1000, 5000],
  async unavailable() {
    return existsSync(CHROMIUM) ? null : `no browser at ${CHROMIUM} (apt-get install -y chromium)`;
  },
  target(size): Target | null {
    return size >= 5000 ? { maxMs: 1000 } : null;
  },
  async prepare(size, workDir) {
    const objects = size * 2 + Math.ceil(size / 500) + Math.ceil(size / 50);
    return {
      subject: { module: workload, args: { views: size, workDir }, runs: 5 },
      floor: null,
      floorLabel: "none (a browser page load; the target is absolute)",
      input: { views: size, objects, features: size * 10 },
      verify(summary: JsonValue) {
        const s = summary as { rows?: number } | null;
        return s?.rows === objects ? null : `the list page showed ${s?.rows ?? 0} rows, expected ${objects}`;
      },
      async cleanup() {},
    };
  },
};

export default uiCase;
