/**
 * The registry browser's list page in a real browser: Debian's Chromium opens objects.html of
 * an exported site (built untimed in `prepare`) and the run is the page load until the `load`
 * event, scripts included. The summary is the browser's own navigation timing.
 */
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "playwright-core";
import { exportSite } from "../../src/ui/export.js";
import { buildSite } from "../../src/ui/site.js";
import { launchBrowser } from "../../test/ui/browser.js";
import { syntheticSnapshot } from "../lib/ui-registry.js";
import type { JsonValue, Workload } from "../lib/types.js";

interface Prepared {
  browser: Browser;
  page: Page;
  url: string;
  buildMs: number;
}

const workload: Workload<Prepared> = {
  async prepare(args: JsonValue) {
    const { views, workDir } = args as { views: number; workDir: string };
    const started = performance.now();
    const site = buildSite([syntheticSnapshot("bench", views, 10)], [], false);
    const dir = await mkdtemp(path.join(workDir, "ui-site-"));
    exportSite(site, path.join(dir, "site"));
    const buildMs = performance.now() - started;
    const browser = await launchBrowser();
    const page = await browser.newPage();
    return { browser, page, url: pathToFileURL(path.join(dir, "site", "objects.html")).href, buildMs };
  },
  async run(p) {
    await p.page.goto(p.url, { waitUntil: "load" });
    const loadMs = await p.page.evaluate<number>('performance.getEntriesByType("navigation")[0].duration');
    const rows = await p.page.locator("#objects-table .chunk > .row").count();
    return { rows, loadMs: Math.round(loadMs), buildMs: Math.round(p.buildMs) };
  },
  async teardown(p) {
    await p.browser.close();
  },
};

export default workload;
