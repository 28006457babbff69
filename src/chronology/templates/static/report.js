/* Searchable, paged tables; no library, nothing fetched. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table.data[data-searchable]").forEach(function (table) {
    var wrap = table.closest(".table-wrap");
    var input = wrap && wrap.querySelector("input[type=search]");
    var status = wrap && wrap.querySelector(".table-status");
    var pager = wrap && wrap.querySelector(".table-pager");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = rows.map(function (r) { return r.textContent.toLowerCase(); });
    var pageSize = parseInt(table.getAttribute("data-page-size") || "50", 10);
    var page = 0, matches = rows;
    function draw() {
      var pages = Math.max(1, Math.ceil(matches.length / pageSize));
      if (page >= pages) page = pages - 1;
      rows.forEach(function (r) { r.hidden = true; });
      matches.slice(page * pageSize, (page + 1) * pageSize).forEach(function (r) { r.hidden = false; });
      if (status) status.textContent = matches.length + " of " + rows.length + " statements" + (pages > 1 ? ", page " + (page + 1) + " of " + pages : "");
      if (pager) {
        pager.querySelector("[data-prev]").disabled = page === 0;
        pager.querySelector("[data-next]").disabled = page >= pages - 1;
      }
    }
    function filter() {
      var terms = (input ? input.value : "").toLowerCase().split(/\s+/).filter(Boolean);
      matches = rows.filter(function (r, i) { return terms.every(function (t) { return texts[i].indexOf(t) >= 0; }); });
      page = 0;
      draw();
    }
    if (input) input.addEventListener("input", filter);
    if (pager) {
      pager.querySelector("[data-prev]").addEventListener("click", function () { page -= 1; draw(); });
      pager.querySelector("[data-next]").addEventListener("click", function () { page += 1; draw(); });
    }
    filter();
  });
});

/* Charts: a narrow screen gets the chart's narrow version (spec.usermeta.narrow), fitted to the box. */
window.chronologyAdapt = function (spec, el) {
  var narrow = spec.usermeta && spec.usermeta.narrow;
  var width = el.clientWidth || document.documentElement.clientWidth;
  if (!narrow || width >= 600) return spec;
  var out = JSON.parse(JSON.stringify(narrow));
  out.$schema = spec.$schema;
  out.datasets = Object.assign({}, spec.datasets || {}, narrow.datasets || {});
  var fit = Math.max(240, Math.min(420, width - 24));
  (out.vconcat || []).forEach(function (v) { if (typeof v.width === "number" && v.width > fit) v.width = fit; });
  el.chronologySpec = out;
  return out;
};

/* A narrow chart whose labels still overhang the screen is drawn once more, narrower by the overhang
   (not for maps: their labels were placed for one size). Returns true when it draws again. */
function refit(el) {
  var svg = el.querySelector("svg"), spec = el.chronologySpec;
  if (!svg || !spec || (el.chronologyRefitted || 0) >= 4 || !window.vegaEmbed || JSON.stringify(spec).indexOf('"projection"') >= 0) return false;
  var room = Math.min(el.clientWidth || el.parentNode.clientWidth, document.documentElement.clientWidth - el.getBoundingClientRect().left - 4);
  var over = Math.ceil(svg.getBoundingClientRect().width - room);
  if (!(room > 0) || over <= 0) return false;
  function shrink(v, by) {
    if (typeof v.width === "number") v.width = Math.max(150, v.width - by);
    if (v.mark && typeof v.mark.limit === "number") v.mark.limit = Math.max(120, v.mark.limit - by);  // labels written across a row
    (v.layer || []).forEach(function (w) { shrink(w, by); });
    (v.vconcat || []).forEach(function (w) { shrink(w, by); });
    (v.hconcat || []).forEach(function (w) { shrink(w, Math.ceil(by / v.hconcat.length)); });
  }
  var out = JSON.parse(JSON.stringify(spec));
  shrink(out, over + 4);
  el.chronologySpec = out;  // a further pass starts from this one
  el.chronologyRefitted = (el.chronologyRefitted || 0) + 1;
  if (el.chronologyView) el.chronologyView.finalize();
  vegaEmbed(el, out, {actions: false, renderer: "svg", tooltip: {theme: "light"}}).then(function (r) {
    el.chronologyView = r.view;
    el.dispatchEvent(new CustomEvent("chart-ready", {bubbles: true}));
  }).catch(function (e) { console.error("chart " + el.id + ": " + e); });
  return true;
}

/* The timeline's list: follows the chart's brush and legend; each item highlights its mark. */
document.addEventListener("chart-ready", function (event) {
  var el = event.target;
  if (refit(el)) return;  // drawn again: a new chart-ready follows
  el.setAttribute("data-drawn", "");
  // The container (role="img") carries the chart's text alternative; mark groups Vega leaves without
  // a description (the brush, the map's outlines) are hidden from assistive technology.
  Array.prototype.forEach.call(el.querySelectorAll('[role="graphics-symbol"]:not([aria-label])'), function (g) { g.setAttribute("aria-hidden", "true"); });
  // A chart can be drawn before the parser reaches its list: wait for the whole page.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { linkList(el); });
  else linkList(el);
});

/* Vega-Lite drops a legend binding when the legend is shared by a concatenation: the timeline's
   legend toggles its party here instead, through the same selection store (party_pick). */
function legendToggle(el, view) {
  var domain;
  try { view.data("party_pick_store"); domain = view.scale("color").domain(); } catch (e) { return; }
  function toggle(value) {
    var before = view.data("party_pick_store") || [];
    var store = before.filter(function (t) { return t.values[0] !== value; });
    if (store.length === before.length) store.push({unit: "legend", fields: [{type: "E", field: "lane"}], values: [value]});
    view.data("party_pick_store", store).runAsync();
  }
  // One entry per colour, in the scale's order (report.css lets the entries take the pointer).
  el.addEventListener("click", function (e) {
    var entry = e.target.closest && e.target.closest("g.role-legend-entry g.role-scope > g");
    var legend = entry && entry.closest("g.role-legend");
    if (!legend || (legend.getAttribute("aria-label") || "").indexOf("Party") < 0) return;
    var value = domain[Array.prototype.indexOf.call(entry.parentNode.children, entry)];
    if (value !== undefined) toggle(value);
  });
  el.addEventListener("dblclick", function (e) { if (!(e.target.closest && e.target.closest("g.role-legend"))) view.data("party_pick_store", []).runAsync(); });
}

function linkList(el) {
  var view = el.chronologyView;
  if (view) legendToggle(el, view);
  var list = null, node = el.closest(".jp-Cell");
  for (var n = node && node.nextElementSibling; n && !list; n = n.nextElementSibling) { list = n.querySelector("[data-mark-list]"); if (n.querySelector("h2")) break; }
  if (!list || !view) return;
  var items = Array.prototype.slice.call(list.querySelectorAll("li[data-id]"));
  var status = list.querySelector(".mark-status");
  function hidden() {
    try { var s = view.signal("party_pick_tuple"); } catch (e) { return {}; }
    var out = {};
    try { (view.data("party_pick_store") || []).forEach(function (t) { out[t.values[0]] = true; }); } catch (e) { }
    return out;
  }
  function update() {
    var w0, w1;
    try { w0 = view.signal("w0") - view.signal("wpad"); w1 = view.signal("w1") + view.signal("wpad"); } catch (e) { return; }
    var gone = hidden(), shown = 0;
    items.forEach(function (li) {
      var s = Date.parse(li.getAttribute("data-start")), e = Date.parse(li.getAttribute("data-end"));
      var ok = e > w0 && s < w1 && !gone[li.getAttribute("data-lane")];
      li.hidden = !ok;
      if (ok) shown += 1;
    });
    if (status) status.textContent = shown + " of " + items.length + " shown for the chosen period and parties";
  }
  function mark(id) { try { view.signal("hl", id || "").runAsync(); } catch (e) { } }
  items.forEach(function (li) {
    li.addEventListener("focus", function () { mark(li.getAttribute("data-id")); });
    li.addEventListener("mouseenter", function () { mark(li.getAttribute("data-id")); });
    li.addEventListener("blur", function () { mark(""); });
    li.addEventListener("mouseleave", function () { mark(""); });
  });
  ["w0", "w1"].forEach(function (s) { try { view.addSignalListener(s, update); } catch (e) { } });
  try { view.addDataListener("party_pick_store", update); } catch (e) { }
  var all = list.querySelector("[data-show-all]");
  if (all) all.addEventListener("click", function () { try { view.data("party_pick_store", []).runAsync().then(update); } catch (e) { } });
  update();
}
