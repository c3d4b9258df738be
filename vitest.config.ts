import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

const servicesSetup = "test/services/global-setup.ts";

export default defineConfig({
  resolve: {
    // src/parse/typescript.cts loads the compiler with a CommonJS require, which Vite's module
    // runner cannot execute: tests import the same file ts-morph carries directly instead.
    alias: [{ find: /^\.\/typescript\.cjs$/, replacement: "@ts-morph/common/dist/typescript.js" }],
  },
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
