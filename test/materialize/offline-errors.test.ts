/**
 * Offline-store (Postgres) errors are classified: a store that cannot be reached or logged into
 * (refused connection, NOLOGIN or unknown role, unknown database, no answer in time) is an
 * "offline store connection error" naming the store with its password masked, never a bad
 * source relation; a missing table is the source's error, located at its definition. For
 * materialize and for push --to offline alike.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { materialize } from "../../src/materialize/index.js";
import { pushRows } from "../../src/materialize/push.js";
import type { ProjectConfig } from "../../src/model/config.js";
import type { RegistryState } from "../../src/model/registry.js";
import { OfflineStoreError } from "../../src/infra/errors.js";
import { OfflineSourceError } from "../../src/offline/errors.js";
import { closedPort, freshDatabase, hasService } from "../services/index.js";
import { runCli, tempDir } from "../cli/helpers.js";
import { OFFLINE_DDL, applyAndLoad, writeProject } from "./fixtures.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const PASSWORD = "Offl1ne-s3cret-pw";

describe.runIf(hasService("postgres"))("offline store errors: connection vs source relation", () => {
  let offline: pg.Client;
  let offlineUrl: string;
  let config: ProjectConfig;
  let state: RegistryState;
  let dir: string;
  let env: Record<string, string>;
  let silent: Server;
  const sockets: Socket[] = [];
  const suffix = randomBytes(4).toString("hex");
  const nologin = `fsops_nologin_${suffix}`;

  /** The offline URL with another user / database / host:port, always with PASSWORD. */
  const variant = (change: { user?: string; db?: string; host?: string; query?: string }): string => {
    const u = new URL(offlineUrl);
    u.username = change.user ?? "postgres";
    u.password = PASSWORD;
    if (change.db) u.pathname = `/${change.db}`;
    if (change.host) u.host = change.host;
    return `${u.toString()}${change.query ?? ""}`;
  };
  const withOffline = (url: string): ProjectConfig => ({
    ...config,
    offlineStore: { type: "postgres", connectionString: url, s3: null },
  });

  beforeAll(async () => {
    offlineUrl = await freshDatabase();
    offline = new pg.Client({ connectionString: offlineUrl });
    await offline.connect();
    await offline.query(OFFLINE_DDL);
    await offline.query(`CREATE ROLE "${nologin}" NOLOGIN`);
    dir = join(await tempDir(), "p");
    await writeProject(dir, {
      kind: "postgres",
      online: "online_store:\n  type: postgres\n  connection_string: ${ONLINE}\n  schema: serving",
      offline: "offline_store:\n  type: postgres\n  connection_string: ${OFFLINE}",
    });
    env = { ONLINE: await freshDatabase(), OFFLINE: variant({}) };
    ({ config, state } = await applyAndLoad(dir, env));
    // Accepts connections and never answers: a connect that times out.
    silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent?.close(() => resolve()));
    await offline?.query(`DROP ROLE IF EXISTS "${nologin}"`);
    await offline?.end();
  });

  const CONNECTION_CASES: [string, () => string, RegExp][] = [
    [
      "refused connection",
      () => "",
      /check that the server is up and that offline_store\.connection_string in fsops\.yaml names it/,
    ],
    [
      "NOLOGIN role",
      () => variant({ user: nologin }),
      /the server refused the login: check the user and password/,
    ],
    ["unknown role", () => variant({ user: `nobody_${suffix}` }), /the server refused the login/],
    ["unknown database", () => variant({ db: `no_such_db_${suffix}` }), /no such database on that server/],
    [
      "no answer in time",
      () =>
        variant({
          host: `127.0.0.1:${(silent.address() as { port: number }).port}`,
          query: "?connect_timeout=1",
        }),
      /did not answer in time/,
    ],
  ];

  it.each(CONNECTION_CASES)(
    "materialize, %s: an offline store connection error naming the store, password masked",
    async (name, url, hint) => {
      const bad =
        name === "refused connection" ? variant({ host: `127.0.0.1:${await closedPort()}` }) : url();
      const [result] = await materialize(
        { config: withOffline(bad), who: "t", state },
        { start: null, end: new Date("2025-01-02T00:00:00Z"), views: ["stats"] },
      );
      expect(result?.status).toBe("failed");
      const { message, hint: got } = result!.error!;
      expect(message).toMatch(
        /^offline store connection error \(postgresql:\/\/[^:]+:\*\*\*@127\.0\.0\.1:\d+\/\w+/,
      );
      expect(message).not.toMatch(/source relation|FS401/);
      expect(got).toMatch(hint);
      expect(message + got).not.toContain(PASSWORD);
    },
  );

  it.each(CONNECTION_CASES)("push --to offline, %s: the same connection error", async (name, url, hint) => {
    const bad = name === "refused connection" ? variant({ host: `127.0.0.1:${await closedPort()}` }) : url();
    const attempt = pushRows(
      { config: withOffline(bad), who: "t", state },
      {
        source: "stats_push",
        to: "offline",
        rows: [{ driver_id: 1, event_timestamp: "2025-01-01T00:00:00Z", conv: 1, trips: 1, name: "x" }],
      },
    );
    const error = await attempt.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OfflineStoreError);
    expect((error as Error).message).toMatch(
      /^offline store connection error \(postgresql:\/\/[^:]+:\*\*\*@/,
    );
    expect((error as OfflineStoreError).hint).toMatch(hint);
    expect((error as Error).message).not.toContain(PASSWORD);
  });

  it("a missing table is the source's error, at its definition; push says it cannot append there", async () => {
    await offline.query("ALTER TABLE offline.stats_events RENAME TO stats_gone");
    try {
      const [result] = await materialize(
        { config, who: "t", state },
        { start: null, end: new Date("2025-01-02T00:00:00Z"), views: ["stats"] },
      );
      expect(result?.error?.message).toMatch(
        /^features\.ts:\d+: source stats_src: source relation "offline"\."stats_events" failed in the offline store: relation "offline\.stats_events" does not exist/,
      );
      const pushed = pushRows(
        { config, who: "t", state },
        {
          source: "stats_push",
          to: "offline",
          rows: [{ driver_id: 1, event_timestamp: "2025-01-01T00:00:00Z", conv: 1, trips: 1, name: "x" }],
        },
      );
      await expect(pushed).rejects.toThrow(OfflineSourceError);
      await expect(pushed).rejects.toThrow(
        /^features\.ts:\d+: source stats_src: cannot append the pushed rows to table offline\.stats_events: relation "offline\.stats_events" does not exist/,
      );
    } finally {
      await offline.query("ALTER TABLE offline.stats_gone RENAME TO stats_events");
    }
  });

  it("the CLI prints the connection error with the store masked and exits 1", async () => {
    const bad = variant({ host: `127.0.0.1:${await closedPort()}` });
    const r = await runCli(
      ["materialize", dir, "--start", "2024-12-31", "--end", "2025-01-02", "--views", "stats"],
      {
        env: { ...env, OFFLINE: bad },
      },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /✗ stats +failed: offline store connection error \(postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+/,
    );
    expect(r.stderr).toMatch(/hint: check that the server is up/);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});
