"""Read and validate ``materials.yaml``: the materials and the terms that name several of them.

A material's parent must exist, share its unit and hazard, and not lead back to it; a hazardous
material carries an HWnn category and its 8-digit codes, a general solid waste an Snn category.
What a material ``implies`` (``{chemistry: NCM}``) must be a value of one of its category attributes,
own or inherited, and agree with what its ancestors imply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from matching.knowledge.citations import parse_sources
from matching.knowledge.entries import Entry, read_entries
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.models import S_CATEGORY, AmbiguousTerm, Material, QualityAttribute, Reference
from matching.knowledge.text import suggest
from geo.messages import Message, N_

__all__ = [
    "CONVERTIBLE_UNITS",
    "FAMILIES",
    "MATERIALS_FILE",
    "UNITS",
    "parse_ambiguous",
    "parse_materials",
]

MATERIALS_FILE = "materials.yaml"

FAMILIES = frozenset({
    "slag", "ash", "gypsum", "sludge", "tailings", "chemical-residue", "hazardous", "energy", "gas",
    "water", "organic", "end-of-life", "scrap", "chemical", "brine", "product",
})
UNITS = frozenset({"t", "GJ", "MWh", "Nm3", "m3"})
# Units a listing may be written in besides the material's own, once the material states a conversion.
CONVERTIBLE_UNITS = UNITS | {"kg", "MJ", "kWh", "L"}
# CHEMICAL: by-product chemicals sold as products (smelter acid, by-product HCl ...); PRODUCT: what a receiver
# asks for when it posts a want for what it would replace (fertiliser, animal feed, fuel ...), never offered.
NON_SOLID_CATEGORIES = frozenset({"ENERGY", "GAS", "WATER", "ORGANIC", "EOL", "CHEMICAL", "PRODUCT"})
MATERIAL_LICENCES = frozenset({"none", "hw_permit", "battery_cascade", "battery_recycling", "battery_any"})
ATTRIBUTE_KINDS = frozenset({"number", "category", "text"})
ATTRIBUTE_KEYS = frozenset({"key", "unit", "name_zh", "name_en", "values", "aliases", "kind"})
MATERIAL_KEYS = frozenset({
    "code", "name_zh", "name_en", "synonyms_zh", "synonyms_en", "family", "category", "parent", "unit",
    "hazardous", "hw_codes", "receiver_licence", "bulk", "quality_attributes", "sources", "notes", "implies", "inherits_routes",
    "conversions",
})

_ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]*")
_HW_CODE = re.compile(r"(\d{3})-(\d{3})-(\d{2})")
_HW_CATEGORY = re.compile(r"HW(\d{2})")


def parse_materials(document: dict[str, Any], references: Mapping[str, Reference]) -> dict[str, Material]:
    file = MATERIALS_FILE
    materials: dict[str, Material] = {}
    for code, entry in read_entries(document, file=file, section="materials", kind="material", id_field="code",
                                    allowed=MATERIAL_KEYS):
        category = entry.text("category")
        hazardous = entry.flag("hazardous")
        hw_codes = entry.texts("hw_codes")
        _check_category(entry, category, hazardous, hw_codes)
        family = entry.text("family")
        if family not in FAMILIES:
            entry.fail("family", f"{family!r} is not one of {', '.join(sorted(FAMILIES))}")
        unit = entry.text("unit")
        if unit not in UNITS:
            entry.fail("unit", f"{unit!r} is not one of {', '.join(sorted(UNITS))}")
        licence = entry.text("receiver_licence")
        if licence not in MATERIAL_LICENCES:
            entry.fail("receiver_licence", f"{licence!r} is not one of {', '.join(sorted(MATERIAL_LICENCES))}")
        if hazardous != (licence == "hw_permit"):
            entry.fail("receiver_licence", "hazardous materials, and only they, need hw_permit")
        parent = entry.raw.get("parent")
        if parent is not None and (not isinstance(parent, str) or not parent.strip()):
            entry.fail("parent", "must be a material code")
        if (category == "PRODUCT") != (family == "product"):
            entry.fail("family", "products, and only they, have family product and category PRODUCT")
        materials[code] = Material(
            code=code,
            name_zh=entry.text("name_zh"),
            name_en=entry.text("name_en"),
            synonyms_zh=entry.texts("synonyms_zh"),
            synonyms_en=entry.texts("synonyms_en"),
            family=family,
            category=category,
            parent=parent.strip() if parent else None,
            unit=unit,
            hazardous=hazardous,
            hw_codes=hw_codes,
            receiver_licence=licence,
            bulk=entry.flag("bulk"),
            quality_attributes=_parse_attributes(entry),
            sources=parse_sources(entry, references),
            notes=entry.text("notes", required=False),
            implies=_parse_implies(entry),
            inherits_routes=entry.flag("inherits_routes") if "inherits_routes" in entry.raw else True,
            conversions=_parse_conversions(entry, unit),
        )
    for material in materials.values():
        entry = Entry(file, "material", {}, material.code)
        _check_parent(entry, material, materials)
        _check_implies(entry, material, materials)
    return materials


def _parse_conversions(entry: Entry, unit: str) -> tuple[tuple[str, float], ...]:
    """``conversions: {GJ: 2.7}``: how many of another unit one unit of the material is (cite it in sources)."""
    raw = entry.raw.get("conversions", {})
    if not isinstance(raw, dict):
        entry.fail("conversions", "must be a mapping of unit to factor, e.g. {GJ: 2.7}")
    pairs = []
    for other, factor in raw.items():
        if other not in CONVERTIBLE_UNITS:
            entry.fail("conversions", f"{other!r} is not one of {', '.join(sorted(CONVERTIBLE_UNITS))}")
        if other == unit:
            entry.fail("conversions", f"{other} is the material's own unit")
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or factor <= 0:
            entry.fail("conversions", f"{other}: the factor must be a positive number")
        pairs.append((other, float(factor)))
    return tuple(sorted(pairs))


def _parse_implies(entry: Entry) -> tuple[tuple[str, str], ...]:
    raw = entry.raw.get("implies", {})
    if not isinstance(raw, dict):
        entry.fail("implies", "must be a mapping of quality key to value, e.g. {chemistry: NCM}")
    pairs = []
    for key, value in raw.items():
        if not isinstance(key, str) or not _ATTRIBUTE_KEY.fullmatch(key):
            entry.fail("implies", f"key {key!r} must be snake_case")
        if not isinstance(value, str) or not value.strip():
            entry.fail("implies", f"{key}: the value must be a quoted string")
        pairs.append((key, value.strip()))
    return tuple(sorted(pairs))


def _check_implies(entry: Entry, material: Material, materials: Mapping[str, Material]) -> None:
    """Each implied value belongs to a category attribute of the material and no ancestor implies another."""
    if not material.implies:
        return
    lineage = [material]
    while lineage[-1].parent is not None:
        lineage.append(materials[lineage[-1].parent])
    attributes = {}
    for each in lineage:
        for attribute in each.quality_attributes:
            attributes.setdefault(attribute.key, attribute)
    for key, value in material.implies:
        attribute = attributes.get(key)
        if attribute is None or attribute.kind != "category":
            entry.fail("implies", f"{key!r} is not a category attribute of {material.code} or its ancestors")
        if value not in attribute.values:
            entry.fail("implies", f"{key}={value!r} is not one of {', '.join(attribute.values)}")
        for ancestor in lineage[1:]:
            inherited = dict(ancestor.implies).get(key)
            if inherited is not None and inherited != value:
                entry.fail("implies", f"{key}={value!r} contradicts {ancestor.code}, which implies {inherited!r}")


def _check_category(entry: Entry, category: str, hazardous: bool, hw_codes: tuple[str, ...]) -> None:
    s_match = S_CATEGORY.fullmatch(category)
    hw_match = _HW_CATEGORY.fullmatch(category)
    if s_match:
        number = int(s_match.group(1))
        if not 1 <= number <= 59 or number == 8:
            entry.fail("category", f"{category} is outside S01-S59 or is the unused S08")
    elif hw_match:
        if not 1 <= int(hw_match.group(1)) <= 50:
            entry.fail("category", f"{category} is outside HW01-HW50")
    elif category not in NON_SOLID_CATEGORIES:
        entry.fail("category", f"{category!r} must be Snn, HWnn or one of {', '.join(sorted(NON_SOLID_CATEGORIES))}")
    if hazardous and not hw_match:
        entry.fail("category", "a hazardous material needs an HWnn category")
    if hw_match and not hazardous:
        entry.fail("hazardous", f"category {category} is hazardous; set hazardous: true")
    if hazardous and not hw_codes:
        entry.fail("hw_codes", "a hazardous material needs at least one 8-digit code")
    if not hazardous and hw_codes:
        entry.fail("hw_codes", "only hazardous materials carry hazardous-waste codes")
    for code in hw_codes:
        match = _HW_CODE.fullmatch(code)
        if not match:
            entry.fail("hw_codes", f"{code!r} is not of the form NNN-NNN-CC")
        if not 1 <= int(match.group(3)) <= 50:
            entry.fail("hw_codes", f"{code}: category digits must be 01-50")
        if f"HW{match.group(3)}" != category:
            entry.fail("hw_codes", f"{code} belongs to HW{match.group(3)}, not {category}")


def _parse_attributes(entry: Entry) -> tuple[QualityAttribute, ...]:
    raw = entry.raw.get("quality_attributes", [])
    if not isinstance(raw, list):
        entry.fail("quality_attributes", "must be a list")
    attributes: dict[str, QualityAttribute] = {}
    for item in raw:
        sub = Entry(entry.file, "material", item, entry.entry)
        sub.only(ATTRIBUTE_KEYS, within="quality_attributes")
        key = item.get("key") if isinstance(item, dict) else None
        if not isinstance(key, str) or not _ATTRIBUTE_KEY.fullmatch(key):
            entry.fail("quality_attributes", f"key {key!r} must be snake_case")
        if key in attributes:
            entry.fail("quality_attributes", f"duplicate key {key}")
        unit = item.get("unit")
        if not isinstance(unit, str):
            entry.fail("quality_attributes", f"{key}: unit must be a string (may be empty)")
        values = sub.texts("values")
        aliases = sub.texts("aliases")
        for alias in aliases:
            if not _ATTRIBUTE_KEY.fullmatch(alias) or alias == key:
                entry.fail("quality_attributes", f"{key}: alias {alias!r} must be a different snake_case key")
        kind = item.get("kind", "category" if values else "number")
        if kind not in ATTRIBUTE_KINDS or (kind == "category") != bool(values):
            entry.fail("quality_attributes", f"{key}: kind must be number, text, or category (with values)")
        attributes[key] = QualityAttribute(
            key, unit, sub.text("name_zh"), sub.text("name_en"), values, aliases, kind
        )
    names = [name for attribute in attributes.values() for name in (attribute.key, *attribute.aliases)]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        entry.fail("quality_attributes", f"{duplicates[0]!r} is both a key and an alias, or used twice")
    return tuple(attributes.values())


def _check_parent(entry: Entry, material: Material, materials: Mapping[str, Material]) -> None:
    seen = {material.code}
    parent = material.parent
    while parent is not None:
        if parent not in materials:
            entry.fail("parent", f"unknown material {parent!r}", suggest(parent, {code: code for code in materials}))
        if parent in seen:
            entry.fail("parent", "parents form a cycle")
        seen.add(parent)
        parent = materials[parent].parent
    if material.parent is not None:
        parent_material = materials[material.parent]
        if parent_material.unit != material.unit:
            entry.fail("unit", f"{material.unit} differs from parent {parent_material.code} ({parent_material.unit})")
        if parent_material.hazardous != material.hazardous:
            entry.fail("hazardous", f"differs from parent {parent_material.code}")


def parse_ambiguous(document: dict[str, Any], materials: Mapping[str, Material]) -> tuple[AmbiguousTerm, ...]:
    raw = document.get("ambiguous", [])
    if not isinstance(raw, list):
        raise KnowledgeError(Message(N_("%(MATERIALS_FILE)s: ambiguous must be a list"),
                                     MATERIALS_FILE=MATERIALS_FILE), file=MATERIALS_FILE, field="ambiguous")
    terms = []
    for position, item in enumerate(raw, start=1):
        entry = Entry(MATERIALS_FILE, "ambiguous term", item, f"#{position}")
        words = entry.texts("terms_zh") + entry.texts("terms_en")
        if not words:
            entry.fail("terms_zh", "give at least one term")
        candidates = entry.texts("candidates", required=True)
        if len(candidates) < 2:
            entry.fail("candidates", "an ambiguous term needs two or more candidates")
        for candidate in candidates:
            if candidate not in materials:
                entry.fail("candidates", f"unknown material {candidate!r}")
        want = entry.text("want", required=False)
        if want and want not in materials:
            entry.fail("want", f"unknown material {want!r}")
        if want and any(materials[code].hazardous for code in candidates):
            entry.fail("want", "a term that may name a hazardous material cannot be read as a safe want")
        unstated = entry.text("unstated", required=False)
        if unstated and (unstated not in materials or materials[unstated].hazardous
                         or any(materials[code].hazardous for code in candidates)):
            entry.fail("unstated", "must be a known non-hazardous material, for a term naming only such materials")
        terms.append(AmbiguousTerm(words, candidates, entry.text("note", required=False), want, unstated))
    return tuple(terms)
