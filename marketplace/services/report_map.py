"""The report's map, drawn on the server as SVG: park outlines, county and prefecture lines with their
names, sites and links — so a printed or PDF report shows where the network lies without a browser.

It draws a network FeatureCollection as :func:`.network_view.network_geojson` gives it to the reader,
so a hidden site sits on its grid point here as on the map page. Colours per material family are the
web map's (``static/js/map_style.js`` holds the one table); link widths follow the quantity within
each unit family, as on the web map.
"""
from __future__ import annotations

import functools
import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.area import ANHUI_CODE
from geo.boundaries import simplified_children
from geo.divisions import load_divisions

MAP_STYLE_JS = Path(__file__).resolve().parent.parent / "static" / "js" / "map_style.js"
OTHER_FAMILY_COLOUR = "#444444"
WIDTH_PX = 760.0
MIN_LINE, MAX_LINE = 1.2, 7.0
# Around the drawn features, so that sites on the edge keep their symbols and the outline its context.
MARGIN_SHARE = 0.12
# The smallest extent drawn (degrees): one site alone still shows its county.
MIN_SPAN_DEG = 0.08
# Above this span the counties would crowd the map: prefectures only.
COUNTY_SPAN_DEG = 1.2


@functools.lru_cache(maxsize=1)
def family_colours() -> dict[str, str]:
    """The web map's colour per material family, read from ``map_style.js`` (one table for every map)."""
    text = MAP_STYLE_JS.read_text(encoding="utf-8")
    block = re.search(r"FAMILY_COLOURS\s*=\s*\{(.*?)\}", text, re.S)
    if block is None:
        return {}
    return {key: colour for key, colour in
            re.findall(r"\"?([\w-]+)\"?\s*:\s*\"(#[0-9a-fA-F]{6})\"", block.group(1))}


@dataclass(frozen=True)
class _Frame:
    """Lon/lat to SVG pixels: an equirectangular view, true to scale at the centre latitude."""

    west: float
    north: float
    scale: float  # pixels per degree of longitude
    aspect: float  # cos(latitude)
    height: float

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.west) * self.scale, (self.north - lat) * self.scale / self.aspect)


def _frame(bounds: tuple[float, float, float, float]) -> _Frame:
    west, south, east, north = bounds
    lon_span, lat_span = max(east - west, MIN_SPAN_DEG), max(north - south, MIN_SPAN_DEG)
    centre_lon, centre_lat = (west + east) / 2, (south + north) / 2
    lon_span, lat_span = lon_span * (1 + 2 * MARGIN_SHARE), lat_span * (1 + 2 * MARGIN_SHARE)
    aspect = math.cos(math.radians(centre_lat))
    # Degrees of latitude are 1/aspect times longer on the page than degrees of longitude.
    ratio = (lat_span / aspect) / lon_span
    if ratio > 0.9:  # a tall extent: widen it to keep the page's shape
        lon_span = lat_span / aspect / 0.9
    west, north = centre_lon - lon_span / 2, centre_lat + lat_span / 2
    scale = WIDTH_PX / lon_span
    height = max(lat_span, lon_span * 0.5 * aspect) * scale / aspect
    return _Frame(west, max(north, centre_lat + height * aspect / scale / 2), scale, aspect, height)


def _path(geometry: BaseGeometry, frame: _Frame) -> str:
    parts = []
    polygons = getattr(geometry, "geoms", [geometry])
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [frame.xy(x, y) for x, y in ring.coords]
            parts.append("M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in points) + " Z")
    return " ".join(parts)


def _divisions(view: BaseGeometry, english: bool) -> list[tuple[str, BaseGeometry, str]]:
    """Prefectures, or counties when the view is small enough, that the view touches: (level, shape, name)."""
    names = load_divisions()
    prefectures = [p for p in simplified_children(ANHUI_CODE, 300.0) if p.geometry.intersects(view)]
    west, south, east, north = view.bounds
    if max(east - west, north - south) > COUNTY_SPAN_DEG:
        found = [("prefecture", p) for p in prefectures]
    else:
        found = [("county", c) for p in prefectures for c in simplified_children(p.code, 100.0)
                 if c.geometry.intersects(view)] or [("prefecture", p) for p in prefectures]
    out = []
    for level, item in found:
        division = names.get(item.code)
        name = division.name_en if english and division is not None else item.name_zh
        out.append((level, item.geometry.intersection(view), name))
    return out


def _width(quantity: float, top: float) -> float:
    if not top or quantity <= 0:
        return MIN_LINE
    return MIN_LINE + (MAX_LINE - MIN_LINE) * math.sqrt(min(quantity / top, 1.0))


def _markers(colours: set[str]) -> str:
    """One arrowhead per colour drawn (SVG 1.1 markers cannot take the line's colour), of one size whatever
    the line's width: scaled with it, the heads of the widest flows would hide their ends."""
    return "<defs>" + "".join(
        f'<marker id="arrow-{colour[1:]}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="10" markerHeight="10" '
        f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>' for colour in sorted(colours)) + "</defs>"


def network_svg(collection: dict, outlines: list[BaseGeometry], *, english: bool = False,
                title: str = "", north_label: str = "N") -> str:
    """An SVG document of the network (sites and links of ``collection``) over the park ``outlines``;
    ``north_label`` names the north arrow in the reader's language."""
    sites = [f for f in collection["features"] if f["properties"]["kind"] == "site"]
    links = [f for f in collection["features"] if f["properties"]["kind"] == "link"]
    points = [shapely.Point(f["geometry"]["coordinates"]) for f in sites]
    shapes = [g for g in outlines if g is not None and not g.is_empty] + points
    if not shapes:
        return ""
    frame = _frame(shapely.union_all([g.envelope for g in shapes]).bounds)
    west, north = frame.west, frame.north
    east = west + WIDTH_PX / frame.scale
    south = north - frame.height * frame.aspect / frame.scale
    view = box(west, south, east, north)
    colours = family_colours()
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH_PX:.0f} {frame.height:.0f}" '
           f'class="report-map-svg" role="img" aria-label="{html.escape(title)}">',
           _markers({colours.get(f["properties"].get("material_family") or "", OTHER_FAMILY_COLOUR) for f in links}),
           f'<rect x="0" y="0" width="{WIDTH_PX:.0f}" height="{frame.height:.0f}" fill="#f8f9fa"/>']
    labels = []
    for level, shape, name in _divisions(view, english):
        stroke = "#9aa0a6" if level == "county" else "#6c757d"
        out.append(f'<path d="{_path(shape, frame)}" fill="none" stroke="{stroke}" stroke-width="0.8" '
                   f'stroke-dasharray="{"3 2" if level == "county" else "none"}"/>')
        if not shape.is_empty:
            spot = shape.representative_point()
            x, y = frame.xy(spot.x, spot.y)
            labels.append(f'<text x="{x:.1f}" y="{y:.1f}" class="division-label" font-size="11" fill="#6c757d" '
                          f'text-anchor="middle">{html.escape(name)}</text>')
    out.extend(labels)
    for outline in outlines:
        if outline is not None and not outline.is_empty:
            out.append(f'<path d="{_path(outline, frame)}" fill="#198754" fill-opacity="0.08" stroke="#198754" '
                       'stroke-width="1.6"/>')
    top: dict[str, float] = {}
    for link in links:
        p = link["properties"]
        top[p["unit"]] = max(top.get(p["unit"], 0.0), p["quantity"] or 0.0)
    for link in sorted(links, key=lambda f: -(f["properties"]["quantity"] or 0.0)):
        p = link["properties"]
        (x1, y1), (x2, y2) = (frame.xy(*c) for c in link["geometry"]["coordinates"])
        colour = colours.get(p.get("material_family") or "", OTHER_FAMILY_COLOUR)
        dash = ' stroke-dasharray="6 4"' if p["status"] == "proposed" else ""
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" '
                   f'stroke-width="{_width(p["quantity"] or 0.0, top[p["unit"]]):.1f}" stroke-opacity="0.85"'
                   f'{dash} marker-end="url(#arrow-{colour[1:]})" data-link="{p["pk"]}"/>')
    for feature in sites:
        x, y = frame.xy(*feature["geometry"]["coordinates"])
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" stroke="#212529" stroke-width="1.4" '
                   f'data-site="{feature["properties"]["pk"]}"/>')
    # A scale bar: 1, 2, 5, 10, 20 or 50 km, whichever is near a fifth of the width.
    km_per_px = 111.32 * frame.aspect / frame.scale
    target = WIDTH_PX / 5 * km_per_px
    bar_km = min((1, 2, 5, 10, 20, 50, 100), key=lambda km: abs(km - target))
    bar_px = bar_km / km_per_px
    y = frame.height - 14
    out.append(f'<g class="scale-bar"><line x1="12" y1="{y:.0f}" x2="{12 + bar_px:.1f}" y2="{y:.0f}" '
               f'stroke="#212529" stroke-width="2"/><text x="12" y="{y - 4:.0f}" font-size="11">{bar_km} km</text></g>')
    out.append(f'<text x="{WIDTH_PX - 10:.0f}" y="16" font-size="12" text-anchor="end">{html.escape(north_label)} ↑</text>')
    out.append("</svg>")
    return "".join(out)


def legend_families(collection: dict) -> list[tuple[str, str]]:
    """(family, colour) of the links drawn, for the legend under the map."""
    families = sorted({f["properties"].get("material_family") or "" for f in collection["features"]
                       if f["properties"]["kind"] == "link"})
    colours = family_colours()
    return [(family, colours.get(family, OTHER_FAMILY_COLOUR)) for family in families]
