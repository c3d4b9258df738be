/** Issue 10 item 10: a Redis URL naming a database the server does not have is an error, not database 0. */
import { Redis } from "ioredis";
import { describe, expect, it, vi } from "vitest";
import { services } from "../services/index.js";
import { REDIS_DATABASES } from "../services/redis-databases.js";
import { runCli } from "../cli/helpers.js";
import { writeProject } from "./project.js";

vi.setConfig({ testTimeout: 120_000 });

describe("Redis database in the connection string", () => {
  it("a database the server does not have fails apply and writes nothing to database 0", async () => {
    const { url } = services().redis;
    const dir = await writeProject(
      `project: redis_db_check\nonline_store:\n  type: redis\n  connection_string: \${ONLINE}\n`,
    );
    const missing = `${url}/${REDIS_DATABASES + 5}`;
    const applied = await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: missing } });
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain(`cannot use database ${REDIS_DATABASES + 5} of Redis`);
    const client = new Redis(url);
    try {
      expect(await client.keys("fsops:redis_db_check:*")).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it("a password holding / is never mistaken for the path, nor quoted in part", async () => {
    const { url } = services().redis;
    const u = new URL(url);
    const withPassword = `redis://:s3cr/etpw@${u.host}/1`;
    const dir = await writeProject(
      `project: redis_db_slash\nonline_store:\n  type: redis\n  connection_string: \${ONLINE}\n`,
    );
    const planned = await runCli(["plan", dir], { env: { ONLINE: withPassword } });
    expect(planned.stdout + planned.stderr).not.toContain("etpw");
    expect(planned.stderr).not.toContain("the database must be a number");
  });

  it("a database that is not a number is a clear error", async () => {
    const { url } = services().redis;
    const dir = await writeProject(
      `project: redis_db_word\nonline_store:\n  type: redis\n  connection_string: \${ONLINE}\n`,
    );
    const planned = await runCli(["plan", dir], { env: { ONLINE: `${url}/prod` } });
    expect(planned.code).toBe(1);
    expect(planned.stderr).toContain("the database must be a number (redis://host:port/0)");
    const client = new Redis(url);
    try {
      expect(await client.keys("fsops:redis_db_word:*")).toEqual([]);
    } finally {
      client.disconnect();
    }
  });
});
