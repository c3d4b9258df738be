import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

const servicesSetup = "test/services/global-setup.ts";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real servers (Postgres, Redis, radosgw) are started once per run by the global setup;
    // FSOPS_TEST_SERVICES narrows which (see test/services).
    globalSetup: existsSync(servicesSetup) ? [servicesSetup] : [],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // Two cores: more workers only add contention with the servers.
    maxWorkers: 2,
  },
});
