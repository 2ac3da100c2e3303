"""Load and validate the materials knowledge base (``materials.yaml`` + ``routes.yaml``).

The data files are reviewed data: this module turns them into frozen values
and refuses anything it cannot vouch for. Every error is a
:class:`~matching.knowledge.errors.KnowledgeError` whose message starts with
the file, then the entry (material code or route id), then the field.

Children inherit from their parent: a route written for ``coal-fly-ash``
applies to ``coal-fly-ash-class-f``, and so do the parent's quality
attributes. The reverse does not hold.
"""

from __future__ import annotations

import functools
import re
from types import MappingProxyType
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from matching.knowledge.errors import AmbiguousMaterial, KnowledgeError, UnknownMaterial
from matching.knowledge.sectors import SECTORS_CSV, Sector, load_sectors
from matching.knowledge.text import clean, lookup_key, suggest

__all__ = [
    "COUPLINGS",
    "DEFAULT_DIRECTORY",
    "FAMILIES",
    "FIGURE_FIELDS",
    "Knowledge",
    "Material",
    "QualityAttribute",
    "QualityLimit",
    "Reference",
    "Replaces",
    "Route",
    "SourceRef",
    "load_knowledge",
    "resolve_material",
]

DEFAULT_DIRECTORY = Path(__file__).parent
MATERIALS_FILE = "materials.yaml"
ROUTES_FILE = "routes.yaml"

FAMILIES = frozenset({
    "slag", "ash", "gypsum", "sludge", "tailings", "chemical-residue", "hazardous", "energy", "gas",
    "water", "organic", "end-of-life", "scrap",
})
UNITS = frozenset({"t", "GJ", "MWh", "Nm3", "m3"})
NON_SOLID_CATEGORIES = frozenset({"ENERGY", "GAS", "WATER", "ORGANIC", "EOL"})
MATERIAL_LICENCES = frozenset({"none", "hw_permit", "battery_cascade", "battery_recycling", "battery_any"})
ROUTE_LICENCES = frozenset({"none", "hw_permit", "battery_cascade", "battery_recycling"})
TRANSPORT_MODES = frozenset({"road", "rail", "barge", "pipeline"})
OPERATORS = frozenset({"<=", ">=", "in"})
ATTRIBUTE_KINDS = frozenset({"number", "category", "text"})
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
# Figures a route must either source or list under `estimate`.
FIGURE_FIELDS = (
    "replacement_ratio",
    "transport",
    "co2_avoided_t_per_unit",
    "typical_price_cny_per_unit",
    "supplier_disposal_cost_cny_per_unit",
    "replaces.price",
)

MATERIAL_KEYS = frozenset({
    "code", "name_zh", "name_en", "synonyms_zh", "synonyms_en", "family", "category", "parent", "unit",
    "hazardous", "hw_codes", "receiver_licence", "bulk", "quality_attributes", "sources", "notes",
})
ROUTE_KEYS = frozenset({
    "id", "material", "process_zh", "process_en", "user_sectors", "replaces", "replacement_ratio",
    "quality_limits", "transport", "co2_avoided_t_per_unit", "typical_price_cny_per_unit",
    "supplier_disposal_cost_cny_per_unit", "receiver_licence", "coupling", "sources", "estimate", "notes",
})

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ATTRIBUTE_KEY = re.compile(r"[a-z][a-z0-9_]*")
_HW_CODE = re.compile(r"(\d{3})-(\d{3})-(\d{2})")
_S_CATEGORY = re.compile(r"S(\d{2})")
_HW_CATEGORY = re.compile(r"HW(\d{2})")
_REFERENCE_ID = re.compile(r"R\d{2}")
# A cited standard or public document: GB, GB/T, HJ, JC/T, YB/T, ISO ... followed by a number.
_STANDARD = re.compile(r"(GB|GB/T|GB/Z|HJ|JC/T|JC|YB/T|DL/T|NB/T|SH/T|HG/T|QC/T|T/[A-Z]+|ISO|EN|ASTM)\s?[\w.]+")
_PRICE_KEY = re.compile(r"price_cny_per_(t|gj|mwh|nm3|m3|kwh|kg)")
# Resolver patterns, applied to NFKC-cleaned, upper-cased text.
_CATALOGUE_CODE = re.compile(r"(\d{3})-?(\d{3})-?S(\d{2})")
_CATEGORY_CODE = re.compile(r"S(?:W)?(\d{1,2})")
_HW_CATEGORY_TEXT = re.compile(r"HW(\d{1,2})")
_HW_CODE_TEXT = re.compile(r"(\d{3})-?(\d{3})-?(\d{2})")


# --------------------------------------------------------------------------- values


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
    """A stream the marketplace trades: waste, by-product, energy, gas, water or end-of-life product."""

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

    @property
    def legacy_category(self) -> str | None:
        """The 2021 ledger spelling ``SWnn`` of an ``Snn`` category, else ``None``.

        Examples
        --------
        >>> load_knowledge().materials["coal-fly-ash"].legacy_category
        'SW02'
        """
        match = _S_CATEGORY.fullmatch(self.category)
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
    """A name that means several materials (``"gypsum"``)."""

    terms: tuple[str, ...]
    candidates: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, eq=False)
class Knowledge:
    """Validated materials, routes and references, with lookup helpers."""

    materials: Mapping[str, Material]
    routes: tuple[Route, ...]
    references: Mapping[str, Reference]
    ambiguous: tuple[AmbiguousTerm, ...]
    directory: Path
    _index: _Index = field(repr=False)

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

    def quality_attribute(self, code: str, key: str) -> QualityAttribute:
        """The attribute ``key`` of material ``code`` (own or inherited), also found by an alias.

        Raises
        ------
        KnowledgeError
            If the material has no such attribute; ``.field`` is ``"quality"`` and
            ``.suggestions`` lists close keys.

        Examples
        --------
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
        >>> kb = load_knowledge()
        >>> "fly-ash-cement-admixture" in {r.id for r in kb.routes_for("coal-fly-ash-class-f")}
        True
        """
        lineage = {material_code, *self.ancestors(material_code)}
        return tuple(route for route in self.routes if lineage.intersection(route.materials))

    def consumers(self, material_code: str) -> set[str]:
        """GB/T 4754 codes of the sectors that can take ``material_code``.

        Examples
        --------
        >>> "3011" in load_knowledge().consumers("coal-fly-ash")
        True
        """
        return {sector for route in self.routes_for(material_code) for sector in route.user_sectors}

    def substitutes(self, material_code: str) -> tuple[Replaces, ...]:
        """Virgin inputs ``material_code`` can substitute for, one per name, in route order.

        Examples
        --------
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
        """Shortcut for :func:`resolve_material` on this knowledge base."""
        return resolve_material(text, knowledge=self)


@dataclass(frozen=True)
class _Index:
    codes_by_key: dict[str, str]
    ambiguous_by_key: dict[str, tuple[str, ...]]
    heads_by_category: dict[str, tuple[str, ...]]
    materials_by_hw_code: dict[str, tuple[str, ...]]
    labels: dict[str, str]


# --------------------------------------------------------------------------- public functions


def load_knowledge(directory: Path | str | None = None) -> Knowledge:
    """Read, validate and index ``materials.yaml`` and ``routes.yaml``.

    Parameters
    ----------
    directory
        Folder holding both files (and optionally a ``sectors.csv``); the
        shipped knowledge base when ``None``, which is cached.

    Raises
    ------
    KnowledgeError
        On the first problem found; the message names file, entry and field.

    Examples
    --------
    >>> kb = load_knowledge()
    >>> kb.material("fgd-gypsum").category
    'S06'
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


def resolve_material(text: str, *, knowledge: Knowledge | None = None) -> Material:
    """Find the material a user means.

    Accepts a material code, any name or synonym in Chinese or English
    (ignoring case, full-width characters, spaces, hyphens and punctuation),
    a general-solid-waste category (``S02``, legacy ``SW02``), a 9-character
    catalogue code (``441-001-S02``), a hazardous category (``HW31``) or an
    8-digit hazardous-waste code (``900-052-31``).

    Raises
    ------
    AmbiguousMaterial
        If the text names several materials ("gypsum", "石膏", "飞灰");
        ``.candidates`` lists their codes.
    UnknownMaterial
        If nothing matches; ``.suggestions`` holds up to five close codes.

    Examples
    --------
    >>> resolve_material("PFA").code
    'coal-fly-ash'
    >>> resolve_material("441-001-S02").code
    'coal-fly-ash'
    >>> resolve_material("900-052-31").code
    'lead-acid-battery'
    """
    kb = knowledge or load_knowledge()
    typed = clean(str(text))
    if not typed:
        raise UnknownMaterial("material: empty value", field="material")
    upper = typed.upper()
    index = kb._index

    catalogue = _CATALOGUE_CODE.fullmatch(upper)
    category = _CATEGORY_CODE.fullmatch(upper)
    if catalogue or category:
        number = int((catalogue or category).group(3 if catalogue else 1))  # type: ignore[union-attr]
        if not 1 <= number <= 59 or number == 8:
            raise UnknownMaterial(
                f"material: {typed!r} is not an industrial solid-waste category (S01-S59, no S08)",
                field="material",
                suggestions=[kb.category_head("S59").code] if "S59" in index.heads_by_category else [],
            )
        return kb.category_head(f"S{number:02d}")

    hw_category = _HW_CATEGORY_TEXT.fullmatch(upper)
    if hw_category:
        return kb.category_head(f"HW{int(hw_category.group(1)):02d}")

    hw_code = _HW_CODE_TEXT.fullmatch(upper)
    if hw_code:
        code = "-".join(hw_code.groups())
        holders = index.materials_by_hw_code.get(code, ())
        if holders:
            return _most_specific(kb, holders, typed)
        category_code = f"HW{hw_code.group(3)}"
        raise UnknownMaterial(
            f"material: hazardous-waste code {code} is not in the knowledge base",
            field="material",
            suggestions=list(index.heads_by_category.get(category_code, ()))[:5],
        )

    keys = (lookup_key(typed), lookup_key(_singular(typed)))
    for key in keys:
        code = index.codes_by_key.get(key)
        if code is not None:
            return kb.materials[code]
    candidates = index.ambiguous_by_key.get(keys[0]) or index.ambiguous_by_key.get(keys[1])
    if candidates:
        raise AmbiguousMaterial(
            f"material: {typed!r} is ambiguous; say which of {', '.join(candidates)}", candidates=candidates
        )
    raise UnknownMaterial(
        f"material: {typed!r} matches no material, synonym or code",
        field="material",
        suggestions=suggest(typed, index.labels),
    )


def _singular(text: str) -> str:
    """English plural words made singular, crudely: "batteries" -> "battery", "slags" -> "slag"."""

    def one(word: str) -> str:
        lower = word.lower()
        if lower.endswith("ies") and len(word) > 4:
            return word[:-3] + "y"
        if lower.endswith(("ses", "xes", "ches", "shes")):
            return word[:-2]
        if lower.endswith("s") and not lower.endswith("ss") and len(word) > 3:
            return word[:-1]
        return word

    return re.sub(r"[A-Za-z]+", lambda match: one(match.group(0)), text)


def _most_specific(kb: Knowledge, codes: Iterable[str], typed: str) -> Material:
    codes = tuple(codes)
    leaves = tuple(code for code in codes if not any(code in kb.ancestors(other) for other in codes))
    if len(leaves) == 1:
        return kb.materials[leaves[0]]
    raise AmbiguousMaterial(f"material: {typed!r} is held by {', '.join(leaves)}", candidates=leaves)


# --------------------------------------------------------------------------- loading


@functools.lru_cache(maxsize=1)
def _load_default() -> Knowledge:
    return _load(DEFAULT_DIRECTORY)


def _load(directory: Path) -> Knowledge:
    sectors_path = directory / "sectors.csv"
    sectors = load_sectors(sectors_path if sectors_path.exists() else SECTORS_CSV)
    materials_doc = _read_yaml(directory / MATERIALS_FILE)
    routes_doc = _read_yaml(directory / ROUTES_FILE)

    references = _parse_references(materials_doc, MATERIALS_FILE)
    materials = _parse_materials(materials_doc, references)
    ambiguous = _parse_ambiguous(materials_doc, materials)
    index = _build_index(materials, ambiguous)
    routes = _parse_routes(routes_doc, materials, references, sectors)
    # read-only views: the default knowledge base is cached and shared by every caller
    return Knowledge(
        materials=MappingProxyType(materials),
        routes=routes,
        references=MappingProxyType(references),
        ambiguous=ambiguous,
        directory=directory,
        _index=index,
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(f"{path.name}: cannot read ({exc})", file=path.name) from exc
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: not valid YAML ({exc})", file=path.name) from exc
    if not isinstance(document, dict):
        raise KnowledgeError(f"{path.name}: top level must be a mapping", file=path.name)
    return document


class _Entry:
    """Reads fields of one YAML mapping and reports errors with file, entry and field."""

    def __init__(self, file: str, kind: str, raw: Any, entry: str) -> None:
        self.file = file
        self.kind = kind
        self.entry = entry
        if not isinstance(raw, dict):
            self.fail("(entry)", "must be a mapping")
        self.raw: dict[str, Any] = raw

    def fail(self, field_name: str, message: str, suggestions: Iterable[str] = ()) -> None:
        raise KnowledgeError(
            f"{self.file}: {self.kind} {self.entry!r}: field {field_name}: {message}",
            file=self.file,
            entry=self.entry,
            field=field_name,
            suggestions=suggestions,
        )

    def only(self, allowed: frozenset[str]) -> None:
        for key in self.raw:
            if key not in allowed:
                self.fail(str(key), "unknown field (typo?)", suggest(str(key), {name: name for name in allowed}))

    def text(self, name: str, *, required: bool = True) -> str:
        value = self.raw.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "must be a non-empty string")
        return value.strip()

    def texts(self, name: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.raw.get(name, [] if not required else None)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or (required and not value):
            self.fail(name, "must be a non-empty list of strings" if required else "must be a list of strings")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(name, f"item {item!r} must be a non-empty quoted string")
        return tuple(item.strip() for item in value)

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if not isinstance(value, bool):
            self.fail(name, "must be true or false")
        return value

    def number(self, name: str, *, minimum: float | None = None, strictly: bool = False) -> float:
        value = self.raw.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(name, "must be a number")
        if minimum is not None and (value < minimum or (strictly and value == minimum)):
            self.fail(name, f"must be {'>' if strictly else '>='} {minimum}, got {value}")
        return float(value)


def _parse_references(document: dict[str, Any], file: str) -> dict[str, Reference]:
    raw = document.get("references", {})
    if not isinstance(raw, dict):
        raise KnowledgeError(f"{file}: references must be a mapping", file=file, field="references")
    references: dict[str, Reference] = {}
    for ref_id, body in raw.items():
        entry = _Entry(file, "reference", body, str(ref_id))
        if not _REFERENCE_ID.fullmatch(str(ref_id)):
            entry.fail("id", "reference ids are R followed by two digits")
        url = entry.raw.get("url")
        if url is not None and (not isinstance(url, str) or not url.strip()):
            entry.fail("url", "must be a non-empty string when given")
        references[str(ref_id)] = Reference(str(ref_id), entry.text("title"), url)
    return references


def _parse_sources(entry: _Entry, references: Mapping[str, Reference]) -> tuple[SourceRef, ...]:
    raw = entry.raw.get("sources")
    if not isinstance(raw, list) or not raw:
        entry.fail("sources", "missing: every entry cites at least one source")
    sources = []
    for item in raw:
        if not isinstance(item, dict):
            entry.fail("sources", f"item {item!r} must be a mapping with ref and what")
        ref = item.get("ref")
        what = item.get("what")
        if not isinstance(ref, str) or not ref.strip():
            entry.fail("sources", "each source needs a ref")
        if not isinstance(what, str) or not what.strip():
            entry.fail("sources", f"source {ref!r} needs a 'what'")
        ref = ref.strip()
        if _REFERENCE_ID.fullmatch(ref):
            if ref not in references:
                entry.fail("sources", f"reference {ref} is not defined under references")
        elif not (ref.startswith(("http://", "https://")) or _STANDARD.match(ref)):
            entry.fail("sources", f"ref {ref!r} must be a reference id (R01), a standard number or a URL")
        fields = item.get("fields", [])
        if not isinstance(fields, list) or any(name not in FIGURE_FIELDS for name in fields):
            entry.fail("sources", f"fields of {ref} must be among {', '.join(FIGURE_FIELDS)}")
        sources.append(SourceRef(ref, what.strip(), tuple(fields)))
    return tuple(sources)


def _parse_materials(document: dict[str, Any], references: Mapping[str, Reference]) -> dict[str, Material]:
    file = MATERIALS_FILE
    raw_list = document.get("materials")
    if not isinstance(raw_list, list) or not raw_list:
        raise KnowledgeError(f"{file}: materials must be a non-empty list", file=file, field="materials")
    materials: dict[str, Material] = {}
    for position, raw in enumerate(raw_list, start=1):
        code = raw.get("code") if isinstance(raw, dict) else None
        entry = _Entry(file, "material", raw, str(code) if code else f"#{position}")
        entry.only(MATERIAL_KEYS)
        code = entry.text("code")
        if not _SLUG.fullmatch(code):
            entry.fail("code", "must be lower-case words joined by hyphens")
        if code in materials:
            entry.fail("code", "duplicate material code")
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
            sources=_parse_sources(entry, references),
            notes=entry.text("notes", required=False),
        )
    for material in materials.values():
        entry = _Entry(file, "material", {}, material.code)
        _check_parent(entry, material, materials)
    return materials


def _check_category(entry: _Entry, category: str, hazardous: bool, hw_codes: tuple[str, ...]) -> None:
    s_match = _S_CATEGORY.fullmatch(category)
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


def _parse_attributes(entry: _Entry) -> tuple[QualityAttribute, ...]:
    raw = entry.raw.get("quality_attributes", [])
    if not isinstance(raw, list):
        entry.fail("quality_attributes", "must be a list")
    attributes: dict[str, QualityAttribute] = {}
    for item in raw:
        sub = _Entry(entry.file, "material", item, entry.entry)
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


def _check_parent(entry: _Entry, material: Material, materials: Mapping[str, Material]) -> None:
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


def _parse_ambiguous(document: dict[str, Any], materials: Mapping[str, Material]) -> tuple[AmbiguousTerm, ...]:
    raw = document.get("ambiguous", [])
    if not isinstance(raw, list):
        raise KnowledgeError(f"{MATERIALS_FILE}: ambiguous must be a list", file=MATERIALS_FILE, field="ambiguous")
    terms = []
    for position, item in enumerate(raw, start=1):
        entry = _Entry(MATERIALS_FILE, "ambiguous term", item, f"#{position}")
        words = entry.texts("terms_zh") + entry.texts("terms_en")
        if not words:
            entry.fail("terms_zh", "give at least one term")
        candidates = entry.texts("candidates", required=True)
        if len(candidates) < 2:
            entry.fail("candidates", "an ambiguous term needs two or more candidates")
        for candidate in candidates:
            if candidate not in materials:
                entry.fail("candidates", f"unknown material {candidate!r}")
        terms.append(AmbiguousTerm(words, candidates, entry.text("note", required=False)))
    return tuple(terms)


def _build_index(materials: Mapping[str, Material], ambiguous: tuple[AmbiguousTerm, ...]) -> _Index:
    codes_by_key: dict[str, str] = {}
    where_by_key: dict[str, str] = {}
    labels: dict[str, str] = {}
    for material in materials.values():
        names = [
            ("code", material.code),
            ("name_zh", material.name_zh),
            ("name_en", material.name_en),
            *(("synonyms_zh", synonym) for synonym in material.synonyms_zh),
            *(("synonyms_en", synonym) for synonym in material.synonyms_en),
        ]
        for field_name, name in names:
            key = lookup_key(name)
            if not key:
                _fail_material(material.code, field_name, f"{name!r} has no letters or digits")
            owner = codes_by_key.get(key)
            if owner is not None and owner != material.code:
                _fail_material(
                    material.code,
                    field_name,
                    f"{name!r} already names material {owner!r} ({where_by_key[key]}); "
                    "a synonym must map to one material — list shared terms under `ambiguous`",
                )
            codes_by_key[key] = material.code
            where_by_key.setdefault(key, f"{material.code}.{field_name}")
            labels.setdefault(name, material.code)

    ambiguous_by_key: dict[str, tuple[str, ...]] = {}
    for term in ambiguous:
        for word in term.terms:
            key = lookup_key(word)
            if key in codes_by_key:
                raise KnowledgeError(
                    f"{MATERIALS_FILE}: ambiguous term {word!r}: field terms: it is also a name of "
                    f"material {codes_by_key[key]!r}",
                    file=MATERIALS_FILE, entry=word, field="terms",
                )
            if key in ambiguous_by_key:
                raise KnowledgeError(
                    f"{MATERIALS_FILE}: ambiguous term {word!r}: field terms: listed twice",
                    file=MATERIALS_FILE, entry=word, field="terms",
                )
            ambiguous_by_key[key] = term.candidates

    heads: dict[str, list[str]] = {}
    for material in materials.values():
        parent = materials[material.parent] if material.parent else None
        if parent is None or parent.category != material.category:
            heads.setdefault(material.category, []).append(material.code)
    for category, codes in heads.items():
        if _S_CATEGORY.fullmatch(category) and len(codes) > 1:
            _fail_material(
                codes[1], "category",
                f"{category} already has top-level material {codes[0]!r}; make one the parent of the other",
            )

    by_hw: dict[str, list[str]] = {}
    for material in materials.values():
        for code in material.hw_codes:
            by_hw.setdefault(code, []).append(material.code)
    for code, holders in by_hw.items():
        for first in holders:
            for second in holders:
                if first != second and not _related(materials, first, second):
                    _fail_material(second, "hw_codes", f"{code} is also claimed by unrelated material {first!r}")

    return _Index(
        codes_by_key=codes_by_key,
        ambiguous_by_key=ambiguous_by_key,
        heads_by_category={category: tuple(codes) for category, codes in heads.items()},
        materials_by_hw_code={code: tuple(holders) for code, holders in by_hw.items()},
        labels=labels,
    )


def _related(materials: Mapping[str, Material], first: str, second: str) -> bool:
    def lineage(code: str) -> set[str]:
        chain = {code}
        while materials[code].parent is not None:
            code = materials[code].parent  # type: ignore[assignment]
            chain.add(code)
        return chain

    return first in lineage(second) or second in lineage(first)


def _fail_material(code: str, field_name: str, message: str) -> None:
    raise KnowledgeError(
        f"{MATERIALS_FILE}: material {code!r}: field {field_name}: {message}",
        file=MATERIALS_FILE, entry=code, field=field_name,
    )


def _parse_routes(
    document: dict[str, Any],
    materials: Mapping[str, Material],
    references: Mapping[str, Reference],
    sectors: Mapping[str, Sector],
) -> tuple[Route, ...]:
    file = ROUTES_FILE
    raw_list = document.get("routes")
    if not isinstance(raw_list, list) or not raw_list:
        raise KnowledgeError(f"{file}: routes must be a non-empty list", file=file, field="routes")
    routes: dict[str, Route] = {}
    for position, raw in enumerate(raw_list, start=1):
        route_id = raw.get("id") if isinstance(raw, dict) else None
        entry = _Entry(file, "route", raw, str(route_id) if route_id else f"#{position}")
        entry.only(ROUTE_KEYS)
        route_id = entry.text("id")
        if not _SLUG.fullmatch(route_id):
            entry.fail("id", "must be lower-case words joined by hyphens")
        if route_id in routes:
            entry.fail("id", "duplicate route id")
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
        sources = _parse_sources(entry, references)
        estimate = entry.texts("estimate")
        replaces = _parse_replaces(entry, references)
        _check_figures_sourced(entry, sources, estimate, replaces, limits)
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
        )
    return tuple(routes.values())


def _check_route_licence(entry: _Entry, licence: str, route_materials: list[Material]) -> None:
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


def _parse_replaces(entry: _Entry, references: Mapping[str, Reference]) -> Replaces:
    raw = entry.raw.get("replaces")
    sub = _Entry(entry.file, "route", raw, entry.entry)
    price_keys = [key for key in raw if _PRICE_KEY.fullmatch(key)]
    if len(price_keys) != 1:
        entry.fail("replaces", "give exactly one price_cny_per_<unit> (t, gj, mwh, nm3, m3, kwh, kg)")
    price = sub.number(price_keys[0], minimum=0)
    source = sub.text("price_source")
    if source != "estimate" and _REFERENCE_ID.fullmatch(source) and source not in references:
        entry.fail("replaces", f"price_source {source} is not defined under references")
    if source != "estimate" and not (
        _REFERENCE_ID.fullmatch(source) or source.startswith(("http://", "https://")) or _STANDARD.match(source)
    ):
        entry.fail("replaces", "price_source must be 'estimate', a reference id, a standard or a URL")
    unit = _PRICE_KEY.fullmatch(price_keys[0]).group(1)  # type: ignore[union-attr]
    return Replaces(sub.text("name_zh"), sub.text("name_en"), price, unit, source)


def _parse_limits(entry: _Entry, codes: tuple[str, ...], materials: Mapping[str, Material]) -> tuple[QualityLimit, ...]:
    raw = entry.raw.get("quality_limits", [])
    if not isinstance(raw, list):
        entry.fail("quality_limits", "must be a list")
    attributes_by_material = {code: _inherited_attributes(code, materials) for code in codes}
    limits = []
    for item in raw:
        if not isinstance(item, dict):
            entry.fail("quality_limits", f"item {item!r} must be a mapping")
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


def _parse_transport(entry: _Entry) -> tuple[tuple[str, float], ...]:
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
    entry: _Entry,
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
