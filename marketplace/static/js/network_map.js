// The symbiosis network map: on the offline base layer of administrative boundaries (base_map.js), park
// boundaries, sites by sector, links as arrows whose width follows the quantity within its unit family and
// whose colour shows material family or status (both from map_style.js, the one table of colours). The
// network comes from the app's own API (fetch, same origin); filters work on it in the browser. Tiles only
// when BASEMAP_URL is set, so the map draws with no internet at all. A park's map opens on the park; the
// province's opens on the province and, zoomed out, sums the links into one arrow per pair of parks or
// cities (per unit family); zoomed in it shows every link. Beside the map: the cascades (A's by-product
// feeds B, whose by-product feeds C; choosing one highlights it) and, for a clicked site, what its closure
// would strand (from /api/v1/sites/<id>/closure).
(function () {
  "use strict";
  // Leaflet's own controls in the page's language (their titles are read out and shown on hover); the
  // attribution names Leaflet without its English tagline.
  if (window.L && document.body.dataset.zoomIn) {
    L.Control.Zoom.prototype.options.zoomInTitle = document.body.dataset.zoomIn;
    L.Control.Zoom.prototype.options.zoomOutTitle = document.body.dataset.zoomOut;
    L.Control.Attribution.prototype.options.prefix = '<a href="https://leafletjs.com">Leaflet</a>';
  }

  var style = window.mapStyle;
  var sectorColour = style.sectorColour;
  var STATUS_COLOURS = style.STATUS_COLOURS;
  // Below this zoom the province map sums links by park or city (zoom 9 shows about a prefecture).
  var AGGREGATE_BELOW_ZOOM = 10;

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatNumber(value, digits) {
    if (value == null) return "";
    return Number(value).toLocaleString(undefined, { maximumFractionDigits: digits == null ? 1 : digits });
  }

  // 1 400 000 -> "140万" in Chinese, "1.4M" in English: how a reader of each language says a large quantity.
  function formatQuantity(value, zh) {
    var n = Number(value), abs = Math.abs(n);
    var steps = zh ? [[1e8, "亿"], [1e4, "万"]] : [[1e9, "B"], [1e6, "M"], [1e3, "K"]];
    for (var i = 0; i < steps.length; i++) {
      if (abs >= steps[i][0]) return formatNumber(n / steps[i][0], abs >= steps[i][0] * 100 ? 0 : 1) + steps[i][1];
    }
    return formatNumber(n, abs >= 100 ? 0 : 1);
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
    // Quarter zoom steps: a province or a park fills the map instead of sitting small in a whole-step view.
    var map = L.map(el, { attributionControl: true, zoomSnap: 0.25, zoomDelta: 0.5 });
    el.leafletMap = map;  // for the browser tests
    if (el.dataset.basemapUrl) {
      L.tileLayer(el.dataset.basemapUrl, { attribution: el.dataset.basemapAttribution || "" }).addTo(map);
    } else {
      el.classList.add("bg-light");
    }
    var base = window.baseMap.add(map, { url: el.dataset.boundariesUrl, toLatLng: toLatLng, tiles: !!el.dataset.basemapUrl });
    base.ready.then(function (n) { el.dataset.prefectureCount = String(n); el.classList.add("boundaries-ready"); })
      .catch(function () { el.classList.add("boundaries-error"); });
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
    var sites = {}, links = [], cascades = [], chosen = null;
    var cascadeBox = document.getElementById("network-cascades");
    var parkNames = {};
    (parks.features || []).forEach(function (f) {
      parkNames[f.properties.code] = zh ? f.properties.name : (f.properties.name_en || f.properties.name);
    });

    function linkColour(p) {
      return colourBy.value === "status" ? style.statusColour(p.status) : style.familyColour(p.material_family);
    }
    var codeNames = {};
    function nameOf(kind, code) { return (codeNames[kind] || {})[code] || code; }
    function unitText(unit) { return nameOf("unit", unit).replace(/3$/, "³") + labels.per_year; }
    // 140万吨/年 but 3.7亿 Nm³/年 and 1.4M t/yr: a space only before a unit written in Latin letters.
    function spaceBefore(unit) { return /^[\u3400-\u9fff]/.test(unit) ? unit : " " + unit; }
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
      return units.map(function (u) { return formatQuantity(byUnit[u], zh) + spaceBefore(unitText(u)); }).join(" · ");
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
              escapeHtml(l.material_name + " " + formatQuantity(l.quantity, zh) + spaceBefore(unitText(l.unit)) + " (" + (labels[l.status] || l.status) + ")") +
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
        row(labels.quantity, escapeHtml(formatQuantity(p.quantity, zh) + spaceBefore(unitText(p.unit)))) +
        row(labels.status, escapeHtml(labels[p.status] || p.status)) +
        row(labels.distance, escapeHtml(formatNumber(p.distance_km) + " km")) +
        row(labels.benefit, escapeHtml(formatQuantity(p.net_benefit_cny, zh) + spaceBefore(nameOf("unit", "CNY")))) +
        row(labels.co2, escapeHtml(formatQuantity(p.co2_avoided_t, zh) + spaceBefore(nameOf("unit", "t")))) +
        (p.coupling ? row(labels.coupling, escapeHtml(nameOf("coupling", p.coupling))) : "") +
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

    // Which park or city a site counts in when the province map sums links: its park, else the prefecture
    // whose boundary holds it (once the base layer is loaded), else the site itself.
    var groupOfSite = {}, groups = {};
    function groupOf(site) {
      if (groupOfSite[site.pk]) return groupOfSite[site.pk];
      var key, name, prefecture = null;
      if (site.park) { key = "park:" + site.park; name = parkNames[site.park] || site.park; }
      else if ((prefecture = base.prefectureAt(site.coordinates[0], site.coordinates[1]))) {
        key = "city:" + prefecture.code; name = prefecture.name;
      } else { key = "site:" + site.pk; name = siteTitle(site); }
      var group = groups[key] || (groups[key] = { key: key, name: name, members: [] });
      group.members.push(site);
      // A site outside every loaded prefecture is looked up again once the base layer has arrived.
      if (site.park || prefecture) groupOfSite[site.pk] = group;
      return group;
    }
    function groupPosition(group) {  // the mean of its sites' positions
      if (!group.at) {
        var lon = 0, lat = 0, seen = {};
        group.members.forEach(function (site) { seen[site.pk] = site; });
        var members = Object.keys(seen).map(function (pk) { return seen[pk]; });
        members.forEach(function (site) { lon += site.coordinates[0]; lat += site.coordinates[1]; });
        group.at = toLatLng([lon / members.length, lat / members.length]);
      }
      return group.at;
    }
    function aggregated() {
      return !el.dataset.parkCode && chosen === null && map.getZoom() < AGGREGATE_BELOW_ZOOM;
    }

    function addLink(f, lit, scale) {
      var p = f.properties;
      var on = !lit || lit.links[p.pk], dim = lit && !on;
      var c = f.geometry.coordinates, a = toLatLng(c[0]), b = toLatLng(c[1]);
      var width = style.width(p.quantity, p.unit, scale) + (lit && on ? 3 : 0);
      var colour = linkColour(p);
      var line = L.polyline([a, b], { className: "network-link network-link-" + p.status + (lit && on ? " network-highlight" : ""),
        color: colour, weight: width, opacity: dim ? 0.15 : (lit ? 1 : 0.8), dashArray: style.dash(p.status, width),
        lineCap: style.lineCap(p.status) });
      var arrow = L.polygon(arrowLatLngs(a, b, width), { className: "network-arrow", color: colour, weight: 1,
        fillColor: colour, fillOpacity: dim ? 0.15 : 0.95, opacity: dim ? 0.15 : 1 });
      arrow.feature = f;
      [line, arrow].forEach(function (layer) {
        layer.on("click", function (e) { L.DomEvent.stopPropagation(e); showLink(p); });
        layer.bindTooltip(escapeHtml((zh ? p.material_name : p.material_name_en) + " · " + formatQuantity(p.quantity, zh) + spaceBefore(unitText(p.unit))));
        linkLayer.addLayer(layer);
      });
      [line, arrow].forEach(function (layer) { if (layer.getElement()) layer.getElement().setAttribute("data-link-id", p.pk); });
    }

    // The visible links summed per (supplier's group, receiver's group, unit).
    function flows(shown) {
      var byKey = {};
      Object.keys(sites).forEach(function (id) { groupOf(sites[id]); });  // every site in its group before positions
      shown.forEach(function (f) {
        var p = f.properties, from = sites[p.supplier], to = sites[p.receiver];
        if (!from || !to) return;
        var gFrom = groupOf(from), gTo = groupOf(to), key = gFrom.key + ">" + gTo.key + ">" + p.unit;
        var flow = byKey[key] || (byKey[key] = { key: key, from: gFrom, to: gTo, unit: p.unit, quantity: 0, links: [],
          families: {}, statuses: {} });
        flow.quantity += p.quantity;
        flow.links.push(p.pk);
        flow.families[p.material_family || ""] = (flow.families[p.material_family || ""] || 0) + p.quantity;
        flow.statuses[p.status] = (flow.statuses[p.status] || 0) + p.quantity;
      });
      return Object.keys(byKey).map(function (key) { return byKey[key]; });
    }
    function largestKey(weights) {
      return Object.keys(weights).sort(function (x, y) { return weights[y] - weights[x]; })[0];
    }
    function flowColour(flow) {
      return colourBy.value === "status" ? style.statusColour(largestKey(flow.statuses)) : style.familyColour(largestKey(flow.families));
    }
    function flowText(flow) {
      return labels.flow_links.replace("{n}", flow.links.length) + " · " + formatQuantity(flow.quantity, zh) + spaceBefore(unitText(flow.unit));
    }
    function showFlow(flow) {
      var families = Object.keys(flow.families).map(function (k) { return (labels.families || {})[k] || k || labels.other_family; });
      var statuses = Object.keys(flow.statuses).map(function (k) { return labels[k] || k; });
      details.innerHTML = "<h2 class=\"h6\" data-kind=\"flow\">" + escapeHtml(flow.from.name) + " → " + escapeHtml(flow.to.name) + "</h2>" +
        "<dl class=\"row mb-1\">" + row(labels.links, escapeHtml(String(flow.links.length))) +
        row(labels.quantity, escapeHtml(formatQuantity(flow.quantity, zh) + spaceBefore(unitText(flow.unit)))) +
        row(labels.families_heading, escapeHtml(families.join(zh ? "、" : ", "))) +
        row(labels.status, escapeHtml(statuses.join(zh ? "、" : ", "))) + "</dl>" +
        "<p class=\"text-muted mb-0\">" + escapeHtml(labels.zoom_for_links) + "</p>";
    }
    // Parallel arrows for several unit families between the same pair, a few pixels apart.
    function shifted(a, b, offset) {
      if (!offset) return [a, b];
      var pa = map.latLngToLayerPoint(a), pb = map.latLngToLayerPoint(b);
      var dx = pb.x - pa.x, dy = pb.y - pa.y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      var nx = -dy / len * offset, ny = dx / len * offset;
      return [map.layerPointToLatLng(L.point(pa.x + nx, pa.y + ny)), map.layerPointToLatLng(L.point(pb.x + nx, pb.y + ny))];
    }
    function addFlows(all) {
      var between = all.filter(function (flow) { return flow.from.key !== flow.to.key; });
      var inside = all.filter(function (flow) { return flow.from.key === flow.to.key; });
      var scale = style.widthScale(between), pairs = {};
      between.forEach(function (flow) {
        var pair = flow.from.key + ">" + flow.to.key, k = pairs[pair] = (pairs[pair] || 0) + 1;
        var width = style.width(flow.quantity, flow.unit, scale), colour = flowColour(flow);
        var ends = shifted(groupPosition(flow.from), groupPosition(flow.to), (k - 1) * (style.MAX_WIDTH / 2 + 2));
        var agreed = (flow.statuses.agreed || 0) + (flow.statuses.active || 0) > 0;
        var status = agreed ? "agreed" : "proposed";
        var line = L.polyline(ends, { className: "network-flow", color: colour, weight: width, opacity: 0.8,
          dashArray: style.dash(status, width), lineCap: style.lineCap(status) });
        var arrow = L.polygon(arrowLatLngs(ends[0], ends[1], width), { className: "network-flow-arrow", color: colour, weight: 1,
          fillColor: colour, fillOpacity: 0.95 });
        [line, arrow].forEach(function (layer) {
          layer.on("click", function (e) { L.DomEvent.stopPropagation(e); showFlow(flow); });
          layer.bindTooltip(escapeHtml(flow.from.name + " → " + flow.to.name + ": " + flowText(flow)));
          linkLayer.addLayer(layer);
          if (layer.getElement()) {
            layer.getElement().setAttribute("data-links", flow.links.join(" "));
            layer.getElement().setAttribute("data-unit", flow.unit);
          }
        });
      });
      // Flows within one park or city: a ring around its centre, as thick as an arrow of that quantity.
      inside.forEach(function (flow) {
        var ring = L.circleMarker(groupPosition(flow.from), { className: "network-flow-inside", radius: 12,
          color: flowColour(flow), weight: style.width(flow.quantity, flow.unit, style.widthScale(inside.filter(function (o) {
            return o.unit === flow.unit; }))) / 2 + 1, fill: false, dashArray: (flow.statuses.agreed || flow.statuses.active) ? null : "4 3" });
        ring.on("click", function (e) { L.DomEvent.stopPropagation(e); showFlow(flow); });
        ring.bindTooltip(escapeHtml(labels.inside.replace("{name}", flow.from.name) + ": " + flowText(flow)));
        linkLayer.addLayer(ring);
        if (ring.getElement()) ring.getElement().setAttribute("data-links", flow.links.join(" "));
      });
      return between;
    }

    function render() {
      linkLayer.clearLayers();
      siteLayer.clearLayers();
      var nSites = 0, lit = highlighted();
      var shown = links.filter(function (f) { return visible(f.properties); });
      var drawn;  // what the widths of the legend describe
      if (aggregated()) {
        drawn = addFlows(flows(shown));
        el.dataset.mode = "aggregated";
        el.dataset.flowCount = String(drawn.length);
      } else {
        var scale = style.widthScale(shown.map(function (f) { return f.properties; }));
        shown.forEach(function (f) { addLink(f, lit, scale); });
        drawn = shown.map(function (f) { return f.properties; });
        el.dataset.mode = "links";
      }
      Object.keys(sites).forEach(function (id) {
        var p = sites[id];
        if (!visible(p)) return;
        var on = !lit || lit.sites[id];
        // Zoomed out, sites are small dots under the summed arrows, which carry the story.
        var small = el.dataset.mode === "aggregated";
        var marker = L.circleMarker(toLatLng(p.coordinates), { className: "network-site" + (lit && on ? " network-highlight" : ""),
          radius: lit && on ? 9 : (small ? 3.5 : 7), color: "#222", weight: lit && on ? 2 : (small ? 0.5 : 1),
          fillColor: sectorColour(p.sector), fillOpacity: on ? (small ? 0.7 : 0.95) : 0.2, opacity: on ? 1 : 0.3 });
        marker.on("click", function (e) { L.DomEvent.stopPropagation(e); showSite(p); });
        marker.bindTooltip(escapeHtml(siteTitle(p) + " · " + p.sector));
        siteLayer.addLayer(marker);
        if (marker.getElement()) marker.getElement().setAttribute("data-site-id", id);
        nSites += 1;
      });
      el.dataset.linkCount = String(shown.length);
      el.dataset.siteCount = String(nSites);
      summary.textContent = links.length ? labels.summary.replace("{sites}", nSites).replace("{links}", shown.length) +
        (el.dataset.mode === "aggregated" ? " · " + labels.aggregated_note : "") : labels.empty;
      legend(drawn, shown);
    }

    // The legend explains what is drawn: colours (families or statuses present), widths per unit family with
    // the quantities they stand for, dashes, and the sectors of the sites.
    function legend(drawn, shown) {
      var box = document.getElementById("network-legend");
      box.innerHTML = "";
      function heading(text) {
        var h = document.createElement("div");
        h.className = "fw-bold mt-2";
        h.textContent = text;
        box.appendChild(h);
      }
      function line(colour, widthPx, dashed, text, attrs) {
        var item = document.createElement("div");
        item.className = "legend-line";
        var swatch = document.createElement("span");
        swatch.className = "d-inline-block me-1 align-middle legend-swatch";
        swatch.style.width = "28px";
        swatch.style.borderTop = Math.round(widthPx) + "px " + (dashed ? "dashed " : "solid ") + colour;
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(text));
        Object.keys(attrs || {}).forEach(function (k) { item.setAttribute(k, attrs[k]); });
        box.appendChild(item);
      }
      function dot(colour, text) {
        var item = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "d-inline-block me-1 align-middle rounded-circle";
        swatch.style.width = "10px";
        swatch.style.height = "10px";
        swatch.style.background = colour;
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(text));
        box.appendChild(item);
      }
      var present = {};
      shown.forEach(function (f) {
        present[colourBy.value === "status" ? f.properties.status : (f.properties.material_family || "")] = true;
      });
      heading(colourBy.value === "status" ? labels.colour_status : labels.colour_family);
      Object.keys(present).sort().forEach(function (key) {
        if (colourBy.value === "status") line(style.statusColour(key), 4, false, labels[key] || key, { "data-status": key });
        else line(style.familyColour(key), 4, false, (labels.families || {})[key] || labels.other_family,
          { "data-family": key, "data-colour": style.familyColour(key) });
      });
      var scale = style.widthScale(drawn);
      var units = Object.keys(scale).sort();
      if (units.length) {
        heading(el.dataset.mode === "aggregated" ? labels.width_aggregated : labels.width_heading);
        units.forEach(function (unit) {
          var label = document.createElement("div");
          label.className = "small text-muted";
          label.textContent = labels[unit] || unitSymbol(unit);
          box.appendChild(label);
          [1, 0.25, 0.04].forEach(function (share) {
            var q = scale[unit] * share;
            line("#495057", style.width(q, unit, scale), false, formatQuantity(q, zh) + spaceBefore(unitText(unit)),
              { "data-unit": unit, "data-width": style.width(q, unit, scale).toFixed(1) });
          });
        });
      }
      heading(labels.line_heading);
      line("#495057", 3, false, labels.line_agreed, { "data-dash": "solid" });
      line("#495057", 3, true, labels.line_proposed, { "data-dash": "dashed" });
      if (el.dataset.mode === "aggregated" && linkLayer.getLayers().some(function (layer) { return layer instanceof L.CircleMarker; })) {
        var ring = document.createElement("div");
        var swatch = document.createElement("span");
        swatch.className = "d-inline-block me-1 align-middle rounded-circle";
        swatch.style.width = "12px";
        swatch.style.height = "12px";
        swatch.style.border = "3px solid #495057";
        ring.appendChild(swatch);
        ring.appendChild(document.createTextNode(labels.ring_inside));
        ring.setAttribute("data-ring", "inside");
        box.appendChild(ring);
      }
      var divisions = {};
      Object.keys(sites).forEach(function (id) { divisions[(sites[id].sector || "").slice(0, 2)] = true; });
      heading(labels.sites_by_sector);
      Object.keys(divisions).sort().forEach(function (d) { dot(sectorColour(d), (labels.divisions || {})[d] || labels.division + " " + d); });
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

    // Options by name, never by code: the server names sectors, couplings, units and statuses in the page's
    // language (/labels.json); materials are named by the links themselves.
    function fillSelect(select, values, names) {
      values.map(function (value) { return [value, (names || {})[value] || labels[value] || value]; })
        .sort(function (a, b) { return a[1].localeCompare(b[1]); })
        .forEach(function (pair) {
          var option = document.createElement("option");
          option.value = pair[0];
          option.textContent = pair[1];
          select.appendChild(option);
        });
    }

    // Where the map opens: a park's map on the park (its boundary and its own sites, not its partners far
    // away); the province's on the province's outline. Everything drawn only when neither is known.
    function fitInitial() {
      var bounds = L.latLngBounds([]);
      if (el.dataset.parkCode) {
        if (parkLayer.getLayers().length) bounds.extend(parkLayer.getBounds());
        Object.keys(sites).forEach(function (id) {
          if (sites[id].park === el.dataset.parkCode) bounds.extend(toLatLng(sites[id].coordinates));
        });
      } else if (el.dataset.homeBounds) {
        var b = el.dataset.homeBounds.split(",").map(Number);
        bounds.extend(toLatLng([b[0], b[1]])).extend(toLatLng([b[2], b[3]]));
      }
      if (!bounds.isValid()) {
        if (parkLayer.getLayers().length) bounds.extend(parkLayer.getBounds());
        Object.keys(sites).forEach(function (id) { bounds.extend(toLatLng(sites[id].coordinates)); });
      }
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 }); } else { map.setView([31.8, 117.2], 7); }
      el.dataset.initialZoom = String(map.getZoom());
    }
    fitInitial();  // at once on what is known, again when the park's sites have arrived

    el.dataset.parkCount = String(parkLayer.getLayers().length);
    var namesReady = fetch(el.dataset.labelsUrl || "/labels.json", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .catch(function () { return {}; });
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (collection) { return namesReady.then(function (names) { codeNames = names; return collection; }); })
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
          }
        });
        var materialNames = {};
        links.forEach(function (f) {
          materialNames[f.properties.material_code] = zh ? f.properties.material_name : f.properties.material_name_en;
        });
        filters.forEach(function (select) {
          var filter = select.dataset.filter;
          fillSelect(select, Object.keys(values[filter]), filter === "material_code" ? materialNames : codeNames[filter]);
        });
        cascades = collection.cascades || [];
        listCascades();
        if (el.dataset.parkCode) fitInitial();
        render();
        map.on("zoomend", render);
        // Sites outside parks are summed by city once the prefectures are known.
        base.ready.then(function () { if (el.dataset.mode === "aggregated") render(); }).catch(function () {});
        el.classList.add("map-ready");
      })
      .catch(function () {
        summary.textContent = labels.error;
        el.classList.add("map-ready", "map-error");
      });
    filters.concat([colourBy]).forEach(function (select) { select.addEventListener("change", render); });
  }

  document.querySelectorAll(".network-map").forEach(draw);
})();
