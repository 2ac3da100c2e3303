"""GeoJSON for the maps drawn by the pages (sites and parks)."""
from __future__ import annotations

from shapely.geometry import mapping

from .models import Park, Site


def site_features(sites: list[Site], *, detailed: bool = True) -> dict:
    features = []
    for site in sites:
        properties = {"id": site.id, "sector": site.sector_code, "park": site.park.code if site.park else None}
        if detailed:
            properties |= {"name": site.name_zh, "name_en": site.name_en, "ref": site.external_ref,
                           "organisation": site.organisation.name_zh}
        features.append({"type": "Feature", "geometry": mapping(site.location), "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def park_features(parks: list[Park], *, managed_ids: set[int] = frozenset()) -> dict:
    features = []
    for park in parks:
        if park.boundary is None:
            continue
        features.append({"type": "Feature", "geometry": mapping(park.boundary), "properties": {
            "id": park.id, "code": park.code, "name": park.name_zh, "name_en": park.name_en,
            "level": park.level, "managed": park.id in managed_ids, "note": park.boundary_note}})
    return {"type": "FeatureCollection", "features": features}
