"""Human labels for codes shown on pages: sectors, cities, park levels, roles."""
from __future__ import annotations

from flask import Flask
from flask_babel import get_locale, lazy_gettext as _l

from geo.divisions import load_divisions
from matching.knowledge.sectors import load_sectors

PARK_LEVEL_LABELS = {"national": _l("national"), "provincial": _l("provincial"),
                     "municipal": _l("municipal"), "other": _l("other")}
ROLE_LABELS = {"plant": _l("plant"), "recycler": _l("recycler"), "park_manager": _l("park manager"),
               "admin": _l("administrator")}


def _english() -> bool:
    return str(get_locale()) == "en"


def sector_label(code: str | None) -> str:
    sector = load_sectors().get(code or "")
    if sector is None:
        return code or "—"
    return f"{code} {sector.name_en if _english() else sector.name_zh}"


def division_labels() -> dict[str, str]:
    """Every GB/T 4754 division (two digits) with its name in the page's language, for map legends."""
    return {code: sector_label(code) for code in load_sectors() if len(code) == 2 and code.isdigit()}


def city_label(code: str | None) -> str:
    division = load_divisions().get(code or "")
    if division is None:
        return code or "—"
    return division.name_en if _english() else division.name_zh


def register_label_filters(app: Flask) -> None:
    app.add_template_filter(sector_label, "sector")
    app.add_template_filter(city_label, "city")
    app.add_template_filter(lambda level: PARK_LEVEL_LABELS.get(level, level), "park_level")
    app.add_template_filter(lambda role: ROLE_LABELS.get(role, role), "role")
