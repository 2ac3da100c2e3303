// The symbiosis network map: park boundaries, sites by sector, links as arrows whose width follows
// tonnage (log scale) and whose colour shows material family or status. The network comes from the
// app's own API (fetch, same origin); filters work on it in the browser. Tiles only when BASEMAP_URL
// is set, so the map draws with no internet at all. Beside the map: the cascades (A's by-product feeds
// B, whose by-product feeds C; choosing one highlights it) and, for a clicked site, what its closure
// would strand (from /api/v1/sites/<id>/closure).
(function () {
  "use strict";

  var SECTOR_COLOURS = { "31": "#6c757d", "44": "#343a40", "30": "#b08d57", "32": "#c0392b", "25": "#8e44ad",
    "26": "#9b59b6", "38": "#27ae60", "36": "#16a085", "42": "#2ecc71", "77": "#e67e22", "22": "#2980b9" };
  var STATUS_COLOURS = { proposed: "#fd7e14", agreed: "#0d6efd", active: "#198754" };
  // Sixteen distinct colours: the knowledge base has about a dozen material families.
  var FAMILY_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#ff7f0e", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd", "#e6550d"];

  function sectorColour(code) { return SECTOR_COLOURS[(code || "").slice(0, 2)] || "#0d6efd"; }

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatNumber(value, digits) {
    if (value == null) return "";
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits == null ? 1 : digits });
  }

  // Width in pixels from tonnage, on a log scale: 10 t -> 3.5, 1 000 t -> 6.5, 100 000 t -> 9.5 (capped at 12).
  // Gas, heat and water links (not in tonnes) get a thin line.
  function linkWidth(p) {
    if (p.unit !== "t") return 2.5;
    return Math.min(12, 2 + 1.5 * Math.log10(Math.max(p.quantity, 1)));
  }

  function draw(el) {
    var labels = JSON.parse(document.getElementById("network-map-labels").textContent);
    var parks = JSON.parse(document.getElementById("network-map-parks").textContent);
    var zh = el.dataset.locale === "zh";
    var gcj = el.dataset.basemapCrs === "GCJ02";
    function toLatLng(c) {
      var p = gcj ? window.gcj02.fromWgs84(c[0], c[1]) : c;
      return L.latLng(p[1], p[0]);
    }
    el.style.height = "560px";
    var map = L.map(el, { attributionControl: true });
    if (el.dataset.basemapUrl) {
      L.tileLayer(el.dataset.basemapUrl, { attribution: el.dataset.basemapAttribution || "" }).addTo(map);
    } else {
      el.classList.add("bg-light");
    }
    var parkLayer = L.geoJSON(parks, {
      coordsToLatLng: toLatLng,
      style: function (f) {
        return { className: "network-park", color: f.properties.managed ? "#198754" : "#555",
          weight: f.properties.managed ? 3 : 1.5, fillOpacity: 0.08 };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(escapeHtml(zh ? f.properties.name : (f.properties.name_en || f.properties.name)));
      }
    }).addTo(map);
    var linkLayer = L.layerGroup().addTo(map);
    var siteLayer = L.layerGroup().addTo(map);
    var details = document.getElementById("network-details");
    var summary = document.getElementById("network-summary");
    var colourBy = document.getElementById("colour-by");
    var filters = Array.prototype.slice.call(document.querySelectorAll("#network-filters [data-filter]"));
    var sites = {}, links = [], families = {}, cascades = [], chosen = null;
    var cascadeBox = document.getElementById("network-cascades");

    function familyColour(family) {
      if (!(family in families)) families[family] = FAMILY_PALETTE[Object.keys(families).length % FAMILY_PALETTE.length];
      return families[family];
    }
    function linkColour(p) {
      return colourBy.value === "status" ? STATUS_COLOURS[p.status] || "#333" : familyColour(p.material_family || "other");
    }
    function siteTitle(p) {
      if (!p.revealed) return labels.hidden;
      return zh ? p.name : (p.name_en || p.name);
    }
    function row(label, value) {
      return "<dt class=\"col-5\">" + escapeHtml(label) + "</dt><dd class=\"col-7\">" + value + "</dd>";
    }
    function showSite(p) {
      details.innerHTML = "<h2 class=\"h6\" data-kind=\"site\" data-site-id=\"" + p.pk + "\">" + escapeHtml(labels.site) + ": " +
        escapeHtml(siteTitle(p)) + "</h2><dl class=\"row mb-0\">" + (p.organisation ? row(labels.organisation, escapeHtml(p.organisation)) : "") +
        row(labels.sector, escapeHtml(p.sector)) + row(labels.park, escapeHtml(p.park || labels.none)) + "</dl>" +
        "<button type=\"button\" class=\"btn btn-sm btn-outline-danger mt-2\" id=\"closure-button\">" + escapeHtml(labels.closure_button) +
        "</button><div id=\"network-closure\" class=\"mt-2\"></div>";
      document.getElementById("closure-button").addEventListener("click", function () { showClosure(p); });
    }

    // "If this site closed": what its receivers (downstream) and suppliers (upstream) lose, per unit family,
    // the links lost and the posted listings that could take each over. Names as the API discloses them.
    function unitSymbol(unit) { return { Nm3: "Nm³", m3: "m³" }[unit] || unit; }
    function quantities(byUnit) {
      var units = Object.keys(byUnit || {});
      if (!units.length) return "–";
      return units.map(function (u) { return formatNumber(byUnit[u]) + " " + unitSymbol(u) + "/a"; }).join(" · ");
    }
    function refTitle(ref) {
      if (!ref.revealed) return labels.hidden + " (" + ref.sector + ")";
      return (zh ? ref.name : (ref.name_en || ref.name)) || "";
    }
    function showClosure(p) {
      var box = document.getElementById("network-closure");
      box.textContent = labels.loading;
      fetch(el.dataset.closureUrl.replace("{id}", p.pk), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (c) {
          var html = "<h3 class=\"h6\">" + escapeHtml(labels.closure_title) + "</h3><dl class=\"row mb-1\" data-closure-site=\"" + c.site.id + "\">" +
            row(labels.downstream, "<span data-closure=\"downstream-agreed\">" + escapeHtml(quantities(c.downstream_agreed)) + "</span>") +
            row(labels.downstream_proposed, "<span data-closure=\"downstream-proposed\">" + escapeHtml(quantities(c.downstream_proposed)) + "</span>") +
            row(labels.upstream, "<span data-closure=\"upstream-agreed\">" + escapeHtml(quantities(c.upstream_agreed)) + "</span>") +
            row(labels.upstream_proposed, "<span data-closure=\"upstream-proposed\">" + escapeHtml(quantities(c.upstream_proposed)) + "</span>") +
            row(labels.links_lost, "<span data-closure=\"links-lost\">" + c.links_lost + "</span>") + "</dl>";
          if (!c.links.length) html += "<p class=\"text-muted mb-0\">" + escapeHtml(labels.nothing_lost) + "</p>";
          html += "<ul class=\"list-unstyled mb-1 closure-links\">" + c.links.map(function (l) {
            var alternatives = l.alternatives.length ? "<ul class=\"mb-1\">" + l.alternatives.map(function (a) {
              return "<li data-listing-id=\"" + a.listing_id + "\">" + escapeHtml(refTitle(a.site)) + ": " +
                escapeHtml(formatNumber(a.available) + " " + unitSymbol(a.unit) + "/a, " + (a.distance_rounded ? "≈" : "") +
                formatNumber(a.distance_km, 0) + " km") + "</li>";
            }).join("") + "</ul>" : "<div class=\"text-muted\">" + escapeHtml(labels.no_alternatives.replace("{km}", formatNumber(l.radius_km, 0))) + "</div>";
            return "<li class=\"mb-1\" data-link-id=\"" + l.link_id + "\" data-direction=\"" + l.direction + "\">" +
              "<strong>" + escapeHtml(l.direction === "downstream" ? labels.to : labels.from) + " " + escapeHtml(refTitle(l.partner)) + "</strong>: " +
              escapeHtml(l.material_name + " " + formatNumber(l.quantity) + " " + unitSymbol(l.unit) + "/a (" + (labels[l.status] || l.status) + ")") +
              "<div>" + escapeHtml(l.direction === "downstream" ? labels.other_suppliers : labels.other_receivers) + ":</div>" + alternatives + "</li>";
          }).join("") + "</ul><p class=\"text-muted mb-0\">" + escapeHtml(labels.alternatives_method) + "</p>";
          box.innerHTML = html;
          box.classList.add("closure-ready");
        })
        .catch(function () { box.textContent = labels.closure_error; });
    }
    function showLink(p) {
      var from = sites[p.supplier], to = sites[p.receiver];
      details.innerHTML = "<h2 class=\"h6\" data-kind=\"link\" data-link-id=\"" + p.pk + "\">" + escapeHtml(labels.link) + " #" + p.pk +
        ": " + escapeHtml(zh ? p.material_name : p.material_name_en) + "</h2><dl class=\"row mb-1\">" +
        row(labels.from, escapeHtml(from ? siteTitle(from) : "")) + row(labels.to, escapeHtml(to ? siteTitle(to) : "")) +
        row(labels.quantity, escapeHtml(formatNumber(p.quantity) + " " + unitSymbol(p.unit))) +
        row(labels.status, escapeHtml(labels[p.status] || p.status)) +
        row(labels.distance, escapeHtml(formatNumber(p.distance_km) + " km")) +
        row(labels.benefit, escapeHtml(formatNumber(p.net_benefit_cny, 0) + " CNY")) +
        row(labels.co2, escapeHtml(formatNumber(p.co2_avoided_t) + " t")) +
        (p.coupling ? row(labels.coupling, escapeHtml(p.coupling)) : "") +
        (p.latent ? row(labels.latent, escapeHtml(labels.yes)) : "") +
        "</dl><p class=\"mb-0\"><strong>" + escapeHtml(labels.explanation) + ":</strong> <span class=\"link-explanation\">" +
        escapeHtml(zh ? p.explanation_zh : p.explanation_en) + "</span></p>";
    }

    // The arrowhead is a small triangle in screen pixels at 60 % of the line, redrawn on zoom.
    function arrowLatLngs(a, b, width) {
      var pa = map.latLngToLayerPoint(a), pb = map.latLngToLayerPoint(b);
      var dx = pb.x - pa.x, dy = pb.y - pa.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var ux = dx / len, uy = dy / len, size = 7 + width;
      var tip = L.point(pa.x + dx * 0.6 + ux * size / 2, pa.y + dy * 0.6 + uy * size / 2);
      var base = L.point(tip.x - ux * size, tip.y - uy * size);
      var left = L.point(base.x - uy * size * 0.6, base.y + ux * size * 0.6);
      var right = L.point(base.x + uy * size * 0.6, base.y - ux * size * 0.6);
      return [tip, left, right].map(function (p) { return map.layerPointToLatLng(p); });
    }

    function matches(p, filter, value) {
      if (!value) return true;
      if (filter === "sector") {
        var ends = p.kind === "link" ? [sites[p.supplier], sites[p.receiver]] : [p];
        return ends.some(function (s) { return s && s.sector === value; });
      }
      return String(p[filter] == null ? "" : p[filter]) === value;
    }
    function visible(p) {
      return filters.every(function (select) {
        var filter = select.dataset.filter;
        if (p.kind === "site" && filter !== "sector") return true;
        return matches(p, filter, select.value);
      });
    }

    // The chosen cascade's links and sites, or null when none is chosen.
    function highlighted() {
      if (chosen === null) return null;
      var c = cascades[chosen], ids = { links: {}, sites: {} };
      c.links.forEach(function (step) { step.forEach(function (id) { ids.links[id] = true; }); });
      c.sites.forEach(function (id) { ids.sites[id] = true; });
      return ids;
    }

    function render() {
      linkLayer.clearLayers();
      siteLayer.clearLayers();
      var nLinks = 0, nSites = 0, lit = highlighted();
      links.forEach(function (f) {
        var p = f.properties;
        if (!visible(p)) return;
        var on = !lit || lit.links[p.pk], dim = lit && !on;
        var c = f.geometry.coordinates, a = toLatLng(c[0]), b = toLatLng(c[1]), width = linkWidth(p) + (lit && on ? 3 : 0);
        var colour = linkColour(p);
        var line = L.polyline([a, b], { className: "network-link network-link-" + p.status + (lit && on ? " network-highlight" : ""),
          color: colour, weight: width, opacity: dim ? 0.15 : (lit ? 1 : 0.8), dashArray: p.status === "proposed" ? "6 4" : null });
        var arrow = L.polygon(arrowLatLngs(a, b, width), { className: "network-arrow", color: colour, weight: 1,
          fillColor: colour, fillOpacity: dim ? 0.15 : 0.95, opacity: dim ? 0.15 : 1 });
        arrow.feature = f;
        [line, arrow].forEach(function (layer) {
          layer.on("click", function (e) { L.DomEvent.stopPropagation(e); showLink(p); });
          layer.bindTooltip(escapeHtml((zh ? p.material_name : p.material_name_en) + " · " + formatNumber(p.quantity) + " " + unitSymbol(p.unit)));
          linkLayer.addLayer(layer);
        });
        [line, arrow].forEach(function (layer) { if (layer.getElement()) layer.getElement().setAttribute("data-link-id", p.pk); });
        nLinks += 1;
      });
      Object.keys(sites).forEach(function (id) {
        var p = sites[id];
        if (!visible(p)) return;
        var on = !lit || lit.sites[id];
        var marker = L.circleMarker(toLatLng(p.coordinates), { className: "network-site" + (lit && on ? " network-highlight" : ""),
          radius: lit && on ? 9 : 7, color: "#222", weight: lit && on ? 2 : 1, fillColor: sectorColour(p.sector),
          fillOpacity: on ? 0.95 : 0.2, opacity: on ? 1 : 0.3 });
        marker.on("click", function (e) { L.DomEvent.stopPropagation(e); showSite(p); });
        marker.bindTooltip(escapeHtml(siteTitle(p) + " · " + p.sector));
        siteLayer.addLayer(marker);
        if (marker.getElement()) marker.getElement().setAttribute("data-site-id", id);
        nSites += 1;
      });
      el.dataset.linkCount = String(nLinks);
      el.dataset.siteCount = String(nSites);
      summary.textContent = links.length ? labels.summary.replace("{sites}", nSites).replace("{links}", nLinks) : labels.empty;
      legend();
    }

    function legend() {
      var box = document.getElementById("network-legend");
      var entries = colourBy.value === "status" ? STATUS_COLOURS : families;
      box.innerHTML = "";
      function entry(colour, text, round) {
        var item = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "d-inline-block me-1 align-middle" + (round ? " rounded-circle" : "");
        swatch.style.width = round ? "10px" : "14px";
        swatch.style.height = round ? "10px" : "4px";
        swatch.style.background = colour;
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(text));
        box.appendChild(item);
      }
      Object.keys(entries).forEach(function (key) { entry(entries[key], labels[key] || key, false); });
      var divisions = {};
      Object.keys(sites).forEach(function (id) { divisions[(sites[id].sector || "").slice(0, 2)] = true; });
      var heading = document.createElement("div");
      heading.className = "fw-bold mt-2";
      heading.textContent = labels.sites_by_sector;
      box.appendChild(heading);
      Object.keys(divisions).sort().forEach(function (d) { entry(sectorColour(d), (labels.divisions || {})[d] || labels.division + " " + d, true); });
    }

    // The cascades, longest first; choosing one highlights its links and sites, choosing it again clears.
    function listCascades() {
      if (!cascadeBox) return;
      cascadeBox.innerHTML = "";
      var heading = document.createElement("div");
      heading.className = "fw-bold";
      heading.textContent = labels.cascades + " (" + cascades.length + ")";
      cascadeBox.appendChild(heading);
      if (!cascades.length) {
        var none = document.createElement("p");
        none.className = "text-muted mb-0";
        none.textContent = labels.no_cascades;
        cascadeBox.appendChild(none);
        return;
      }
      var hint = document.createElement("p");
      hint.className = "text-muted mb-1";
      hint.textContent = labels.cascade_hint;
      cascadeBox.appendChild(hint);
      var list = document.createElement("div");
      list.className = "list-group list-group-flush";
      var names = {};
      links.forEach(function (f) { names[f.properties.material_code] = zh ? f.properties.material_name : f.properties.material_name_en; });
      cascades.forEach(function (c, index) {
        var item = document.createElement("button");
        item.type = "button";
        item.className = "list-group-item list-group-item-action px-1 py-1 small network-cascade" + (chosen === index ? " active" : "");
        item.dataset.cascade = String(index);
        item.dataset.status = c.status;
        var parts = [];
        c.sites.forEach(function (id, i) {
          parts.push(sites[id] ? siteTitle(sites[id]) + " (" + sites[id].sector + ")" : String(id));
          if (i < c.materials.length) parts.push("→ " + (names[c.materials[i]] || c.materials[i]) + " →");
        });
        item.textContent = parts.join(" ") + (c.status === "proposed" ? " · " + labels.proposed : "");
        item.addEventListener("click", function () {
          chosen = chosen === index ? null : index;
          el.dataset.cascade = chosen === null ? "" : String(chosen);
          listCascades();
          render();
          if (chosen !== null) {  // bring the whole chain into view
            var ends = c.sites.filter(function (id) { return sites[id]; }).map(function (id) { return toLatLng(sites[id].coordinates); });
            if (ends.length) map.fitBounds(L.latLngBounds(ends), { padding: [40, 40], maxZoom: 13 });
          }
        });
        list.appendChild(item);
      });
      cascadeBox.appendChild(list);
    }

    function fillSelect(select, values) {
      values.sort().forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = labels[value] || value;
        select.appendChild(option);
      });
    }

    function fitAll() {
      var bounds = parkLayer.getBounds();
      Object.keys(sites).forEach(function (id) {
        var ll = toLatLng(sites[id].coordinates);
        bounds = bounds.isValid() ? bounds.extend(ll) : L.latLngBounds(ll, ll);
      });
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [30, 30], maxZoom: 13 }); } else { map.setView([31.8, 117.2], 7); }
    }

    el.dataset.parkCount = String(parkLayer.getLayers().length);
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) {
        var values = { material_code: {}, status: { proposed: true, agreed: true, active: true }, sector: {}, coupling: {},
          unit: {} };
        collection.features.forEach(function (f) {
          var p = f.properties;
          if (p.kind === "site") {
            sites[p.pk] = Object.assign({ coordinates: f.geometry.coordinates }, p);
            values.sector[p.sector] = true;
          } else {
            links.push(f);
            values.material_code[p.material_code] = true;
            values.status[p.status] = true;
            if (p.coupling) values.coupling[p.coupling] = true;
            values.unit[p.unit] = true;
            familyColour(p.material_family || "other");
          }
        });
        filters.forEach(function (select) { fillSelect(select, Object.keys(values[select.dataset.filter])); });
        cascades = collection.cascades || [];
        listCascades();
        fitAll();
        render();
        map.on("zoomend", render);
        el.classList.add("map-ready");
      })
      .catch(function () {
        summary.textContent = labels.error;
        fitAll();
        el.classList.add("map-ready", "map-error");
      });
    filters.concat([colourBy]).forEach(function (select) { select.addEventListener("change", render); });
  }

  document.querySelectorAll(".network-map").forEach(draw);
})();
