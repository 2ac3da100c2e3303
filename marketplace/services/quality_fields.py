"""The quality fields the listing form shows for a material: its quality keys with their units, the direction a
want's limit takes on each (from the routes' and standards' limits), and the grades standards define for it.

Choosing a grade fills the values its standard sets (matching/knowledge/grades.yaml). The fields write the
same ``key=value`` text the API and imports take, so one check (services/listing_check.check_listing) reads all three.
"""
from __future__ import annotations

from dataclasses import dataclass

from matching.knowledge import Knowledge, load_knowledge
from matching.knowledge.grades import GradeTable, grade_tables_for


@dataclass(frozen=True)
class QualityField:
    """One quality key. ``op`` is the direction limits take on it (``<=`` a maximum, ``>=`` a minimum; empty
    when no route or standard bounds it): a want states it as ``key_max`` or ``key_min``."""

    key: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    values: tuple[str, ...] = ()
    op: str = ""
    bounded: bool = False   # a route or a standard sets a limit on it: matching reads it

    def want_key(self) -> str:
        return self.key + {"<=": "_max", ">=": "_min"}.get(self.op, "") if self.kind == "number" else self.key


@dataclass(frozen=True)
class QualityForm:
    material: str
    fields: tuple[QualityField, ...]
    grades: tuple[GradeTable, ...]


def quality_form(code: str, *, knowledge: Knowledge | None = None) -> QualityForm:
    """The fields of ``code``: keys routes or standards bound first (they decide matches), then the others.

    A key every lot has by definition (an NCM battery's chemistry) is left out: it cannot be chosen.
    """
    kb = knowledge or load_knowledge()
    tables = grade_tables_for(code, knowledge=kb)
    ops: dict[str, set[str]] = {}
    for table in tables:
        for grade in table.grades:
            for limit in grade.limits:
                ops.setdefault(limit.key, set()).add(limit.op)
    for route in kb.routes_for(code):
        for limit in route.quality_limits:
            if limit.op in ("<=", ">="):
                ops.setdefault(limit.key, set()).add(limit.op)
            else:
                ops.setdefault(limit.key, set())
    implied = kb.implied_quality(code)
    fields = []
    for attribute in kb.quality_attributes(code):
        if attribute.key in implied:
            continue
        directions = ops.get(attribute.key, set())
        fields.append(QualityField(attribute.key, attribute.name_zh, attribute.name_en, attribute.unit,
                                   attribute.kind, tuple(attribute.values),
                                   next(iter(directions)) if len(directions) == 1 else "",
                                   attribute.key in ops))
    fields.sort(key=lambda f: not f.bounded)  # stable: the knowledge base's order within each part
    return QualityForm(code, tuple(fields), tables)


@dataclass(frozen=True)
class NamedQuality:
    """What a written name means for the form: its material (``None`` when unclassified), that material's
    fields, and the grade or class the name itself states (``II级粉煤灰``: grade II)."""

    material: object | None
    form: QualityForm | None
    stated: dict


def quality_form_for_name(written: str, *, kind: str = "offer", knowledge: Knowledge | None = None) -> NamedQuality:
    """The quality form of the material ``written`` is read as, the open-vocabulary way (learned names too)."""
    from matching.knowledge.errors import KnowledgeError
    from matching.knowledge.resolver import read_material

    from .vocabulary import learned_synonyms

    kb = knowledge or load_knowledge()
    try:
        reading = read_material(written, knowledge=kb, learned=learned_synonyms(), kind=kind) if written.strip() \
            else None
    except KnowledgeError:
        reading = None
    if reading is None or reading.code is None:
        return NamedQuality(None, None, {})
    return NamedQuality(kb.materials[reading.code], quality_form(reading.code, knowledge=kb), dict(reading.quality))
