// The indicator charts, drawn with Apache ECharts (served by the app from its npm package): the utilisation
// rate against its target, and one Sankey per unit family (t, GJ, Nm³, m³: never added together) from
// generating to using sectors. The figures come from the JSON the page embeds (#chart-data); the figures
// table and each chart's aria-label carry the same numbers as text.
(function () {
  "use strict";
  var MET = "#198754", NOT_MET = "#dc3545", TRACK = "#e9ecef";
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#ff7f0e"];
  // A4 less the report's 15 mm margins, in CSS pixels: the width a chart gets on paper.
  var PRINT_WIDTH_PX = 680;
  var SANKEY_ROW_PX = 30, SANKEY_MIN_HEIGHT_PX = 220;

  function fmt(value) { return Number(value).toLocaleString(undefined, { maximumFractionDigits: 1 }); }

  // Tooltips are drawn by ECharts itself ("richText"), not as HTML: its HTML tooltips carry inline style
  // attributes, which the page's Content-Security-Policy refuses.
  function tooltip(formatter) {
    return { renderMode: "richText", confine: true, formatter: formatter };
  }

  function rateOption(data) {
    var hasRate = data.rate != null;
    var met = hasRate && data.rate >= data.target;
    // What agreeing the open proposals would reach, drawn pale behind the rate itself.
    var showPotential = hasRate && data.potential != null && data.potential > data.rate;
    return {
      grid: { left: 16, right: 40, top: 34, bottom: 28 },
      xAxis: { type: "value", min: 0, max: 100, interval: 20, axisLabel: { formatter: "{value} %" },
        splitLine: { show: false } },
      yAxis: { type: "category", data: [data.labels.rate], show: false },
      tooltip: tooltip(function () {
        return data.labels.rate + ": " + (hasRate ? fmt(data.rate) + " %" : data.labels.none) + "\n" +
          (showPotential ? data.labels.potential + ": " + fmt(data.potential) + " %\n" : "") +
          data.labels.target + ": " + fmt(data.target) + " %";
      }),
      title: hasRate ? undefined : { text: data.labels.none, left: "center", top: 36,
        textStyle: { fontSize: 12, fontWeight: "normal", color: "#6c757d" } },
      series: [{
        type: "bar", name: data.labels.rate, barWidth: 22, z: 2,
        data: hasRate ? [{ value: Math.min(Math.max(data.rate, 0), 100), itemStyle: { color: met ? MET : NOT_MET } }] : [],
        label: { show: hasRate, position: "right", color: "#212529", fontWeight: "bold",
          formatter: function () { return fmt(data.rate) + " %"; } },
        markLine: {
          silent: true, symbol: "none", animation: false,
          lineStyle: { color: "#000", width: 2, type: "solid" },
          label: { position: "end", formatter: data.labels.target + " " + fmt(data.target) + " %" },
          data: [{ xAxis: data.target, name: data.labels.target }]
        }
      }, {
        // Drawn under the rate, with the 0–100 % track as its background.
        type: "bar", name: data.labels.potential, barWidth: 22, barGap: "-100%", z: 1, silent: true,
        showBackground: true, backgroundStyle: { color: TRACK },
        data: [{ value: showPotential ? Math.min(data.potential, 100) : 0,
          // Striped: a reachable rate, not one reached.
          itemStyle: { color: data.potential >= data.target ? MET : NOT_MET, opacity: 0.35,
            decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -Math.PI / 4, color: "rgba(255,255,255,0.6)" } } }],
        label: { show: showPotential, position: "insideRight", color: "#212529",
          formatter: function () { return data.labels.potential + " " + fmt(data.potential) + " %"; } }
      }]
    };
  }

  // Generating and using sectors get a node each, even when one sector is both: the Sankey stays two
  // columns (ECharts' Sankey needs an acyclic graph, and a sector can send and receive).
  function sankeyOption(flows, data) {
    var nodes = {}, order = [];
    var unit = flows[0].unit_symbol + "/a";
    function node(side, code, label, quantity) {
      var id = side + ":" + code;
      if (!nodes[id]) {
        nodes[id] = { name: id, sector: code, side: side, text: label, quantity: 0, depth: side === "generating" ? 0 : 1 };
        order.push(id);
      }
      nodes[id].quantity += quantity;
      return id;
    }
    var links = flows.map(function (f) {
      return { source: node("generating", f.source, f.source_label, f.quantity),
        target: node("using", f.target, f.target_label, f.quantity), value: f.quantity,
        text: f.source_label + " → " + f.target_label + ((f.materials || []).length ? " (" + f.materials.join(", ") + ")" : "") };
    });
    var colour = 0;
    var seriesNodes = order.map(function (id) {
      var n = nodes[id];
      return { name: id, sector: n.sector, side: n.side, text: n.text, depth: n.depth,
        itemStyle: { color: n.side === "generating" ? PALETTE[colour++ % PALETTE.length] : "#6c757d" },
        label: { position: n.side === "generating" ? "left" : "right" } };
    });
    var labelOf = function (id) { return nodes[id].text + " (" + fmt(nodes[id].quantity) + ")"; };
    return {
      tooltip: tooltip(function (p) {
        if (p.dataType === "edge") return p.data.text + ": " + fmt(p.data.value) + " " + unit;
        return nodes[p.name].text + ": " + fmt(nodes[p.name].quantity) + " " + unit;
      }),
      series: [{
        type: "sankey", left: "28%", right: "28%", top: 10, bottom: 10, nodeWidth: 14, nodeGap: 10,
        nodeAlign: "justify", layoutIterations: 32, draggable: false,
        emphasis: { focus: "adjacency" },
        label: { fontSize: 12, overflow: "truncate", width: 260, formatter: function (p) { return labelOf(p.name); } },
        lineStyle: { color: "source", opacity: 0.45, curveness: 0.5 },
        data: seriesNodes, links: links
      }]
    };
  }

  function showNone(box, text) {
    var p = document.createElement("p");
    p.className = "text-muted small";
    p.textContent = text;
    box.appendChild(p);
  }

  function draw(box, data, charts) {
    var option;
    if (box.dataset.chart === "rate") {
      option = rateOption(data);
    } else {
      var flows = (data.sankey || []).filter(function (f) { return f.unit === box.dataset.unit && f.quantity > 0; });
      if (!flows.length) { showNone(box, data.labels.none); return; }
      var rows = Math.max(new Set(flows.map(function (f) { return f.source; })).size,
        new Set(flows.map(function (f) { return f.target; })).size);
      box.style.height = Math.max(SANKEY_MIN_HEIGHT_PX, rows * SANKEY_ROW_PX + 20) + "px";
      option = sankeyOption(flows, data);
    }
    // The printable report asks for SVG (sharp on paper) and no animation (a chart caught mid-animation
    // would print half drawn).
    var printable = box.dataset.renderer === "svg";
    var chart = echarts.init(box, null, { renderer: printable ? "svg" : "canvas" });
    option.animation = !printable;
    chart.on("finished", function () { box.classList.add("chart-ready"); });
    chart.setOption(option);
    charts.push(chart);
  }

  var source = document.getElementById("chart-data");
  if (source && window.echarts) {
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (box) { draw(box, data, charts); });
    // maxWidth null: as wide as the box. A fixed width sticks in ECharts until "auto" replaces it.
    var resizeAll = function (maxWidth) {
      charts.forEach(function (chart) {
        chart.resize({ width: maxWidth ? Math.min(chart.getDom().clientWidth, maxWidth) : "auto" });
        chart.getZr().refreshImmediately();  // printing does not wait for the next animation frame
      });
    };
    window.addEventListener("resize", function () { resizeAll(null); });
    window.addEventListener("beforeprint", function () { resizeAll(PRINT_WIDTH_PX); });
    window.addEventListener("afterprint", function () { resizeAll(null); });
  }
  var printButton = document.getElementById("print-report");
  if (printButton) printButton.addEventListener("click", function () { window.print(); });
})();
