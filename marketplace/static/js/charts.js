// Small SVG charts for the indicator pages: the utilisation rate against its target, and a Sankey of
// tonnage from generating to using sectors. Drawn here rather than with a chart library because the
// charting packages installable from PyPI (XStatic D3 3.5, Chart.js 1.0) are a decade old and have no
// Sankey; this keeps every script served by the app itself.
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#ff7f0e"];

  function svgEl(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    var node = svgEl("text", Object.assign({ x: x, y: y, "font-size": 12 }, attrs || {}), parent);
    node.textContent = content;
    return node;
  }
  function fmt(value) { return Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 }); }

  function gauge(box, data) {
    var width = 600, height = 60, left = 10, right = 40, barWidth = width - left - right;
    var svg = svgEl("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "class": "chart-gauge" }, box);
    svg.style.maxWidth = width + "px";  // never drawn larger than its own size: text stays at 12 px
    svgEl("rect", { x: left, y: 18, width: barWidth, height: 18, fill: "#e9ecef" }, svg);
    if (data.rate == null) {
      text(svg, left + 4, 31, data.labels.none, { fill: "#6c757d" });
    } else {
      var rate = Math.min(Math.max(data.rate, 0), 100);
      svgEl("rect", { x: left, y: 18, width: barWidth * rate / 100, height: 18, "class": "gauge-value",
        fill: data.rate >= data.target ? "#198754" : "#dc3545" }, svg);
      text(svg, left + 4, 14, data.labels.rate + ": " + fmt(data.rate) + " %");
    }
    var tx = left + barWidth * data.target / 100;
    svgEl("line", { x1: tx, x2: tx, y1: 12, y2: 42, stroke: "#000", "stroke-width": 2, "class": "gauge-target" }, svg);
    text(svg, tx, 55, data.labels.target + " " + fmt(data.target) + " %", { "text-anchor": "middle" });
  }

  // Two columns: generating sectors on the left, using sectors on the right, bands as wide as the tonnage.
  function sankey(box, data) {
    var flows = (data.sankey || []).filter(function (f) { return f.tonnes > 0; });
    if (!flows.length) {
      var p = document.createElement("p");
      p.className = "text-muted small";
      p.textContent = data.labels.none;
      box.appendChild(p);
      return;
    }
    var width = 980, nodeWidth = 14, gap = 8, labelSpace = 300, top = 10;
    var sources = {}, targets = {};
    flows.forEach(function (f) {
      sources[f.source] = sources[f.source] || { label: f.source_label, tonnes: 0, used: 0 };
      targets[f.target] = targets[f.target] || { label: f.target_label, tonnes: 0, used: 0 };
      sources[f.source].tonnes += f.tonnes;
      targets[f.target].tonnes += f.tonnes;
    });
    var total = flows.reduce(function (s, f) { return s + f.tonnes; }, 0);
    var nMax = Math.max(Object.keys(sources).length, Object.keys(targets).length);
    var plotHeight = Math.max(120, 28 * nMax);
    var scale = (plotHeight - gap * (nMax - 1)) / total;
    var height = plotHeight + top * 2;
    var svg = svgEl("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img", "class": "chart-sankey" }, box);
    svg.style.maxWidth = width + "px";
    function place(nodes, x) {
      var y = top;
      Object.keys(nodes).sort(function (a, b) { return nodes[b].tonnes - nodes[a].tonnes; }).forEach(function (key, i) {
        var n = nodes[key];
        n.x = x; n.y = y; n.h = Math.max(n.tonnes * scale, 2); n.colour = PALETTE[i % PALETTE.length];
        y += n.h + gap;
      });
    }
    var xLeft = labelSpace, xRight = width - labelSpace - nodeWidth;
    place(sources, xLeft);
    place(targets, xRight);
    flows.forEach(function (f) {
      var s = sources[f.source], t = targets[f.target], h = Math.max(f.tonnes * scale, 1);
      var y0 = s.y + s.used + h / 2, y1 = t.y + t.used + h / 2, x0 = xLeft + nodeWidth, x1 = xRight, xm = (x0 + x1) / 2;
      s.used += h; t.used += h;
      var band = svgEl("path", { d: "M" + x0 + "," + y0 + " C" + xm + "," + y0 + " " + xm + "," + y1 + " " + x1 + "," + y1,
        fill: "none", stroke: s.colour, "stroke-opacity": 0.45, "stroke-width": h, "class": "sankey-band" }, svg);
      svgEl("title", {}, band).textContent = f.source_label + " → " + f.target_label + ": " + fmt(f.tonnes) + " " + data.labels.tonnes;
    });
    [[sources, "end", -6], [targets, "start", nodeWidth + 6]].forEach(function (side) {
      Object.keys(side[0]).forEach(function (key) {
        var n = side[0][key];
        svgEl("rect", { x: n.x, y: n.y, width: nodeWidth, height: n.h, fill: n.colour, "class": "sankey-node" }, svg);
        text(svg, n.x + side[2], n.y + n.h / 2 + 4, n.label + " (" + fmt(n.tonnes) + ")", { "text-anchor": side[1] });
      });
    });
  }

  var source = document.getElementById("chart-data");
  if (source) {
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      (box.dataset.chart === "gauge" ? gauge : sankey)(box, data);
    });
  }
  var printButton = document.getElementById("print-report");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
})();
