import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { Daemon, ServiceStartError, freePort, redisCommand, run, waitUntil } from "./process.js";
import type { StartedService } from "./service.js";
import type { RedisClusterInfo, RedisInfo } from "./types.js";
import { REDIS_DATABASES } from "./redis-databases.js";

function redisArgs(port: number, dir: string): string[] {
  return [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--daemonize",
    "no",
    "--protected-mode",
    "no",
  ];
}

async function stopAll(daemons: Daemon[], dir: string): Promise<void> {
  await Promise.all(daemons.map((d) => d.kill()));
  rmSync(dir, { recursive: true, force: true });
}

export async function startRedis(binaries: Binaries, dir: string): Promise<StartedService<RedisInfo>> {
  mkdirSync(dir);
  const port = await freePort();
  const daemon = new Daemon(
    "redis-server",
    binaries.find("redis-server"),
    [...redisArgs(port, dir), "--databases", String(REDIS_DATABASES)],
    join(dir, "redis.log"),
  );
  try {
    await waitUntil("redis", "PING", async () => (await redisCommand(port, ["PING"])) === "PONG", {
      watch: [daemon],
    });
  } catch (error) {
    await stopAll([daemon], dir);
    throw error;
  }
  return {
    info: { url: `redis://127.0.0.1:${port}`, host: "127.0.0.1", port },
    pids: daemon.pid ? [daemon.pid] : [],
    stop: () => stopAll([daemon], dir),
  };
}

/** Three masters, no replicas: the smallest cluster `redis-cli --cluster create` accepts. */
export async function startRedisCluster(
  binaries: Binaries,
  dir: string,
): Promise<StartedService<RedisClusterInfo>> {
  mkdirSync(dir);
  const daemons: Daemon[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      // The cluster bus listens on port + 10000.
      let port = await freePort(10_000);
      while (ports.includes(port)) port = await freePort(10_000);
      ports.push(port);
      const nodeDir = join(dir, `node-${port}`);
      mkdirSync(nodeDir);
      daemons.push(
        new Daemon(
          `redis-server (cluster node ${port})`,
          binaries.find("redis-server"),
          [
            ...redisArgs(port, nodeDir),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            join(nodeDir, "nodes.conf"),
            "--cluster-node-timeout",
            "5000",
          ],
          join(nodeDir, "redis.log"),
        ),
      );
    }
    for (const [i, port] of ports.entries()) {
      await waitUntil(
        "redis-cluster",
        `PING on ${port}`,
        async () => (await redisCommand(port, ["PING"])) === "PONG",
        {
          watch: [daemons[i]!],
        },
      );
    }
    try {
      await run(binaries.find("redis-cli"), [
        "--cluster",
        "create",
        ...ports.map((p) => `127.0.0.1:${p}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ]);
    } catch (error) {
      throw new ServiceStartError("redis-cluster", (error as Error).message);
    }
    for (const port of ports) {
      await waitUntil(
        "redis-cluster",
        `cluster_state:ok on ${port}`,
        async () => (await redisCommand(port, ["CLUSTER", "INFO"])).includes("cluster_state:ok"),
        { watch: daemons },
      );
    }
  } catch (error) {
    await stopAll(daemons, dir);
    throw error;
  }
  return {
    info: { nodes: ports.map((port) => ({ host: "127.0.0.1", port })) },
    pids: daemons.flatMap((d) => (d.pid ? [d.pid] : [])),
    stop: () => stopAll(daemons, dir),
  };
}
