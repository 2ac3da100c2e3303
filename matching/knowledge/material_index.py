"""The index that finds a material by name, category or hazardous-waste code, checked while it is built.

Building it is the last check of ``materials.yaml``: a name or synonym must mean one material (a
term shared by several is listed under ``ambiguous``), a general-solid-waste category has one
top-level material, and unrelated materials do not claim the same hazardous-waste code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matching.knowledge.containment import NameFinder
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.materials import MATERIALS_FILE
from matching.knowledge.models import S_CATEGORY, AmbiguousTerm, Material
from matching.knowledge.text import lookup_key
from geo.messages import Message, N_

__all__ = ["MaterialIndex", "build_index"]


@dataclass(frozen=True)
class MaterialIndex:
    """Materials by lookup key of every name and synonym, by category (its top-level materials) and by
    hazardous-waste code; ``labels`` maps each written name to its code, for suggestions; ``finder``
    finds names and ambiguous terms inside longer text; ``generic`` holds the generic materials: those
    an ambiguous term lists first, above all its other candidates (石膏 -> by-product gypsum of any kind)."""

    codes_by_key: dict[str, str]
    ambiguous_by_key: dict[str, tuple[str, ...]]
    heads_by_category: dict[str, tuple[str, ...]]
    materials_by_hw_code: dict[str, tuple[str, ...]]
    labels: dict[str, str]
    finder: NameFinder
    generic: frozenset[str] = frozenset()


def build_index(materials: Mapping[str, Material], ambiguous: tuple[AmbiguousTerm, ...]) -> MaterialIndex:
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
                    Message(N_("%(MATERIALS_FILE)s: ambiguous term %(word)r: field terms: it is also a name of "
                               "material %(codes_by_key)r"),
                            MATERIALS_FILE=MATERIALS_FILE, word=word, codes_by_key=codes_by_key[key]),
                    file=MATERIALS_FILE, entry=word, field="terms",
                )
            if key in ambiguous_by_key:
                raise KnowledgeError(
                    Message(N_("%(MATERIALS_FILE)s: ambiguous term %(word)r: field terms: listed twice"),
                            MATERIALS_FILE=MATERIALS_FILE, word=word),
                    file=MATERIALS_FILE, entry=word, field="terms",
                )
            ambiguous_by_key[key] = term.candidates

    heads: dict[str, list[str]] = {}
    for material in materials.values():
        parent = materials[material.parent] if material.parent else None
        if parent is None or parent.category != material.category:
            heads.setdefault(material.category, []).append(material.code)
    for category, codes in heads.items():
        if S_CATEGORY.fullmatch(category) and len(codes) > 1:
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

    written = [
        (name, (material.code,))
        for material in materials.values()
        for name in (material.name_zh, material.name_en, *material.synonyms_zh, *material.synonyms_en)
    ]
    written += [(word, term.candidates) for term in ambiguous for word in term.terms]
    generic = frozenset(
        term.candidates[0] for term in ambiguous
        if all(_is_above(materials, term.candidates[0], other)
               for other in term.candidates[1:])
    )
    return MaterialIndex(
        codes_by_key=codes_by_key,
        ambiguous_by_key=ambiguous_by_key,
        heads_by_category={category: tuple(codes) for category, codes in heads.items()},
        materials_by_hw_code={code: tuple(holders) for code, holders in by_hw.items()},
        labels=labels,
        finder=NameFinder(written),
        generic=generic,
    )


def _is_above(materials: Mapping[str, Material], ancestor: str, code: str) -> bool:
    """Whether ``ancestor`` is a parent, grandparent ... of ``code``."""
    parent = materials[code].parent
    while parent is not None:
        if parent == ancestor:
            return True
        parent = materials[parent].parent
    return False


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
        Message(N_("%(MATERIALS_FILE)s: material %(code)r: field %(field_name)s: %(message)s"),
                MATERIALS_FILE=MATERIALS_FILE, code=code, field_name=field_name, message=message),
        file=MATERIALS_FILE, entry=code, field=field_name,
    )
