"""Downloads of a park's (or the province view's) network: the links as CSV, a workbook with a sheet per
topic (indicators, links, sites) headed in the reader's language, and GeoJSON layers (sites as points,
links as lines, park outlines) zipped as three files GIS software opens one by one.
"""
from __future__ import annotations

import io
import json
import zipfile

from flask_babel import lazy_gettext as _l
from shapely.geometry import mapping

from .. import formatting
from ..labels import city_label, sector_label
from ..links.present import LINK_STATUS_LABELS, coupling_label, material_name
from ..models import Park
from ..services.indicators import Indicators
from ..services.spreadsheets import DECIMAL_1, DECIMAL_3, INTEGER, PERCENT_1, Column, csv_bytes, xlsx_bytes

# The CSV keeps the machine keys as headers: it is read by programs as much as by people.
COLUMNS = ("link_id", "status", "material_code", "material_family", "quantity", "unit",
           "supplier_site_id", "supplier_name", "supplier_sector", "supplier_park",
           "receiver_site_id", "receiver_name", "receiver_sector", "receiver_park",
           "distance_km", "net_benefit_cny", "co2_avoided_t", "coupling", "latent", "same_park",
           "explanation_zh", "explanation_en")


def link_rows(collection: dict) -> list[dict]:
    """One row per link of a network FeatureCollection, its ends looked up among the site features.

    Examples
    --------
    >>> link_rows({"features": []})
    []
    """
    sites = {f["properties"]["pk"]: f["properties"] for f in collection["features"]
             if f["properties"]["kind"] == "site"}
    rows = []
    for feature in collection["features"]:
        p = feature["properties"]
        if p["kind"] != "link":
            continue
        supplier, receiver = sites[p["supplier"]], sites[p["receiver"]]
        rows.append({
            "link_id": p["pk"], "status": p["status"], "material_code": p["material_code"],
            "material_family": p["material_family"], "quantity": p["quantity"], "unit": p["unit"],
            "supplier_site_id": supplier["site_id"], "supplier_name": supplier["name"],
            "supplier_name_en": supplier.get("name_en") or supplier["name"],
            "supplier_sector": supplier["sector"], "supplier_park": supplier["park"],
            "receiver_site_id": receiver["site_id"], "receiver_name": receiver["name"],
            "receiver_name_en": receiver.get("name_en") or receiver["name"],
            "receiver_sector": receiver["sector"], "receiver_park": receiver["park"],
            "distance_km": p["distance_km"], "net_benefit_cny": p["net_benefit_cny"],
            "co2_avoided_t": p["co2_avoided_t"], "coupling": p["coupling"], "latent": p["latent"],
            "same_park": p["same_park"], "explanation_zh": p["explanation_zh"], "explanation_en": p["explanation_en"]})
    return rows


def to_csv(rows: list[dict]) -> bytes:
    return csv_bytes(COLUMNS, rows)


# ------------------------------------------------------------------------------------------ workbook

SHEET_NAMES = {"indicators": _l("Indicators"), "links": _l("Links"), "sites": _l("Sites")}

LINK_COLUMNS = (
    Column("link_id", _l("Link no."), 10, INTEGER), Column("status_label", _l("Status"), 10),
    Column("material_label", _l("Material"), 22), Column("quantity", _l("Quantity a year"), 14, DECIMAL_1),
    Column("unit", _l("Unit"), 7), Column("supplier_label", _l("Supplier"), 30),
    Column("supplier_park", _l("Supplier's park"), 14), Column("receiver_label", _l("Receiver"), 30),
    Column("receiver_park", _l("Receiver's park"), 14), Column("distance_km", _l("Distance (km)"), 12, DECIMAL_1),
    Column("net_benefit_cny", _l("Net benefit (CNY a year)"), 18, INTEGER),
    Column("co2_avoided_t", _l("CO₂ avoided (t a year)"), 16, DECIMAL_1),
    Column("coupling_label", _l("Coupling"), 18), Column("explanation", _l("Explanation"), 60))

SITE_COLUMNS = (
    Column("site_id", _l("Site reference"), 14), Column("name", _l("Site"), 30),
    Column("organisation", _l("Organisation"), 30), Column("sector", _l("Sector"), 30),
    Column("park", _l("Park"), 14), Column("lon", _l("Longitude (WGS-84)"), 14, "0.0000"),
    Column("lat", _l("Latitude (WGS-84)"), 14, "0.0000"))

INDICATOR_COLUMNS = (Column("indicator", _l("Indicator"), 48), Column("value", _l("Value"), 16, DECIMAL_3),
                     Column("unit", _l("Unit"), 12), Column("note", _l("Note"), 24))


def _readable_link(row: dict, english: bool) -> dict:
    language = "en" if english else "zh"

    def side(prefix: str) -> str:
        name = row[f"{prefix}_name_en"] if english else row[f"{prefix}_name"]
        return name or f"{_l('not disclosed')} · {sector_label(row[f'{prefix}_sector'])}"

    return {**row, "status_label": str(LINK_STATUS_LABELS.get(row["status"], row["status"])),
            "material_label": material_name(row["material_code"]), "supplier_label": side("supplier"),
            "receiver_label": side("receiver"), "coupling_label": coupling_label(row["coupling"]),
            "explanation": row["explanation_en"] if english else row["explanation_zh"],
            "unit": formatting.unit_name(row["unit"], language)}


def _site_rows(collection: dict, english: bool) -> list[dict]:
    rows = []
    for feature in collection["features"]:
        p = feature["properties"]
        if p["kind"] != "site":
            continue
        lon, lat = feature["geometry"]["coordinates"]
        name = (p.get("name_en") or p["name"]) if english else p["name"]
        rows.append({"site_id": p["site_id"], "name": name or str(_l("not disclosed")),
                     "organisation": p["organisation"], "sector": sector_label(p["sector"]), "park": p["park"],
                     "lon": lon, "lat": lat})
    return rows


def _indicator_rows(ind: Indicators, language: str) -> list[dict]:
    estimate, potential = str(_l("estimate")), str(_l("potential"))
    rows = [
        (_l("Generated (bulk industrial solid waste)"), ind.generated_t, "t/a", estimate),
        (_l("Utilised (agreed and active links)"), ind.utilised_t, "t/a", ""),
        (_l("Stored or disposed (the rest)"), ind.stored_or_disposed_t, "t/a", estimate),
        (_l("Proposed, not yet agreed"), ind.proposed_t, "t/a", potential),
        (_l("Utilisation rate"), ind.utilisation_rate_pct, "%", estimate),
        (_l("Utilisation rate target"), ind.target_pct, "%", ""),
        (_l("Utilisation rate if the open proposals are agreed"), ind.potential_rate_pct, "%", potential),
        (_l("In-park closure (share of utilised by-products used inside)"), ind.in_park_closure_pct, "%", ""),
        (_l("Cross-park links of bulk solid waste (agreed)"), ind.cross_park_links, "", ""),
        (_l("Cross-park flows of bulk solid waste (agreed)"), ind.cross_park_t, "t/a", ""),
        (_l("CO₂ avoided"), ind.co2_avoided_t, "t/a", estimate),
        (_l("Net benefit of the agreed links"), ind.net_benefit_cny, "CNY/a", estimate),
    ]
    for family in ind.families:
        rows.append((_l("Agreed and active: %(unit)s", unit=family.unit), family.agreed, f"{family.unit}/a", ""))
    return [{"indicator": str(name), "value": value, "unit": formatting.unit_name(unit.replace("/a", "/yr"), language),
             "note": note} for name, value, unit, note in rows]


def to_xlsx(collection: dict, indicators: Indicators | None, *, english: bool) -> bytes:
    """The workbook: indicators (for those who may see them), links and sites sheets, headed and labelled
    in the reader's language."""
    links = [_readable_link(row, english) for row in link_rows(collection)]
    sheets = {}
    if indicators is not None:
        sheets[str(SHEET_NAMES["indicators"])] = ([_header(c) for c in INDICATOR_COLUMNS], _indicator_rows(indicators, "en" if english else "zh"))
    sheets[str(SHEET_NAMES["links"])] = ([_header(c) for c in LINK_COLUMNS], links)
    sheets[str(SHEET_NAMES["sites"])] = ([_header(c) for c in SITE_COLUMNS], _site_rows(collection, english))
    return xlsx_bytes(sheets)


def _header(column: Column) -> Column:
    """The column with its header rendered now, in the request's language."""
    return Column(column.key, str(column.header), column.width, column.number_format)


# ------------------------------------------------------------------------------------------ GeoJSON layers

def _layer(name: str, features: list[dict], properties: dict) -> bytes:
    collection = {"type": "FeatureCollection", "name": name, "properties": properties, "features": features}
    return json.dumps(collection, ensure_ascii=False, indent=1).encode("utf-8")


def park_outline_features(parks: list[Park]) -> list[dict]:
    return [{"type": "Feature", "id": f"park-{park.id}", "geometry": mapping(park.boundary),
             "properties": {"code": park.code, "name": park.name_zh, "name_en": park.name_en, "level": park.level,
                            "city": city_label(park.city_code)}}
            for park in parks if park.boundary is not None]


def geojson_zip(collection: dict, parks: list[Park], *, stem: str) -> bytes:
    """``<stem>-sites.geojson`` (points), ``<stem>-links.geojson`` (lines), ``<stem>-parks.geojson`` (outlines)."""
    header = {k: v for k, v in (collection.get("properties") or {}).items()}
    sites = [f for f in collection["features"] if f["properties"]["kind"] == "site"]
    links = [f for f in collection["features"] if f["properties"]["kind"] == "link"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}-sites.geojson", _layer("sites", sites, header))
        archive.writestr(f"{stem}-links.geojson", _layer("links", links, header))
        archive.writestr(f"{stem}-parks.geojson", _layer("parks", park_outline_features(parks), header))
    return out.getvalue()
