import type { TestProject } from "vitest/node";
import { startServices } from "./start.js";
import "./types.js";

/**
 * vitest globalSetup: starts the real servers once per run (FSOPS_TEST_SERVICES picks which),
 * provides their connection info as `fsopsServices`, and stops them all at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const t0 = performance.now();
  const running = await startServices(process.env["FSOPS_TEST_SERVICES"]);
  project.provide("fsopsServices", running.info);
  if (running.report.length > 0) {
    const parts = running.report.map((r) => `${r.name} ${r.seconds.toFixed(1)}s ${r.rssMiB}MiB`);
    const total = ((performance.now() - t0) / 1000).toFixed(1);
    process.stderr.write(`[fsops test services] ${parts.join(", ")}; ready in ${total}s\n`);
  }
  return () => running.stop();
}
