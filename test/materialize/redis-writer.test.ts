/**
 * The Redis writer loads its Lua script once and pipelines EVALSHA: when the server's script
 * cache is flushed (SCRIPT FLUSH, a restart, a failover), the next batch reloads the script and
 * still lands, and the event-time guard still holds.
 */
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { openRedisConnection } from "../../src/infra/redis-connection.js";
import { RedisOnlineWriter } from "../../src/materialize/online-writer.js";
import type { OnlineTarget } from "../../src/materialize/online-writer.js";
import { freshRedisDb, hasService } from "../services/index.js";

const target: OnlineTarget = {
  view: "v",
  keys: [{ name: "id", dtype: "int64" }],
  features: [
    { name: "x", dtype: "float64" },
    { name: "s", dtype: "string" },
  ],
  schema: null,
  table: null,
  project: "scripts",
};

describe.runIf(hasService("redis"))("RedisOnlineWriter", () => {
  it("reloads the script after SCRIPT FLUSH and keeps the event-time guard", async () => {
    const url = await freshRedisDb();
    const connection = await openRedisConnection(url);
    const check = new Redis(url);
    try {
      const writer = new RedisOnlineWriter(connection);
      const row = (id: string, eventUs: number, x: number) => ({
        keys: [id],
        features: [x, `s${x}`],
        eventUs,
        createdUs: null,
      });
      await writer.write(target, [row("1", 100, 1), row("9007199254740993", 100, 2)]);
      await check.script("FLUSH");
      await writer.write(target, [row("1", 200, 3)]);
      await check.script("FLUSH");
      await writer.write(target, [row("1", 150, 4)]); // older: must not win
      expect(await check.hgetall('fsops:scripts:v:["1"]')).toEqual({
        __event_ts: "200",
        x: "3",
        s: '"s3"',
      });
      // int64 keys beyond 2^53 stay exact text.
      expect(await check.hget('fsops:scripts:v:["9007199254740993"]', "x")).toBe("2");
    } finally {
      check.disconnect();
      await connection.close();
    }
  });
});
