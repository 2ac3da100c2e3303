"""China's administrative divisions (GB/T 2260 codes) and name resolution.

The table (``geo/data/divisions.csv``, sources in its header) holds every
province-level and prefecture-level division and Anhui's county-level ones.
:func:`resolve_division` turns what a user types in a ``city`` column -- a
code, a Chinese name with or without its suffix, or an English name -- into a
:class:`Division`.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GeoError, UnknownDivision
from geo.messages import Message, N_

DATA_FILE = Path(__file__).with_name("data") / "divisions.csv"
LEVELS = ("province", "prefecture", "county")
_MAX_SUGGESTIONS = 5

# Ethnic-group words in autonomous-area names: the short form of
# "延边朝鲜族自治州" is the part before them ("延边").
_ETHNIC_WORDS = (
    "朝鲜族", "土家族", "苗族", "侗族", "布依族", "藏族", "羌族", "彝族", "傣族", "哈尼族",
    "壮族", "白族", "景颇族", "傈僳族", "回族", "蒙古", "哈萨克", "柯尔克孜", "维吾尔",
)
# Generic suffixes, longest first, dropped to get the short form ("合肥市" -> "合肥").
_ZH_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "盟", "区", "县", "旗")
_EN_SUFFIXES = (" district", " county", " city", " prefecture", " league", " province")
# "Suzhou (Anhui)", "Suzhou, Anhui", "宿州（安徽）": a name qualified by its province.
_QUALIFIED = re.compile(r"^\s*(?P<name>.+?)\s*(?:[(（]\s*(?P<p1>[^)）]+?)\s*[)）]|[,，]\s*(?P<p2>.+?))\s*$")
_LEVEL_RANK = {"province": 0, "prefecture": 1, "county": 2}


@dataclass(frozen=True)
class Division:
    """One administrative division.

    ``parent_code`` is ``None`` for provinces; ``lon``/``lat`` (approximate
    seat, WGS-84) are set for prefectures only.
    """

    code: str
    name_zh: str
    name_en: str
    level: str
    parent_code: str | None
    lon: float | None
    lat: float | None

    def label(self) -> str:
        """Display string used in messages, e.g. ``"合肥市 Hefei (340100)"``."""
        return f"{self.name_zh} {self.name_en} ({self.code})"


@functools.cache
def load_divisions() -> dict[str, Division]:
    """All divisions by 6-digit code, read once from the bundled CSV.

    Raises
    ------
    GeoError
        The data file is malformed (message names the row).

    Examples
    --------
    >>> load_divisions()["340200"].name_en
    'Wuhu'
    """
    with DATA_FILE.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    divisions: dict[str, Division] = {}
    for row_number, row in enumerate(csv.DictReader(lines), start=2):
        where = f"{DATA_FILE.name} row {row_number}"
        code = row["code"].strip()
        if not re.fullmatch(r"\d{6}", code) or code in divisions:
            raise GeoError(Message(N_("%(where)s: bad or duplicate code %(code)r"), where=where, code=code),
                           field="code")
        if row["level"] not in LEVELS:
            raise GeoError(Message(N_("%(where)s: unknown level %(row)r"), where=where, row=row['level']),
                           field="level")
        divisions[code] = Division(
            code=code,
            name_zh=row["name_zh"].strip(),
            name_en=row["name_en"].strip(),
            level=row["level"],
            parent_code=row["parent_code"].strip() or None,
            lon=float(row["lon"]) if row["lon"].strip() else None,
            lat=float(row["lat"]) if row["lat"].strip() else None,
        )
    for division in divisions.values():
        if division.parent_code is not None and division.parent_code not in divisions:
            raise GeoError(
                Message(N_("%(name)s: %(code)s has unknown parent %(parent_code)s"),
                        name=DATA_FILE.name, code=division.code, parent_code=division.parent_code),
                field="parent_code",
            )
    return divisions


def divisions_in(parent_code: str) -> list[Division]:
    """Direct children of a division, by code.

    Raises
    ------
    UnknownDivision
        ``parent_code`` is not a known code.

    Examples
    --------
    >>> len(divisions_in("340000")), divisions_in("340200")[0].name_zh
    (16, '镜湖区')
    """
    divisions = load_divisions()
    if parent_code not in divisions:
        raise UnknownDivision(
            Message(N_("parent_code: unknown administrative division code %(parent_code)r"),
                    parent_code=parent_code),
            field="parent_code",
        )
    return sorted((d for d in divisions.values() if d.parent_code == parent_code),
                  key=lambda d: d.code)


def resolve_division(text: str) -> Division:
    """Find the division a user means by a code or a Chinese or English name.

    Accepted: the 6-digit code (``340100``), the Chinese name with or without
    its suffix (``合肥市``, ``合肥``), the English name in any case, spacing
    or apostrophes (``hefei``, ``Maanshan``, ``Yaohai``). A name shared by
    several divisions may be qualified by its province: ``Suzhou (Anhui)``,
    ``Suzhou, Jiangsu``. When a short name fits a prefecture and counties,
    the prefecture is meant (``黄山`` is 黄山市, not 黄山区).

    Raises
    ------
    UnknownDivision
        Unknown or ambiguous (``field == "city"``), with up to five
        suggestions.

    Examples
    --------
    >>> resolve_division("合肥").code, resolve_division("Ma'anshan").code
    ('340100', '340500')
    >>> resolve_division("Suzhou (Anhui)").name_zh
    '宿州市'
    """
    query = str(text).strip()
    if not query:
        raise UnknownDivision(Message(N_("city: empty; give a division code or name, e.g. 340100 or 合肥市")))
    divisions = load_divisions()
    if re.fullmatch(r"\d{6}", query):
        if query in divisions:
            return divisions[query]
        raise UnknownDivision(
            Message(N_("city: unknown administrative division code %(query)s"), query=query),
            suggestions=[d.label() for d in divisions.values() if d.code[:4] == query[:4]][
                :_MAX_SUGGESTIONS],
        )

    candidates = _candidates(query, divisions.values())
    qualified = _QUALIFIED.match(query)
    if not candidates and qualified:
        province_text = qualified["p1"] or qualified["p2"]
        provinces = [d for d in _candidates(province_text, divisions.values()) if d.level == "province"]
        if len(provinces) == 1:
            prefix = provinces[0].code[:2]
            candidates = [d for d in _candidates(qualified["name"], divisions.values())
                          if d.code[:2] == prefix and d.level != "province"]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise UnknownDivision(
            Message(N_("city: %(query)r is ambiguous; say which one, e.g. by code or as 'name (province)': "
                       "%(candidates)s"), query=query,
                    candidates="; ".join(d.label() for d in candidates[:_MAX_SUGGESTIONS])),
            suggestions=[d.label() for d in candidates[:_MAX_SUGGESTIONS]],
        )
    suggestions = _suggest(query, divisions.values())
    hint = Message(N_("; did you mean: %(suggestions)s?"), suggestions="; ".join(suggestions)) if suggestions else \
        Message(N_("; give a 6-digit code, a Chinese name such as 合肥市 or an English name such as Hefei"))
    raise UnknownDivision(Message(N_("city: unknown administrative division %(query)r%(hint)s"),
                                  query=query, hint=hint),
                          suggestions=suggestions)


def _candidates(query: str, divisions: Iterable[Division]) -> list[Division]:
    """Best-matching divisions: exact names first, then short forms."""
    zh_key = query.replace(" ", "")
    en_key = _en_key(query)
    divisions = list(divisions)
    exact = [d for d in divisions
             if d.name_zh == zh_key or (en_key and _en_key(d.name_en) == en_key)]
    if exact:
        return exact
    short = [d for d in divisions
             if zh_key in _zh_aliases(d.name_zh) or (en_key and en_key in _en_aliases(d.name_en))]
    levels = {d.level for d in short}
    if "prefecture" in levels and levels <= {"prefecture", "county"}:
        # A short name shared by a prefecture and its namesake district or
        # county means the prefecture (黄山 -> 黄山市 rather than 黄山区).
        short = [d for d in short if d.level == "prefecture"]
    return sorted(short, key=lambda d: (_LEVEL_RANK[d.level], d.code))


@functools.cache
def _zh_aliases(name: str) -> frozenset[str]:
    aliases = {name}
    cut = min((name.find(word) for word in _ETHNIC_WORDS if name.find(word) >= 2), default=-1)
    if cut >= 2:
        aliases.add(name[:cut])
    else:
        for suffix in _ZH_SUFFIXES:
            # One-character leftovers (歙县 -> 歙) are too ambiguous to accept.
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                aliases.add(name[: -len(suffix)])
                break
    return frozenset(aliases)


def _en_key(text: str) -> str:
    """Casefolded letters and digits only; pinyin ü may be typed as u or v."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())
    return letters.replace("v", "u")


@functools.cache
def _en_aliases(name: str) -> frozenset[str]:
    aliases = {_en_key(name)}
    lowered = name.casefold()
    for suffix in _EN_SUFFIXES:
        if lowered.endswith(suffix):
            aliases.add(_en_key(name[: -len(suffix)]))
    return frozenset(aliases)


def _suggest(query: str, divisions: Iterable[Division]) -> list[str]:
    """Up to five labels of divisions whose names resemble ``query``, best first."""
    keys = [_en_key(query)]
    if not query.isascii():
        keys.append(query.replace(" ", ""))
    keys = [key for key in keys if key]
    scored: list[tuple[float, int, str, Division]] = []
    for division in divisions:
        aliases = {*_zh_aliases(division.name_zh), *_en_aliases(division.name_en)}
        score = max(
            (1.0 if len(key) >= 2 and key in alias
             else difflib.SequenceMatcher(None, key, alias).ratio())
            for key in keys for alias in aliases
        ) if keys else 0.0
        if score >= 0.5:
            scored.append((-score, _LEVEL_RANK[division.level], division.code, division))
    return [division.label() for *_, division in sorted(scored)[:_MAX_SUGGESTIONS]]


def city_code_at(lon: float, lat: float, *, home_province: str = "340000") -> str | None:
    """The prefecture-level division (6-digit code) whose real boundary contains a WGS-84 point.

    Backed by the administrative boundaries of :mod:`geo.boundaries`; the answer is always a code of
    this module's table: a municipality's point gives the municipality (110000 for Beijing). ``None``
    for a point in no division (at sea, abroad).

    Examples
    --------
    >>> city_code_at(117.23, 31.82), city_code_at(118.38, 31.33), city_code_at(118.34, 29.71)
    ('340100', '340200', '341000')
    >>> city_code_at(150.0, 10.0) is None
    True
    """
    from geo.boundaries import prefecture_code_at  # loads polygons: only when asked for

    code = prefecture_code_at(lon, lat, home_province=home_province)
    if code is None:
        return None
    divisions = load_divisions()
    if code in divisions:
        return code
    province = code[:2] + "0000"
    return province if province in divisions else None
