/**
 * The site's only stylesheet and script. Pages are complete without the script (reading needs
 * no JavaScript); the script adds list filtering, relative ages and, when served live, a reload
 * when a registry's serial changes. No external requests, so the site works offline, from
 * `file://` and under any path prefix.
 */

export const STYLE_CSS = `:root {
  --bg: #ffffff; --fg: #1b1f24; --muted: #5b636e; --line: #d5d9de; --accent: #5a3fc0;
  --card: #f6f7f9; --focus: #1f6feb; --create: #1a7f37; --delete: #cf222e; --update: #9a6700;
  font-family: system-ui, -apple-system, "Segoe UI", sans-serif; line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0f1216; --fg: #e6e8eb; --muted: #9aa3ad; --line: #30363d; --accent: #a48bff;
    --card: #161b22; --focus: #58a6ff; --create: #3fb950; --delete: #f85149; --update: #d29922; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
a:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: .5rem; }
.skip:focus { left: .5rem; z-index: 10; }
header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
header .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
header nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; }
header nav a[aria-current="page"] { font-weight: 700; text-decoration: none; color: var(--fg); }
main { padding: 1rem; max-width: 80rem; margin: 0 auto; }
footer { padding: 1rem; color: var(--muted); font-size: .85rem; text-align: center; }
h1 { margin-top: .25rem; word-break: break-word; }
.muted, .note, .crumbs { color: var(--muted); }
.banner { margin: 0; padding: .5rem 1rem; background: var(--card); border-bottom: 1px solid var(--line); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0 1rem 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { color: var(--muted); }
dd { margin: 0; word-break: break-word; }
.counts, .tags { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .25rem .75rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { position: sticky; top: 0; background: var(--bg); }
.list { min-width: 56rem; }
.list .row { display: grid; grid-template-columns: 16rem 10rem 12rem 13rem 13rem minmax(12rem, 1fr); border-bottom: 1px solid var(--line); }
.list .row > span { padding: .3rem .5rem; overflow-wrap: anywhere; }
.list .head .row { font-weight: 700; position: sticky; top: 0; background: var(--bg); }
.list .chunk { content-visibility: auto; contain-intrinsic-size: auto 6400px; }
.list.filtering .chunk { content-visibility: visible; contain-intrinsic-size: none; }
.list .row[hidden] { display: none; }
.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: .5rem 0 1rem; }
.filters input, .filters select { font: inherit; padding: .3rem; background: var(--bg); color: var(--fg); border: 1px solid var(--line); border-radius: 4px; }
.filters input[type="search"] { min-width: 16rem; }
.graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; padding: .5rem; background: var(--card); }
svg.lineage { max-width: none; }
svg.lineage .node rect { fill: var(--bg); stroke: var(--line); stroke-width: 1.5; }
svg.lineage .node.focus rect { stroke: var(--accent); stroke-width: 3; }
svg.lineage .node text { fill: var(--fg); font-size: 12px; }
svg.lineage .node:focus-visible rect { stroke: var(--focus); stroke-width: 3; }
svg.lineage .edge { fill: none; stroke: var(--muted); stroke-width: 1.5; }
svg.lineage .arrowhead { fill: var(--muted); }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
pre.spec { overflow-x: auto; background: var(--card); padding: .75rem; border-radius: 8px; border: 1px solid var(--line); }
.history { list-style: none; padding: 0; }
.history h3 { font-size: 1rem; margin-bottom: .25rem; }
.action { font-weight: 600; }
.action-create { color: var(--create); } .action-delete { color: var(--delete); }
.action-update, .action-replace { color: var(--update); }
details.diff { margin: .5rem 0; }
@media (max-width: 40rem) { main { padding: .5rem; } .filters input[type="search"] { min-width: 0; width: 100%; } }
`;

export const APP_JS = `"use strict";
(function () {
  var params = new URLSearchParams(window.location.search);
  document.querySelectorAll("form[data-filter-for]").forEach(function (form) {
    var table = document.getElementById(form.getAttribute("data-filter-for"));
    if (!table) return;
    var rows = Array.prototype.slice.call(table.querySelectorAll(".chunk > .row"));
    // The row's own text is what search matches (name, kind, owner, tags, description), read once.
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var fields = Array.prototype.slice.call(form.elements).filter(function (el) { return el.name && el.name !== "count"; });
    fields.forEach(function (el) { var v = params.get(el.name); if (v !== null) el.value = v; });
    var count = form.querySelector("output[name=count]");
    function apply() {
      var q = "", want = {};
      fields.forEach(function (el) { if (el.name === "q") q = el.value.trim().toLowerCase(); else if (el.value) want[el.name] = el.value; });
      var words = q ? q.split(/\\s+/) : [];
      var shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var row = rows[i], d = row.dataset, ok = true;
        for (var k in want) {
          if (k === "tag") { if ((" " + (d.tags || "") + " ").indexOf(" " + want[k] + " ") < 0) { ok = false; break; } }
          else if ((d[k] || "") !== want[k]) { ok = false; break; }
        }
        if (ok) for (var w = 0; w < words.length; w++) if (texts[i].indexOf(words[w]) < 0) { ok = false; break; }
        if (row.hidden === ok) row.hidden = !ok;
        if (ok) shown++;
      }
      // Groups skip rendering off screen with an estimated height; while filtering, most rows are
      // hidden and the estimates would leave gaps, so groups render normally then.
      table.classList.toggle("filtering", shown !== rows.length);
      if (count) count.textContent = shown + " of " + rows.length + " shown";
    }
    form.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply();
  });
  document.querySelectorAll(".age[data-since]").forEach(function (el) {
    var t = Date.parse(el.getAttribute("data-since"));
    if (isNaN(t)) return;
    var s = Math.max(0, (Date.now() - t) / 1000);
    var text = s < 120 ? Math.round(s) + " s" : s < 7200 ? Math.round(s / 60) + " min" : s < 172800 ? Math.round(s / 3600) + " h" : Math.round(s / 86400) + " days";
    el.textContent = "(" + text + " ago)";
  });
  var live = document.body.getAttribute("data-live");
  if (live && /^https?:$/.test(window.location.protocol)) {
    var first = null;
    var poll = function () {
      fetch(live, { cache: "no-store" }).then(function (r) { return r.ok ? r.text() : null; }).then(function (text) {
        if (text === null) return;
        if (first === null) first = text;
        else if (text !== first) {
          var banner = document.getElementById("refresh-banner");
          if (banner) { banner.textContent = "The registry changed; reloading."; banner.hidden = false; }
          window.location.reload();
        }
      }).catch(function () {});
    };
    poll();
    setInterval(poll, 3000);
  }
})();
`;
