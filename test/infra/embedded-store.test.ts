/**
 * Issue 11: a plan creates nothing, and apply creates a missing embedded store from the template
 * shipped with fsops. The plan of a missing store (MissingEmbeddedStore) is checked against the
 * plan of a real, newly created PGlite store: same actions, same record.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedStoreExists } from "../../src/infra/embedded-store.js";
import { openOnlineStore } from "../../src/infra/open-online-store.js";
import { extractEmbeddedStoreTemplate, findEmbeddedStoreTemplate } from "../../src/infra/pglite-template.js";
import { desiredState, driverStats } from "./fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "fsops-embedded-new-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a missing embedded store", () => {
  it("is planned as the empty store apply creates, without creating anything", async () => {
    const path = join(dir, "project", ".fsops", "online");
    const desired = desiredState("drivers", driverStats());

    const planned = await openOnlineStore({ type: "embedded", path }, { readOnly: true });
    expect(planned.location).toBe(path);
    expect(planned.note).toBe(
      `the embedded online store ${path} does not exist yet: planned as empty; fsops apply will create it`,
    );
    const fromMissing = await planned.plan("drivers", desired, null);
    await planned.close();
    expect(existsSync(join(dir, "project"))).toBe(false);

    // What apply opens: a real store, created now.
    const real = await openOnlineStore({ type: "embedded", path });
    try {
      expect(real.note).toBeUndefined();
      expect(await embeddedStoreExists(path)).toBe(true);
      const fromReal = await real.plan("drivers", desired, null);
      expect(fromMissing).toEqual(fromReal);
      expect(fromReal.actions.map((a) => a.action)).toEqual(["create_table"]);
      await real.apply("drivers", fromReal.actions);
    } finally {
      await real.close();
    }

    // Once it exists, a read-only open is the real store.
    const again = await openOnlineStore({ type: "embedded", path }, { readOnly: true });
    try {
      expect(again.note).toBeUndefined();
      const plan = await again.plan("drivers", desired, fromMissing.record);
      expect(plan.actions).toEqual([]);
    } finally {
      await again.close();
    }
  });
});

describe("the embedded store template", () => {
  it("is built in this checkout and unpacks to a data directory", async () => {
    const template = await findEmbeddedStoreTemplate();
    expect(template, "run npm run build (scripts/build-pglite-template.mjs)").not.toBeNull();
    const target = join(dir, "unpacked");
    await extractEmbeddedStoreTemplate(template!, target);
    expect(await embeddedStoreExists(target)).toBe(true);
    expect(await readdir(target)).toEqual(
      expect.arrayContaining(["base", "global", "pg_wal", "postgresql.conf"]),
    );
  });
});
