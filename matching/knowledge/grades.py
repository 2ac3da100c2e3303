"""Grades that standards define for a material (``grades.yaml``): GB/T 1596 fly ash I/II/III, GB/T 18046
slag powder S105/S95/S75, GB/T 5483 gypsum 特级…四级.

Choosing a grade on the listing form fills the values the standard sets for it. :func:`load_grades` reads
the reviewed tables and refuses any it cannot vouch for: an unknown material, a limit on a key the material
does not have, a grade value the material's grade attribute does not list, a table without sources.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from matching.knowledge.citations import parse_sources, side_file_references
from matching.knowledge.entries import Entry, read_entries, read_yaml
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.loader import load_knowledge
from matching.knowledge.models import QualityLimit, SourceRef

__all__ = ["GRADES_FILE", "Grade", "GradeTable", "grade_tables_for", "load_grades"]

GRADES_FILE = Path(__file__).with_name("grades.yaml")
_FIELDS = frozenset({"id", "standard", "materials", "key", "notes", "grades", "sources"})
_GRADE_FIELDS = frozenset({"name", "name_zh", "limits"})
_LIMIT = re.compile(r"^\s*(<=|>=)\s*([-+]?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Grade:
    """One grade (``II``) and the limits its standard sets, on the material's quality keys."""

    name: str
    name_zh: str
    limits: tuple[QualityLimit, ...]


@dataclass(frozen=True)
class GradeTable:
    """The grades one standard defines for ``materials`` (and their kinds). ``key`` is the quality key the
    grade is stored under (``grade``), empty when the grade only fills values."""

    id: str
    standard: str
    materials: tuple[str, ...]
    key: str
    grades: tuple[Grade, ...]
    sources: tuple[SourceRef, ...]
    notes: str = ""


def load_grades(path: Path | str | None = None, *, knowledge: Knowledge | None = None) -> tuple[GradeTable, ...]:
    """Read and validate the grade tables (the shipped ones once per knowledge base).

    Examples
    --------
    >>> table = next(t for t in load_grades() if t.standard == "GB/T 1596-2017")
    >>> [grade.name for grade in table.grades]
    ['I', 'II', 'III']
    """
    kb = knowledge or load_knowledge()
    if path is None:
        return _load_shipped(kb)
    return _load(Path(path), kb)


def grade_tables_for(code: str, *, knowledge: Knowledge | None = None) -> tuple[GradeTable, ...]:
    """The tables that grade ``code``: its own and those of its ancestors (a class F fly ash is graded as fly ash).

    Examples
    --------
    >>> [t.standard for t in grade_tables_for("coal-fly-ash-class-f")]
    ['GB/T 1596-2017']
    >>> grade_tables_for("steel-slag")
    ()
    """
    kb = knowledge or load_knowledge()
    lineage = {code, *kb.ancestors(code)}
    return tuple(table for table in load_grades(knowledge=kb) if lineage.intersection(table.materials))


@functools.lru_cache(maxsize=4)
def _load_shipped(kb: Knowledge) -> tuple[GradeTable, ...]:
    return _load(GRADES_FILE, kb)


def _load(path: Path, kb: Knowledge) -> tuple[GradeTable, ...]:
    document = read_yaml(path)
    file = path.name
    references = side_file_references(document, file, kb.references, section="grades")
    return tuple(_table(table_id, entry, kb, references)
                 for table_id, entry in read_entries(document, file=file, section="grades", kind="grade table",
                                                     id_field="id", allowed=_FIELDS))


def _table(table_id: str, entry: Entry, kb: Knowledge, references: dict) -> GradeTable:
    standard = entry.text("standard")
    materials = entry.texts("materials", required=True)
    for code in materials:
        if code not in kb.materials:
            entry.fail("materials", f"unknown material {code!r}")
    key = entry.text("key", required=False)
    keys = {code: {a.key: a for a in kb.quality_attributes(code)} for code in materials}
    raw_grades = entry.raw.get("grades")
    if not isinstance(raw_grades, list) or not raw_grades:
        entry.fail("grades", "must be a non-empty list")
    grades = []
    for raw in raw_grades:
        item = Entry(entry.file, "grade table", raw, table_id)
        item.only(_GRADE_FIELDS, within="grades")
        name = str(raw.get("name", "")).strip()
        if not name:
            entry.fail("grades", "each grade needs a name")
        for code in materials:
            if key and (key not in keys[code] or name not in keys[code][key].values):
                entry.fail("grades", f"grade {name!r} is not a value of {code}'s quality key {key!r}")
        limits = raw.get("limits")
        if not isinstance(limits, dict) or not limits:
            entry.fail("grades", f"grade {name!r} needs limits")
        parsed = []
        for limit_key, written in limits.items():
            match = _LIMIT.match(str(written))
            if match is None:
                entry.fail("grades", f"grade {name!r}: limit {limit_key}: {written!r} is not '<= n' or '>= n'")
            for code in materials:
                if limit_key not in keys[code] or keys[code][limit_key].kind != "number":
                    entry.fail("grades", f"grade {name!r}: {limit_key!r} is not a numeric quality key of {code}")
            parsed.append(QualityLimit(str(limit_key), match.group(1), float(match.group(2)), standard))
        grades.append(Grade(name, str(raw.get("name_zh") or name).strip(), tuple(parsed)))
    if len({g.name for g in grades}) != len(grades):
        entry.fail("grades", "grade names repeat")
    return GradeTable(table_id, standard, materials, key, tuple(grades), parse_sources(entry, references),
                      " ".join(entry.text("notes", required=False).split()))
