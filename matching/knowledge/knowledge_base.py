"""The loaded knowledge base: validated materials, routes and references, with lookups over them.

Children inherit from their parent: a route written for ``coal-fly-ash`` applies to
``coal-fly-ash-class-f``, and so do the parent's quality attributes. The reverse does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from matching.knowledge.errors import AmbiguousMaterial, KnowledgeError, UnknownMaterial
from matching.knowledge.material_index import MaterialIndex
from matching.knowledge.models import AmbiguousTerm, Material, QualityAttribute, Reference, Replaces, Route
from matching.knowledge.text import suggest

__all__ = ["Knowledge"]


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
                f"material: unknown code {code!r}", field="material", suggestions=suggest(code, self._index.labels)
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
        """
        attributes = self.quality_attributes(code)
        for attribute in attributes:
            if key == attribute.key:
                return attribute
        for attribute in attributes:
            if key in attribute.aliases:
                return attribute
        known = {name: attribute.key for attribute in attributes for name in (attribute.key, *attribute.aliases)}
        raise KnowledgeError(
            f"quality: {key!r} is not a quality attribute of {code}; known: {', '.join(a.key for a in attributes) or 'none'}",
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
        """GB/T 4754 codes of the sectors that can take ``material_code``.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> "3011" in load_knowledge().consumers("coal-fly-ash")
        True
        """
        return {sector for route in self.routes_for(material_code) for sector in route.user_sectors}

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

    def alternatives(self, material_code: str) -> tuple[str, ...]:
        """Other materials that replace the same virgin input in one of the same sectors.

        Useful for a want: who else could serve a cement works looking for fly ash.
        """
        mine = {
            (route.replaces.name_en, sector)
            for route in self.routes_for(material_code)
            for sector in route.user_sectors
        }
        lineage = {material_code, *self.ancestors(material_code), *self.descendants(material_code)}
        found = {
            other
            for other in self.materials
            if other not in lineage
            and any(
                (route.replaces.name_en, sector) in mine
                for route in self.routes_for(other)
                for sector in route.user_sectors
            )
        }
        return tuple(sorted(found))

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
                f"material: no material in category {category}",
                field="material",
                suggestions=self._nearby_heads(category),
            )
        if len(heads) > 1:
            raise AmbiguousMaterial(
                f"material: category {category} covers {', '.join(heads)}", candidates=heads
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
