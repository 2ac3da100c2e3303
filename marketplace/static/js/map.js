// Draws parks (polygons) and sites (points) on every .symbiosis-map element.
// The GeoJSON comes inline from the server; tiles only if BASEMAP_URL is set, so the map
// works with no internet at all.
(function () {
  "use strict";

  // GCJ-02 offset, for base maps (AMap, Tencent) drawn in that frame.
  var A = 6378245.0, EE = 0.00669342162296594323;
  function outOfChina(lon, lat) { return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLon(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function toGcj02(lon, lat) {
    if (outOfChina(lon, lat)) return [lon, lat];
    var dLat = tLat(lon - 105, lat - 35), dLon = tLon(lon - 105, lat - 35);
    var rad = lat / 180 * Math.PI, magic = 1 - EE * Math.sin(rad) * Math.sin(rad), s = Math.sqrt(magic);
    dLat = (dLat * 180) / ((A * (1 - EE)) / (magic * s) * Math.PI);
    dLon = (dLon * 180) / (A / s * Math.cos(rad) * Math.PI);
    return [lon + dLon, lat + dLat];
  }

  var SECTOR_COLOURS = { "31": "#6c757d", "44": "#343a40", "30": "#b08d57", "32": "#c0392b", "25": "#8e44ad",
    "26": "#9b59b6", "38": "#27ae60", "36": "#16a085", "42": "#2ecc71", "77": "#e67e22", "22": "#2980b9" };
  function sectorColour(code) { return SECTOR_COLOURS[(code || "").slice(0, 2)] || "#0d6efd"; }

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function draw(el) {
    var parks = JSON.parse(document.getElementById(el.id + "-parks").textContent);
    var sites = JSON.parse(document.getElementById(el.id + "-sites").textContent);
    el.style.height = el.dataset.height || "420px";
    var gcj = el.dataset.basemapCrs === "GCJ02";
    var coordsToLatLng = function (c) {
      var p = gcj ? toGcj02(c[0], c[1]) : c;
      return L.latLng(p[1], p[0]);
    };
    var map = L.map(el, { preferCanvas: false, attributionControl: true });
    if (el.dataset.basemapUrl) {
      L.tileLayer(el.dataset.basemapUrl, { attribution: el.dataset.basemapAttribution || "" }).addTo(map);
    }
    var zh = el.dataset.locale === "zh";
    var parkLayer = L.geoJSON(parks, {
      coordsToLatLng: coordsToLatLng,
      style: function (f) {
        return { color: f.properties.managed ? "#198754" : "#555", weight: f.properties.managed ? 3 : 1.5, fillOpacity: 0.12 };
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        layer.bindPopup("<b>" + escapeHtml(zh ? p.name : (p.name_en || p.name)) + "</b><br>" + escapeHtml(p.code) +
          (p.note ? "<br><small>" + escapeHtml(p.note) + "</small>" : ""));
      }
    }).addTo(map);
    var siteLayer = L.geoJSON(sites, {
      coordsToLatLng: coordsToLatLng,
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#222", weight: 1, fillColor: sectorColour(f.properties.sector), fillOpacity: 0.9 });
      },
      onEachFeature: function (f, layer) {
        var p = f.properties;
        var title = p.name ? escapeHtml(zh ? p.name : (p.name_en || p.name)) : escapeHtml(p.sector);
        if (p.url) { title = '<a href="' + escapeHtml(p.url) + '">' + title + "</a>"; }
        layer.bindPopup("<b>" + title + "</b>" + (p.organisation ? "<br>" + escapeHtml(p.organisation) : "") +
          "<br>" + escapeHtml(p.detail || p.sector));
      }
    }).addTo(map);
    var bounds = parkLayer.getBounds();
    if (siteLayer.getLayers().length) { bounds = bounds.isValid() ? bounds.extend(siteLayer.getBounds()) : siteLayer.getBounds(); }
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 14 }); } else { map.setView([31.8, 117.2], 7); }
    el.dataset.parkCount = String(parkLayer.getLayers().length);
    el.dataset.siteCount = String(siteLayer.getLayers().length);
    el.classList.add("map-ready");
  }

  document.querySelectorAll(".symbiosis-map").forEach(draw);
})();
