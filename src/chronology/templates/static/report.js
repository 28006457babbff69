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
      if (status) status.textContent = matches.length + " of " + rows.length + " rows" + (pages > 1 ? ", page " + (page + 1) + " of " + pages : "");
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
