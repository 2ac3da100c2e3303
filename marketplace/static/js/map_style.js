// How every map of the app draws things: the one table of colours per material family, status and sector,
// and how a link's width follows its quantity. Loaded before network_map.js (and any other map) so a family
// has the same colour on every map and in every legend, whatever order the data arrives in.
// Exposes window.mapStyle.
(function () {
  "use strict";

  // One colour per material family of the knowledge base (matching/knowledge/*.yaml, "family:"), chosen to be
  // told apart and to hint at the material: greys for ash, browns for slag and sludge, blues for water.
  var FAMILY_COLOURS = {
    ash: "#7f7f7f", slag: "#8c564b", gypsum: "#d4a017", tailings: "#a6a31f", sludge: "#5b3a1e",
    scrap: "#1f77b4", "end-of-life": "#17becf", hazardous: "#d62728", chemical: "#9467bd",
    "chemical-residue": "#7b4173", brine: "#393b79", water: "#3c9ee0", gas: "#ff7f0e", energy: "#e6550d",
    organic: "#2ca02c", product: "#e377c2"
  };
  var OTHER_FAMILY_COLOUR = "#444444";
  var STATUS_COLOURS = { proposed: "#fd7e14", agreed: "#0d6efd", active: "#198754" };
  // GB/T 4754 divisions (first two digits of a sector code) of the sites on the maps.
  var SECTOR_COLOURS = { "31": "#6c757d", "44": "#343a40", "30": "#b08d57", "32": "#c0392b", "25": "#8e44ad",
    "26": "#9b59b6", "38": "#27ae60", "36": "#16a085", "42": "#2ecc71", "77": "#e67e22", "22": "#2980b9" };

  function familyColour(family) { return FAMILY_COLOURS[family] || OTHER_FAMILY_COLOUR; }
  function statusColour(status) { return STATUS_COLOURS[status] || "#333333"; }
  function sectorColour(code) { return SECTOR_COLOURS[(code || "").slice(0, 2)] || "#0d6efd"; }

  // Widths in pixels. Quantities of different units never compare (a tonne is not a GJ), so each unit family
  // has its own scale: its largest flow drawn gets MAX_WIDTH, the others by the square root of their share,
  // so the line's area follows the quantity and small flows stay visible.
  var MIN_WIDTH = 2, MAX_WIDTH = 14;
  function widthScale(items) {  // items: [{unit, quantity}] -> {unit: largest quantity}
    var largest = {};
    items.forEach(function (item) {
      if (!(item.quantity > 0)) return;
      largest[item.unit] = Math.max(largest[item.unit] || 0, item.quantity);
    });
    return largest;
  }
  function width(quantity, unit, scale) {
    var top = scale[unit];
    if (!top || !(quantity > 0)) return MIN_WIDTH;
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * Math.sqrt(Math.min(quantity / top, 1));
  }
  // The dash of a line: proposals dashed, agreed and active links solid. Dashes and gaps grow with the line
  // (and the line ends square) or a thick line's round caps would fill the gaps and it would look solid.
  function dash(status, lineWidth) {
    if (status !== "proposed") return null;
    var w = lineWidth || MIN_WIDTH;
    return Math.max(6, 2.5 * w).toFixed(0) + " " + Math.max(4, 1.5 * w).toFixed(0);
  }
  function lineCap(status) { return status === "proposed" ? "butt" : "round"; }

  window.mapStyle = {
    FAMILY_COLOURS: FAMILY_COLOURS, STATUS_COLOURS: STATUS_COLOURS, SECTOR_COLOURS: SECTOR_COLOURS,
    familyColour: familyColour, statusColour: statusColour, sectorColour: sectorColour,
    widthScale: widthScale, width: width, dash: dash, lineCap: lineCap, MIN_WIDTH: MIN_WIDTH, MAX_WIDTH: MAX_WIDTH
  };
})();
