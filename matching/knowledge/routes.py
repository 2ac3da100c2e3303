"""Read and validate ``routes.yaml``: how each material is used, by whom, replacing what, under which limits.

A route names known materials of one unit, GB/T 4754 user sectors, the licence its receiver needs,
quality limits on attributes the materials have, transport radii, and a source or an ``estimate``
mark for every figure (:data:`~matching.knowledge.models.FIGURE_FIELDS`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from matching.knowledge.citations import REFERENCE_ID, STANDARD, parse_sources
from matching.knowledge.entries import Entry, read_entries
from matching.knowledge.models import (
    FIGURE_FIELDS,
    Material,
    QualityAttribute,
    QualityLimit,
    Reference,
    Replaces,
    Route,
    SourceRef,
)
from matching.knowledge.sectors import Sector
from matching.knowledge.text import suggest

__all__ = ["COUPLINGS", "ROUTES_FILE", "TRANSPORT_MODES", "parse_routes"]

ROUTES_FILE = "routes.yaml"

ROUTE_LICENCES = frozenset({"none", "hw_permit", "battery_cascade", "battery_recycling"})
TRANSPORT_MODES = frozenset({"road", "rail", "barge", "pipeline"})
OPERATORS = frozenset({"<=", ">=", "in"})
COUPLINGS = frozenset({
    "power-building materials",
    "steel-building materials",
    "nonferrous-building materials",
    "mining-building materials",
    "chemical-building materials",
    "steel-chemical",
    "refining-chemical",
    "coal-chemical",
    "chemical-chemical",
    "battery make-recycle",
    "metal recycling",
    "energy cascade",
    "water cascade",
    "agri-food-feed",
    "food-energy",
    "waste-to-resource",
    "municipal-industrial",
    "forest-pulp-paper",
})
ROUTE_KEYS = frozenset({
    "id", "material", "process_zh", "process_en", "user_sectors", "replaces", "replacement_ratio",
    "quality_limits", "transport", "co2_avoided_t_per_unit", "typical_price_cny_per_unit",
    "supplier_disposal_cost_cny_per_unit", "receiver_licence", "coupling", "sources", "estimate", "notes",
    "serves",
})

LIMIT_KEYS = frozenset({"key", "op", "value", "standard"})
REPLACES_KEYS = frozenset({"name_zh", "name_en", "price_source"})

_PRICE_KEY = re.compile(r"price_cny_per_(t|gj|mwh|nm3|m3|kwh|kg)")


def parse_routes(
    document: dict[str, Any],
    materials: Mapping[str, Material],
    references: Mapping[str, Reference],
    sectors: Mapping[str, Sector],
) -> tuple[Route, ...]:
    file = ROUTES_FILE
    routes: dict[str, Route] = {}
    for route_id, entry in read_entries(document, file=file, section="routes", kind="route", id_field="id",
                                        allowed=ROUTE_KEYS):
        codes = entry.texts("material", required=True)
        for code in codes:
            if code not in materials:
                entry.fail("material", f"unknown material {code!r}", suggest(code, {c: c for c in materials}))
        units = {materials[code].unit for code in codes}
        if len(units) != 1:
            entry.fail("material", f"materials of one route must share a unit, got {', '.join(sorted(units))}")
        user_sectors = entry.texts("user_sectors", required=True)
        for sector in user_sectors:
            if sector not in sectors:
                entry.fail("user_sectors", f"{sector!r} is not a GB/T 4754-2017 code")
        licence = entry.text("receiver_licence")
        _check_route_licence(entry, licence, [materials[code] for code in codes])
        coupling = entry.text("coupling")
        if coupling not in COUPLINGS:
            entry.fail("coupling", f"{coupling!r} is not one of {', '.join(sorted(COUPLINGS))}")
        limits = _parse_limits(entry, codes, materials)
        sources = parse_sources(entry, references)
        estimate = entry.texts("estimate")
        replaces = _parse_replaces(entry, references)
        _check_figures_sourced(entry, sources, estimate, replaces, limits)
        serves = _parse_serves(entry, codes, units, materials)
        routes[route_id] = Route(
            id=route_id,
            materials=codes,
            unit=units.pop(),
            process_zh=entry.text("process_zh"),
            process_en=entry.text("process_en"),
            user_sectors=user_sectors,
            replaces=replaces,
            replacement_ratio=entry.number("replacement_ratio", minimum=0, strictly=True),
            quality_limits=limits,
            transport=_parse_transport(entry),
            co2_avoided_t_per_unit=entry.number("co2_avoided_t_per_unit"),
            typical_price_cny_per_unit=entry.number("typical_price_cny_per_unit"),
            supplier_disposal_cost_cny_per_unit=entry.number("supplier_disposal_cost_cny_per_unit", minimum=0),
            receiver_licence=licence,
            coupling=coupling,
            sources=sources,
            estimate=estimate,
            notes=entry.text("notes", required=False),
            serves=serves,
        )
    return tuple(routes.values())


def _parse_serves(
    entry: Entry, codes: tuple[str, ...], units: set[str], materials: Mapping[str, Material]
) -> tuple[str, ...]:
    """What the route's material stands in for at its users: known materials of the route's unit, none of
    them the route's own materials or their ancestors (a material serves a want for itself already)."""
    served = entry.texts("serves")
    own = set(codes)
    for code in codes:
        parent = materials[code].parent
        while parent is not None:
            own.add(parent)
            parent = materials[parent].parent
    for code in served:
        if code not in materials:
            entry.fail("serves", f"unknown material {code!r}", suggest(code, {c: c for c in materials}))
        if code in own:
            entry.fail("serves", f"{code} is the route's own material or its ancestor")
        if materials[code].unit not in units:
            entry.fail("serves", f"{code} is measured in {materials[code].unit}, the route in {', '.join(sorted(units))}")
        if materials[code].hazardous:
            entry.fail("serves", f"{code} is hazardous waste: a route serves products and utilities, not waste")
    return served


def _check_route_licence(entry: Entry, licence: str, route_materials: list[Material]) -> None:
    if licence not in ROUTE_LICENCES:
        entry.fail("receiver_licence", f"{licence!r} is not one of {', '.join(sorted(ROUTE_LICENCES))}")
    for material in route_materials:
        needed = material.receiver_licence
        if needed == "battery_any":
            allowed = {"battery_cascade", "battery_recycling"}
        else:
            allowed = {needed}
        if licence not in allowed:
            entry.fail(
                "receiver_licence",
                f"{material.code} needs {' or '.join(sorted(allowed))}, route says {licence}",
            )


def _parse_replaces(entry: Entry, references: Mapping[str, Reference]) -> Replaces:
    raw = entry.raw.get("replaces")
    sub = Entry(entry.file, "route", raw, entry.entry)
    price_keys = [key for key in raw if _PRICE_KEY.fullmatch(key)]
    sub.only(REPLACES_KEYS | set(price_keys), within="replaces")
    if len(price_keys) != 1:
        entry.fail("replaces", "give exactly one price_cny_per_<unit> (t, gj, mwh, nm3, m3, kwh, kg)")
    price = sub.number(price_keys[0], minimum=0)
    source = sub.text("price_source")
    if source != "estimate" and REFERENCE_ID.fullmatch(source) and source not in references:
        entry.fail("replaces", f"price_source {source} is not defined under references")
    if source != "estimate" and not (
        REFERENCE_ID.fullmatch(source) or source.startswith(("http://", "https://")) or STANDARD.match(source)
    ):
        entry.fail("replaces", "price_source must be 'estimate', a reference id, a standard or a URL")
    unit = _PRICE_KEY.fullmatch(price_keys[0]).group(1)  # type: ignore[union-attr]
    return Replaces(sub.text("name_zh"), sub.text("name_en"), price, unit, source)


def _parse_limits(entry: Entry, codes: tuple[str, ...], materials: Mapping[str, Material]) -> tuple[QualityLimit, ...]:
    raw = entry.raw.get("quality_limits", [])
    if not isinstance(raw, list):
        entry.fail("quality_limits", "must be a list")
    attributes_by_material = {code: _inherited_attributes(code, materials) for code in codes}
    limits = []
    for item in raw:
        if not isinstance(item, dict):
            entry.fail("quality_limits", f"item {item!r} must be a mapping")
        Entry(entry.file, "route", item, entry.entry).only(LIMIT_KEYS, within="quality_limits")
        key, op, value, standard = (item.get(name) for name in ("key", "op", "value", "standard"))
        for code, attributes in attributes_by_material.items():
            if key not in attributes:
                entry.fail("quality_limits", f"{key!r} is not a quality attribute of {code}", sorted(attributes)[:5])
        if op not in OPERATORS:
            entry.fail("quality_limits", f"{key}: op must be one of <=, >=, in")
        kinds = {attributes[key].kind for attributes in attributes_by_material.values()}
        if (op == "in") == (kinds == {"number"}):
            entry.fail("quality_limits", f"{key}: {op} does not suit a {'/'.join(sorted(kinds))} attribute")
        if op == "in":
            if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                entry.fail("quality_limits", f"{key}: 'in' needs a list of quoted strings")
            allowed = next(iter(attributes_by_material.values()))[key].values
            if allowed and not set(value) <= set(allowed):
                entry.fail("quality_limits", f"{key}: values must be among {', '.join(allowed)}")
            value = tuple(value)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            entry.fail("quality_limits", f"{key}: {op} needs a number")
        else:
            value = float(value)
        if not isinstance(standard, str) or not standard.strip():
            entry.fail("quality_limits", f"{key}: every limit names the standard that sets it")
        limits.append(QualityLimit(key, op, value, standard.strip()))
    return tuple(limits)


def _inherited_attributes(code: str, materials: Mapping[str, Material]) -> dict[str, QualityAttribute]:
    merged: dict[str, QualityAttribute] = {}
    current: str | None = code
    while current is not None:
        for attribute in materials[current].quality_attributes:
            merged.setdefault(attribute.key, attribute)
        current = materials[current].parent
    return merged


def _parse_transport(entry: Entry) -> tuple[tuple[str, float], ...]:
    raw = entry.raw.get("transport")
    if not isinstance(raw, dict) or not raw:
        entry.fail("transport", "give at least one mode: radius_km (road, rail, barge, pipeline)")
    pairs = []
    for mode, radius in raw.items():
        if mode not in TRANSPORT_MODES:
            entry.fail("transport", f"unknown mode {mode!r}", sorted(TRANSPORT_MODES))
        if isinstance(radius, bool) or not isinstance(radius, (int, float)):
            entry.fail("transport", f"{mode}: radius must be a number of km")
        if radius < 0:
            entry.fail("transport", f"{mode}: negative radius {radius} km")
        pairs.append((mode, float(radius)))
    return tuple(pairs)


def _check_figures_sourced(
    entry: Entry,
    sources: tuple[SourceRef, ...],
    estimate: tuple[str, ...],
    replaces: Replaces,
    limits: tuple[QualityLimit, ...],
) -> None:
    limit_keys = {limit.key for limit in limits}
    for name in estimate:
        if name in FIGURE_FIELDS:
            continue
        if name.startswith("quality_limits.") and name.split(".", 1)[1] in limit_keys:
            continue
        entry.fail("estimate", f"{name!r} names no figure of this route")
    sourced = {name for source in sources for name in source.fields}
    if replaces.price_source != "estimate":
        sourced.add("replaces.price")
    covered = sourced | set(estimate)
    if replaces.price_source == "estimate":
        covered.add("replaces.price")
    missing = [name for name in FIGURE_FIELDS if name not in covered]
    if missing:
        entry.fail(
            missing[0],
            "figure has no source: cite it in sources[].fields or list it under estimate",
        )
