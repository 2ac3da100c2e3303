"""Read a sector as plants write it: codes, codes with names, official or trade names, typos.

:func:`resolve_sector` (in :mod:`matching.knowledge.sectors`) accepts only an exact GB/T 4754-2017
code or title. Real forms say ``C3011 水泥制造``, ``家具制造`` (the standard says 家具制造业),
``oil refinery``, ``热电厂`` or ``Statoil refinery``. :func:`read_sectors` reads all of them and
never raises: what it cannot read with confidence it returns as the best guess (at the level that
is certain, a group or a division) marked ``to_confirm``, and what it cannot read at all as no code.

How a part of the text is read, first rule that answers wins:

1. a code, with or without its section letter, alone or followed (or preceded) by a name — the
   code wins; a name that points elsewhere is noted, and marked to confirm when it is another
   division; a code that does not exist gives way to a clear name, else to the part of it that exists;
2. words in brackets qualify the name before them: they make the reading more specific within
   its line (``fish farm (trout)``) or restate it (``… (CHP)``), never replace a clear reading;
3. an exact official title at any level, or a trade name of ``sector_names.yaml``, compared
   ignoring case, width, punctuation and the generic endings 业 / 制造业 / 制造 / 厂 / 公司,
   ``plant`` / ``works`` / ``manufacturer``;
4. known names contained in the text (``某市第二热电厂``, ``Statoil refinery``): the sector whose
   names cover most of it; another unrelated sector named beside it makes the reading doubtful,
   unless the text joins them (``cement and lime``, ``硫酸和水泥``: both are read). A two-character
   Chinese name must not straddle a word boundary as jieba segments the text (化工 is not in 绿化工程);
5. the text contained in official titles (``园林绿化工程`` → 园林绿化工程施工): their common ancestor;
6. typos: English words put right against the names' vocabulary, else whole-text similarity
   (rapidfuzz); always marked to confirm.

Several sectors are separated by ``|`` (outside brackets); the first is the main activity. A part
that reads as nothing is noted; it makes the reading one to confirm only when it is the first.
Traditional characters are read as simplified (OpenCC ``t2s``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from matching.knowledge.errors import KnowledgeError
from matching.knowledge.sectors import SECTORS_CSV, Sector, lineage_in as _lineage, load_sectors
from matching.knowledge.text import clean
from geo.messages import Message, N_, Names, stored_message

__all__ = [
    "CONFIRM_BELOW",
    "SECTOR_NAMES_YAML",
    "SectorReading",
    "TradeName",
    "load_trade_names",
    "read_sectors",
    "stored_notes",
]

SECTOR_NAMES_YAML = Path(__file__).with_name("sector_names.yaml")
# A reading whose confidence is below this is stored as the best guess and shown as "to confirm".
CONFIRM_BELOW = 0.8

# Confidence of each way of reading; a trade name's own confidence (yaml) caps what its name gives.
_EXACT_CODE = 1.0
_EXACT_TITLE = 1.0
_TITLE_VARIANT = 0.95
_CONTAINED = 0.9
_DOUBTFUL = 0.6
_FRAGMENT = 0.75  # the text is part of one title only ("棉纺纱" of 棉纺纱加工): likely, worth a look
_FUZZY_CAP = 0.75
_FUZZY_CUTOFF = 75

# A code at the start: "C3011", "c-3011", "3011", "C 30"; the rest of the text is a name.
# Digits run into a unit or a count ("300MW", "2019年", "1#") are not a code.
_LEADING_CODE = re.compile(r"([A-Ta-t])?\s*[-.:]?\s*(\d{2,4})(?![\d.A-Za-z#×年万吨千])\s*[-:：、,，.)）]?\s*(.*)")
# A code at the end in brackets: "水泥制造（3011）", "cement (C3011)".
_TRAILING_CODE = re.compile(r"(.*?)\s*[(（\[]\s*([A-Ta-t])?\s*(\d{2,4})\s*[)）\]]\s*")
_SECTION = re.compile(r"[A-Ta-t]")
# A label some forms print before the value: "行业代码：3011", "Industry code: C3011".
_LABEL = re.compile(r"^\s*(?:GB\s*/?\s*T\s*4754(?:\s*-\s*20\d\d)?\s*[:：]?\s*)?"
                    r"(?:(?:国民经济)?(?:所属)?行业(?:分类)?(?:代码|类别|名称)?\s*[:：]?\s*|代码\s*[:：]?\s*|"
                    r"(?:industry|sector)\s*(?:code)?\s*[:：]\s*)?", re.IGNORECASE)

# Endings that say "a business doing X" and nothing about X, longest first.
_ZH_ORG_ENDINGS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "总公司", "集团", "公司",
                   "工厂", "企业", "项目", "基地", "车间", "厂区", "厂", "场", "站")
_ZH_ACTIVITY_ENDINGS = ("制造业", "制造", "工业", "加工业", "加工", "生产", "业")
_EN_GENERIC = frozenset({
    "plant", "works", "factory", "facility", "site", "company", "co", "ltd", "inc", "corp", "corporation",
    "group", "limited", "unit", "complex", "manufacture", "manufacturing", "manufacturer", "production",
    "producer", "maker", "making", "processing", "processor", "industry", "industrie", "operation",
    "activity", "activitie", "station", "establishment", "llc", "gmbh", "ag", "sa", "as", "asa", "ab", "oy",
})
_EN_STOP = frozenset({"of", "and", "the", "a", "an", "for", "in", "at", "with", "from", "by", "on", "to", "nec"})
_HAN = re.compile(r"[\u3400-\u9fff]")
# Words joining two activities in one description.
_CONJUNCTION = re.compile(r"\band\b|&|\+|和|及|与|、|兼|联产", re.IGNORECASE)
_ZH_COMPANY_ENDINGS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "分公司", "总公司", "集团", "公司")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_EN_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class SectorReading:
    """What a sector text says: codes (main first), how sure, and what to tell the user.

    ``confidence`` is that of the least certain part; ``to_confirm`` is set when it is below
    :data:`CONFIRM_BELOW` or nothing could be read. ``notes`` explain doubts (code and name disagree,
    a guess at division level, a part read as nothing) as :class:`~geo.messages.Message`: English text
    that keeps its template and values, the sectors named in both languages, so that each reader gets
    them in theirs.

    Examples
    --------
    >>> r = SectorReading("水泥厂", ("3011",), 0.95, False)
    >>> r.main
    '3011'
    """

    written: str
    codes: tuple[str, ...]
    confidence: float
    to_confirm: bool
    notes: tuple[Message, ...] = ()

    @property
    def main(self) -> str | None:
        """The main sector's code, or ``None`` when nothing could be read."""
        return self.codes[0] if self.codes else None

    @property
    def extra(self) -> tuple[str, ...]:
        """The other sectors' codes."""
        return self.codes[1:]


@dataclass(frozen=True)
class TradeName:
    """One entry of ``sector_names.yaml``: names people use for a sector, and the codes they mean."""

    codes: tuple[str, ...]
    names_zh: tuple[str, ...]
    names_en: tuple[str, ...]
    basis: str
    confidence: float = 0.95


@dataclass(frozen=True)
class _Part:
    code: str | None
    confidence: float
    notes: tuple[str, ...] = ()
    more: tuple[str, ...] = ()  # further codes a trade name brings (钢铁厂: steelmaking, ironmaking, rolling)


@dataclass(frozen=True)
class _Name:
    codes: tuple[str, ...]
    confidence: float
    exact: bool  # an official title as printed (not a variant, not a trade name)
    literal: bool = True  # the name as written, not stripped of a generic ending


@dataclass
class _Index:
    by_code: dict[str, Sector]
    zh: dict[str, list[_Name]] = field(default_factory=dict)   # zh key -> names
    en: dict[str, list[_Name]] = field(default_factory=dict)   # en token key -> names
    official_zh: dict[str, list[str]] = field(default_factory=dict)  # zh title key -> codes (reverse lookup)
    fuzzy_choices: list[str] = field(default_factory=list)
    fuzzy_names: list[tuple[str, _Name]] = field(default_factory=list)
    vocabulary: set[str] = field(default_factory=set)  # every en word of every name


def read_sectors(text: str | None, *, sectors_path: Path | str | None = None,
                 names_path: Path | str | None = None) -> SectorReading:
    """Read ``text`` (one sector, or several separated by ``|``) into GB/T 4754-2017 codes.

    Never raises on what a user wrote: unreadable text gives ``codes=()`` and ``to_confirm=True``.

    Parameters
    ----------
    text
        The sector as written: ``"C3011 水泥制造"``, ``"3011"``, ``"家具制造"``, ``"oil refinery"``,
        ``"热电厂|水泥厂"``...
    sectors_path, names_path
        Alternative sector table and trade-name file (tests); default the shipped ones.

    Raises
    ------
    KnowledgeError
        Only if a data file itself is broken.

    Examples
    --------
    >>> read_sectors("C3011 水泥制造").codes
    ('3011',)
    >>> read_sectors("家具制造").codes
    ('21',)
    >>> r = read_sectors("热电厂 | cement works")
    >>> r.codes, r.to_confirm
    (('4412', '3011'), False)
    >>> read_sectors("3011 炼油厂").to_confirm  # the code wins, the disagreement is flagged
    True
    >>> read_sectors("no idea").codes
    ()
    """
    written = "" if text is None else str(text)
    index = _index(str(sectors_path or SECTORS_CSV), str(names_path or SECTOR_NAMES_YAML))
    parts = [part.strip() for part in _split_parts(_simplified(clean(written)))]
    parts = [part for part in parts if part]
    if not parts:
        return SectorReading(written, (), 0.0, True, (Message(N_("no sector given")),))
    codes: list[str] = []
    notes: list[str] = []
    confidence = 1.0
    main_unread = unread = False
    for number, part in enumerate(parts):
        reading = _read_part_cached(part, str(sectors_path or SECTORS_CSV), str(names_path or SECTOR_NAMES_YAML))
        notes.extend(reading.notes)
        if reading.code is None:
            unread = True
            main_unread = main_unread or number == 0
            continue
        confidence = min(confidence, reading.confidence)
        for code in (reading.code, *reading.more):
            if code not in codes:
                codes.append(code)
    if not codes:
        confidence = 0.0
    elif main_unread:
        confidence = min(confidence, _DOUBTFUL)  # the main activity is not the one written first
    elif unread:
        # "水泥厂|C3011 水泥制造|熟料": a product named beside the sectors; noted, the reading stands
        confidence = min(confidence, CONFIRM_BELOW)
    confidence = round(confidence, 2)
    return SectorReading(written, tuple(codes), confidence, not codes or confidence < CONFIRM_BELOW, tuple(notes))


def stored_notes(stored: Iterable | None, written: str | None) -> list[Message | str]:
    """A reading's notes as they were stored (:meth:`~geo.messages.Message.as_data`), as messages to render for
    each reader.

    Notes stored as English text (before notes were kept as messages) are found again by reading ``written``
    once more: a note it still gives comes back as a message; one it no longer gives (the tables changed since)
    stays the English text it was, so it still shows.

    Examples
    --------
    >>> note = read_sectors("盐化工").notes[0]
    >>> [n.translate(str, "en") for n in stored_notes([note.as_data()], "盐化工")]
    ["'盐化工': read as 2612 (Manufacture of inorganic alkalis); please confirm"]
    >>> [n.translate(str, "en") for n in stored_notes([str(note)], "盐化工")]
    ["'盐化工': read as 2612 (Manufacture of inorganic alkalis); please confirm"]
    >>> stored_notes(["a note from long ago"], "盐化工")
    ['a note from long ago']
    """
    notes = [stored_message(note) for note in stored or ()]
    if written and any(not isinstance(note, Message) for note in notes):
        again = {str(note): note for note in read_sectors(written).notes}
        notes = [note if isinstance(note, Message) else again.get(note, note) for note in notes]
    return notes


def load_trade_names(path: Path | str | None = None, *, sectors_path: Path | str | None = None) -> list[TradeName]:
    """The trade-name entries of ``sector_names.yaml``, checked against the sector table.

    Raises
    ------
    KnowledgeError
        If an entry names an unknown code, has no name, no basis, a confidence outside (0, 1],
        or a name that another entry maps to other codes; the message names file and entry.

    Examples
    --------
    >>> any("热电厂" in entry.names_zh and entry.codes == ("4412",) for entry in load_trade_names())
    True
    """
    return list(_trade_names(str(path or SECTOR_NAMES_YAML), str(sectors_path or SECTORS_CSV)))


# ------------------------------------------------------------------------------------------- reading

@functools.lru_cache(maxsize=4096)
def _read_part_cached(part: str, sectors_path: str, names_path: str) -> _Part:
    # An import repeats the same few sector texts on many rows.
    return _read_part(part, _index(sectors_path, names_path))


def _read_part(part: str, index: _Index) -> _Part:
    by_code = index.by_code
    part = _LABEL.sub("", part, count=1) or part
    if _SECTION.fullmatch(part):
        return _Part(part.upper(), _EXACT_CODE)
    match = _LEADING_CODE.fullmatch(part)
    if match is None:
        match = _TRAILING_CODE.fullmatch(part)
        if match is not None:
            name, letter, digits = match.groups()
            return _read_code(letter, digits, name, part, index)
    else:
        letter, digits, name = match.groups()
        return _read_code(letter, digits, name, part, index)
    if by_code.get(part.upper()) is not None:
        return _Part(part.upper(), _EXACT_CODE)
    return _read_name(part, index)


def _read_code(letter: str | None, digits: str, name: str, part: str, index: _Index) -> _Part:
    by_code = index.by_code
    notes: list[str] = []
    name = name.strip()
    named = _read_name(name, index) if name else None
    if named is not None and named.code is None:
        named = None
    sector = by_code.get(digits)
    zero = "0" + digits
    if len(digits) == 3 and zero in by_code and letter is not None:
        # the section letter settles it: "A313" is 0313 with its zero lost, "C313" the group
        if _lineage(zero, by_code)[-1] == letter.upper():
            digits = zero
            sector = by_code[zero]
    elif len(digits) == 3 and zero in by_code:
        # A spreadsheet drops the leading zero of 0313 (pig farming); 313 is also a group (steel rolling).
        if named is not None and _related(zero, named.code):
            return _Part(zero if len(zero) >= len(named.code) else named.code, named.confidence, (
                Message(N_("%(text)r: read as %(code)s (%(name)s), its leading zero restored"),
                        text=part, code=zero, name=_name(zero, by_code)),))
        if sector is None:
            return _Part(zero, _FRAGMENT, (
                Message(N_("%(text)r: read as %(code)s (%(name)s), its leading zero restored; please confirm"),
                        text=part, code=zero, name=_name(zero, by_code)),))
        if named is None or not _related(digits, named.code):
            return _Part(digits, _FRAGMENT, (
                Message(N_("%(text)r: read as group %(code)s (%(name)s); if it is %(other)s (%(other_name)s) with "
                           "its leading zero lost, correct it"),
                        text=part, code=digits, name=_name(digits, by_code), other=zero,
                        other_name=_name(zero, by_code)),))
    if sector is None:
        prefix = next((digits[:n] for n in range(len(digits) - 1, 1, -1) if digits[:n] in by_code), None)
        if named is not None and (prefix is None or named.code.startswith(prefix)
                                  or named.confidence >= CONFIRM_BELOW):
            # a code that does not exist cannot win over a name that reads clearly
            notes.append(Message(N_("%(text)r: %(digits)s is not a GB/T 4754-2017 code; read from the name as "
                                    "%(code)s (%(name)s)"),
                                 text=part, digits=digits, code=named.code, name=_name(named.code, by_code)))
            return _Part(named.code, min(named.confidence, _FRAGMENT), tuple(notes), named.more)
        if prefix is None:
            notes.append(Message(N_("%(text)r: %(digits)s is not a GB/T 4754-2017 code"), text=part, digits=digits))
            return _Part(None, 0.0, tuple(notes))
        notes.append(Message(N_("%(text)r: %(digits)s is not a GB/T 4754-2017 code; read as %(code)s (%(name)s), "
                                "the part of it that is"),
                             text=part, digits=digits, code=prefix, name=_name(prefix, by_code)))
        return _Part(prefix, 0.5, tuple(notes))
    code = sector.code
    confidence = _EXACT_CODE
    if letter is not None and _lineage(code, by_code)[-1] != letter.upper():
        section = _lineage(code, by_code)[-1]
        written = letter.upper()
        notes.append(Message(N_("%(text)r: %(code)s is in section %(section)s (%(section_name)s), not %(written)s "
                                "(%(written_name)s); the code is kept"),
                             text=part, code=code, section=section, section_name=_name(section, by_code),
                             written=written, written_name=_name(written, by_code)))
        confidence = 0.7
    if named is not None and named.confidence >= CONFIRM_BELOW and named.code.startswith(code) \
            and len(named.code) > len(code) and not code.isalpha():
        # "C30 水泥厂": the name says which class of the division
        return _Part(named.code, min(confidence, named.confidence), tuple(notes), named.more)
    if named is not None and not _related(code, named.code) and named.confidence >= CONFIRM_BELOW:
        if code[:2] == named.code[:2]:
            notes.append(Message(N_("%(text)r: the name reads as %(named)s (%(named_name)s), the code says %(code)s "
                                    "(%(name)s); the code is kept"),
                                 text=part, named=named.code, named_name=_name(named.code, by_code), code=code,
                                 name=_name(code, by_code)))
        else:
            notes.append(Message(N_("%(text)r: code %(code)s (%(name)s) and name %(written)r (%(named)s "
                                    "%(named_name)s) disagree; the code is kept"),
                                 text=part, code=code, name=_name(code, by_code), written=name, named=named.code,
                                 named_name=_name(named.code, by_code)))
            confidence = min(confidence, _DOUBTFUL)
    return _Part(code, confidence, tuple(notes))


def _read_name(text: str, index: _Index) -> _Part:
    outer, inner = _split_brackets(text)
    if inner and outer:
        # "nickel refinery (ammonia leach)", "港口装卸（集装箱）": the words outside name the business,
        # the bracket qualifies it; it only makes the reading more specific within the same line.
        read = _read_name(outer, index)
        if read.code is None:
            qualifier = _read_name(inner, index)
            return _Part(qualifier.code, qualifier.confidence * 0.9, qualifier.notes, qualifier.more)
        qualifier = _read_name(inner, index)
        if qualifier.code is None or qualifier.code == read.code:
            return read
        if _ACRONYM.fullmatch(inner) and qualifier.confidence >= CONFIRM_BELOW and qualifier.code[:2] == read.code[:2]:
            # "coal-fired power and heat plant (CHP)": the abbreviation restates the business exactly
            return _Part(qualifier.code, min(qualifier.confidence, _CONTAINED), (), qualifier.more)
        if qualifier.confidence < CONFIRM_BELOW:
            if _related(read.code, qualifier.code):
                # "Pharmaceutical plant (insulin, enzymes)": the business is clear, what it makes is not
                return _Part(read.code, min(read.confidence, _FRAGMENT), read.notes + qualifier.notes, read.more)
            return read
        if _related(read.code, qualifier.code) and len(qualifier.code) > len(read.code):
            # "fish farm (trout)": the more specific reading
            return _Part(qualifier.code, min(read.confidence, qualifier.confidence), read.notes, read.more)
        if read.confidence < CONFIRM_BELOW and qualifier.code[:2] == read.code[:2]:
            # a doubtful description settled by a clear abbreviation: "coal-fired power and heat plant (CHP)"
            return _Part(qualifier.code, min(qualifier.confidence, _CONTAINED), (), qualifier.more)
        return read
    text = outer or inner
    if not text:
        return _Part(None, 0.0, ())
    by_code = index.by_code
    han = bool(_HAN.search(text))
    # 1. exact, then the same without generic endings
    for keys, table in ((_zh_keys(text), index.zh), (_en_keys(text), index.en)):
        for key in keys:
            names = table.get(key)
            if names:
                return _best_of(names, text, index)
    # 2. known names inside the text, and the text inside official titles (zh); the more specific
    # of the two when they agree ("电子元件制造": 电子 says division 39, the titles say group 398)
    found = _contained(text, index)
    fragment = _fragment(text, index) if han else None
    if found is not None and fragment is not None and _related(found.code, fragment.code) \
            and len(fragment.code) > len(found.code):
        return _Part(fragment.code, max(found.confidence, fragment.confidence), fragment.notes, found.more)
    if found is not None:
        return found
    if fragment is not None:
        return fragment
    # 3. typos
    return _fuzzy(text, index)


def _fragment(text: str, index: _Index) -> _Part | None:
    """The text inside official titles (``家具`` of 家具制造业): their common ancestor, or None."""
    by_code = index.by_code
    key = _zh_keys(text)[-1]
    if len(key) < 3:
        return None  # two characters inside a title are as often a modifier (矿山 of 矿山机械制造)
    codes = sorted({c for title, cs in index.official_zh.items() if key in title for c in cs})
    if not codes:
        return None
    common = _common_ancestor(codes, by_code)
    if common is None:
        return None
    sure = len(_deepest(codes)) == 1
    if sure:
        return _Part(common, _FRAGMENT, (_please_confirm(text, common, by_code),))
    return _Part(common, _DOUBTFUL, (
        Message(N_("%(text)r: read as %(code)s (%(name)s); could be %(sectors)s"),
                text=text, code=common, name=_name(common, by_code), sectors=_sectors(codes[:5], by_code)),))


_OPEN, _CLOSE = "(（[【", ")）]】"
_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,6}")


def _split_parts(text: str) -> list[str]:
    """Split at ``|`` outside brackets: ``chemical plant (PP|PTA) | CHP`` has two parts."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        if char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _split_brackets(text: str) -> tuple[str, str]:
    """The text outside brackets and the text inside them (an unclosed bracket runs to the end)."""
    outer, inner, depth = [], [], 0
    for char in text:
        if char in _OPEN:
            depth += 1
            inner.append(" ")
        elif char in _CLOSE:
            depth = max(0, depth - 1)
            outer.append(" ")
        else:
            (inner if depth else outer).append(char)
    # "|", "、", "," inside a bracket list products of one business: read them as words of one text
    return " ".join("".join(outer).split()), " ".join("".join(inner).replace("|", " ").split())


def _best_of(names: list[_Name], text: str, index: _Index) -> _Part:
    by_code = index.by_code
    # An official title as printed beats a trade name as written, which beats either without its ending.
    tier = max(_tier(n) for n in names)
    chosen = [n for n in names if _tier(n) == tier]
    codes = _deepest([n.codes[0] for n in chosen])
    if len(codes) == 1:
        best = max((n for n in chosen if n.codes[0] == codes[0]), key=lambda n: n.confidence)
        confidence = _EXACT_TITLE if best.exact else min(best.confidence, _TITLE_VARIANT)
        notes = ()
        if confidence < CONFIRM_BELOW:
            notes = (_please_confirm(text, best.codes[0], by_code),)
        return _Part(best.codes[0], confidence, notes, best.codes[1:])
    common = _common_ancestor(codes, by_code)
    sectors = _sectors(sorted(codes)[:5], by_code)
    if common is None:
        first = sorted(codes)[0]
        return _Part(first, _DOUBTFUL * 0.8, (Message(N_("%(text)r could be %(sectors)s; read as %(code)s"),
                                                      text=text, sectors=sectors, code=first),))
    return _Part(common, _DOUBTFUL, (Message(N_("%(text)r could be %(sectors)s; read as %(code)s (%(name)s)"),
                                             text=text, sectors=sectors, code=common, name=_name(common, by_code)),))


@functools.lru_cache(maxsize=4096)
def _word_ends(text: str) -> frozenset[int]:
    """Positions between the words of a Chinese text, as jieba segments it."""
    ends, position = set(), 0
    for word in _segmenter().lcut(text, HMM=True):
        position += len(word)
        ends.add(position)
    return frozenset(ends)


def _crosses_word(text: str, start: int, end: int) -> bool:
    return any(start < boundary < end for boundary in _word_ends(text))


def _simplified(text: str) -> str:
    """Traditional characters as simplified (熱電廠 -> 热电厂): sources from Taiwan and Hong Kong use them."""
    return _to_simplified().convert(text) if _HAN.search(text) else text


@functools.lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _segmenter():
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary loading is otherwise logged to stderr
    return jieba.Tokenizer()


def _tier(name: _Name) -> int:
    return 2 if name.exact else (1 if name.literal else 0)


def _contained(text: str, index: _Index) -> _Part | None:
    """Names of the index found inside ``text``; the sector (with its ancestors' names) covering most."""
    by_code = index.by_code
    zh_key = _zh_body(text) if _HAN.search(text) else ""
    words = _en_words(text)
    hits: list[tuple[frozenset[int], _Name, int]] = []  # (positions covered, name, 0 zh / 1 en)
    if len(zh_key) >= 2:
        for key, names in index.zh.items():
            if len(key) >= 2 and key != zh_key and key in zh_key:
                start = zh_key.find(key)
                # A two-character name across a word boundary is a coincidence: 化工 in 园林/绿化/工程.
                if len(key) == 2 and _crosses_word(zh_key, start, start + 2):
                    continue
                span = frozenset(range(start, start + len(key)))
                hits.extend((span, name, 0) for name in names)
    if words:
        positions = {w: i for i, w in enumerate(words)}
        for key, names in index.en.items():
            key_words = key.split()
            if key_words and all(w in positions for w in key_words) and len(key_words) < len(words) + 1:
                span = frozenset(positions[w] for w in key_words)
                hits.extend((span, name, 1) for name in names)
    if not hits:
        return None
    if words and _misspelt(words, hits, index):
        return None  # "oil refinary": read the whole text fuzzily rather than only its "oil"
    candidates = {name.codes[0] for _, name, _ in hits}
    scored = []
    for code in candidates:
        lineage = set(_lineage(code, by_code))
        own = [(span, name, lang) for span, name, lang in hits if name.codes[0] in lineage]
        covered = sum(len(frozenset().union(*[s for s, _, lang in own if lang == lg])) for lg in (0, 1))
        best = max(n.confidence for _, n, _ in own)
        distinct = len({(span, lang) for span, _, lang in own})  # one name may be listed under one key twice
        scored.append((covered, distinct, len(code), best, code, own))
    scored.sort(key=lambda item: (-item[0], -item[1], -item[2], -item[3], item[4]))
    covered, _, _, best, code, own = scored[0]
    # Residue: names of unrelated sectors outside what the chosen sector's names cover.
    used = {lang: frozenset().union(*[s for s, _, lg in own if lg == lang]) for lang in (0, 1)}
    rivals = sorted({name.codes[0] for span, name, lang in hits
                     if not (span & used[lang]) and not _related(code, name.codes[0])})
    more = max((n for _, n, _ in own if n.codes[0] == code), key=lambda n: (len(n.codes), n.confidence),
               default=None)
    extra = more.codes[1:] if more is not None else ()
    if rivals and _CONJUNCTION.search(text):
        # "cement and lime manufacture", "硫酸和水泥": two activities named side by side, both meant
        rivals = _deepest(rivals)
        return _Part(code, best * _CONTAINED, (), tuple(dict.fromkeys(extra + tuple(rivals))))
    if rivals:
        return _Part(code, min(best, _DOUBTFUL), (
            Message(N_("%(text)r: read as %(code)s (%(name)s); it also names %(sectors)s"),
                    text=text, code=code, name=_name(code, by_code), sectors=_sectors(rivals[:4], by_code)),), extra)
    confidence = best * _CONTAINED
    notes = ()
    if confidence < CONFIRM_BELOW:
        notes = (_please_confirm(text, code, by_code),)
    return _Part(code, confidence, notes, extra)


def _misspelt(words: list[str], hits: list, index: _Index) -> bool:
    """An English word no name covers that is a near miss of a known word (a typo, not a proper name)."""
    covered = {words[i] for span, _, lang in hits if lang == 1 for i in span}
    for word in words:
        if word in covered or word in index.vocabulary or len(word) < 3 or word.isdigit():
            continue
        cutoff = 80 if len(word) >= 5 else 85  # "mil" for mill, not "bp" for by
        if process.extractOne(word, index.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff) is not None:
            return True
    return False


def _fuzzy(text: str, index: _Index) -> _Part:
    """Typos: English words put right against the names' vocabulary and read again; else the closest name."""
    by_code = index.by_code
    han = bool(_HAN.search(text))
    if not han:
        written = re.findall(r"[A-Za-z0-9]+", unicodedata.normalize("NFKC", text).replace("-", " "))
        words = [word.casefold() for word in written]
        # An acronym ("TAC", "BASF") is a name, not a typo.
        fixed = [word if w.isupper() and len(w) <= 5 else _closest_word(word, index)
                 for w, word in zip(written, words)]
        if fixed != words:
            read = _read_name(" ".join(fixed), index)
            if read.code is not None:
                changes = _listed([Message(N_("%(written)r as %(fixed)r"), written=a, fixed=b)
                                   for a, b in zip(words, fixed) if a != b])
                return _Part(read.code, min(read.confidence * 0.8, _FUZZY_CAP), (
                    Message(N_("%(text)r: read %(changes)s; read as %(code)s (%(name)s), please confirm"),
                            text=text, changes=changes, code=read.code, name=_name(read.code, by_code)),),
                    read.more)
    query = _zh_keys(text)[0] if han else " ".join(_en_words(text, drop_generic=False))
    if len(query) < (4 if han else 6):
        return _Part(None, 0.0, (Message(N_("%(text)r: matches no GB/T 4754-2017 sector"), text=text),))
    # Whole-text similarity only: a name sharing one word ("manufacture", "terminal") is not a match.
    scorer = fuzz.ratio if han else fuzz.token_sort_ratio
    hits = process.extract(query, index.fuzzy_choices, scorer=scorer, limit=8, score_cutoff=_FUZZY_CUTOFF)
    if not hits:
        return _Part(None, 0.0, (Message(N_("%(text)r: matches no GB/T 4754-2017 sector"), text=text),))
    top = hits[0][1]
    close = [index.fuzzy_names[i][1] for _, score, i in hits if score >= top - 3]
    codes = _deepest([name.codes[0] for name in close])
    code = codes[0] if len(codes) == 1 else _common_ancestor(codes, by_code)
    if code is None:
        code = index.fuzzy_names[hits[0][2]][1].codes[0]
    confidence = min(_FUZZY_CAP, top / 100 * _FUZZY_CAP)
    closest = ", ".join(dict.fromkeys(index.fuzzy_names[i][0] for _, _, i in hits[:3]))
    return _Part(code, confidence, (
        Message(N_("%(text)r: closest names %(closest)s; read as %(code)s (%(name)s), please confirm"),
                text=text, closest=closest, code=code, name=_name(code, by_code)),))


# ---------------------------------------------------------------------------------------- notes

def _name(code: str, by_code: Mapping[str, Sector]) -> Names:
    """A sector's name in both languages, for a note that each reader reads in theirs."""
    sector = by_code[code]
    return Names(sector.name_zh, sector.name_en)


def _sectors(codes: Iterable[str], by_code: Mapping[str, Sector]) -> Names:
    """Several sectors by code and name: ``2611 无机酸制造、2612 无机碱制造`` / ``2611 Manufacture of …, 2612 …``."""
    codes = list(codes)
    return Names("、".join(f"{c} {by_code[c].name_zh}" for c in codes),
                 ", ".join(f"{c} {by_code[c].name_en}" for c in codes))


def _please_confirm(text: str, code: str, by_code: Mapping[str, Sector]) -> Message:
    return Message(N_("%(text)r: read as %(code)s (%(name)s); please confirm"),
                   text=text, code=code, name=_name(code, by_code))


def _listed(messages: list[Message]) -> Message:
    """Messages one after the other (``a, b, c``) as one message, each part translated."""
    listed = messages[-1]
    for message in reversed(messages[:-1]):
        listed = Message(N_("%(first)s, %(rest)s"), first=message, rest=listed)
    return listed


def _closest_word(word: str, index: _Index) -> str:
    """``word``, or the vocabulary word it is a typo of ("refinary" -> "refinery", "mil" -> "mill")."""
    if word in index.vocabulary or len(word) < 3 or word.isdigit() or word in _EN_STOP:
        return word
    cutoff = 85  # "separate" is a word of its own, not a typo of "separator" (82)
    # Typos keep the first letter and about the length ("export" is not a typo of "port").
    candidates = [v for v in index.vocabulary if v[:1] == word[:1] and abs(len(v) - len(word)) <= 2]
    found = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[0] if found else word


# ---------------------------------------------------------------------------------------- normalising

def _zh_keys(text: str) -> list[str]:
    """Keys of a (Chinese) name, most literal first: as written, then without generic endings."""
    key = _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())
    keys = [key]
    stem = key
    changed = True
    while changed:
        changed = False
        for ending in _ZH_ORG_ENDINGS + _ZH_ACTIVITY_ENDINGS:
            if stem.endswith(ending) and len(stem) - len(ending) >= 2:
                stem = stem[: -len(ending)]
                keys.append(stem)
                changed = True
                break
    return list(dict.fromkeys(keys))


def _zh_body(text: str) -> str:
    """The key of a Chinese name without its company-form ending (有限公司, 集团), keeping 厂 / 站 / 场."""
    key = _zh_keys(text)[0]
    for ending in _ZH_COMPANY_ENDINGS:
        if key.endswith(ending) and len(key) > len(ending) + 1:
            return key[: -len(ending)]
    return key


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _en_words(text: str, *, drop_generic: bool = True) -> list[str]:
    words = _EN_WORD.findall(unicodedata.normalize("NFKC", text).casefold().replace("-", " "))
    words = [_singular(w) for w in words if w not in _EN_STOP]
    if drop_generic:
        kept = [w for w in words if w not in _EN_GENERIC]
        words = kept or words
    return list(dict.fromkeys(words))


def _en_keys(text: str) -> list[str]:
    if _HAN.search(text):
        return []
    keys = [" ".join(sorted(_en_words(text, drop_generic=False))), " ".join(sorted(_en_words(text)))]
    return [k for k in dict.fromkeys(keys) if k]


# ---------------------------------------------------------------------------------------- codes

def _related(a: str, b: str) -> bool:
    """One code is the other's ancestor (or the same): ``30`` and ``3011`` agree, ``3011`` and ``3012`` not."""
    if a.isalpha() or b.isalpha():
        return a == b
    return a.startswith(b) or b.startswith(a)


def _deepest(codes: Iterable[str]) -> list[str]:
    """Distinct codes, dropping any that is an ancestor of another in the list."""
    unique = sorted(set(codes))
    return [c for c in unique if not any(o != c and _related(o, c) and len(o) > len(c) for o in unique)]


def _common_ancestor(codes: Iterable[str], by_code: Mapping[str, Sector]) -> str | None:
    """The deepest division, group or class that holds every code; ``None`` if they differ at division."""
    lineages = [list(reversed(_lineage(c, by_code))) for c in codes]
    common = None
    for level in zip(*lineages):
        if len(set(level)) != 1:
            break
        common = level[0]
    if common is None or common.isalpha():
        return None
    return common


# ---------------------------------------------------------------------------------------- index

@functools.lru_cache(maxsize=8)
def _index(sectors_path: str, names_path: str) -> _Index:
    by_code = load_sectors(sectors_path)
    index = _Index(by_code=by_code)

    def add(name: str, entry: _Name, *, official: bool) -> None:
        if _HAN.search(name):
            keys = _zh_keys(name)
            for n, key in enumerate(keys):
                index.zh.setdefault(key, []).append(entry if n == 0 else _variant(entry))
            if official:
                index.official_zh.setdefault(keys[0], []).append(entry.codes[0])
        else:
            for n, key in enumerate(_en_keys(name)):
                index.en.setdefault(key, []).append(entry if n == 0 else _variant(entry))
                index.vocabulary.update(key.split())
        index.fuzzy_choices.append(_zh_keys(name)[0] if _HAN.search(name)
                                   else " ".join(_en_words(name, drop_generic=False)))
        index.fuzzy_names.append((name, entry))

    for sector in by_code.values():
        if sector.code.isalpha():
            continue  # a section's title is a list of divisions; typed alone it is the letter
        for name in (sector.name_zh, sector.name_en):
            add(name, _Name((sector.code,), _EXACT_TITLE, exact=True), official=True)
    for entry in _trade_names(names_path, sectors_path):
        for name in entry.names_zh + entry.names_en:
            add(name, _Name(entry.codes, entry.confidence, exact=False), official=False)
    return index


def _variant(entry: _Name) -> _Name:
    return _Name(entry.codes, min(entry.confidence, _TITLE_VARIANT), exact=False, literal=False)


@functools.lru_cache(maxsize=8)
def _trade_names(path: str, sectors_path: str) -> tuple[TradeName, ...]:
    where = Path(path).name
    by_code = load_sectors(sectors_path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeError(Message(N_("%(where)s: cannot read trade names (%(exc)s)"), where=where, exc=exc),
                             file=where) from exc
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise KnowledgeError(Message(N_("%(where)s: expected a mapping with a list 'entries'"), where=where),
                             file=where, field="entries")
    entries: list[TradeName] = []
    seen: dict[str, tuple[tuple[str, ...], int]] = {}
    for number, raw in enumerate(data["entries"], start=1):
        at = f"{where} entry {number}"
        if not isinstance(raw, dict):
            raise KnowledgeError(Message(N_("%(at)s: must be a mapping"), at=at), file=where, entry=str(number))
        codes = tuple(str(c) for c in raw.get("codes") or ())
        at = f"{at} ({'|'.join(codes) or 'no codes'})"
        if not codes:
            raise KnowledgeError(Message(N_("%(at)s: codes is empty"), at=at),
                                 file=where, entry=str(number), field="codes")
        for code in codes:
            if code not in by_code or code.isalpha():
                raise KnowledgeError(Message(N_("%(at)s: %(code)r is not a GB/T 4754-2017 division, group or "
                                                "class code"),
                                             at=at, code=code),
                                     file=where, entry=str(number), field="codes")
        names_zh = tuple(str(n).strip() for n in raw.get("zh") or ())
        names_en = tuple(str(n).strip() for n in raw.get("en") or ())
        if not (names_zh or names_en) or not all(names_zh + names_en):
            raise KnowledgeError(Message(N_("%(at)s: give non-empty zh and/or en names"), at=at),
                                 file=where, entry=str(number),
                                 field="names")
        for name in names_zh:
            if not _HAN.search(name):
                raise KnowledgeError(Message(N_("%(at)s: zh name %(name)r has no Chinese character"),
                                             at=at, name=name), file=where,
                                     entry=str(number), field="zh")
        basis = str(raw.get("basis") or "").strip()
        if not basis:
            raise KnowledgeError(Message(N_("%(at)s: basis is empty (say which class title or note the mapping "
                                            "follows)"),
                                         at=at),
                                 file=where, entry=str(number), field="basis")
        confidence = raw.get("confidence", 0.95)
        if not isinstance(confidence, (int, float)) or not 0 < confidence <= 1:
            raise KnowledgeError(Message(N_("%(at)s: confidence must be in (0, 1]"), at=at),
                                 file=where, entry=str(number),
                                 field="confidence")
        for name in names_zh + names_en:
            key = (_zh_keys(name) if _HAN.search(name) else _en_keys(name))[0]
            if key in seen and seen[key][0] != codes:
                raise KnowledgeError(Message(N_("%(at)s: name %(name)r is already entry %(seen)s with other codes"),
                                             at=at, name=name, seen=seen[key][1]),
                                     file=where, entry=str(number), field="names")
            seen[key] = (codes, number)
        entries.append(TradeName(codes, names_zh, names_en, basis, float(confidence)))
    return tuple(entries)
