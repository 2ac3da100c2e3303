"""The loaded knowledge base: validated materials, routes and references, with lookups over them.

Children inherit from their parent: a route written for ``coal-fly-ash`` applies to
``coal-fly-ash-class-f``, and so do the parent's quality attributes. The reverse does not hold.

A want names what its site takes in, either the stream itself (fly ash, steam) or what the site would
use it as (fertiliser, animal feed, fuel). A route that ``serves`` such a material makes its own
material acceptable to that want; which materials a want takes is decided in one place,
:mod:`matching.acceptance`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from matching.knowledge.errors import AmbiguousMaterial, KnowledgeError, UnknownMaterial
from matching.knowledge.material_index import MaterialIndex
from matching.knowledge.models import AmbiguousTerm, Material, QualityAttribute, Reference, Replaces, Route
from matching.knowledge.text import lookup_key, suggest
from geo.messages import Message, N_

__all__ = ["BUILT_IN_CONVERSIONS", "Knowledge"]

# Conversions true of every material: (from unit, to unit) -> how many `to` units one `from` unit is.
BUILT_IN_CONVERSIONS = {
    ("t", "kg"): 1000.0, ("kg", "t"): 0.001,
    ("GJ", "MWh"): 1 / 3.6, ("MWh", "GJ"): 3.6, ("GJ", "MJ"): 1000.0, ("MJ", "GJ"): 0.001,
    ("MWh", "kWh"): 1000.0, ("kWh", "MWh"): 0.001, ("GJ", "kWh"): 1000 / 3.6, ("kWh", "GJ"): 0.0036,
    ("m3", "L"): 1000.0, ("L", "m3"): 0.001,
}


@dataclass(frozen=True, eq=False)
class Knowledge:
    """Validated materials, routes and references, with lookup helpers."""

    materials: Mapping[str, Material]
    routes: tuple[Route, ...]
    references: Mapping[str, Reference]
    ambiguous: tuple[AmbiguousTerm, ...]
    directory: Path
    _index: MaterialIndex = field(repr=False)

    def material(self, code: str) -> Material:
        """The material with exactly this code.

        Raises
        ------
        UnknownMaterial
            If the code is not in the knowledge base.
        """
        material = self.materials.get(code)
        if material is None:
            raise UnknownMaterial(
                Message(N_("material: unknown code %(code)r"), code=code),
                field="material", suggestions=suggest(code, self._index.labels)
            )
        return material

    def ancestors(self, code: str) -> tuple[str, ...]:
        """Parent, grandparent ... of ``code`` (nearest first)."""
        chain: list[str] = []
        parent = self.material(code).parent
        while parent is not None:
            chain.append(parent)
            parent = self.materials[parent].parent
        return tuple(chain)

    def descendants(self, code: str) -> tuple[str, ...]:
        """All materials below ``code``, sorted by code."""
        self.material(code)
        return tuple(sorted(other for other in self.materials if code in self.ancestors(other)))

    def serves(self, material_code: str) -> tuple[str, ...]:
        """The materials (products, utilities) whose wants ``material_code`` can serve, through its routes.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> "animal-feed" in load_knowledge().serves("brewers-spent-grain")
        True
        """
        return tuple(sorted({target for route in self.routes_for(material_code) for target in route.serves}))

    def units_per(self, code: str, unit: str) -> float:
        """How many of the material's own units one ``unit`` of it is (1 GJ of low-pressure steam is 0.37 t).

        Uses the conversions the material (or its nearest ancestor stating one) gives, either way round,
        and those true of every material (t and kg, GJ and MWh ...).

        Raises
        ------
        KnowledgeError
            If no conversion is known; ``.field`` is ``"unit"``.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> kb = load_knowledge()
        >>> kb.units_per("hot-water", "MWh")
        3.6
        >>> round(kb.units_per("byproduct-hydrogen", "t"), 1)
        11123.5
        """
        own = self.material(code).unit
        if unit == own:
            return 1.0
        built_in = BUILT_IN_CONVERSIONS.get((unit, own))
        if built_in is not None:
            return built_in
        for each in (code, *self.ancestors(code)):
            stated = self.materials[each].conversion_factors
            if not stated:
                continue
            # one `own` unit is stated[x] of x; one `unit` is then 1/stated[x] of `own` per x-unit in `unit`
            for other, factor in stated.items():
                step = 1.0 if other == unit else BUILT_IN_CONVERSIONS.get((unit, other))
                if step is not None:
                    return step / factor
            break
        raise KnowledgeError(
            Message(N_("unit: %(unit)s cannot be converted to %(own)s for %(code)s; no conversion is stated"),
                    unit=unit, own=own, code=code),
            field="unit", entry=code,
        )

    def quality_attributes(self, code: str) -> tuple[QualityAttribute, ...]:
        """Attributes of ``code`` and, after them, those it inherits from its ancestors."""
        merged: dict[str, QualityAttribute] = {}
        for each in (code, *self.ancestors(code)):
            for attribute in self.materials[each].quality_attributes:
                merged.setdefault(attribute.key, attribute)
        return tuple(merged.values())

    def implied_quality(self, code: str) -> dict[str, str]:
        """Quality values every lot of ``code`` has by definition, its own over its ancestors'.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> load_knowledge().implied_quality("retired-lfp-battery")
        {'chemistry': 'LFP'}
        >>> load_knowledge().implied_quality("coal-fly-ash")
        {}
        """
        implied: dict[str, str] = {}
        for each in (code, *self.ancestors(code)):
            for key, value in self.materials[each].implies:
                implied.setdefault(key, value)
        return implied

    def quality_attribute(self, code: str, key: str) -> QualityAttribute:
        """The attribute ``key`` of material ``code`` (own or inherited), also found by an alias.

        Raises
        ------
        KnowledgeError
            If the material has no such attribute; ``.field`` is ``"quality"`` and
            ``.suggestions`` lists close keys.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> load_knowledge().quality_attribute("fgd-gypsum", "moisture_pct").key
        'free_water_pct'

        Plants also write the attribute's name, or a common word for it, with or without its unit:

        >>> load_knowledge().quality_attribute("sewage-sludge", "含水率").key
        'moisture_pct'
        >>> load_knowledge().quality_attribute("sulphuric-acid", "浓度(%)").key
        'h2so4_pct'
        """
        attributes = self.quality_attributes(code)
        for attribute in attributes:
            if key == attribute.key:
                return attribute
        for attribute in attributes:
            if key in attribute.aliases:
                return attribute
        found = _attribute_by_name(attributes, key)
        if found is not None:
            return found
        known = {name: attribute.key for attribute in attributes for name in (attribute.key, *attribute.aliases)}
        raise KnowledgeError(
            Message(N_("quality: %(key)r is not a quality attribute of %(code)s; known: %(key2)s"),
                    key=key, code=code, key2=', '.join(a.key for a in attributes) or 'none'),
            field="quality",
            entry=code,
            suggestions=suggest(key, known) if known else (),
        )

    def routes_for(self, material_code: str) -> tuple[Route, ...]:
        """Routes that take ``material_code``, directly or through an ancestor.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> kb = load_knowledge()
        >>> "fly-ash-cement-admixture" in {r.id for r in kb.routes_for("coal-fly-ash-class-f")}
        True
        """
        lineage = set(self.route_lineage(material_code))
        return tuple(route for route in self.routes if lineage.intersection(route.materials))

    def route_lineage(self, material_code: str) -> tuple[str, ...]:
        """The material and the ancestors whose routes it may take, nearest first.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> load_knowledge().route_lineage("coal-fly-ash-class-f")
        ('coal-fly-ash-class-f', 'coal-fly-ash')
        >>> load_knowledge().route_lineage("recovered-sulphur")
        ('recovered-sulphur',)
        """
        if not self.materials[material_code].inherits_routes:
            return (material_code,)
        return (material_code, *self.ancestors(material_code))

    def consumers(self, material_code: str) -> set[str]:
        """GB/T 4754 codes of the sectors that can take ``material_code``: the codes its routes name and
        every code under them (a route naming division ``03`` animal husbandry reaches pig farms, ``0313``).

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> kb = load_knowledge()
        >>> "3011" in kb.consumers("coal-fly-ash")
        True
        >>> {"03", "031", "0313"} <= kb.consumers("brewers-spent-grain")
        True
        """
        named = {sector for route in self.routes_for(material_code) for sector in route.user_sectors}
        return named | {code for code in self._sector_codes if code.startswith(tuple(named))} if named else set()

    @functools.cached_property
    def _sector_codes(self) -> frozenset[str]:
        # The loader reads the same table (the directory's own sectors.csv, else the shipped one).
        from matching.knowledge.sectors import SECTORS_CSV, load_sectors

        own = self.directory / "sectors.csv"
        return frozenset(load_sectors(own if own.exists() else SECTORS_CSV))

    def substitutes(self, material_code: str) -> tuple[Replaces, ...]:
        """Virgin inputs ``material_code`` can substitute for, one per name, in route order.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> [r.name_en for r in load_knowledge().substitutes("fgd-gypsum")][:1]
        ['natural gypsum']
        """
        seen: dict[str, Replaces] = {}
        for route in self.routes_for(material_code):
            seen.setdefault(route.replaces.name_en, route.replaces)
        return tuple(seen.values())

    def category_head(self, category: str) -> Material:
        """The material standing for a whole category (``S02`` -> coal fly ash).

        Raises
        ------
        UnknownMaterial
            If no material carries that category.
        AmbiguousMaterial
            If a hazardous category has several unrelated materials (``HW48``).
        """
        heads = self._index.heads_by_category.get(category, ())
        if not heads:
            raise UnknownMaterial(
                Message(N_("material: no material in category %(category)s"), category=category),
                field="material",
                suggestions=self._nearby_heads(category),
            )
        if len(heads) > 1:
            raise AmbiguousMaterial(
                Message(N_("material: category %(category)s covers %(heads)s"),
                        category=category, heads=', '.join(heads)), candidates=heads
            )
        return self.materials[heads[0]]

    def _nearby_heads(self, category: str, *, limit: int = 5) -> list[str]:
        """Head materials of the categories numerically closest to ``category`` (same prefix)."""
        match = re.fullmatch(r"([A-Z]+)(\d+)", category)
        if not match:
            return []
        prefix, number = match.group(1), int(match.group(2))
        scored = []
        for other, codes in self._index.heads_by_category.items():
            other_match = re.fullmatch(r"([A-Z]+)(\d+)", other)
            if other_match and other_match.group(1) == prefix:
                scored.extend((abs(int(other_match.group(2)) - number), code) for code in codes)
        return [code for _, code in sorted(scored)[:limit]]

    def resolve(self, text: str) -> Material:
        """Shortcut for :func:`~matching.knowledge.resolver.resolve_material` on this knowledge base."""
        # Imported here: the resolver falls back on the loaded default knowledge base, whose loader needs this module.
        from matching.knowledge.resolver import resolve_material

        return resolve_material(text, knowledge=self)


# Words plants write for a quality attribute instead of its key, read as the key (or alias) they mean.
_QUALITY_WORDS = {
    "浓度": "concentration_pct", "含量": "concentration_pct", "concentration": "concentration_pct",
    "strength": "concentration_pct",
    "温度": "temperature_c", "水温": "temperature_c", "temperature": "temperature_c", "temp": "temperature_c",
    "含水率": "moisture_pct", "水分": "moisture_pct", "含水量": "moisture_pct", "moisture": "moisture_pct",
    "watercontent": "moisture_pct", "纯度": "purity_pct", "purity": "purity_pct",
    "压力": "pressure_mpa", "pressure": "pressure_mpa",
    "热值": "calorific_value_mj_kg", "发热量": "calorific_value_mj_kg", "低位发热量": "calorific_value_mj_kg",
    "calorificvalue": "calorific_value_mj_kg", "烧失量": "loi_pct", "loi": "loi_pct",
}
# A unit or a bracketed note written after the name: 温度(℃), 浓度%, moisture [%].
_UNIT_TAIL = re.compile(r"\s*(?:[(（\[【][^)）\]】]*[)）\]】]|%|％|℃|°c)\s*$", re.IGNORECASE)


def _attribute_by_name(attributes: tuple[QualityAttribute, ...], written: str) -> QualityAttribute | None:
    """The attribute whose zh or en name is ``written`` (unit tail ignored), or that a common word means."""
    wanted = lookup_key(_without_unit(written))
    if not wanted:
        return None
    for attribute in attributes:
        names = (attribute.name_zh, attribute.name_en)
        if wanted in {lookup_key(name) for name in names} | {lookup_key(_without_unit(name)) for name in names}:
            return attribute
    meant = _QUALITY_WORDS.get(wanted)
    if meant is None:
        return None
    for attribute in attributes:
        if meant == attribute.key or meant in attribute.aliases:
            return attribute
    # "temperature_c" also stands for the supply temperature of hot water, "moisture_pct" for free water ...
    stem = meant.rsplit("_", 1)[0]
    candidates = [a for a in attributes if stem in a.key or any(stem in alias for alias in a.aliases)]
    return candidates[0] if len(candidates) == 1 else None


def _without_unit(text: str) -> str:
    while True:
        shorter = _UNIT_TAIL.sub("", text)
        if shorter == text:
            return text
        text = shorter
