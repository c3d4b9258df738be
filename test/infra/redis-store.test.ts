import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Json } from "../../src/model/json.js";
import type { DesiredObject } from "../../src/model/spec.js";
import { OnlineStoreError } from "../../src/infra/errors.js";
import { openOnlineStore } from "../../src/infra/open-online-store.js";
import type { OnlineStoreProvisioner } from "../../src/infra/provisioner.js";
import { metaValue } from "../../src/infra/plan-redis.js";
import { desiredLayouts } from "../../src/infra/layout.js";
import { freshRedisDb, hasService, services, uniqueName } from "../services/index.js";
import { desiredState, driverStats, entity, featureView } from "./fixtures.js";

interface Flavour {
  name: string;
  connectionString(): Promise<string>;
  /** A plain client to seed and inspect keys (cluster: routes by slot). */
  client(cs: string): Redis | Cluster;
  masters(c: Redis | Cluster): Redis[];
}

const flavours: Flavour[] = [
  ...(hasService("redis")
    ? [
        {
          name: "standalone",
          connectionString: () => freshRedisDb(),
          client: (cs: string) => new Redis(cs),
          masters: (c: Redis | Cluster) => [c as Redis],
        },
      ]
    : []),
  ...(hasService("redis-cluster")
    ? [
        {
          name: "cluster",
          connectionString: () =>
            Promise.resolve(
              `redis+cluster://${services()
                .redisCluster.nodes.map((n) => `${n.host}:${n.port}`)
                .join(",")}`,
            ),
          client: () => new Cluster(services().redisCluster.nodes),
          masters: (c: Redis | Cluster) => (c as Cluster).nodes("master"),
        },
      ]
    : []),
];

describe.each(flavours)("Redis online store ($name)", (flavour) => {
  let cs: string;
  let store: OnlineStoreProvisioner;
  let raw: Redis | Cluster;

  beforeAll(async () => {
    cs = await flavour.connectionString();
    store = await openOnlineStore({ type: "redis", connectionString: cs });
    raw = flavour.client(cs);
  });
  afterAll(async () => {
    await store?.close();
    raw?.disconnect();
  });

  async function keys(pattern: string): Promise<string[]> {
    const out: string[] = [];
    for (const node of flavour.masters(raw)) {
      let cursor = "0";
      do {
        const [next, page] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        cursor = next;
        out.push(...page);
      } while (cursor !== "0");
    }
    return out.sort();
  }

  async function seed(prefix: string, n: number): Promise<void> {
    // A cluster pipeline must stay in one slot: send concurrent single commands instead.
    for (let start = 0; start < n; start += 500) {
      const batch = Array.from({ length: Math.min(500, n - start) }, (_, i) => start + i);
      await Promise.all(batch.map((i) => raw.hset(`${prefix}${i}`, "f", String(i))));
    }
  }

  async function converge(project: string, objects: DesiredObject[], recorded: Json = null) {
    const plan = await store.plan(project, desiredState(project, objects), recorded);
    await store.apply(project, plan.actions);
    return plan;
  }

  /** Keys of another project, a project whose name extends this one, and keys fsops does not own. */
  async function bystanders(project: string): Promise<string[]> {
    const list = [
      `fsops:${project}x:driver_stats:1`,
      `fsops:other_${project}:driver_stats:1`,
      `driver_stats:1`,
      `fsops:${project}`,
      `x:fsops:${project}:driver_stats:1`,
    ];
    for (const k of list) await raw.set(k, "keep");
    return list;
  }

  async function stillThere(list: string[]): Promise<void> {
    for (const k of list) expect(await raw.get(k), k).toBe("keep");
  }

  it("records each view's schema in the meta hash, then plans nothing", async () => {
    const project = uniqueName("p");
    const v1 = await converge(project, driverStats());
    const layout = desiredLayouts(desiredState(project, driverStats())).get("driver_stats")!;
    expect(await raw.hgetall(`fsops:${project}:__meta`)).toEqual({ driver_stats: metaValue(layout) });
    expect(JSON.parse(metaValue(layout))).toMatchObject({ keys: [{ name: "driver_id", dtype: "int64" }] });
    expect((await store.plan(project, desiredState(project, driverStats()), v1.record)).actions).toEqual([]);
  });

  it("rebuild deletes only that view's keys (spread over every master) and rewrites its meta", async () => {
    const project = uniqueName("p");
    const v1 = await converge(project, [...driverStats(), featureView("trips", ["driver"], { n: "int64" })]);
    await seed(`fsops:${project}:driver_stats:`, 2500);
    await seed(`fsops:${project}:trips:`, 10);
    const others = await bystanders(project);
    if (flavour.name === "cluster") {
      // The keys really are spread: every master holds some.
      for (const node of flavour.masters(raw)) {
        const [, page] = await node.scan("0", "MATCH", `fsops:${project}:driver_stats:*`, "COUNT", 10000);
        expect(page.length).toBeGreaterThan(0);
      }
    }
    const v2 = await converge(
      project,
      [
        ...driverStats({}, { conv_rate: "float64", acc_rate: "float32" }),
        featureView("trips", ["driver"], { n: "int64" }),
      ],
      v1.record,
    );
    expect(v2.actions.map((a) => `${a.action} ${a.impact}`)).toEqual([
      "delete_keys rebuild",
      "write_meta safe",
    ]);
    expect(await keys(`fsops:${project}:driver_stats:*`)).toEqual([]);
    expect(await keys(`fsops:${project}:trips:*`)).toHaveLength(10);
    await stillThere(others);
    expect(JSON.parse((await raw.hget(`fsops:${project}:__meta`, "driver_stats")) ?? "{}")).toMatchObject({
      features: [
        { name: "conv_rate", dtype: "float64" },
        { name: "acc_rate", dtype: "float32" },
      ],
    });
  });

  it("deleting a view (or taking it offline) removes its keys and meta field, nothing else", async () => {
    const project = uniqueName("p");
    const both = [...driverStats(), featureView("trips", ["driver"], { n: "int64" })];
    const v1 = await converge(project, both);
    await seed(`fsops:${project}:driver_stats:`, 300);
    await seed(`fsops:${project}:trips:`, 300);
    const others = await bystanders(project);
    const v2 = await converge(
      project,
      [...driverStats({ online: false }), featureView("trips", ["driver"], { n: "int64" })],
      v1.record,
    );
    expect(v2.actions.map((a) => `${a.action} ${a.impact}: ${a.reason}`)).toEqual([
      "delete_keys destructive: online: false",
    ]);
    expect(await keys(`fsops:${project}:driver_stats:*`)).toEqual([]);
    expect(Object.keys(await raw.hgetall(`fsops:${project}:__meta`))).toEqual(["trips"]);
    const v3 = await converge(project, [entity("driver", ["driver_id"])], v2.record);
    expect(v3.actions.map((a) => a.reason)).toEqual(["view deleted"]);
    expect(await keys(`fsops:${project}:*`)).toEqual([]);
    await stillThere(others);
  });

  it("view names Feast allows (glob characters, upper case) are escaped in SCAN MATCH: deleting one touches no other", async () => {
    const project = uniqueName("p");
    const views = ["V*", "Vx", "V[1]", "V1", "V?"];
    const all = views.map((v) => featureView(v, ["driver"], { n: "int64" }));
    const v1 = await converge(project, [entity("driver", ["driver_id"]), ...all]);
    for (const v of views) await seed(`fsops:${project}:${v}:`, 20);
    const v2 = await converge(
      project,
      [
        entity("driver", ["driver_id"]),
        ...all.filter((o) => o.name !== "V*" && o.name !== "V[1]" && o.name !== "V?"),
      ],
      v1.record,
    );
    expect(v2.actions.map((a) => a.reason)).toEqual(["view deleted", "view deleted", "view deleted"]);
    for (const gone of ["V*", "V[1]", "V?"])
      expect(await raw.exists(`fsops:${project}:${gone}:0`), gone).toBe(0);
    for (const kept of ["Vx", "V1"]) {
      for (let i = 0; i < 20; i++) expect(await raw.exists(`fsops:${project}:${kept}:${i}`), kept).toBe(1);
    }
  });

  it("repairs drift: a meta hash deleted by hand, keys of a view nothing records", async () => {
    const project = uniqueName("p");
    const v1 = await converge(project, driverStats());
    await raw.del(`fsops:${project}:__meta`);
    await seed(`fsops:${project}:ghost:`, 50);
    const others = await bystanders(project);
    const plan = await store.plan(project, desiredState(project, driverStats()), v1.record);
    expect(plan.actions.map((a) => `${a.action} ${a.target}: ${a.reason}`)).toEqual([
      `write_meta fsops:${project}:__meta[driver_stats]: drift: meta missing`,
      `delete_keys fsops:${project}:ghost:*: drift: view not in registry`,
    ]);
    await store.apply(project, plan.actions);
    expect((await store.plan(project, desiredState(project, driverStats()), v1.record)).actions).toEqual([]);
    await stillThere(others);
  });

  it("destroy removes every key of the project, meta included, and nothing else", async () => {
    const project = uniqueName("p");
    const v1 = await converge(project, [...driverStats(), featureView("trips", ["driver"], { n: "int64" })]);
    await seed(`fsops:${project}:driver_stats:`, 1200);
    await seed(`fsops:${project}:trips:`, 5);
    const others = await bystanders(project);
    const ran = await store.planDestroy(project, v1.record);
    await store.apply(project, ran);
    expect(ran.map((a) => a.target)).toEqual([`fsops:${project}:*`]);
    expect(await keys(`fsops:${project}:*`)).toEqual([]);
    await stillThere(others);
  });

  it("refuses statements outside the project's prefix before running any", async () => {
    const project = uniqueName("p");
    const victim = uniqueName("victim");
    await raw.set(`fsops:${victim}:v:1`, "keep");
    const plan = await converge(project, driverStats());
    await seed(`fsops:${project}:v:`, 3);
    const foreign = {
      ...plan.actions[0]!,
      action: "delete_keys" as const,
      statements: [`SCAN MATCH "fsops:${victim}:*" COUNT 1000, UNLINK each batch (every master)`],
    };
    const own = {
      ...foreign,
      statements: [`SCAN MATCH "fsops:${project}:v:*" COUNT 1000, UNLINK each batch (every master)`],
    };
    await expect(store.apply(project, [own, foreign])).rejects.toThrow(/refusing a Redis statement outside/);
    expect(await raw.get(`fsops:${victim}:v:1`)).toBe("keep");
    expect(await keys(`fsops:${project}:v:*`)).toHaveLength(3);
  });
});

describe("Redis connection strings", () => {
  it("masks the password in the location and in connection errors", async () => {
    for (const cs of [
      "redis://user:s3cr3t-pw@127.0.0.1:1/0",
      "redis+cluster://:s3cr3t-pw@127.0.0.1:1,127.0.0.1:2",
    ]) {
      const err = await openOnlineStore({ type: "redis", connectionString: cs }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OnlineStoreError);
      expect((err as Error).message).not.toContain("s3cr3t");
      expect((err as Error).message).toContain("***");
    }
  });

  it.runIf(hasService("redis"))(
    "reports the location of a reachable server (an empty password has nothing to mask)",
    async () => {
      const { host, port } = services().redis;
      const store = await openOnlineStore({
        type: "redis",
        connectionString: `redis://default:@${host}:${port}/0`,
      });
      try {
        expect(store.location).toBe(`redis://default:@${host}:${port}/0`);
      } finally {
        await store.close();
      }
    },
  );

  it("rejects a string that is neither form, without echoing the password", async () => {
    const err = await openOnlineStore({ type: "redis", connectionString: "http://u:topsecret@h:1" }).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/expected redis:\/\/host:port/);
    expect((err as Error).message).not.toContain("topsecret");
  });
});
