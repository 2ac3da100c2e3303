"""The knowledge base's values: materials, their quality attributes, utilisation routes and citations.

Frozen dataclasses the loader builds from the data files (:mod:`matching.knowledge.loader`); they
carry no behaviour beyond small derived properties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "FIGURE_FIELDS",
    "AmbiguousTerm",
    "Material",
    "QualityAttribute",
    "QualityLimit",
    "Reference",
    "Replaces",
    "Route",
    "SourceRef",
]

# Figures a route must either source or list under `estimate`.
FIGURE_FIELDS = (
    "replacement_ratio",
    "transport",
    "co2_avoided_t_per_unit",
    "typical_price_cny_per_unit",
    "supplier_disposal_cost_cny_per_unit",
    "replaces.price",
)
S_CATEGORY = re.compile(r"S(\d{2})")  # a general-solid-waste category, Snn


@dataclass(frozen=True)
class Reference:
    """A numbered source (``R01`` ...) that data files cite."""

    id: str
    title: str
    url: str | None = None


@dataclass(frozen=True)
class SourceRef:
    """One citation of an entry: what ``ref`` supports, optionally which figure fields."""

    ref: str
    what: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class QualityAttribute:
    """A property of a material: a number (``loi_pct``), a category with fixed ``values``
    (``class``: F/C) or free text (``source_process``); ``kind`` says which.
    ``aliases`` are other keys users write for it (``moisture_pct`` for FGD gypsum's free water).
    """

    key: str
    unit: str
    name_zh: str
    name_en: str
    values: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    kind: str = "number"


@dataclass(frozen=True)
class Material:
    """A stream the marketplace trades: waste, by-product, energy, gas, water or end-of-life product.

    ``implies`` holds category quality values true of every lot of the material, as ``(key, value)``
    pairs: a lot of ``retired-ncm-battery`` is NCM whether or not its listing says so.
    ``inherits_routes`` false keeps the parent's routes away from a saleable by-product filed under a
    residue category (recovered sulphur is sold to acid plants, never co-processed at a gate fee).
    """

    code: str
    name_zh: str
    name_en: str
    synonyms_zh: tuple[str, ...]
    synonyms_en: tuple[str, ...]
    family: str
    category: str
    parent: str | None
    unit: str
    hazardous: bool
    hw_codes: tuple[str, ...]
    receiver_licence: str
    bulk: bool
    quality_attributes: tuple[QualityAttribute, ...]
    sources: tuple[SourceRef, ...]
    notes: str = ""
    implies: tuple[tuple[str, str], ...] = ()
    inherits_routes: bool = True
    conversions: tuple[tuple[str, float], ...] = ()

    @property
    def conversion_factors(self) -> dict[str, float]:
        """Own stated conversions: how many of each other unit one unit of the material is
        (``{"GJ": 2.7}`` for a tonne of low-pressure steam); see
        :meth:`~matching.knowledge.knowledge_base.Knowledge.units_per` for the inherited and built-in ones.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> load_knowledge().materials["captured-co2"].conversion_factors["Nm3"]
        506.0
        """
        return dict(self.conversions)

    @property
    def implied_quality(self) -> dict[str, str]:
        """Quality values the material has by definition (``{"chemistry": "NCM"}`` for an NCM battery),
        own only; :meth:`~matching.knowledge.knowledge_base.Knowledge.implied_quality` adds the inherited ones.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> load_knowledge().materials["retired-ncm-battery"].implied_quality
        {'chemistry': 'NCM'}
        """
        return dict(self.implies)

    @property
    def legacy_category(self) -> str | None:
        """The 2021 ledger spelling ``SWnn`` of an ``Snn`` category, else ``None``.

        Examples
        --------
        >>> from matching.knowledge import load_knowledge
        >>> load_knowledge().materials["coal-fly-ash"].legacy_category
        'SW02'
        """
        match = S_CATEGORY.fullmatch(self.category)
        return f"SW{match.group(1)}" if match else None


@dataclass(frozen=True)
class QualityLimit:
    """A bound a lot must meet for a route, with the standard that sets it."""

    key: str
    op: str
    value: float | tuple[str, ...]
    standard: str

    def allows(self, measured: float | str) -> bool:
        """Whether ``measured`` satisfies the limit.

        Examples
        --------
        >>> QualityLimit("loi_pct", "<=", 8.0, "GB/T 1596-2017").allows(5.2)
        True
        >>> QualityLimit("class", "in", ("F",), "GB/T 1596-2017").allows("C")
        False
        """
        if self.op == "in":
            return str(measured) in self.value  # type: ignore[operator]
        if self.op == "<=":
            return float(measured) <= float(self.value)  # type: ignore[arg-type]
        return float(measured) >= float(self.value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Replaces:
    """The virgin input a route displaces, with its market price."""

    name_zh: str
    name_en: str
    price_cny: float
    price_unit: str
    price_source: str


@dataclass(frozen=True)
class Route:
    """How a material is used: by which sectors, replacing what, under which limits.

    ``serves`` names the materials (most often products such as ``fertiliser`` or ``animal-feed``) that the
    route's material stands in for at its users: a want posted for one of them accepts the route's material.

    ``transport`` holds ``(mode, radius_km)`` pairs; :attr:`transport_km` gives them as a dict.
    Prices and CO2 are per unit of the material (:attr:`unit`); a negative
    ``typical_price_cny_per_unit`` is a gate fee the supplier pays.
    """

    id: str
    materials: tuple[str, ...]
    unit: str
    process_zh: str
    process_en: str
    user_sectors: tuple[str, ...]
    replaces: Replaces
    replacement_ratio: float
    quality_limits: tuple[QualityLimit, ...]
    transport: tuple[tuple[str, float], ...]
    co2_avoided_t_per_unit: float
    typical_price_cny_per_unit: float
    supplier_disposal_cost_cny_per_unit: float
    receiver_licence: str
    coupling: str
    sources: tuple[SourceRef, ...]
    estimate: tuple[str, ...]
    notes: str = ""
    serves: tuple[str, ...] = ()

    @property
    def transport_km(self) -> dict[str, float]:
        """Economic radius by transport mode, in km."""
        return dict(self.transport)

    @property
    def max_radius_km(self) -> float:
        """The largest economic radius over all modes."""
        return max(radius for _, radius in self.transport)


@dataclass(frozen=True)
class AmbiguousTerm:
    """A name that means several materials (``"gypsum"``).

    ``want`` is the material a *want* written with the name asks for, when the words name a use the candidates
    share ("fuel gas" offered is one of the works gases; a want for fuel gas asks for gas to burn, any of them).
    ``unstated`` is the material the bare name is read as when nothing (not the site's trade either) says which
    candidate it is: the stream of that family whose kind is not stated ("boiler ash": fly ash or bottom ash).
    """

    terms: tuple[str, ...]
    candidates: tuple[str, ...]
    note: str = ""
    want: str = ""
    unstated: str = ""
