/**
 * takeOverLock on real files: a dead holder's lock is removed only if it still holds the text
 * judged gone, one taker at a time; a breaker left by a taker that died is stepped over, never
 * removed while the lock may still hold that text.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { holderFields, ownIdentity, takeOverLock } from "../../src/infra/lock-holder.js";

const linux = existsSync("/proc/self/ns/pid");
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder with `lock` holding `text`; the breaker series' base name for that text. */
function setUp(text: string) {
  const dir = mkdtempSync(join(tmpdir(), "fsops-takeover-"));
  dirs.push(dir);
  const lock = join(dir, "x.lock");
  writeFileSync(lock, text);
  const series = `${lock}.break.${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
  return { dir, lock, series };
}

const deadHolder = () =>
  JSON.stringify({
    host: hostname(),
    pid: spawnSync(process.execPath, ["-e", ""]).pid!,
    ...(ownIdentity() ? { process: ownIdentity() } : {}),
  });

describe.runIf(linux)("takeOverLock", () => {
  it("removes the lock when it still holds the judged text, and leaves no breaker", async () => {
    const { dir, lock } = setUp("dead");
    expect(await takeOverLock(lock, "dead")).toBe("removed");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("leaves a lock that changed hands since it was judged", async () => {
    const { dir, lock } = setUp("live");
    expect(await takeOverLock(lock, "dead")).toBe("changed");
    expect(readFileSync(lock, "utf8")).toBe("live");
    expect(readdirSync(dir)).toEqual(["x.lock"]);
  });

  it("is busy while a live process holds the breaker, and touches nothing", async () => {
    const { dir, lock, series } = setUp("dead");
    writeFileSync(`${series}.0`, JSON.stringify(holderFields()));
    expect(await takeOverLock(lock, "dead")).toBe("busy");
    expect(readdirSync(dir).sort()).toEqual(["x.lock", `x.lock.break.${series.split(".break.")[1]}.0`]);
  });

  it("steps over breakers left by takers that died, then removes the lock and every breaker", async () => {
    const { dir, lock, series } = setUp("dead");
    writeFileSync(`${series}.0`, deadHolder());
    writeFileSync(`${series}.1`, deadHolder());
    expect(await takeOverLock(lock, "dead")).toBe("removed");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("is busy when a live taker stepped over a dead one's breaker first", async () => {
    const { lock, series } = setUp("dead");
    writeFileSync(`${series}.0`, deadHolder());
    writeFileSync(`${series}.1`, JSON.stringify(holderFields()));
    expect(await takeOverLock(lock, "dead")).toBe("busy");
    expect(readFileSync(lock, "utf8")).toBe("dead");
  });
});
