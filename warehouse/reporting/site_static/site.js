// The data site's one script, no dependencies, works from file:// (data arrive as <script>
// files that set window.CRW, never through fetch). Three parts: a paged, sortable, filterable
// table; the figure page, which reads the figure index by the figure_id in the URL hash; and
// the search page over entities, metrics and sources.
"use strict";

const PAGE_ROWS = 50;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child instanceof Node ? child : String(child));
  return node;
}

function cellText(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A number as the report prints it: its decimals, thousands separators, its qualifier
// (signs: the qualifiers' and units' signs of report.html, shipped in the figure index).
function printed(value, decimals, qualifier, unit, signs) {
  if (value === null || value === undefined) return "";
  const places = decimals === null || decimals === undefined ? undefined : decimals;
  const digits = Number(value).toLocaleString("en-US", {
    minimumFractionDigits: places === undefined ? 0 : places,
    maximumFractionDigits: places === undefined ? 12 : places,
  });
  const sign = signs.qualifiers[qualifier] === undefined ? qualifier || "" : signs.qualifiers[qualifier];
  const shown = signs.units[unit] === undefined ? unit : signs.units[unit];
  return `${sign}${digits}${shown ? " " + shown : ""}`;
}

function compare(a, b) {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return cellText(a).localeCompare(cellText(b), "zh-CN");
}

// A mart's further row files call crwRows(rows); loadRows points it at the table that asked.
function crwRows(rows) {
  crwRows.take(rows);
}

// Load the row files `urls` one after another (script elements: file:// allows no fetch),
// handing each file's rows to `take`, then calling `done`.
function loadRows(urls, take, done) {
  let next = 0;
  crwRows.take = take;
  function step() {
    if (next >= urls.length) {
      done();
      return;
    }
    const script = el("script", { src: urls[next++] });
    script.addEventListener("load", step);
    document.head.append(script);
  }
  step();
}

// data: {columns: [...], rows: [[...], ...], total}; links: {column: url prefix} turns cells
// to links; more: the URLs of the row files after the first, loaded once page 1 is shown.
function dataTable(container, data, links, more) {
  const rowText = (row) => row.map(cellText).join("\u0001").toLowerCase();
  const haystack = data.rows.map(rowText);
  let shown = data.rows.map((_, i) => i);
  let page = 0;
  let sortColumn = -1;
  let ascending = true;
  const filter = el("input", { type: "search", placeholder: "Filter rows", "aria-label": "Filter rows" });
  const status = el("span", { class: "status" });
  const previous = el("button", { type: "button" }, "‹ Previous");
  const next = el("button", { type: "button" }, "Next ›");
  const table = el("table", { class: "data" });
  const head = el("tr");
  data.columns.forEach((name, index) => {
    const th = el("th", { scope: "col", title: "Sort" }, name);
    th.addEventListener("click", () => sortBy(index));
    head.append(th);
  });
  table.append(el("thead", {}, head));
  const body = el("tbody");
  table.append(body);
  container.append(el("div", { class: "controls" }, filter, " ", previous, " ", next, " ", status), table);

  let loading = Boolean(more && more.length);
  function apply(keepPage) {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    shown = [];
    for (let i = 0; i < haystack.length; i++) {
      if (words.every((w) => haystack[i].includes(w))) shown.push(i);
    }
    if (sortColumn >= 0) sortShown();
    if (!keepPage) page = 0;
    render();
  }
  function sortShown() {
    const sign = ascending ? 1 : -1;
    shown.sort((x, y) => sign * compare(data.rows[x][sortColumn], data.rows[y][sortColumn]) || x - y);
  }
  function sortBy(index) {
    ascending = sortColumn === index ? !ascending : true;
    sortColumn = index;
    head.querySelectorAll("th").forEach((th, i) => {
      th.setAttribute("aria-sort", i === index ? (ascending ? "ascending" : "descending") : "none");
    });
    sortShown();
    page = 0;
    render();
  }
  function render() {
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_ROWS));
    page = Math.min(page, pages - 1);
    const start = page * PAGE_ROWS;
    const rows = shown.slice(start, start + PAGE_ROWS).map((i) => {
      const tr = el("tr");
      data.rows[i].forEach((value, c) => {
        const text = cellText(value);
        const prefix = links && links[data.columns[c]];
        const td = el("td", typeof value === "number" ? { class: "num" } : {});
        td.append(prefix && text ? el("a", { href: prefix + encodeURIComponent(text) }, text) : text);
        tr.append(td);
      });
      return tr;
    });
    body.replaceChildren(...rows);
    const last = Math.min(start + PAGE_ROWS, shown.length);
    const of = shown.length === data.rows.length ? "" : ` (filtered from ${data.rows.length.toLocaleString("en-US")})`;
    const reading = loading ? ` · loading rows: ${data.rows.length.toLocaleString("en-US")} of ${data.total.toLocaleString("en-US")} read` : "";
    status.textContent = (shown.length
      ? `rows ${(start + 1).toLocaleString("en-US")}–${last.toLocaleString("en-US")} of ${shown.length.toLocaleString("en-US")}${of}`
      : `no rows match${of}`) + reading;
    previous.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }
  let timer = 0;
  filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => apply(false), 120);
  });
  previous.addEventListener("click", () => { page -= 1; render(); });
  next.addEventListener("click", () => { page += 1; render(); });
  const asked = new URLSearchParams(location.hash.slice(1)).get("q");
  if (asked) filter.value = asked;
  apply(false);
  if (!loading) return;
  // Once the page has loaded and painted page 1: scripts added before the load event would
  // hold it back, and each file's rows take the main thread while they are parsed.
  const start = () => setTimeout(() => loadRows(more, (rows) => {
    for (const row of rows) {
      data.rows.push(row);
      haystack.push(rowText(row));
    }
    apply(true);
  }, () => {
    loading = false;
    render();
  }), 0);
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
}

function fieldList(pairs) {
  const dl = el("dl", { class: "fields" });
  for (const [name, value] of pairs) {
    dl.append(el("dt", {}, name), el("dd", { "data-field": name }, value === null || value === undefined ? "—" : value));
  }
  return dl;
}

function showFigure(container, index) {
  const id = decodeURIComponent(location.hash.slice(1));
  const columns = index.columns;
  const row = index.byId.get(id);
  if (!row) {
    container.replaceChildren(el("p", {}, id ? `No figure ${id} in the warehouse.` : "Open a figure from a table, a chart or a finding."));
    return;
  }
  const f = Object.fromEntries(columns.map((name, i) => [name, row[i]]));
  const where = f.source_file ? `${f.source_file}, line ${f.source_line}` : null;
  const quote = f.quote ? `${f.quote}${f.page ? ` (page ${f.page})` : ""}` : null;
  const parts = [
    el("h1", {}, `${f.entity_zh || ""} ${f.entity} — ${f.metric}, ${f.period}`),
    fieldList([
      ["figure_id", f.figure_id],
      ["value as printed", printed(f.value, f.value_decimals, f.value_qualifier, f.unit, index.signs)],
      ["value", f.value],
      ["unit", f.unit],
      ["qualifier", f.value_qualifier],
      ["period", f.period],
      ["forecast", f.is_forecast ? "yes" : "no"],
      ["report", f.report_id],
      ["section", f.section ? `§${f.section}` : null],
      ["cited source", f.data_source_name],
      ["file and line", where],
      ["quote and page", quote],
    ]),
  ];
  const derived = index.derived[id] || [];
  parts.push(el("h2", {}, "Derived numbers that use it (marts.metric_inputs)"));
  parts.push(derived.length
    ? el("ul", { id: "derived" }, ...derived.map(([table, key]) => el("li", {}, el("a", { href: `tables/${table}.html#q=${encodeURIComponent(key)}` }, `${table}: ${key}`))))
    : el("p", { id: "derived" }, "None."));
  const versions = index.vintages[f.series_id] || [];
  parts.push(el("h2", {}, "Revisions (marts.figure_vintages)"));
  if (versions.length) {
    const table = el("table", { id: "vintages", class: "data" }, el("tr", {}, ...["figure", "report", "value", "unit", "valid from", "valid to", "revision"].map((h) => el("th", {}, h))));
    for (const v of versions) {
      table.append(el("tr", {}, el("td", {}, el("a", { href: `#${encodeURIComponent(v[0])}` }, v[0])), ...v.slice(1).map((x) => el("td", {}, cellText(x)))));
    }
    parts.push(table);
  } else {
    parts.push(el("p", { id: "vintages" }, "No other report states this figure."));
  }
  container.replaceChildren(...parts);
}

function figurePage(container, index) {
  index.byId = new Map(index.rows.map((row) => [row[0], row]));
  showFigure(container, index);
  window.addEventListener("hashchange", () => showFigure(container, index));
}

function searchPage(container, entries) {
  const box = el("input", { type: "search", placeholder: "实体、指标、来源 Entity, metric, source", "aria-label": "Search" });
  const list = el("ul", { class: "results" });
  container.append(box, list);
  const lowered = entries.map((e) => `${e[1]}\u0001${e[2]}`.toLowerCase());
  function run() {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    const hits = words.length ? entries.filter((_, i) => words.every((w) => lowered[i].includes(w))).slice(0, 200) : [];
    list.replaceChildren(...hits.map(([kind, en, zh, href]) => el("li", {}, el("span", { class: "kind" }, kind), " ", el("a", { href }, zh ? `${zh} ${en}` : en))));
  }
  box.addEventListener("input", run);
  const asked = new URLSearchParams(location.hash.slice(1)).get("q");
  if (asked) box.value = asked;
  run();
}
