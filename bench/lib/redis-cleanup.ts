/**
 * Issue 4's Redis clean-up, as two workloads that differ only in who deletes the keys:
 *
 * - "fsops": the view is deleted from the definitions; the provisioner's plan (introspected
 *   meta, the registry's record) yields the `delete_keys` action, and the timed run is
 *   `openOnlineStore` + `apply` of exactly that action (SCAN MATCH + UNLINK in batches) + close.
 * - "plain": the same SCAN MATCH COUNT 1000 + UNLINK loop written directly with ioredis: the
 *   floor of a non-blocking clean-up.
 *
 * Before each run (untimed) the database is refilled: the project's meta hash, 1,000,000 hashes
 * of the view (redis-cli --pipe), and bystanders that must survive (another view of the
 * project, another project's view of the same name, keys fsops does not own). A second
 * connection on its own thread samples PING latency during the run; Redis's slow log records
 * the longest command the server ran (the server-side blocking time).
 */
import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { openOnlineStore } from "../../src/infra/open-online-store.js";
import { redisViewPattern } from "../../src/infra/naming.js";
import { planInfra } from "../../src/infra/plan-infra.js";
import type { OnlineStoreProvisioner } from "../../src/infra/provisioner.js";
import type { InfraAction } from "../../src/model/plan.js";
import type { DesiredState } from "../../src/model/spec.js";
import { desiredStateOf } from "./desired.js";
import { Pinger } from "./pinger.js";
import type { PingStats } from "./pinger.js";
import { treeCpuMs } from "./proc-cpu.js";
import type { JsonValue, Workload } from "./types.js";

export interface RedisCleanupArgs {
  url: string;
  host: string;
  port: number;
  project: string;
  /** Repo whose online views are all applied (the view to delete included). */
  beforeDir: string;
  /** The same repo without the view. */
  afterDir: string;
  view: string;
  keys: number;
  bystandersPerGroup: number;
  serverPids: number[];
}

export interface RedisCleanupState extends RedisCleanupArgs {
  before: DesiredState;
  after: DesiredState;
  actions: InfraAction[];
  pinger: Pinger | null;
  during: Promise<PingStats> | null;
  idle: PingStats | null;
  seedMs: number;
}

const store = (url: string): Promise<OnlineStoreProvisioner> =>
  openOnlineStore({ type: "redis", connectionString: url });

/** HSETs in the Redis protocol, streamed to `redis-cli --pipe` (the fast bulk load). */
async function pipeHashes(host: string, port: number, prefix: string, n: number): Promise<void> {
  const child = spawn("redis-cli", ["-h", host, "-p", String(port), "--pipe"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const done = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const bulk = (s: string): string => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;
  const fields = ["f_0", "0.5", "f_1", "42", "f_2", "gold", "event_ts", "1700000000"];
  const tail = fields.map(bulk).join("");
  const head = `*${2 + fields.length}\r\n${bulk("HSET")}`;
  for (let start = 0; start < n; start += 10_000) {
    let chunk = "";
    for (let i = start; i < Math.min(n, start + 10_000); i++) chunk += head + bulk(`${prefix}${i}`) + tail;
    if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once("drain", r));
  }
  child.stdin.end();
  const code = await done;
  if (code !== 0 || !/errors: 0, replies: (\d+)/.test(out)) {
    throw new Error(`redis-cli --pipe failed (exit ${code}): ${out.trim().slice(-300)}`);
  }
  const replies = Number(/replies: (\d+)/.exec(out)?.[1]);
  if (replies !== n) throw new Error(`redis-cli --pipe: ${replies} replies for ${n} HSETs`);
}

async function countMatching(client: Redis, pattern: string): Promise<number> {
  let n = 0;
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
    cursor = next;
    n += keys.length;
  } while (cursor !== "0");
  return n;
}

const bystanderPatterns = (a: RedisCleanupArgs): string[] => [
  // Another view of the same project, another project's view of the same name, not fsops's.
  `fsops:${a.project}:fv_00001:*`,
  `fsops:other_project:${a.view}:*`,
  `app:${a.project}:${a.view}:*`,
];

export function redisCleanupWorkload(kind: "fsops" | "plain"): Workload<RedisCleanupState> {
  return {
    async prepare(args: JsonValue) {
      const a = args as unknown as RedisCleanupArgs;
      return {
        ...a,
        before: await desiredStateOf(a.beforeDir, a.project),
        after: await desiredStateOf(a.afterDir, a.project),
        actions: [],
        pinger: null,
        during: null,
        idle: null,
        seedMs: 0,
      };
    },

    async reset(p) {
      const client = new Redis(p.url);
      try {
        // The bench's own server, started for this run: nothing else lives in it.
        await client.flushdb();
        const s = await store(p.url);
        try {
          // Apply every online view of the repo (writes the meta hash), as `fsops apply` would.
          const applied = await s.plan(p.project, p.before, null);
          await s.apply(p.project, applied.actions);
          const t0 = performance.now();
          await pipeHashes(p.host, p.port, `fsops:${p.project}:${p.view}:`, p.keys);
          const by = client.pipeline();
          for (const pattern of bystanderPatterns(p)) {
            for (let i = 0; i < p.bystandersPerGroup; i++) by.hset(pattern.replace("*", String(i)), "x", "1");
          }
          await by.exec();
          p.seedMs = performance.now() - t0;
          // The view deleted from the definitions: plan against the meta hash and the record.
          // Keys are not scanned here (that is `fsops plan`'s cost, not the clean-up's).
          const actual = await s.introspect(p.project, { scanKeys: false });
          p.actions = planInfra(p.project, p.after, applied.record, actual, "redis").actions;
        } finally {
          await s.close();
        }
        const target = redisViewPattern(p.project, p.view);
        if (
          p.actions.length !== 1 ||
          p.actions[0]?.action !== "delete_keys" ||
          p.actions[0].target !== target
        ) {
          throw new Error(
            `expected one delete_keys of ${target}, planned: ${p.actions.map((x) => `${x.action} ${x.target}`).join(", ")}`,
          );
        }
        await client.config("SET", "slowlog-log-slower-than", "1000");
        await client.config("SET", "slowlog-max-len", "10000");
        await client.slowlog("RESET");
      } finally {
        client.disconnect();
      }
      p.pinger = await Pinger.start(p.host, p.port);
      // What the same sampling sees with Redis idle: the machine's own noise.
      p.pinger.begin();
      await new Promise((r) => setTimeout(r, 1000));
      p.idle = await p.pinger.end();
    },

    async run(p): Promise<JsonValue> {
      p.pinger!.begin();
      if (kind === "fsops") {
        const s = await store(p.url);
        try {
          await s.apply(p.project, p.actions);
        } finally {
          await s.close();
        }
      } else {
        const client = new Redis(p.url);
        try {
          const pattern = redisViewPattern(p.project, p.view);
          let cursor = "0";
          do {
            const [next, keys] = await client.scan(cursor, "MATCH", pattern, "COUNT", 1000);
            cursor = next;
            if (keys.length > 0) await client.unlink(...keys);
          } while (cursor !== "0");
        } finally {
          client.disconnect();
        }
      }
      // Collected untimed, in `check`.
      p.during = p.pinger!.end();
      return { kind };
    },

    async check(p, summary) {
      const ping = await p.during!;
      await p.pinger!.close();
      p.pinger = null;
      const client = new Redis(p.url);
      try {
        const slow = (await client.slowlog("GET", 10000)) as [number, number, number, string[]][];
        let slowest: { ms: number; command: string } = { ms: 0, command: "" };
        for (const [, , micros, argv] of slow) {
          if (micros / 1000 > slowest.ms)
            slowest = { ms: micros / 1000, command: argv.slice(0, 3).join(" ") };
        }
        await client.config("SET", "slowlog-log-slower-than", "10000");
        const left = await countMatching(client, redisViewPattern(p.project, p.view));
        let kept = 0;
        for (const pattern of bystanderPatterns(p)) kept += await countMatching(client, pattern);
        const meta = await client.exists(`fsops:${p.project}:__meta`);
        return {
          ...(summary as Record<string, JsonValue>),
          keys: p.keys,
          viewKeysLeft: left,
          bystandersKept: kept,
          bystanders: p.bystandersPerGroup * bystanderPatterns(p).length,
          metaKept: meta,
          seedMs: Math.round(p.seedMs),
          ping: { ...ping },
          idlePing: { ...p.idle! },
          slowCommands: slow.length,
          slowestCommandMs: slowest.ms,
          slowestCommand: slowest.command,
        };
      } finally {
        client.disconnect();
      }
    },

    externalCpuMs: ({ serverPids }) => treeCpuMs(serverPids),
  };
}
