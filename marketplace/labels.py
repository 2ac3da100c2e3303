"""Human labels for the codes and figures shown on pages: the one place a template turns a code into words.

Sectors, cities, park levels, roles; materials, routes, couplings, material families, quality keys (from the
knowledge base, in the page's language); user-entered names in the page's language when the user gave one;
and the number, unit and time formats of :mod:`marketplace.formatting`. Everything is registered as a Jinja
filter and a global, so a template writes ``{{ link.material_code | material }}`` or
``{{ quantity(listing.quantity, listing.unit) }}`` and never prints a code or a raw float.
"""
from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask
from flask_babel import get_locale, lazy_gettext as _l

from geo.divisions import load_divisions
from matching.couplings import coupling_table
from matching.knowledge.loader import load_knowledge
from matching.knowledge.sectors import load_sectors
from matching.knowledge.unclassified import UNCLASSIFIED_PREFIX

from . import formatting
from .materials.labels import CATEGORY_LABELS, FAMILY_LABELS

PARK_LEVEL_LABELS = {"national": _l("national"), "provincial": _l("provincial"),
                     "municipal": _l("municipal"), "other": _l("other")}
ROLE_LABELS = {"plant": _l("plant"), "recycler": _l("recycler"), "park_manager": _l("park manager"),
               "admin": _l("administrator")}
BATTERY_SCOPE_LABELS = {"cascade": _l("cascade use"), "recycling": _l("recycling"),
                        "both": _l("cascade use and recycling")}
LICENCE_KIND_LABELS = {"hw_permit": _l("hazardous-waste operating permit"),
                       "battery_listing": _l("retired power battery listing")}
# Notes a park boundary file may carry that the app knows (the demo's); any other note is shown as written.
BOUNDARY_NOTES = {"approximate boundary drawn for the demo, not an official boundary":
                  _l("approximate boundary drawn for the demo, not an official boundary")}
# Category values of quality keys that are words (not grades, classes or chemistries such as II, F, LFP): the
# value is what is stored and written in quality text; the label is what a select shows.
QUALITY_VALUE_LABELS = {"yes": _l("yes"), "no": _l("no"), "pack": _l("battery pack"), "module": _l("battery module"),
                        "cell": _l("battery cell")}
# A want's quality limit is written as the attribute's key with a bound: loi_pct_max = "LOI at most".
BOUND_LABELS = {"max": _l("%(name)s, at most"), "min": _l("%(name)s, at least")}


def page_language() -> str:
    return "en" if str(get_locale()) == "en" else "zh"


def _english() -> bool:
    return page_language() == "en"


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


def local_name(thing) -> str:
    """An organisation's, site's or park's name in the page's language: the English one when it was given."""
    if thing is None:
        return "—"
    english = getattr(thing, "name_en", None)
    return english if english and _english() else thing.name_zh


def material_label(code: str | None) -> str:
    """A material's name from the knowledge base; an unclassified stream by the name it was written with."""
    if not code:
        return "—"
    if code.startswith(UNCLASSIFIED_PREFIX):
        return code.removeprefix(UNCLASSIFIED_PREFIX)
    material = load_knowledge().materials.get(code)
    if material is None:
        return code
    return material.name_en if _english() else material.name_zh


@lru_cache(maxsize=1)
def _routes() -> dict:
    return {route.id: route for route in load_knowledge().routes}


def route_label(route_id: str | None) -> str:
    """A utilisation route by what it does ("粉煤灰作水泥混合材")."""
    route = _routes().get(route_id or "")
    if route is None:
        return route_id or "—"
    return route.process_en if _english() else route.process_zh


def coupling_label(code: str | None) -> str:
    if not code:
        return "—"
    words = coupling_table().words.get(code)
    if words is None:
        return code
    return words[1] if _english() else words[0]


def family_label(family: str | None) -> str:
    return str(FAMILY_LABELS.get(family, family or "—"))


def category_label(category: str | None) -> str:
    """A material category: a named group, or the official ledger or hazardous-waste code (S01, HW49) as is."""
    return str(CATEGORY_LABELS.get(category, category or "—"))


@lru_cache(maxsize=1)
def _quality_attributes() -> dict:
    attributes = {}
    for material in load_knowledge().materials.values():
        for attribute in material.quality_attributes:
            attributes.setdefault(attribute.key, attribute)
            for alias in attribute.aliases:
                attributes.setdefault(alias, attribute)
    return attributes


def quality_label(key: str | None) -> str:
    """``loi_pct`` -> ``烧失量 (%)``; ``loi_pct_max`` -> ``烧失量 (%)，上限``; an unknown key stays as written."""
    if not key:
        return "—"
    base, bound = key, None
    for suffix in ("_max", "_min"):
        if key.endswith(suffix) and key not in _quality_attributes():
            base, bound = key.removesuffix(suffix), suffix[1:]
    attribute = _quality_attributes().get(base)
    if attribute is None:
        return key
    name = attribute.name_en if _english() else attribute.name_zh
    if attribute.unit:
        name = f"{name} ({formatting.unit_name(attribute.unit, page_language())})"
    return str(BOUND_LABELS[bound]) % {"name": name} if bound else name


def quality_value_label(value: str) -> str:
    """A quality key's category value as a select shows it: a word in the page's language, else as written."""
    label = QUALITY_VALUE_LABELS.get(value)
    return str(label) if label is not None else value


def boundary_note_label(note: str | None) -> str:
    return str(BOUNDARY_NOTES.get((note or "").strip(), note or ""))


def battery_scope_label(scope: str | None) -> str:
    return str(BATTERY_SCOPE_LABELS.get(scope, scope or "—"))


def licence_kind_label(kind: str | None) -> str:
    return str(LICENCE_KIND_LABELS.get(kind, kind or "—"))


# ---------------------------------------------------------------------------------- numbers in the page's language

def text_language(text: str | None) -> str:
    """The language a knowledge-base text (a note, a source's title) is written in, for its ``lang`` attribute:
    ``zh`` if it is mostly Chinese, else ``en``. Such texts exist in one language only and are shown as written."""
    text = text or ""
    han = sum("\u3400" <= ch <= "\u9fff" for ch in text)
    latin = sum(ch.isascii() and ch.isalpha() for ch in text)
    return "zh" if han and han * 2 >= latin else "en"


_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")


def mark_chinese(text: str | None):
    """A text written in one language with the Chinese terms inside it marked ``lang="zh"`` (a licence's Chinese
    name in an English note), so readers and screen readers take them as Chinese."""
    from markupsafe import Markup, escape

    return Markup(_HAN_RUN.sub(lambda m: f'<span lang="zh">{m.group(0)}</span>', str(escape(text or ""))))


def number(value, digits: int = 1) -> str:
    return formatting.number(value, page_language(), digits=digits)


def quantity(value, unit: str | None = None, digits: int = 1) -> str:
    return formatting.quantity(value, unit, page_language(), digits=digits)


def unit_label(unit: str | None) -> str:
    return formatting.unit_name(unit, page_language())


def money(value, per: str | None = None, digits: int = 0) -> str:
    return formatting.money(value, page_language(), per=per, digits=digits)


def percent(value, digits: int = 1) -> str:
    return formatting.percent(value, page_language(), digits=digits)


def china_time(value, seconds: bool = False) -> str:
    return formatting.china_time(value, page_language(), seconds=seconds)


LABELS = {
    "sector": sector_label, "city": city_label, "local_name": local_name, "material": material_label,
    "route": route_label, "coupling": coupling_label, "family": family_label, "category": category_label,
    "quality_key": quality_label, "battery_scope": battery_scope_label, "boundary_note": boundary_note_label, "licence_kind": licence_kind_label,
    "park_level": lambda level: PARK_LEVEL_LABELS.get(level, level), "role": lambda role: ROLE_LABELS.get(role, role),
    "number": number, "quantity": quantity, "unit": unit_label, "money": money, "percent": percent,
    "china_time": china_time, "china_date": formatting.china_date,
}


def map_labels() -> dict:
    """Names the map scripts show for codes in the network data, in the page's language (``/labels.json``)."""
    from .links.present import LINK_STATUS_LABELS

    sectors = {code: sector_label(code) for code in load_sectors()}
    couplings = {code: coupling_label(code) for code in coupling_table().words}
    units = {unit: formatting.unit_name(unit, page_language()) for unit in formatting.UNIT_NAMES["en"]}
    return {"sector": sectors, "coupling": couplings, "unit": units,
            "status": {status: str(label) for status, label in LINK_STATUS_LABELS.items()},
            "family": {family: str(label) for family, label in FAMILY_LABELS.items()}}


def register_label_filters(app: Flask) -> None:
    from flask import jsonify

    from .errors import translated

    app.add_template_filter(translated, "translated")
    app.add_url_rule("/labels.json", "map_labels", lambda: jsonify(map_labels()))
    for name, function in LABELS.items():
        app.add_template_filter(function, name)
    # The same as globals for templates that call them with several arguments: quantity(x, 't/yr').
    app.add_template_global(quantity, "quantity")
    app.add_template_global(money, "money")
    app.add_template_global(number, "number")
    app.add_template_global(unit_label, "unit_label")
    app.add_template_global(local_name, "local_name")
    app.add_template_global(text_language, "text_language")
    app.add_template_filter(mark_chinese, "mark_chinese")
