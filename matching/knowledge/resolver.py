"""Find the material a user means from a code, a name or synonym, a category or a hazardous-waste code."""

from __future__ import annotations

import re
from collections.abc import Iterable

from matching.knowledge.errors import AmbiguousMaterial, UnknownMaterial
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.loader import load_knowledge
from matching.knowledge.models import Material
from matching.knowledge.text import clean, lookup_key, suggest

__all__ = ["resolve_material"]

# Applied to NFKC-cleaned, upper-cased text.
_CATALOGUE_CODE = re.compile(r"(\d{3})-?(\d{3})-?S(\d{2})")
_CATEGORY_CODE = re.compile(r"S(?:W)?(\d{1,2})")
_HW_CATEGORY_TEXT = re.compile(r"HW(\d{1,2})")
_HW_CODE_TEXT = re.compile(r"(\d{3})-?(\d{3})-?(\d{2})")


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
