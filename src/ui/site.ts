import { redactSecrets } from "../config/redact.js";
import { buildCatalog } from "./catalog.js";
import type { ProjectSnapshot } from "./catalog.js";
import { escapeHtml } from "./html.js";
import { renderSite } from "./pages.js";
import type { Site } from "./pages.js";

/**
 * The site for a set of snapshots, with every secret of the projects' configurations masked in
 * every file: the last line of defence, whatever a spec or a history entry happens to quote.
 */
export function buildSite(
  snapshots: readonly ProjectSnapshot[],
  secrets: readonly string[],
  live: boolean,
): Site {
  const site = renderSite(buildCatalog(snapshots), { live });
  if (secrets.length === 0) return site;
  // Pages hold text HTML-escaped (and JSON-escaped inside specs): mask those forms of a secret too.
  const forms = secrets.flatMap((s) => [s, escapeHtml(s), escapeHtml(JSON.stringify(s).slice(1, -1))]);
  const clean: Site = new Map();
  for (const [path, text] of site) clean.set(path, redactSecrets(text, forms));
  return clean;
}
