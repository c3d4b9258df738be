import type { Json } from "../model/index.js";
import { splitId } from "../plan/references.js";
import { APP_JS, STYLE_CSS } from "./assets.js";
import type { Catalog, CatalogObject, CatalogProject } from "./catalog.js";
import { compareEnvironments, environmentPairs } from "./environments.js";
import type { EnvironmentComparison } from "./environments.js";
import { escapeHtml as h, pathSegment, relativeHref, renderPage } from "./html.js";
import type { PageShell } from "./html.js";
import { lineageOf, lineageSvg } from "./lineage.js";

/** The whole site: path inside the site → file content. */
export type Site = Map<string, string>;

/** Names the version file: the browser polls it when served live; an export carries it too. */
export const VERSION_FILE = "version.json";

export interface SiteOptions {
  live: boolean;
}

/** Renders every page of the registry browser. Pure: same catalog, same bytes. */
export function renderSite(catalog: Catalog, options: SiteOptions): Site {
  const site: Site = new Map();
  const page = (shell: Omit<PageShell, "live">) =>
    site.set(shell.path, renderPage({ ...shell, live: options.live }));

  page({ path: "index.html", title: "Overview", section: "overview", body: overviewBody(catalog) });
  page({ path: "objects.html", title: "Objects", section: "objects", body: objectsBody(catalog) });
  page({ path: "features.html", title: "Features", section: "features", body: featuresBody(catalog) });
  page({ path: "history.html", title: "History", section: "history", body: historyBody(catalog) });
  page({
    path: "environments.html",
    title: "Environments",
    section: "envs",
    body: environmentsBody(catalog),
  });
  for (const project of catalog.projects) {
    for (const o of project.objects) {
      const path = objectPath(o.project, o.kind, o.name);
      page({
        path,
        title: `${o.name} (${o.kind})`,
        section: "object",
        body: objectBody(catalog, project, o, path),
      });
    }
  }
  site.set("assets/style.css", STYLE_CSS);
  site.set("assets/app.js", APP_JS);
  site.set(VERSION_FILE, versionJson(catalog));
  return site;
}

/** What changes when any project's registry moves: the browser reloads when it differs. */
export function versionJson(catalog: Catalog): string {
  const projects: Record<string, number | null> = {};
  for (const p of catalog.projects) projects[p.snapshot.project] = p.snapshot.state?.serial ?? null;
  return `${JSON.stringify({ generator: "fsops ui", projects })}\n`;
}

export function objectPath(project: string, kind: string, name: string): string {
  return `p/${pathSegment(project)}/${pathSegment(kind)}/${pathSegment(name)}.html`;
}

const KIND_LABEL: Record<string, string> = {
  entity: "Entity",
  data_source: "Data source",
  feature_view: "Feature view",
  on_demand_feature_view: "On-demand feature view",
  stream_feature_view: "Stream feature view",
  feature_service: "Feature service",
};

function kindPlural(kind: string): string {
  return kind === "entity" ? "Entities" : `${kindLabel(kind)}s`;
}

function kindLabel(kind: string): string {
  return KIND_LABEL[kind] ?? kind;
}

function overviewBody(catalog: Catalog): string {
  if (catalog.projects.length === 0) return "<h1>Overview</h1><p>No projects.</p>";
  const cards = catalog.projects.map((p) => {
    const s = p.snapshot;
    const last = s.history.length > 0 ? s.history[s.history.length - 1]! : null;
    const counts = Object.entries(p.countsByKind)
      .map(
        ([k, n]) =>
          `<li><a href="objects.html?kind=${h(k)}&amp;project=${h(s.project)}">${n} ${h(n === 1 ? kindLabel(k) : kindPlural(k))}</a></li>`,
      )
      .join("");
    return [
      `<section class="card" aria-labelledby="proj-${h(s.project)}">`,
      `<h2 id="proj-${h(s.project)}">${h(s.project)}</h2>`,
      "<dl>",
      `<dt>Folder</dt><dd><code>${h(s.dir)}</code></dd>`,
      `<dt>Registry</dt><dd><code>${h(s.location)}</code></dd>`,
      s.state
        ? `<dt>Serial</dt><dd>${s.state.serial}</dd><dt>Last apply</dt><dd>${
            last
              ? `${timeHtml(last.time)} by ${h(last.who)}${last.commit ? ` at <code>${h(last.commit.slice(0, 12))}</code>` : ""}`
              : `${timeHtml(s.state.updatedAt)} by ${h(s.state.appliedBy)}`
          }</dd>`
        : "<dt>State</dt><dd>nothing applied yet</dd>",
      `<dt>Online store</dt><dd>${h(s.onlineStore ?? "none")}</dd>`,
      "</dl>",
      counts ? `<ul class="counts">${counts}</ul>` : "",
      "</section>",
    ].join("");
  });
  return `<h1>Overview</h1><div class="cards">${cards.join("")}</div>`;
}

function filters(id: string, catalog: Catalog, extra: string): string {
  const projects = catalog.projects.map((p) => p.snapshot.project);
  return [
    `<form class="filters" role="search" data-filter-for="${id}" hidden>`,
    `<label>Search <input type="search" name="q" autocomplete="off" placeholder="name, tag, owner, description"></label>`,
    projects.length > 1
      ? `<label>Project <select name="project"><option value="">all</option>${projects.map((p) => `<option>${h(p)}</option>`).join("")}</select></label>`
      : "",
    extra,
    `<output name="count" aria-live="polite"></output>`,
    "</form>",
  ].join("");
}

function select(name: string, label: string, values: Iterable<string>, display = (v: string) => v): string {
  const options = [...new Set(values)]
    .sort()
    .map((v) => `<option value="${h(v)}">${h(display(v))}</option>`)
    .join("");
  return `<label>${label} <select name="${name}"><option value="">all</option>${options}</select></label>`;
}

function tagText(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

function tagsHtml(tags: Record<string, string>): string {
  const entries = Object.entries(tags);
  if (entries.length === 0) return "";
  return `<ul class="tags">${entries.map(([k, v]) => `<li><code>${h(k)}=${h(v)}</code></li>`).join("")}</ul>`;
}

function objectsBody(catalog: Catalog): string {
  const all = catalog.projects.flatMap((p) => p.objects);
  const rows = all.map((o) => {
    const href = objectPath(o.project, o.kind, o.name);
    return (
      `<div role="row" class="row" data-project="${h(o.project)}" data-kind="${h(o.kind)}" data-owner="${h(o.owner)}" data-tags="${h(Object.keys(o.tags).join(" "))}">` +
      `<span role="cell"><a href="${h(href)}">${h(o.name)}</a></span><span role="cell">${h(kindLabel(o.kind))}</span><span role="cell">${h(o.project)}</span>` +
      `<span role="cell">${h(o.owner)}</span><span role="cell">${h(tagText(o.tags))}</span><span role="cell">${h(o.description)}</span></div>`
    );
  });
  const extra =
    select(
      "kind",
      "Kind",
      all.map((o) => o.kind),
      kindLabel,
    ) +
    select("owner", "Owner", all.map((o) => o.owner).filter(Boolean)) +
    select(
      "tag",
      "Tag",
      all.flatMap((o) => Object.keys(o.tags)),
    );
  return [
    "<h1>Objects</h1>",
    filters("objects-table", catalog, extra),
    `<p class="note">${all.length} objects.</p>`,
    listTable("objects-table", "Objects", ["Name", "Kind", "Project", "Owner", "Tags", "Description"], rows),
  ].join("\n");
}

/** Rows per group: a group off screen is neither laid out nor painted (content-visibility). */
const LIST_CHUNK = 200;

/**
 * A long list as an ARIA table of CSS-grid rows in groups. A real <table> of 10,000 rows costs
 * the browser seconds of layout before the first paint; groups that skip rendering while off
 * screen keep a 5,000-view registry's list page fast, and the roles keep it a table for
 * screen readers.
 */
function listTable(id: string, label: string, headers: string[], rows: string[]): string {
  const groups: string[] = [];
  for (let i = 0; i < rows.length; i += LIST_CHUNK) {
    groups.push(`<div role="rowgroup" class="chunk">${rows.slice(i, i + LIST_CHUNK).join("\n")}</div>`);
  }
  return [
    `<div class="scroll"><div id="${id}" class="list" role="table" aria-label="${h(label)}">`,
    `<div role="rowgroup" class="head"><div role="row" class="row">${headers.map((x) => `<span role="columnheader">${h(x)}</span>`).join("")}</div></div>`,
    groups.join("\n"),
    "</div></div>",
  ].join("\n");
}

function featuresBody(catalog: Catalog): string {
  const all = catalog.projects.flatMap((p) => p.features);
  const rows = all.map((f) => {
    const href = objectPath(f.project, f.viewKind, f.view);
    return (
      `<div role="row" class="row" data-project="${h(f.project)}" data-dtype="${h(f.dtype)}" data-owner="${h(f.owner)}" data-tags="${h(Object.keys(f.tags).join(" "))}">` +
      `<span role="cell">${h(f.name)}</span><span role="cell"><a href="${h(href)}">${h(f.view)}</a></span><span role="cell"><code>${h(f.dtype)}</code></span>` +
      `<span role="cell">${h(f.project)}</span><span role="cell">${h(f.owner)}</span><span role="cell">${h(f.description)}</span></div>`
    );
  });
  const extra =
    select(
      "dtype",
      "Type",
      all.map((f) => f.dtype),
    ) + select("owner", "Owner", all.map((f) => f.owner).filter(Boolean));
  return [
    "<h1>Features</h1>",
    filters("features-table", catalog, extra),
    `<p class="note">${all.length} features.</p>`,
    listTable(
      "features-table",
      "Features",
      ["Feature", "View", "Type", "Project", "Owner", "Description"],
      rows,
    ),
  ].join("\n");
}

function historyBody(catalog: Catalog): string {
  const sections = catalog.projects.map((p) => {
    const present = new Set(p.objects.map((o) => o.id));
    const entries = [...p.snapshot.history].sort((a, b) => b.serial - a.serial);
    const items = entries.map((e) => {
      const changes = e.changes
        .map((c) => {
          const id = `${c.kind}:${c.name}`;
          const name = present.has(id)
            ? `<a href="${h(objectPath(p.snapshot.project, c.kind, c.name))}">${h(c.name)}</a>`
            : `${h(c.name)} <span class="muted">(no longer registered)</span>`;
          return `<li><span class="action action-${h(c.action)}">${h(c.action)}</span> ${h(kindLabel(c.kind))} ${name}</li>`;
        })
        .join("");
      return [
        `<li class="apply" id="${h(p.snapshot.project)}-${e.serial}">`,
        `<h3>#${e.serial} · ${timeHtml(e.time)} · ${h(e.who)}${e.commit ? ` · <code>${h(e.commit.slice(0, 12))}</code>` : ""}</h3>`,
        changes ? `<ul>${changes}</ul>` : '<p class="muted">No object changes.</p>',
        e.infra.length > 0
          ? `<details><summary>Online store (${e.infra.length})</summary><ul>${e.infra.map((i) => `<li><code>${h(i)}</code></li>`).join("")}</ul></details>`
          : "",
        "</li>",
      ].join("");
    });
    return `<section><h2>${h(p.snapshot.project)}</h2>${items.length > 0 ? `<ol class="history">${items.join("")}</ol>` : "<p>No applies yet.</p>"}</section>`;
  });
  return `<h1>History</h1>${sections.join("")}`;
}

function environmentsBody(catalog: Catalog): string {
  const pairs = environmentPairs(catalog.projects);
  if (pairs.length === 0) {
    return "<h1>Environments</h1><p>Give <code>fsops ui</code> two or more project folders (for example <code>examples/staging examples/production</code>) to compare them here.</p>";
  }
  return `<h1>Environments</h1>${pairs.map(([a, b]) => comparisonHtml(compareEnvironments(a, b))).join("")}`;
}

function comparisonHtml(c: EnvironmentComparison): string {
  const link = (o: CatalogObject) => `<a href="${h(objectPath(o.project, o.kind, o.name))}">${h(o.name)}</a>`;
  const only = (title: string, cls: string, list: CatalogObject[]) =>
    `<h3>${title} (${list.length})</h3>` +
    (list.length > 0
      ? `<ul class="${cls}">${list.map((o) => `<li data-id="${h(o.id)}">${h(kindLabel(o.kind))} ${link(o)}</li>`).join("")}</ul>`
      : '<p class="muted">None.</p>');
  const differing =
    c.differing.length > 0
      ? c.differing
          .map(
            (d) =>
              `<details class="diff" data-id="${h(d.left.id)}"><summary>${h(kindLabel(d.left.kind))} ${h(d.left.name)} — ${d.fields.length} field${d.fields.length === 1 ? "" : "s"}</summary>` +
              `<div class="scroll"><table><thead><tr><th>Field</th><th>${h(c.left)}</th><th>${h(c.right)}</th></tr></thead><tbody>` +
              d.fields
                .map(
                  (f) =>
                    `<tr><td><code>${h(f.path)}</code></td><td>${jsonCell(f.before)}</td><td>${jsonCell(f.after)}</td></tr>`,
                )
                .join("") +
              `</tbody></table></div><p>${link(d.left)} · ${link(d.right)}</p></details>`,
          )
          .join("")
      : '<p class="muted">None.</p>';
  return [
    `<section class="comparison" data-left="${h(c.left)}" data-right="${h(c.right)}">`,
    `<h2>${h(c.left)} ⇄ ${h(c.right)}</h2>`,
    `<p>${c.same} identical, ${c.differing.length} different, ${c.onlyLeft.length} only in ${h(c.left)}, ${c.onlyRight.length} only in ${h(c.right)}.</p>`,
    only(`Only in ${h(c.left)}`, "only-left", c.onlyLeft),
    only(`Only in ${h(c.right)}`, "only-right", c.onlyRight),
    `<h3>Different (${c.differing.length})</h3>`,
    differing,
    "</section>",
  ].join("");
}

function jsonCell(value: Json): string {
  return value === null ? '<span class="muted">absent</span>' : `<code>${h(JSON.stringify(value))}</code>`;
}

function objectBody(catalog: Catalog, project: CatalogProject, o: CatalogObject, path: string): string {
  const link = (id: string) => {
    const [kind, name] = splitId(id);
    return `<a href="${h(relativeHref(path, objectPath(o.project, kind, name)))}">${h(name)}</a> <span class="muted">${h(kindLabel(kind))}</span>`;
  };
  const list = (ids: string[]) =>
    ids.length > 0
      ? `<ul>${ids.map((id) => `<li>${link(id)}</li>`).join("")}</ul>`
      : '<p class="muted">None.</p>';
  const graph = lineageOf(o.id, project.edges);
  const svg = lineageSvg(graph, o.id, (id) => {
    const [kind, name] = splitId(id);
    return relativeHref(path, objectPath(o.project, kind, name));
  });
  const elsewhere = catalog.projects
    .filter((p) => p !== project && p.objects.some((x) => x.id === o.id))
    .map(
      (p) =>
        `<a href="${h(relativeHref(path, objectPath(p.snapshot.project, o.kind, o.name)))}">${h(p.snapshot.project)}</a>`,
    );
  const spec = o.spec as Record<string, unknown>;
  const schema = Array.isArray(spec.schema) ? (spec.schema as Record<string, unknown>[]) : [];
  const history = o.history
    .map(
      (e) =>
        `<tr><td><a href="${h(relativeHref(path, "history.html"))}#${h(o.project)}-${e.serial}">#${e.serial}</a></td><td>${timeHtml(e.time)}</td><td>${h(e.who)}</td><td>${e.commit ? `<code>${h(e.commit.slice(0, 12))}</code>` : ""}</td><td>${h(e.action)}</td></tr>`,
    )
    .join("");
  return [
    `<p class="crumbs">${h(o.project)} · ${h(kindLabel(o.kind))}</p>`,
    `<h1>${h(o.name)}</h1>`,
    o.description ? `<p class="description">${h(o.description)}</p>` : "",
    "<dl>",
    `<dt>Project</dt><dd>${h(o.project)}</dd>`,
    o.owner ? `<dt>Owner</dt><dd>${h(o.owner)}</dd>` : "",
    Object.keys(o.tags).length > 0 ? `<dt>Tags</dt><dd>${tagsHtml(o.tags)}</dd>` : "",
    o.file
      ? `<dt>Defined at</dt><dd><code>${h(o.file)}${o.line !== null ? `:${o.line}` : ""}</code></dd>`
      : "",
    o.onlineLocation ? `<dt>Online</dt><dd><code>${h(o.onlineLocation)}</code></dd>` : "",
    isView(o.kind)
      ? `<dt>Materialized until</dt><dd>${o.materializedUntil ? `${timeHtml(o.materializedUntil)} <span class="age" data-since="${h(o.materializedUntil)}"></span>` : '<span class="muted">never materialized</span>'}</dd>`
      : "",
    elsewhere.length > 0 ? `<dt>Also in</dt><dd>${elsewhere.join(", ")}</dd>` : "",
    "</dl>",
    schema.length > 0
      ? `<h2>Schema</h2><div class="scroll"><table class="schema"><thead><tr><th>Name</th><th>Type</th><th>Description</th></tr></thead><tbody>${schema
          .map(
            (f) =>
              `<tr><td>${h(String(f.name ?? ""))}</td><td><code>${h(typeof f.dtype === "string" ? f.dtype : JSON.stringify(f.dtype ?? null))}</code></td><td>${h(typeof f.description === "string" ? f.description : "")}</td></tr>`,
          )
          .join("")}</tbody></table></div>`
      : "",
    "<h2>Lineage</h2>",
    `<div class="graph">${svg}</div>`,
    graph.omitted > 0 ? `<p class="muted">${graph.omitted} more related objects not drawn.</p>` : "",
    '<div class="columns">',
    `<section><h3>Depends on</h3>${list(o.dependsOn)}</section>`,
    `<section><h3>Used by</h3>${list(o.dependents)}</section>`,
    "</div>",
    "<h2>Spec</h2>",
    `<pre class="spec"><code>${h(JSON.stringify(o.spec, null, 2))}</code></pre>`,
    "<h2>Changes</h2>",
    history
      ? `<div class="scroll"><table><thead><tr><th>Apply</th><th>When</th><th>Who</th><th>Commit</th><th>Change</th></tr></thead><tbody>${history}</tbody></table></div>`
      : '<p class="muted">No recorded changes.</p>',
  ].join("\n");
}

function isView(kind: string): boolean {
  return kind === "feature_view" || kind === "stream_feature_view";
}

function timeHtml(iso: string): string {
  return `<time datetime="${h(iso)}">${h(iso.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time>`;
}
