/**
 * Pushdown (offline and online in one Postgres database) runs its one statement without
 * checking the source first; a source that lost a column or its table still fails with the
 * error a streamed read gives, located at the source's definition, and the other views go on.
 */
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { materialize } from "../../src/materialize/index.js";
import { freshDatabase, hasService } from "../services/index.js";
import { tempDir } from "../cli/helpers.js";
import { OFFLINE_DDL, applyAndLoad, writeProject } from "./fixtures.js";

vi.setConfig({ testTimeout: 120_000 });

/** An applied project whose online store is a schema of the offline database (pushdown). */
async function pushdownProject(offlineVar: "DB" | "OFFLINE") {
  const dir = join(await tempDir(), "p");
  const url = await freshDatabase();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query(OFFLINE_DDL);
  await writeProject(dir, {
    kind: "postgres",
    online: "online_store:\n  type: postgres\n  connection_string: ${DB}\n  schema: serving",
    offline: `offline_store:\n  type: postgres\n  connection_string: \${${offlineVar}}`,
  });
  const { config, state } = await applyAndLoad(dir, { DB: url, OFFLINE: url });
  return { url, db, config, state };
}

describe.runIf(hasService("postgres"))("pushdown errors", () => {
  it("a renamed column or a dropped table fails that view with the located source error", async () => {
    const { db, config, state } = await pushdownProject("DB");
    try {
      const run = () =>
        materialize({ config, who: "tester", state }, { start: null, end: new Date("2030-01-01T00:00:00Z") });

      await db.query("ALTER TABLE offline.pair_events RENAME COLUMN raw_score TO score_raw");
      const byView = Object.fromEntries((await run()).map((r) => [r.view, r]));
      expect(byView.pairs).toMatchObject({ status: "failed" });
      expect(byView.pairs!.error!.message).toMatch(
        /^features\.ts:\d+: error FS403: source pairs_src: column "raw_score" \(feature pairs\.score\) not in table offline\.pair_events$/,
      );
      expect(byView.pairs!.error!.hint).toMatch(/score_raw/);
      expect(byView.stats).toMatchObject({ status: "ok", mode: "pushdown" });

      await db.query("DROP TABLE offline.pair_events");
      const again = Object.fromEntries((await run()).map((r) => [r.view, r]));
      expect(again.pairs).toMatchObject({ status: "failed" });
      // The streamed read's wording for a missing relation (located, naming the table).
      expect(again.pairs!.error!.message).toMatch(/^features\.ts:\d+: .*source pairs_src: .*pair_events/);
    } finally {
      await db.end();
    }
  });

  it("a statement failing for another reason keeps its own error when locating it fails too", async () => {
    const { url, db, config, state } = await pushdownProject("OFFLINE");
    try {
      // Same database (pushdown), but the streamed read that would locate a source error
      // connects as a role that does not exist: that check fails for its own reason.
      const offlineUrl = new URL(url);
      offlineUrl.username = "no_such_role";
      const broken = {
        ...config,
        offlineStore: { ...config.offlineStore!, connectionString: offlineUrl.href },
      };
      // The online table refuses every row: the pushdown fails for a reason that is not the source's.
      await db.query(
        "INSERT INTO offline.stats_events VALUES (1, '2025-01-01T00:00:00Z', NULL, 0.5, 1, 'a')",
      );
      await db.query(`ALTER TABLE serving."fill_test__stats" ADD CONSTRAINT "refuse_all" CHECK (false)`);
      const byView = Object.fromEntries(
        (
          await materialize(
            { config: broken as typeof config, who: "tester", state },
            { start: null, end: new Date("2030-01-01T00:00:00Z") },
          )
        ).map((r) => [r.view, r]),
      );
      expect(byView.stats).toMatchObject({ status: "failed" });
      expect(byView.stats!.error!.message).toMatch(/refuse_all/);
      expect(byView.stats!.error!.message).not.toMatch(/no_such_role/);
    } finally {
      await db.end();
    }
  });
});
