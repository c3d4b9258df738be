import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { RegistryError, RegistryLockedError } from "../../src/model/registry.js";
import { openRegistryStore } from "../../src/registry/open-store.js";
import { PostgresRegistryStore } from "../../src/registry/postgres-store.js";
import { freshDatabase, hasService } from "../services/index.js";
import { registryConformance, type Harness } from "./conformance.js";
import { lockInfo, makeHistory, makeState } from "./fixtures.js";

const clients: pg.Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
});

async function sql(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function postgresHarness(schema = "public"): Promise<Harness> {
  const url = await freshDatabase();
  const admin = await sql(url);
  const table = `${quote(schema)}.fsops_state`;
  return {
    config: { type: "postgres", connectionString: url, schema },
    open: () => openRegistryStore({ type: "postgres", connectionString: url, schema }),
    async corrupt(project, kind) {
      const update = {
        // jsonb cannot hold broken JSON: the closest damage is a JSON string holding half a document.
        truncated: `to_jsonb(left(state::text, length(state::text) / 2))`,
        formatVersion: `jsonb_set(state, '{formatVersion}', '99')`,
        wrongProject: `jsonb_set(state, '{project}', '"someone_else"')`,
      }[kind];
      await admin.query(`UPDATE ${table} SET state = ${update} WHERE project = $1`, [project]);
    },
    async raw(project) {
      const { rows } = await admin.query(`SELECT state::text AS s, serial FROM ${table} WHERE project = $1`, [
        project,
      ]);
      return rows[0] ? `${rows[0].serial}:${rows[0].s}` : null;
    },
  };
}

describe.runIf(hasService("postgres"))("postgres registry", () => {
  registryConformance(() => postgresHarness());

  describe('in a schema whose name contains a quote: we"ird schema', () => {
    registryConformance(() => postgresHarness('we"ird schema'));

    it("creates its tables in that schema", async () => {
      const h = await postgresHarness('we"ird schema');
      const store = h.open();
      const lock = await store.lock("p", lockInfo());
      await store.commit(lock, null, makeState("p", 1, "l"), makeHistory("p", 1));
      await lock.release();
      await store.close();
      const admin = await sql((h.config as { connectionString: string }).connectionString);
      const { rows } = await admin.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename",
        ['we"ird schema'],
      );
      expect(rows.map((r) => r.tablename)).toEqual(["fsops_history", "fsops_locks", "fsops_state"]);
    });
  });

  it("reads without creating tables; concurrent first writers create them once", async () => {
    const url = await freshDatabase();
    const stores = Array.from(
      { length: 6 },
      () => new PostgresRegistryStore({ connectionString: url, schema: "reg" }),
    );
    try {
      expect(await stores[0]!.read("p")).toEqual({ state: null });
      const admin = await sql(url);
      const count = async () =>
        (await admin.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'reg'")).rows[0].n;
      expect(await count()).toBe(0);
      await Promise.all(
        stores.map(async (store, i) => {
          const lock = await store.lock(`p${i}`, lockInfo());
          await store.commit(lock, null, makeState(`p${i}`, 1, "l"), makeHistory(`p${i}`, 1));
          await lock.release();
        }),
      );
      expect(await count()).toBe(3);
      expect((await stores[5]!.read("p3")).state?.serial).toBe(1);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it("masks the password in location and in connection errors", async () => {
    const store = new PostgresRegistryStore({
      connectionString: "postgresql://fsops:s3cr3t-pw@127.0.0.1:1/registry",
      schema: "public",
    });
    expect(store.location).toBe("postgresql://fsops:***@127.0.0.1:1/registry");
    const error = await store.read("p").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(
      /^postgresql:\/\/fsops:\*\*\*@127\.0\.0\.1:1\/registry: .*ECONNREFUSED/,
    );
    expect((error as Error).message).not.toContain("s3cr3t");
    await store.close();
  });

  it("a lock row left by a dead session is taken over; a live holder is reported", async () => {
    const url = await freshDatabase();
    const a = new PostgresRegistryStore({ connectionString: url, schema: "public" });
    const b = new PostgresRegistryStore({ connectionString: url, schema: "public" });
    try {
      const first = lockInfo("first");
      const lock = await a.lock("p", first);
      await expect(b.lock("p", lockInfo())).rejects.toThrow(RegistryLockedError);
      // End the holder's session from outside, as a crash would: its advisory lock goes with it.
      const admin = await sql(url);
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid() " +
          "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
      );
      let taken = null;
      for (let i = 0; i < 50 && !taken; i++) {
        taken = await b.lock("p", lockInfo("second")).catch(() => null);
        if (!taken) await new Promise((r) => setTimeout(r, 50));
      }
      expect(taken?.info.who).toBe("second");
      const row = await admin.query("SELECT info->>'who' AS who FROM fsops_locks WHERE project = 'p'");
      expect(row.rows[0].who).toBe("second");
      await expect(a.commit(lock, null, makeState("p", 1, "l"), makeHistory("p", 1))).rejects.toThrow(
        /lock on project p was lost/,
      );
      await taken!.release();
      await lock.release();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
