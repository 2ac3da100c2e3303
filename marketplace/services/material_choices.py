"""Material autocomplete for the listing form: every name the knowledge base knows (zh, en, synonyms, codes)
and the names administrators classified (learned synonyms), ranked against what the user has typed so far."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlalchemy import select

from matching.knowledge import Knowledge, load_knowledge
from matching.knowledge.text import lookup_key

from ..extensions import db
from ..models import LearnedSynonym

DEFAULT_LIMIT = 10


@dataclass(frozen=True)
class MaterialChoice:
    """One material offered for what was typed; ``matched`` is the name that matched (a synonym, a code …)."""

    code: str
    name_zh: str
    name_en: str
    matched: str
    unit: str
    hazardous: bool


def material_choices(typed: str, *, limit: int = DEFAULT_LIMIT, knowledge: Knowledge | None = None,
                     learned: dict[str, str] | None = None) -> list[MaterialChoice]:
    """Materials whose names start with or contain ``typed`` (case, width, spaces and hyphens ignored).

    Names that are the text typed come first, then names starting with it, then names containing it; among
    equals the shorter name (the more general material). One choice per material, at most ``limit``.
    ``learned`` maps written names administrators classified to their material (by default, from the database).
    """
    kb = knowledge or load_knowledge()
    wanted = lookup_key(typed or "")
    if not wanted:
        return []
    names = list(_names(kb))
    for written, code in (learned if learned is not None else learned_names()).items():
        if code in kb.materials:
            names.append((lookup_key(written), written, code))
    ranked = []
    for key, name, code in names:
        if key == wanted:
            rank = 0
        elif key.startswith(wanted):
            rank = 1
        elif wanted in key:
            rank = 2
        else:
            continue
        ranked.append((rank, len(key), name, code))
    ranked.sort()
    choices: dict[str, MaterialChoice] = {}
    for _, _, name, code in ranked:
        if code not in choices:
            material = kb.materials[code]
            choices[code] = MaterialChoice(code, material.name_zh, material.name_en, name, material.unit,
                                           material.hazardous)
            if len(choices) == limit:
                break
    return list(choices.values())


def learned_names() -> dict[str, str]:
    """Written name -> material code of every name administrators classified."""
    return dict(db.session.execute(select(LearnedSynonym.written, LearnedSynonym.material_code)).tuples().all())


@functools.lru_cache(maxsize=4)
def _names(kb: Knowledge) -> tuple[tuple[str, str, str], ...]:
    """(lookup key, name, code) of every name of every material: built once per knowledge base."""
    found = []
    for material in kb.materials.values():
        for name in (material.name_zh, material.name_en, *material.synonyms_zh, *material.synonyms_en, material.code):
            found.append((lookup_key(name), name, material.code))
    return tuple(found)
