// Draws parks (polygons) and sites (points) on every .symbiosis-map element, over the offline base layer of
// administrative boundaries with their names (base_map.js). The GeoJSON comes inline from the server; tiles
// only if BASEMAP_URL is set, so the map works with no internet at all.
(function () {
  "use strict";
  // Leaflet's own controls in the page's language (their titles are read out and shown on hover); the
  // attribution names Leaflet without its English tagline.
  if (window.L && document.body.dataset.zoomIn) {
    L.Control.Zoom.prototype.options.zoomInTitle = document.body.dataset.zoomIn;
    L.Control.Zoom.prototype.options.zoomOutTitle = document.body.dataset.zoomOut;
    L.Control.Attribution.prototype.options.prefix = '<a href="https://leafletjs.com">Leaflet</a>';
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
      var p = gcj ? window.gcj02.fromWgs84(c[0], c[1]) : c;
      return L.latLng(p[1], p[0]);
    };
    var map = L.map(el, { preferCanvas: false, attributionControl: true, zoomSnap: 0.25 });
    el.leafletMap = map;  // for the browser tests
    if (el.dataset.basemapUrl) {
      L.tileLayer(el.dataset.basemapUrl, { attribution: el.dataset.basemapAttribution || "" }).addTo(map);
    } else {
      el.classList.add("bg-light");
    }
    if (window.baseMap && el.dataset.boundariesUrl) {
      window.baseMap.add(map, { url: el.dataset.boundariesUrl, toLatLng: coordsToLatLng, tiles: !!el.dataset.basemapUrl })
        .ready.then(function (n) { el.dataset.prefectureCount = String(n); el.classList.add("boundaries-ready"); })
        .catch(function () { el.classList.add("boundaries-error"); });
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
