/**
 * `fsops ui` in a real browser: the staging and production examples applied to real registries
 * (Postgres with a password in its URL, and a file), served live and exported, then read in
 * Debian's Chromium. Screenshots of the main pages land in test-results/ui/ for review.
 */
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { syntheticSnapshot } from "../../bench/lib/ui-registry.js";
import { exportSite } from "../../src/ui/export.js";
import { buildSite } from "../../src/ui/site.js";
import { REPO, copyExample, runCli, spawnCli, tempDir } from "../cli/helpers.js";
import { freshDatabase } from "../services/index.js";
import { launchBrowser, watchErrors } from "./browser.js";

vi.setConfig({ testTimeout: 120_000, hookTimeout: 300_000 });

const PASSWORD = "Ui-S3cret-pw-4711";
const SHOTS = join(REPO, "test-results", "ui");

let browser: Browser;
let root: string;
let staging: string;
let production: string;
let env: Record<string, string>;
let ui: ChildProcess;
let base: string;
let exported: string;

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)));
  }
  return out.sort();
}

async function waitForUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`fsops ui did not start: ${out}${err}`)), 60_000);
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /at (http:\/\/\S+) /.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on("exit", (code) => reject(new Error(`fsops ui exited with ${code}: ${out}${err}`)));
  });
}

beforeAll(async () => {
  root = await tempDir("fsops-ui-");
  staging = await copyExample("staging", root);
  production = await copyExample("production", root);
  const registry = new URL(await freshDatabase());
  registry.username = "postgres";
  registry.password = PASSWORD; // trust auth: accepted and ignored, so only masking is under test
  env = {
    FSOPS_STAGING_REGISTRY: registry.toString(),
    FSOPS_STAGING_ONLINE_PG: await freshDatabase(),
    FSOPS_PRODUCTION_ONLINE_PG: await freshDatabase(),
  };
  for (const dir of [staging, production]) {
    const r = await runCli(["apply", dir, "--auto-approve"], { env });
    expect(r.code, r.stderr).toBe(0);
  }
  ui = spawnCli(["ui", staging, production, "--port", "0", "--refresh", "1"], { env, cwd: root });
  base = await waitForUrl(ui);
  exported = join(root, "site");
  const r = await runCli(["ui", staging, production, "--export", exported], { env, cwd: root });
  expect(r.code, r.stderr).toBe(0);
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  ui?.kill("SIGTERM");
});

const PAGES = [
  ["overview", "index.html"],
  ["objects", "objects.html"],
  ["features", "features.html"],
  ["history", "history.html"],
  ["environments", "environments.html"],
  ["view", "p/driver_ranking_staging/feature_view/driver_hourly_stats.html"],
  ["service", "p/driver_ranking_staging/feature_service/driver_ranking_v2.html"],
] as const;

describe("fsops ui, served", () => {
  it("loads every main page without console errors and writes screenshots", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors = watchErrors(page);
    for (const [name, path] of PAGES) {
      const res = await page.goto(new URL(path, base).href);
      expect(res?.status(), path).toBe(200);
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    }
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows each project's masked registry, serial and counts", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("index.html", base).href);
    const text = await page.locator("main").innerText();
    expect(text).toContain("driver_ranking_staging");
    expect(text).toContain("driver_ranking_production");
    expect(text).toMatch(/postgresql:\/\/postgres:\*\*\*@/);
    expect(text).not.toContain(PASSWORD);
    expect(text).toMatch(/Serial\s+1/);
    expect(text).toMatch(
      /driver_ranking_staging[^]*2 Entities[^]*4 Feature views[^]*driver_ranking_production[^]*3 Feature views/,
    );
    await page.close();
  });

  it("search finds a feature, and the filters narrow the list", async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(new URL("features.html", base).href);
    const rows = page.locator("#features-table .chunk > .row");
    const all = await rows.count();
    await page.fill("input[type=search]", "acc_rate");
    const visible = page.locator("#features-table .chunk > .row:visible");
    const shown = await visible.count();
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(all);
    for (const text of await visible.allInnerTexts()) expect(text.toLowerCase()).toContain("acc_rate");
    await expect.poll(() => page.locator("output[name=count]").innerText()).toBe(`${shown} of ${all} shown`);
    await page.selectOption("select[name=project]", "driver_ranking_production");
    for (const text of await visible.allInnerTexts()) expect(text).toContain("driver_ranking_production");
    // The link goes to the view's page.
    await visible.first().locator("a").click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("driver_hourly_stats");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("filters objects by kind from a link on the overview", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("index.html", base).href);
    await page.locator("#proj-driver_ranking_staging ~ ul a", { hasText: "Feature services" }).click();
    const kinds = await page
      .locator("#objects-table .chunk > .row:visible span:nth-child(2)")
      .allInnerTexts();
    expect(kinds.length).toBe(3);
    expect(new Set(kinds)).toEqual(new Set(["Feature service"]));
    await page.close();
  });

  it("draws the lineage graph with the expected nodes and edges", async () => {
    const page = await browser.newPage();
    await page.goto(new URL(PAGES[5][1], base).href);
    const nodes = await page
      .locator("svg.lineage a.node")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    expect(new Set(nodes)).toEqual(
      new Set([
        "data_source:driver_hourly_stats_source",
        "entity:driver",
        "feature_view:driver_hourly_stats",
        "on_demand_feature_view:transformed_conv_rate",
        "feature_service:driver_ranking_v1",
        "feature_service:driver_ranking_v2",
        "feature_service:driver_ranking_v3",
      ]),
    );
    const edges = await page
      .locator("svg.lineage path.edge")
      .evaluateAll((els) => els.map((e) => `${e.getAttribute("data-from")} -> ${e.getAttribute("data-to")}`));
    expect(edges).toEqual(
      expect.arrayContaining([
        "data_source:driver_hourly_stats_source -> feature_view:driver_hourly_stats",
        "entity:driver -> feature_view:driver_hourly_stats",
        "feature_view:driver_hourly_stats -> on_demand_feature_view:transformed_conv_rate",
        "feature_view:driver_hourly_stats -> feature_service:driver_ranking_v1",
      ]),
    );
    expect(await page.locator("svg.lineage a.node.focus").getAttribute("data-id")).toBe(
      "feature_view:driver_hourly_stats",
    );
    // Every node is a link to its page, and the page's facts are there.
    await page.locator('svg.lineage a.node[data-id="entity:driver"]').click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("driver");
    await page.goBack();
    const facts = await page.locator("main dl").innerText();
    expect(facts).toMatch(/Defined at\s+driver_features\.ts:13/);
    expect(facts).toMatch(/Online\s+feature_serving\.driver_ranking_staging__driver_hourly_stats/);
    await page.close();
  });

  it("lists the staging-only objects on the environments page", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("environments.html", base).href);
    const onlyStaging = await page
      .locator(".comparison ul.only-left li")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    expect(onlyStaging).toEqual([
      "data_source:driver_customer_affinity_source",
      "feature_view:driver_customer_affinity",
      "feature_service:driver_ranking_v3",
    ]);
    expect(await page.locator(".comparison ul.only-right li").count()).toBe(0);
    await page.close();
  });

  it("is keyboard-navigable, fits a phone and follows dark mode", async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, colorScheme: "dark" });
    await page.goto(new URL(PAGES[5][1], base).href);
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("fsops registry");
    const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
    expect(overflow).toBeLessThanOrEqual(0);
    const bg = await page.evaluate<string>("getComputedStyle(document.body).backgroundColor");
    const [r, g, b] = (bg.match(/\d+/g) ?? []).map(Number);
    expect(r! + g! + b!).toBeLessThan(120);
    await page.screenshot({ path: join(SHOTS, "view-phone-dark.png"), fullPage: true });
    await page.close();
  });

  it("never serves a secret, on any page or asset", async () => {
    for (const path of await files(exported)) {
      const res = await fetch(new URL(path.split("\\").join("/"), base));
      expect(res.status, path).toBe(200);
      expect(await res.text(), path).not.toContain(PASSWORD);
    }
    for (const path of await files(exported)) {
      expect(await readFile(join(exported, path), "utf8"), path).not.toContain(PASSWORD);
    }
  });

  it("refreshes when an apply moves a registry", async () => {
    const page = await browser.newPage();
    await page.goto(new URL("history.html", base).href);
    expect(await page.locator("li.apply").count()).toBe(2);
    const file = join(staging, "driver_features.ts");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace("refreshed hourly.", "refreshed every hour."));
    const r = await runCli(["apply", staging, "--auto-approve"], { env });
    expect(r.code, r.stderr).toBe(0);
    // The page polls version.json and reloads itself; the server re-reads the registry every second.
    await expect.poll(() => page.locator("li.apply").count(), { timeout: 20_000 }).toBe(3);
    await page.goto(new URL("environments.html", base).href);
    expect(await page.locator('details.diff[data-id="feature_view:driver_hourly_stats"]').count()).toBe(1);
    await page.close();
  });
});

describe("fsops ui --export", () => {
  it("renders the same pages from file:// with working relative links", async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    for (const [, path] of PAGES) {
      await page.goto(pathToFileURL(join(exported, path)).href);
      expect(await page.locator("h1").count(), path).toBe(1);
    }
    await page.goto(pathToFileURL(join(exported, PAGES[5][1])).href);
    await page.locator("header nav a", { hasText: "Objects" }).click();
    expect(page.url()).toBe(pathToFileURL(join(exported, "objects.html")).href);
    await page.fill("input[type=search]", "driver_ranking_v3");
    expect(await page.locator("#objects-table .chunk > .row:visible").count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("works under a path prefix on another host", async () => {
    const prefix = "/teams/ml-platform/catalog/";
    const server: Server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      if (!path.startsWith(prefix)) return void res.writeHead(404).end();
      readFile(join(exported, path.slice(prefix.length) || "index.html"))
        .then((body) =>
          res
            .writeHead(200, {
              "content-type": path.endsWith(".css")
                ? "text/css"
                : path.endsWith(".js")
                  ? "text/javascript"
                  : "text/html",
            })
            .end(body),
        )
        .catch(() => res.writeHead(404).end());
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
    const page = await browser.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(`${origin}${prefix}index.html`);
      for (const label of ["Objects", "Features", "History", "Environments", "Overview"]) {
        await page.locator("header nav a", { hasText: label }).click();
        expect(page.url().startsWith(`${origin}${prefix}`)).toBe(true);
        expect(await page.locator("h1").innerText()).toBe(label);
      }
      await page.goto(`${origin}${prefix}objects.html`);
      await page.locator("#objects-table a", { hasText: "driver_ranking_v1" }).first().click();
      expect(await page.locator("h1").innerText()).toBe("driver_ranking_v1");
      await page.locator("header nav a", { hasText: "History" }).click();
      expect(page.url()).toBe(`${origin}${prefix}history.html`);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("a large registry", () => {
  it("renders the list page of 5,000 views (timing reported, not asserted)", async () => {
    const dir = await tempDir("fsops-ui-large-");
    const started = performance.now();
    const site = buildSite([syntheticSnapshot("large", 5000, 10)], [], false);
    exportSite(site, join(dir, "site"));
    const buildMs = performance.now() - started;
    const page = await browser.newPage();
    const errors = watchErrors(page);
    const loads: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(pathToFileURL(join(dir, "site", "objects.html")).href, { waitUntil: "load" });
      loads.push(await page.evaluate<number>('performance.getEntriesByType("navigation")[0].duration'));
    }
    expect(await page.locator("#objects-table .chunk > .row").count()).toBe(5000 * 2 + 10 + 100);
    await page.fill("input[type=search]", "view_4321");
    expect(await page.locator("#objects-table .chunk > .row:visible").count()).toBe(1);
    expect(errors).toEqual([]);
    console.log(
      `ui: 5,000 views (${site.size} files) built in ${Math.round(buildMs)} ms; objects.html loads in ${loads.map((l) => Math.round(l)).join(", ")} ms (best ${Math.round(Math.min(...loads))} ms)`,
    );
    await page.close();
  });
});
