"""The materials knowledge base as people browse it: find a material by any name, see its routes.

Reads the ``material`` and ``route`` tables that ``kb sync`` fills from matching/knowledge/, and uses
the loader only for what the tables do not hold: exact synonym resolution and the reference list.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from matching.knowledge.errors import AmbiguousMaterial, KnowledgeError
from matching.knowledge import load_knowledge, resolve_material_text
from matching.knowledge.materials import FAMILIES
from matching.knowledge.text import clean, lookup_key
from matching.knowledge.unclassified import unclassified_code
from geo.messages import Message, N_

from ..extensions import db
from ..models import Material, Route

# How a search hit was found, best first.
MATCH_KINDS = ("exact", "interpreted", "narrower", "candidate", "partial", "suggestion")
# Streams outside the solid-waste lists, in the order the page shows them.
OTHER_CATEGORIES = ("ENERGY", "GAS", "WATER", "ORGANIC", "EOL")
MAX_QUERY = 200
_CATEGORY = re.compile(r"(S|HW)(\d{2})")


class MaterialQueryError(ValueError):
    """A search option the knowledge base does not know, named by its field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class MaterialHit:
    """One row of a search result and how it was found (``None`` when listing without text)."""

    material: Material
    match: str | None
    route_count: int
    attribute_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaterialSearch:
    """The outcome of a search: rows best first, and what the text meant to the resolver."""

    query: str
    hits: tuple[MaterialHit, ...]
    exact: str | None = None
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    total: int = 0

    @property
    def unknown(self) -> bool:
        """Text was given and nothing but suggestions came back."""
        return bool(self.query) and all(hit.match == "suggestion" for hit in self.hits)


@dataclass(frozen=True)
class SourceView:
    """A citation with its reference resolved: ``R08`` -> title and address."""

    ref: str
    what: str
    title: str
    url: str | None
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttributeView:
    key: str
    unit: str
    name_zh: str
    name_en: str
    values: tuple[str, ...]
    inherited_from: str | None


@dataclass(frozen=True)
class RouteView:
    """A route as a material's page shows it; ``via`` names the ancestor it is inherited through."""

    id: str
    material_codes: tuple[str, ...]
    process_zh: str
    process_en: str
    coupling: str | None
    via: str | None
    unit: str
    user_sectors: tuple[str, ...]
    replaces: dict
    replacement_ratio: float | None
    quality_limits: tuple[dict, ...]
    transport_km: dict[str, float]
    co2_avoided_t_per_unit: float | None
    typical_price_cny_per_unit: float | None
    supplier_disposal_cost_cny_per_unit: float | None
    receiver_licence: str
    sources: tuple[SourceView, ...]
    estimate: tuple[str, ...]
    notes: str = ""

    def is_estimate(self, figure: str) -> bool:
        """Whether ``figure`` (``transport``, ``quality_limits.loi_pct``, ``replaces.price``) is an estimate."""
        if figure == "replaces.price" and self.replaces.get("price_source") == "estimate":
            return True
        return figure in self.estimate

    def cited_for(self, figure: str) -> tuple[str, ...]:
        """Refs that cite ``figure`` by name."""
        return tuple(source.ref for source in self.sources if figure in source.fields)


@dataclass(frozen=True)
class MaterialDetail:
    material: Material
    ancestors: tuple[Material, ...]
    children: tuple[Material, ...]
    attributes: tuple[AttributeView, ...]
    sources: tuple[SourceView, ...]
    routes: tuple[RouteView, ...]
    attribute_names: dict[str, AttributeView] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading the tables


@dataclass(frozen=True)
class _Catalogue:
    by_code: dict[str, Material]
    routes: tuple[Route, ...]

    def lineage(self, code: str) -> tuple[str, ...]:
        """``code`` then its parent, grandparent ... (stops at a missing or repeated parent)."""
        chain = [code]
        parent = self.by_code[code].parent_code
        while parent in self.by_code and parent not in chain:
            chain.append(parent)
            parent = self.by_code[parent].parent_code
        return tuple(chain)

    def routes_for(self, code: str) -> list[tuple[Route, str | None]]:
        """Routes taking ``code`` directly or through an ancestor, each with the ancestor (or None)."""
        knowledge = load_knowledge()
        # The knowledge base decides which ancestors' routes a material may take (a saleable by-product
        # filed under a residue category takes none of the residue's).
        lineage = knowledge.route_lineage(code) if code in knowledge.materials else self.lineage(code)
        found = []
        for route in self.routes:
            takes = [each for each in lineage if each in route.material_codes]
            if takes:
                found.append((route, None if takes[0] == code else takes[0]))
        return found

    def attribute_keys(self, code: str) -> tuple[str, ...]:
        """Quality attribute keys of ``code``, then those it inherits."""
        keys: dict[str, None] = {}
        for each in self.lineage(code):
            for raw in self.by_code[each].quality_attributes or ():
                if isinstance(raw, dict) and raw.get("key"):
                    keys.setdefault(raw["key"])
        return tuple(keys)

    def descendants(self, code: str) -> list[str]:
        return [other for other in self.by_code if other != code and code in self.lineage(other)]

    def sort_key(self, code: str) -> tuple:
        """Category order (S, HW, other streams), then each family tree parent first."""
        return (category_rank(self.by_code[code].category), tuple(reversed(self.lineage(code))))


def _catalogue() -> _Catalogue:
    materials = db.session.scalars(select(Material)).all()
    routes = db.session.scalars(select(Route).order_by(Route.id)).all()
    return _Catalogue({m.code: m for m in materials}, tuple(routes))


def category_rank(category: str) -> tuple[int, int]:
    """Sort key of a category: S01..S59, then HW01..HW50, then ENERGY, GAS, WATER, ORGANIC, EOL.

    Examples
    --------
    >>> sorted(["HW08", "GAS", "S02"], key=category_rank)
    ['S02', 'HW08', 'GAS']
    """
    match = _CATEGORY.fullmatch(category)
    if match:
        return (0 if match.group(1) == "S" else 1, int(match.group(2)))
    return (2, OTHER_CATEGORIES.index(category) if category in OTHER_CATEGORIES else len(OTHER_CATEGORIES))


def families() -> list[str]:
    """Material families a search may filter on, sorted."""
    return sorted(FAMILIES)


# --------------------------------------------------------------------------- search


def _search_keys(material: Material) -> list[str]:
    texts = [material.name_zh, material.name_en, material.code, material.category,
             *material.synonyms, *material.hw_codes]
    return [lookup_key(text) for text in texts if text]


def _partial_rank(material: Material, key: str) -> int | None:
    """0: a name starts with the text, 1: a name contains it, 2: a synonym or code does; None: no hit."""
    names = [lookup_key(material.name_zh), lookup_key(material.name_en)]
    if any(name.startswith(key) for name in names):
        return 0
    if any(key in name for name in names):
        return 1
    if any(key in other for other in _search_keys(material)):
        return 2
    return None


def search_materials(text: str = "", *, family: str | None = None, hazardous: bool | None = None,
                     bulk: bool | None = None) -> MaterialSearch:
    """Materials matching ``text`` (any name, synonym, abbreviation, code or category), best first.

    An exact resolution (``"PFA"``, ``"脱硫石膏"``, ``"900-052-31"``) comes first, followed by the
    materials below it; an ambiguous name (``"石膏"``) yields its candidates; other text is matched
    as a fragment of names and synonyms; when nothing matches, the closest materials come back as
    suggestions. Filters apply to every row. Without text, all materials in category order.
    Raises :class:`MaterialQueryError` for an unknown family or over-long text.
    """
    query = clean(text or "")
    if len(query) > MAX_QUERY:
        raise MaterialQueryError("q", Message(N_("search text is longer than %(MAX_QUERY)s characters"),
                                              MAX_QUERY=MAX_QUERY))
    if family and family not in FAMILIES:
        raise MaterialQueryError("family", Message(N_("unknown family %(family)r; one of %(families)s"),
                                                   family=family, families=', '.join(families())))
    catalogue = _catalogue()

    def kept(code: str) -> bool:
        material = catalogue.by_code.get(code)
        return material is not None and (not family or material.family == family) and (
            hazardous is None or material.hazardous == hazardous) and (bulk is None or material.bulk == bulk)

    def hit(code: str, match: str | None) -> MaterialHit:
        return MaterialHit(catalogue.by_code[code], match, len(catalogue.routes_for(code)),
                           catalogue.attribute_keys(code))

    total = sum(1 for code in catalogue.by_code if kept(code))
    if not query:
        codes = sorted((code for code in catalogue.by_code if kept(code)), key=catalogue.sort_key)
        return MaterialSearch(query, tuple(hit(code, None) for code in codes), total=total)

    exact: str | None = None
    how = "exact"
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()
    learned = _learned_code(query)
    try:
        if learned is not None:  # a name administrators classified reads as its material here too
            exact = learned
        else:
            resolution = resolve_material_text(query)
            exact = resolution.material.code
            # A name read through its qualifiers or found inside longer text is a reading, not a name match.
            how = "exact" if resolution.how in ("code", "name") else "interpreted"
    except AmbiguousMaterial as exc:
        candidates = exc.candidates
    except KnowledgeError as exc:
        suggestions = exc.suggestions

    ranked: list[tuple[str, str]] = []
    if exact in catalogue.by_code:
        ranked.append((exact, how))
        below = sorted(catalogue.descendants(exact), key=catalogue.sort_key)
        ranked.extend((code, "narrower") for code in below)
    ranked.extend((code, "candidate") for code in candidates)
    key = lookup_key(query)
    partial = []
    for code, material in catalogue.by_code.items():
        rank = _partial_rank(material, key) if key else None
        if rank is not None:
            partial.append((rank, catalogue.sort_key(code), code))
    ranked.extend((code, "partial") for *_, code in sorted(partial))
    if not ranked:
        ranked.extend((code, "suggestion") for code in suggestions)

    seen: set[str] = set()
    hits = []
    for code, match in ranked:
        if code in seen or not kept(code):
            continue
        seen.add(code)
        hits.append(hit(code, match))
    return MaterialSearch(query, tuple(hits), exact=exact, candidates=tuple(candidates),
                          suggestions=tuple(suggestions), total=total)


def _learned_code(query: str) -> str | None:
    """The material a learned synonym gives the query (see services/vocabulary.py), if any."""
    from .vocabulary import learned_synonyms

    try:
        key = unclassified_code(query)
    except ValueError:
        return None
    return learned_synonyms().get(key)


# --------------------------------------------------------------------------- one material


def resolve_source(ref: str, what: str, fields=()) -> SourceView:
    """Resolve a citation: a reference id gets the title and address from the knowledge base."""
    reference = load_knowledge().references.get(ref)
    if reference is not None:
        return SourceView(ref, what, reference.title, reference.url, tuple(fields))
    url = ref if ref.startswith(("http://", "https://")) else None
    return SourceView(ref, what, ref, url, tuple(fields))


def _sources(raw) -> tuple[SourceView, ...]:
    return tuple(resolve_source(item.get("ref", ""), item.get("what", ""), item.get("fields", ()))
                 for item in raw or () if isinstance(item, dict))


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def route_view(route: Route, *, via: str | None = None) -> RouteView:
    """A route row as plain values; tolerant of fields the stored row lacks."""
    details = route.details or {}
    transport = details.get("transport") or []
    transport_km = dict(transport.items()) if isinstance(transport, dict) else {m: km for m, km in transport}
    return RouteView(
        id=route.id,
        material_codes=tuple(route.material_codes or ()),
        process_zh=route.process_zh,
        process_en=route.process_en,
        coupling=route.coupling,
        via=via,
        unit=details.get("unit", ""),
        user_sectors=tuple(details.get("user_sectors") or ()),
        replaces=dict(details.get("replaces") or {}),
        replacement_ratio=_number(details.get("replacement_ratio")),
        quality_limits=tuple(details.get("quality_limits") or ()),
        transport_km={str(mode): float(km) for mode, km in transport_km.items()},
        co2_avoided_t_per_unit=_number(details.get("co2_avoided_t_per_unit")),
        typical_price_cny_per_unit=_number(details.get("typical_price_cny_per_unit")),
        supplier_disposal_cost_cny_per_unit=_number(details.get("supplier_disposal_cost_cny_per_unit")),
        receiver_licence=details.get("receiver_licence") or "none",
        sources=_sources(details.get("sources")),
        estimate=tuple(details.get("estimate") or ()),
        notes=details.get("notes") or "",
    )


def material_detail(code: str) -> MaterialDetail | None:
    """The material with this exact code, its family tree, attributes and routes; None if unknown."""
    catalogue = _catalogue()
    material = catalogue.by_code.get(code)
    if material is None:
        return None
    lineage = catalogue.lineage(code)
    attributes: dict[str, AttributeView] = {}
    for each in lineage:  # own attributes first, then inherited ones not overridden
        for raw in catalogue.by_code[each].quality_attributes or ():
            if isinstance(raw, dict) and raw.get("key") and raw["key"] not in attributes:
                attributes[raw["key"]] = AttributeView(
                    raw["key"], raw.get("unit", ""), raw.get("name_zh", raw["key"]), raw.get("name_en", raw["key"]),
                    tuple(raw.get("values") or ()), None if each == code else each)
    children = sorted((m for m in catalogue.by_code.values() if m.parent_code == code), key=lambda m: m.code)
    # Its own routes first, then those it inherits.
    inherited = sorted(catalogue.routes_for(code), key=lambda pair: (pair[1] is not None, pair[0].id))
    routes = tuple(route_view(route, via=via) for route, via in inherited)
    return MaterialDetail(
        material=material,
        ancestors=tuple(catalogue.by_code[each] for each in lineage[1:]),
        children=tuple(children),
        attributes=tuple(attributes.values()),
        sources=_sources(material.sources),
        routes=routes,
        attribute_names=attributes,
    )
