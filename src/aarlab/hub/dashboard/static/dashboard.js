// aarlab dashboard: the live-status line and the PGR charts (uPlot). Everything else is htmx.
(function () {
  "use strict";
  var COLORS = ["#0b5394", "#b45309", "#116329", "#a40e26", "#5b2a86", "#0e7490", "#854d0e", "#be185d", "#374151"];
  var charts = {};

  function setLive(state, text) {
    var el = document.getElementById("live-status");
    if (!el) return;
    el.dataset.state = state;
    el.textContent = text;
  }

  document.addEventListener("htmx:sseOpen", function () { setLive("open", "Live updates: on"); });
  document.addEventListener("htmx:sseError", function () { setLive("error", "Live updates: reconnecting…"); });
  // New forum posts get a brief highlight after a live refresh.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var t = e.detail.target;
    if (!t || t.id !== "posts") return;
    t.dataset.known = Array.prototype.map.call(t.querySelectorAll("[data-post-id]"),
      function (li) { return li.dataset.postId; }).join(" ");
  });
  document.addEventListener("htmx:afterSwap", function (e) {
    var t = e.detail.target;
    if (!t || t.id !== "posts" || !t.dataset.known) return;
    var known = t.dataset.known.split(" ");
    t.querySelectorAll("[data-post-id]").forEach(function (li) {
      if (known.indexOf(li.dataset.postId) < 0) li.classList.add("fresh");
    });
  });

  function buildChart(el, data) {
    var series = [{ label: "time", value: function (u, v) { return v == null ? "—" : new Date(v * 1000).toISOString().slice(0, 19).replace("T", " "); } }];
    var cols = [data.x];
    data.series.forEach(function (s, i) {
      series.push({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2,
        paths: uPlot.paths.stepped({ align: 1 }), points: { show: true, size: 5 } });
      cols.push(s.values);
    });
    series.push({ label: "verified", stroke: "#1b1f24", fill: "#f0b400", width: 0,
      paths: function () { return null; }, points: { show: true, size: 11, width: 2, stroke: "#1b1f24", fill: "#f0b400" } });
    cols.push(data.verified);
    var width = Math.max(320, el.clientWidth || 800);
    var opts = { width: width, height: 320, series: series, scales: { x: { time: true } },
      axes: [{ stroke: "#1b1f24" }, { label: "PGR", stroke: "#1b1f24" }], legend: { live: true } };
    if (charts[data.dataset]) charts[data.dataset].destroy();
    el.textContent = "";
    if (!data.x.length) { el.textContent = "No scored submissions yet."; return; }
    charts[data.dataset] = new uPlot(opts, cols, el);
  }

  function refreshCharts() {
    if (typeof uPlot === "undefined") return;
    document.querySelectorAll("[data-pgr-chart]").forEach(function (el) {
      var ds = el.getAttribute("data-pgr-chart");
      fetch("/dashboard/api/pgr?dataset=" + encodeURIComponent(ds), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) { buildChart(el, data); el.dataset.points = String(data.x.length); })
        .catch(function (err) { el.textContent = "Chart unavailable (" + err + ")."; });
    });
  }

  document.addEventListener("htmx:sseMessage", function (e) {
    var type = e.detail && e.detail.type;
    if (type === "submissions" || type === "verified") refreshCharts();
  });
  window.addEventListener("DOMContentLoaded", refreshCharts);
})();
