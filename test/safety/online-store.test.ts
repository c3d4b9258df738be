/**
 * Issue 10, the online store (items 6, 8, 9) and the registry locks around it (item 17), on real
 * Postgres: never touch what is not ours, never share a table, never a false "Nothing was changed".
 */
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, vi } from "vitest";
import { onlineTableName } from "../../src/infra/naming.js";
import { ownIdentity } from "../../src/infra/lock-holder.js";
import { freshDatabase } from "../services/index.js";
import { runCli, tempDir } from "../cli/helpers.js";
import { featuresTs, writeProject } from "./project.js";

vi.setConfig({ testTimeout: 180_000 });

async function query<T extends pg.QueryResultRow>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function tables(url: string): Promise<string[]> {
  const rows = await query<{ t: string }>(
    "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  return rows.map((r) => r.t);

  async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(sql)).rows;
    } finally {
      await client.end();
    }
  }
}

const onlinePg = (extra = "") => `online_store:\n  type: postgres\n  connection_string: \${ONLINE}\n${extra}`;

describe("a table fsops does not own (item 6)", () => {
  it("a user's same-named table: plan shows a conflict, apply refuses, the table keeps its rows", async () => {
    const url = await freshDatabase();
    await query(url, "CREATE TABLE public.own__stats (driver_id bigint PRIMARY KEY, note text)");
    await query(url, "INSERT INTO public.own__stats VALUES (1, 'keep me')");
    const dir = await writeProject(`project: own\n${onlinePg()}`);
    const env = { ONLINE: url };

    const plan = await runCli(["plan", dir], { env });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      "online store conflict: table public.own__stats (for view stats) exists and is not owned by fsops",
    );
    const apply = await runCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("online store conflict");
    expect(apply.stderr).toContain("Nothing was changed.");
    expect(await query(url, "SELECT note FROM public.own__stats")).toEqual([{ note: "keep me" }]);
    expect(await query(url, "SELECT obj_description('public.own__stats'::regclass) AS c")).toEqual([
      { c: null },
    ]);
  });

  it("a user's table shaped exactly like fsops's is still not taken over", async () => {
    const url = await freshDatabase();
    await query(
      url,
      `CREATE TABLE public.own__stats (driver_id bigint, conv_rate real, event_ts timestamptz, created_ts timestamptz, PRIMARY KEY (driver_id))`,
    );
    const dir = await writeProject(`project: own\n${onlinePg()}`);
    const apply = await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("exists and is not owned by fsops");
  });

  it("a table of ours replaced by a user's is neither rebuilt nor dropped (apply, destroy)", async () => {
    const url = await freshDatabase();
    const dir = await writeProject(`project: own\n${onlinePg()}`);
    const env = { ONLINE: url };
    expect((await runCli(["apply", dir, "--auto-approve"], { env })).code).toBe(0);
    await query(url, "DROP TABLE public.own__stats");
    await query(url, "CREATE TABLE public.own__stats (driver_id bigint PRIMARY KEY, note text)");
    await query(url, "INSERT INTO public.own__stats VALUES (1, 'mine')");
    // A dtype change would rebuild the table.
    await writeFile(join(dir, "features.ts"), featuresTs(["stats"], "float64"));
    const apply = await runCli(["apply", dir, "--auto-approve", "--allow-destroy"], { env });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("exists and is not owned by fsops");
    const destroyed = await runCli(["destroy", dir, "--auto-approve"], { env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await query(url, "SELECT note FROM public.own__stats")).toEqual([{ note: "mine" }]);
  });
});

describe("names never collide (item 8)", () => {
  it("a crafted view name equal to another view's shortened table name gets a table of its own", async () => {
    const url = await freshDatabase();
    const long = `long_${"x".repeat(58)}`;
    const shortened = onlineTableName("crafted", long);
    const crafted = shortened.slice("crafted__".length);
    expect(`crafted__${crafted}`).toBe(shortened);
    const dir = await writeProject(`project: crafted\n${onlinePg()}`, [long, crafted]);
    const apply = await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } });
    expect(apply.code, apply.stderr).toBe(0);
    const names = (await tables(url)).filter((t) => t.startsWith("crafted__"));
    expect(names).toHaveLength(2);
    expect(onlineTableName("crafted", crafted)).not.toBe(shortened);
  });

  it("two views whose shortened names collide (same prefix, same 8-digit hash) are a plan-time conflict", async () => {
    const url = await freshDatabase();
    // Found by brute force: sha256("p__" + name) starts with 62b8bb45 for both.
    const a = `${"k".repeat(51)}000000000tfs`;
    const b = `${"k".repeat(51)}000000001ixq`;
    expect(onlineTableName("p", a)).toBe(onlineTableName("p", b));
    const dir = await writeProject(`project: p\n${onlinePg()}`, [a, b]);
    const plan = await runCli(["plan", dir], { env: { ONLINE: url } });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(`views ${a} and ${b} both map to table public.${onlineTableName("p", a)}`);
    expect(await tables(url)).toEqual([]);
  });

  it("a table of another project sharing the schema is a conflict, and destroy leaves it alone", async () => {
    const url = await freshDatabase();
    const parent = await tempDir("fsops-safety-");
    const env = { ONLINE: url, REG: join(parent, "registry.json") };
    const a = await writeProject(`project: a\nregistry: \${REG}\n${onlinePg()}`, ["b__c"], {
      into: parent,
      name: "a",
    });
    expect((await runCli(["apply", a, "--auto-approve"], { env })).code).toBe(0);
    await query(url, 'INSERT INTO public."a__b__c" (driver_id, conv_rate) VALUES (7, 0.5)');
    // As if another project's (hashed) table name met ours: its marker names project a.
    await query(url, "CREATE TABLE public.other__stats (x int)");
    await query(url, "COMMENT ON TABLE public.other__stats IS 'fsops:a:stats'");
    const other = await writeProject(`project: other\nregistry: \${REG}\n${onlinePg()}`, ["stats", "more"], {
      into: parent,
      name: "other",
    });
    const plan = await runCli(["plan", other], { env });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      "table public.other__stats (for view stats) belongs to view stats of project a",
    );
    await writeFile(join(other, "features.ts"), featuresTs(["more"]));
    expect((await runCli(["apply", other, "--auto-approve"], { env })).code).toBe(0);
    const destroyed = await runCli(["destroy", other, "--auto-approve"], { env });
    expect(destroyed.code, destroyed.stderr).toBe(0);
    expect(await tables(url)).toEqual(["a__b__c", "other__stats"]);
    expect(await query(url, 'SELECT driver_id FROM public."a__b__c"')).toEqual([{ driver_id: "7" }]);
  });
});

/** The pid of a process that has exited (on this host). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid ?? 0;
  await new Promise((resolve) => child.on("exit", resolve));
  return pid;
}

/** A registry write lock file; `identity` is what fsops records beside host and pid (lock-holder.ts). */
function lockInfo(id: string, host: string, pid: number, identity: object | null = null): string {
  return JSON.stringify({
    ...(identity ? { process: identity } : {}),
    id,
    who: "crashed",
    host,
    pid,
    time: new Date().toISOString(),
    operation: "apply",
    project: "a",
  });
}

describe("the registry's commit lock and failures after DDL (item 9)", () => {
  it("a write lock left by a killed apply on this host does not block another project of the file", async () => {
    const url = await freshDatabase();
    const dir = await writeProject(`project: b\n${onlinePg()}`);
    const registry = join(dir, "data/registry.json");
    expect((await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } })).code).toBe(0);
    // As the killed apply wrote it: this host, boot and pid namespace.
    await writeFile(`${registry}.lock`, lockInfo("dead-apply", hostname(), await deadPid(), ownIdentity()));
    await writeFile(join(dir, "features.ts"), featuresTs(["stats", "more"]));
    const started = Date.now();
    const apply = await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } });
    expect(apply.code, apply.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(9_000 + 8_000);
    expect(apply.stdout).toContain("Apply complete: b is at serial 2.");
  });

  it("a write lock held elsewhere refuses the apply BEFORE any DDL, truthfully 'Nothing was changed.'", async () => {
    const url = await freshDatabase();
    const dir = await writeProject(`project: b\n${onlinePg()}`);
    const registry = join(dir, "data/registry.json");
    await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } });
    await writeFile(`${registry}.lock`, lockInfo("live-elsewhere", "another-host", 4242));
    await writeFile(join(dir, "features.ts"), featuresTs(["stats", "more"]));
    const apply = await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } });
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("registry is locked by crashed@another-host");
    expect(apply.stderr).toContain(`fsops force-unlock live-elsewhere ${dir}`);
    expect(apply.stderr).toContain("Nothing was changed.");
    expect(await tables(url)).toEqual(["b__stats"]);
    // The hint's command works from anywhere, and then the apply goes through.
    const unlocked = await runCli(["force-unlock", "live-elsewhere", dir], {
      cwd: "/",
      env: { ONLINE: url },
    });
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect((await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } })).code).toBe(0);
    expect(await tables(url)).toEqual(["b__more", "b__stats"]);
  });

  it("a registry commit failing after the DDL says what ran and that a re-run repairs it", async () => {
    const url = await freshDatabase();
    const env = { ONLINE: url, REG: url };
    const dir = await writeProject(`project: after\nregistry: \${REG}\n${onlinePg()}`);
    expect((await runCli(["apply", dir, "--auto-approve"], { env })).code).toBe(0);
    await query(
      url,
      `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'history is read-only today'; END $$`,
    );
    await query(
      url,
      "CREATE TRIGGER refuse BEFORE INSERT ON fsops_history FOR EACH ROW EXECUTE FUNCTION refuse()",
    );
    await writeFile(join(dir, "features.ts"), featuresTs(["stats", "more"]));
    const failed = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("history is read-only today");
    expect(failed.stderr).not.toContain("Nothing was changed");
    expect(failed.stderr).not.toContain("The registry was not changed.");
    expect(failed.stderr).toContain(
      "The online store was changed (1 action: create_table public.after__more); the registry was not. Re-run fsops apply to finish.",
    );
    expect(failed.stderr).toContain(`hint: re-run fsops apply ${dir} to finish`);
    expect(await tables(url)).toContain("after__more");
    await query(url, "DROP TRIGGER refuse ON fsops_history");
    const rerun = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(rerun.code, rerun.stderr).toBe(0);
    const plan = await runCli(["plan", dir, "--detailed-exitcode"], { env });
    expect(plan.code, plan.stdout).toBe(0);
  });

  it("a Postgres-registry row held by another connection: apply gives up after lock_timeout, before any DDL", async () => {
    const url = await freshDatabase();
    const env = { ONLINE: url, REG: url };
    const dir = await writeProject(`project: rowlock\nregistry: \${REG}\n${onlinePg()}`);
    expect((await runCli(["apply", dir, "--auto-approve"], { env })).code).toBe(0);
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT * FROM fsops_state WHERE project = 'rowlock' FOR UPDATE");
      await writeFile(join(dir, "features.ts"), featuresTs(["stats", "more"]));
      const started = Date.now();
      const apply = await runCli(["apply", dir, "--auto-approve"], { env });
      const waited = Date.now() - started;
      expect(apply.code).toBe(1);
      expect(apply.stderr).toContain(
        "another connection holds a row of the registry tables; gave up after waiting 10s (lock_timeout)",
      );
      expect(apply.stderr).toContain("Nothing was changed.");
      expect(waited).toBeGreaterThan(9_000);
      expect(await tables(url)).not.toContain("rowlock__more");
    } finally {
      await holder.query("ROLLBACK").catch(() => {});
      await holder.end();
    }
  });
});

describe("small ones (item 17)", () => {
  it("a scheme-like registry typo is an error, not a file path", async () => {
    for (const yaml of ["registry: s3:/bucket/key.json", "registry:\n  path: s3:/bucket/key.json"]) {
      const dir = await writeProject(`project: typo\n${yaml}\n`);
      const r = await runCli(["apply", dir, "--auto-approve"]);
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(
        /fsops\.yaml:\d+:\d+.*"s3:" looks like a URL scheme without "\/\/"/,
      );
      await expect(readFile(join(dir, "s3:/bucket/key.json"), "utf8")).rejects.toThrow();
    }
  });

  it("a missing project folder says so", async () => {
    const parent = await tempDir("fsops-safety-");
    const r = await runCli(["plan", join(parent, "nope")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`project folder ${join(parent, "nope")} does not exist`);
  });

  it("one rebuild change is worded in the singular", async () => {
    const url = await freshDatabase();
    const dir = await writeProject(`project: words\n${onlinePg()}`);
    expect((await runCli(["apply", dir, "--auto-approve"], { env: { ONLINE: url } })).code).toBe(0);
    await writeFile(join(dir, "features.ts"), featuresTs(["stats"], "float64"));
    const plan = await runCli(["plan", dir], { env: { ONLINE: url } });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Warning: 1 change that rebuilds online data[.,]/);
    expect(plan.stdout).not.toContain("1 change that rebuild ");
  });
});
