"""GB/T 4754-2017 national economic industry classification (国民经济行业分类).

The table lives in ``sectors.csv`` beside this module: all 20 sections (门类,
``A``–``T``), 97 divisions (大类, 2 digits), 473 groups (中类, 3 digits) and
1 381 classes (小类, 4 digits). A group that holds a single class has the
class's name, as the standard prints them on one line (``061``/``0610``).
Chinese names are those of the standard; English names are the project's
translation (see ``SOURCES.md``).

:func:`resolve_sector` is the strict lookup of one exact code or title. What plants
write (``C3011 水泥制造``, ``家具制造``, ``oil refinery``, several sectors separated by
``|``) is read by :func:`matching.knowledge.sector_reading.read_sectors`, which never
refuses and says how sure it is.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from matching.knowledge.errors import KnowledgeError, UnknownSector
from matching.knowledge.text import clean, lookup_key, suggest
from geo.messages import Message, N_

__all__ = [
    "SECTORS_CSV",
    "Sector",
    "lineage_in",
    "load_sectors",
    "resolve_sector",
    "sector_lineage",
]

SECTORS_CSV = Path(__file__).with_name("sectors.csv")

_COLUMNS = ("code", "name_zh", "name_en", "parent_code", "source")
_CODE = re.compile(r"[A-T]|\d{2,4}")
# "C3110", "c 3110", "C-3110": section letter before a numeric code, as many Chinese forms write it.
_PREFIXED_CODE = re.compile(r"([A-Ta-t])?\s*-?\s*(\d{2,4})")
_LEVELS = {1: "section", 2: "division", 3: "group", 4: "class"}


@dataclass(frozen=True)
class Sector:
    """One entry of GB/T 4754-2017.

    Examples
    --------
    >>> Sector("3110", "炼铁", "Ironmaking", "31").level
    'class'
    """

    code: str
    name_zh: str
    name_en: str
    parent_code: str | None

    @property
    def level(self) -> str:
        """``"section"``, ``"division"``, ``"group"`` or ``"class"``."""
        return _LEVELS[len(self.code)]


@dataclass(frozen=True)
class _SectorIndex:
    by_code: dict[str, Sector]
    codes_by_name_key: dict[str, tuple[str, ...]]
    labels_by_name: dict[str, str]


def load_sectors(path: Path | str | None = None) -> dict[str, Sector]:
    """All sectors by code, read and validated once per path.

    Parameters
    ----------
    path
        CSV file with columns ``code,name_zh,name_en,parent_code,source``;
        defaults to the shipped ``sectors.csv``.

    Returns
    -------
    dict
        A fresh dict (callers may modify it) mapping code to :class:`Sector`.

    Raises
    ------
    KnowledgeError
        If a row is malformed; the message names file, row, code and field.

    Examples
    --------
    >>> load_sectors()["3011"].name_zh
    '水泥制造'
    """
    return dict(_index(str(path or SECTORS_CSV)).by_code)


def resolve_sector(text: str, *, path: Path | str | None = None) -> Sector:
    """Find a sector by code, Chinese name or English name.

    Codes may carry their section letter (``"C3110"``). Names are compared
    ignoring case, width, spaces and punctuation. When a name is shared by a
    chain of levels (division ``45`` and group ``451`` are both
    燃气生产和供应业) the most specific one is returned.

    Parameters
    ----------
    text
        Code or name as typed by a user or found in an import file.
    path
        Alternative sectors CSV (tests); defaults to the shipped table.

    Raises
    ------
    UnknownSector
        If nothing matches, or a name matches unrelated sectors; ``.field`` is
        ``"sector"`` and ``.suggestions`` holds up to five close codes.

    Examples
    --------
    >>> resolve_sector("炼铁").code
    '3110'
    >>> resolve_sector("c3110").name_en
    'Ironmaking'
    """
    index = _index(str(path or SECTORS_CSV))
    typed = clean(str(text))
    if not typed:
        raise UnknownSector(Message(N_("sector: empty value; give a GB/T 4754 code or name")), field="sector")
    by_code = index.by_code
    if typed.upper() in by_code and len(typed) == 1:
        return by_code[typed.upper()]
    code_match = _PREFIXED_CODE.fullmatch(typed)
    if code_match:
        letter, digits = code_match.groups()
        sector = by_code.get(digits)
        if sector is not None and (letter is None or _section_of(digits, by_code) == letter.upper()):
            return sector
        raise UnknownSector(
            Message(N_("sector: %(typed)r is not a GB/T 4754-2017 code"), typed=typed),
            field="sector",
            suggestions=_nearby_codes(digits, by_code),
        )
    codes = index.codes_by_name_key.get(lookup_key(typed))
    if codes:
        deepest = max(codes, key=len)
        if all(deepest.startswith(code) or _section_of(deepest, by_code) == code for code in codes):
            return by_code[deepest]
        raise UnknownSector(
            Message(N_("sector: %(typed)r is ambiguous between %(codes)s"),
                    typed=typed, codes=', '.join(sorted(codes))),
            field="sector",
            suggestions=sorted(codes)[:5],
        )
    raise UnknownSector(
        Message(N_("sector: %(typed)r matches no GB/T 4754-2017 code or name"), typed=typed),
        field="sector",
        suggestions=suggest(typed, index.labels_by_name),
    )


def sector_lineage(code: str, *, path: Path | str | None = None) -> list[str]:
    """Codes from ``code`` up to its section: class, group, division, section.

    Raises
    ------
    UnknownSector
        If ``code`` is not in the table.

    Examples
    --------
    >>> sector_lineage("3011")
    ['3011', '301', '30', 'C']
    """
    by_code = _index(str(path or SECTORS_CSV)).by_code
    code = str(code).strip().upper()
    if code not in by_code:
        raise UnknownSector(Message(N_("sector: %(code)r is not a GB/T 4754-2017 code"), code=code), field="sector")
    return lineage_in(code, by_code)


def lineage_in(code: str, by_code: Mapping[str, Sector]) -> list[str]:
    """Codes from ``code`` (a key of ``by_code``) up to its section, within one sector table.

    Examples
    --------
    >>> lineage_in("3011", load_sectors())
    ['3011', '301', '30', 'C']
    """
    sector = by_code[code]
    lineage = [sector.code]
    while sector.parent_code is not None:
        sector = by_code[sector.parent_code]
        lineage.append(sector.code)
    return lineage


def _section_of(code: str, by_code: Mapping[str, Sector]) -> str:
    return lineage_in(code, by_code)[-1]


@functools.lru_cache(maxsize=8)
def _index(path: str) -> _SectorIndex:
    by_code = _read(Path(path))
    codes_by_name_key: dict[str, list[str]] = {}
    labels_by_name: dict[str, str] = {}
    for sector in by_code.values():
        for name in (sector.name_zh, sector.name_en):
            codes_by_name_key.setdefault(lookup_key(name), []).append(sector.code)
            # a name shared along a chain (45 / 451) suggests its most specific code
            if len(sector.code) >= len(labels_by_name.get(name, "")):
                labels_by_name[name] = sector.code
    return _SectorIndex(
        by_code=by_code,
        codes_by_name_key={key: tuple(codes) for key, codes in codes_by_name_key.items()},
        labels_by_name=labels_by_name,
    )


def _nearby_codes(digits: str, by_code: dict[str, Sector], *, limit: int = 5) -> list[str]:
    """Codes of the same level sharing the longest prefix with ``digits``."""

    def shared_prefix(code: str) -> int:
        length = 0
        while length < len(code) and code[length] == digits[length]:
            length += 1
        return length

    same_level = [code for code in by_code if len(code) == len(digits) and code.isdigit()]
    same_level.sort(key=lambda code: (-shared_prefix(code), abs(int(code) - int(digits)), code))
    return same_level[:limit]


def _read(path: Path) -> dict[str, Sector]:
    where = path.name
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise KnowledgeError(Message(N_("%(where)s: cannot read sector table (%(exc)s)"), where=where, exc=exc),
                             file=where) from exc
    with handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise KnowledgeError(
                Message(N_("%(where)s: header must be %(COLUMNS)s, got %(fieldnames)s"),
                        where=where, COLUMNS=','.join(_COLUMNS), fieldnames=','.join(reader.fieldnames or ())),
                file=where,
                field="header",
            )
        by_code: dict[str, Sector] = {}
        for row_number, row in enumerate(reader, start=2):
            code = (row["code"] or "").strip()
            at = f"{where} row {row_number} ({code or 'no code'})"
            if not _CODE.fullmatch(code):
                raise KnowledgeError(Message(N_("%(at)s: code must be A-T or 2-4 digits"), at=at),
                                     file=where, entry=code, field="code")
            if code in by_code:
                raise KnowledgeError(Message(N_("%(at)s: duplicate code"), at=at), file=where, entry=code, field="code")
            for field in ("name_zh", "name_en", "source"):
                if not (row[field] or "").strip():
                    raise KnowledgeError(Message(N_("%(at)s: %(field)s is empty"), at=at, field=field),
                                         file=where, entry=code, field=field)
            parent = (row["parent_code"] or "").strip() or None
            expected_parent_length = {1: None, 2: 1, 3: 2, 4: 3}[len(code)]
            if expected_parent_length is None and parent is not None:
                raise KnowledgeError(Message(N_("%(at)s: a section has no parent"), at=at),
                                     file=where, entry=code, field="parent_code")
            if expected_parent_length is not None:
                if parent is None or len(parent) != expected_parent_length or parent not in by_code:
                    raise KnowledgeError(
                        Message(N_("%(at)s: parent_code %(parent)r must be an earlier row one level up"),
                                at=at, parent=parent),
                        file=where, entry=code, field="parent_code",
                    )
                if len(code) > 2 and not code.startswith(parent):
                    raise KnowledgeError(
                        Message(N_("%(at)s: parent_code %(parent)r is not a prefix of the code"),
                                at=at, parent=parent),
                        file=where, entry=code, field="parent_code",
                    )
            by_code[code] = Sector(code, row["name_zh"].strip(), row["name_en"].strip(), parent)
    if not by_code:
        raise KnowledgeError(Message(N_("%(where)s: no sectors"), where=where), file=where)
    return by_code
