"""Values as people write them in a listing's fields: numbers, units, dates, quality pairs and measures,
hazardous-waste codes, notes. Each parser raises a FieldError naming its field."""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass

from matching.knowledge.resolver import hazard_code_in
from matching.knowledge.units import UnitError, parse_unit
from geo.messages import Message, N_

from .errors import FieldError


def clean_text(text) -> str:
    # Full-width digits, letters and punctuation from Chinese input methods become ASCII.
    return unicodedata.normalize("NFKC", str(text)).strip() if text is not None else ""


def verbatim_note(text) -> str:
    """A note as its author typed it: Chinese punctuation and full-width characters stay (no NFKC, unlike the
    fields that are read and matched); only the whitespace around it goes, and Windows line ends become \\n."""
    if text is None:
        return ""
    return str(text).replace("\r\n", "\n").replace("\r", "\n").strip()


def parse_number(text, field_name: str) -> float:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        value = float(text)
    else:
        cleaned = clean_text(text).replace(",", "").replace(" ", "")
        if not cleaned:
            raise FieldError(field_name, Message(N_("a number is required")))
        try:
            value = float(cleaned)
        except ValueError:
            raise FieldError(field_name, Message(N_("%(text)r is not a number"), text=clean_text(text))) from None
    if not math.isfinite(value):
        raise FieldError(field_name, Message(N_("the number must be finite")))
    return value


_APPROXIMATELY = re.compile(r"^(约|大约|约计|近|将近|逾|超过|ca\.?|c\.|circa|about|approx\.?|approximately|around|"
                            r"~|≈|～)\s*", re.IGNORECASE)
_AMOUNT = re.compile(r"^(?P<low>[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
                     r"(?:\s*(?:-|–|—|~|～|至|到|to)\s*(?P<high>\d+(?:\.\d+)?))?"
                     r"\s*(?P<scale>万|亿|千|百万|thousand|million|k|m(?![a-z³3]))?\s*(?P<rest>.*)$", re.IGNORECASE)
_SCALES = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "thousand": 1e3, "million": 1e6, "k": 1e3, "m": 1e6}


@dataclass(frozen=True)
class WrittenAmount:
    """An amount as written in one cell: its value, the unit written after it (if any), and how it was read."""

    value: float
    unit: str | None = None
    ranged: bool = False


def read_amount(text, field_name: str) -> WrittenAmount:
    """"5万吨/年" -> 50 000 and "吨/年"; "约3000" -> 3 000; "50-80" -> 65, the middle of the range (``ranged``).

    >>> read_amount("约5万吨/年", "quantity")
    WrittenAmount(value=50000.0, unit='吨/年', ranged=False)
    >>> read_amount("1.2-1.5 million", "quantity").value
    1350000.0
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return WrittenAmount(parse_number(text, field_name))
    cleaned = _APPROXIMATELY.sub("", clean_text(text).replace(",", "")).strip()
    match = _AMOUNT.match(cleaned)
    if match is None:
        return WrittenAmount(parse_number(text, field_name))  # names the field: "not a number" / "required"
    low = float(match.group("low"))
    high = float(match.group("high")) if match.group("high") else None
    if high is not None and high < low:
        raise FieldError(field_name, Message(N_("%(text)r: the range ends below where it starts"),
                                             text=clean_text(text)))
    scale = _SCALES[match.group("scale").lower() if match.group("scale").isascii() else match.group("scale")] \
        if match.group("scale") else 1.0
    value = (low if high is None else (low + high) / 2) * scale
    if not math.isfinite(value):
        raise FieldError(field_name, Message(N_("the number must be finite")))
    return WrittenAmount(value, match.group("rest").strip() or None, high is not None)


# What may follow a price: the currency and "per unit" (元/吨, CNY/t, RMB per tonne); the unit is the listing's.
_PRICE_WORDS = re.compile(r"^(?:元|人民币|rmb|cny|yuan|¥|￥)?\s*(?:(?:/|每|per)\s*(?:吨|t|tonne|ton|unit|单位))?$",
                          re.IGNORECASE)
NEGOTIABLE = ("面议", "议价", "协商", "价格面议", "negotiable", "tbd", "on request", "n/a")


def parse_price(text, field_name: str = "price_cny") -> float | None:
    """A price per unit in CNY as written ("50元/吨", "￥50", "-20 CNY/t"); ``None`` for "面议" / "negotiable".

    >>> parse_price("￥50元/吨"), parse_price("面议"), parse_price("-20 CNY/t")
    (50.0, None, -20.0)
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return parse_number(text, field_name)
    written = clean_text(text)
    if written.lower() in NEGOTIABLE:
        return None
    amount = read_amount(re.sub(r"^[¥￥]\s*", "", written), field_name)
    if amount.unit is not None and not _PRICE_WORDS.match(amount.unit) or amount.ranged:
        raise FieldError(field_name, Message(N_("%(text)r: give one price in CNY per unit of the listing"),
                                             text=written))
    return amount.value


def parse_written_unit(text: str | None):
    """The unit as written, read by :func:`matching.knowledge.units.parse_unit`; a FieldError if unknown."""
    try:
        return parse_unit(clean_text(text) or None)
    except UnitError as exc:
        raise FieldError("unit", str(exc).removeprefix("unit: ")) from None


_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_WORDED_MONTH = re.compile(r"^([a-z]+)\.?\s+(\d{4})$|^(\d{4})\s+([a-z]+)\.?$")


def parse_date(value, field_name: str, *, end: bool = False) -> dt.date | None:
    """A date as plants write it: 2026-01-31, 2026/1/31, 2026.1.31, 2026年1月31日; a month (2026-01, 2026年1月,
    Jan 2026) or a year (2026, 2026年) means its first day, or its last when ``end`` (an availability's end).

    >>> parse_date("2026年3月", "available_to", end=True), parse_date("2026/1/5", "available_from")
    (datetime.date(2026, 3, 31), datetime.date(2026, 1, 5))
    """
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean_text(value)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    lowered = text.lower()
    try:
        if match := _DAY.match(lowered):
            return dt.date(*map(int, match.groups()))
        year = month = None
        if match := _MONTH.match(lowered):
            year, month = int(match.group(1)), int(match.group(2))
        elif (match := _WORDED_MONTH.match(lowered)) and (match.group(1) or match.group(4)) in _MONTHS:
            year = int(match.group(2) or match.group(3))
            month = _MONTHS[match.group(1) or match.group(4)]
        elif match := _YEAR.match(lowered):
            year = int(match.group(1))
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if year is not None:
            if not end:
                return dt.date(year, month, 1)
            following = dt.date(year + month // 12, month % 12 + 1, 1)
            return following - dt.timedelta(days=1)
    except ValueError:
        pass
    raise FieldError(field_name, Message(N_("%(value)r is not a date (YYYY-MM-DD)"), value=text))


QUALITY_PAIR = re.compile(r"^\s*([^=:]+?)\s*[=:]\s*(.+?)\s*$")


def parse_quality(value, *, described: list[str] | None = None) -> dict:
    """'grade=II;loi_pct=6.5' -> {'grade': 'II', 'loi_pct': 6.5}; numbers become floats.

    A part that is no ``key=value`` ("洗选副产煤泥", "dry basis") is an error, unless ``described`` is given: then
    it is a description of the lot, appended there as written (plants put words in a quality column).
    """
    if not value:
        return {}
    if isinstance(value, dict):
        pairs = [(str(k).strip(), v) for k, v in value.items()]
    elif not isinstance(value, str):
        raise FieldError("quality", Message(N_("%(part)r is not key=value"), part=value))
    else:
        pairs = []
        for part in filter(str.strip, re.split(r"[;；\n]+", clean_text(value))):
            match = QUALITY_PAIR.match(part)
            if match is None:
                if described is not None:
                    described.append(part.strip())
                    continue
                raise FieldError("quality", Message(N_("%(part)r is not key=value"), part=part.strip()))
            pairs.append((match.group(1), match.group(2)))
    quality = {}
    for key, raw in pairs:
        try:
            quality[key] = float(raw)
        except (TypeError, ValueError):
            quality[key] = str(raw).strip()
    return quality


_LOWER_WORDS = ("≥", ">=", ">", "不低于", "不小于", "大于", "以上", "及以上", "at least", "min")
_UPPER_WORDS = ("≤", "<=", "<", "不高于", "不大于", "小于", "以下", "及以下", "at most", "max")
_MEASURE = re.compile(
    r"^(?P<pre>约|大约|about|approx\.?|~|≈|≥|>=|>|≤|<=|<|不低于|不小于|大于|不高于|不大于|小于|at least|at most|min\.?|max\.?)?"
    r"\s*(?P<number>[-+]?\d+(?:\.\d+)?)\s*(?P<unit>[^\d\s以左及]*?)\s*(?P<post>以上|以下|及以上|及以下|左右)?$",
    re.IGNORECASE)
# Units written for a value that mean the attribute's own unit.
_SAME_UNIT = {"%": ("%", "％", "percent", "pct"), "°C": ("°C", "℃", "°c", "C", "度", "摄氏度")}


def read_measure(text: str, unit: str) -> tuple[float, str | None] | None:
    """A number as plants write it ("98%", "20°C以上", "≥ 90 %") in the attribute's unit, and the bound it states."""
    match = _MEASURE.match(clean_text(text))
    if match is None:
        return None
    written = match.group("unit").strip()
    bare = re.sub(r"\(.*\)$", "", unit)   # MPa(g): gauge pressure written as MPa
    accepted = {unit, unit.casefold(), bare, bare.casefold(), *_SAME_UNIT.get(unit, ())}
    if written and written not in accepted and written.casefold() not in accepted:
        return None
    words = f"{(match.group('pre') or '').casefold()} {match.group('post') or ''}"
    bound = "lower" if any(w in words for w in _LOWER_WORDS) else "upper" if any(w in words for w in _UPPER_WORDS) \
        else None
    return float(match.group("number")), bound


# Waste codes of other countries' lists: the European List of Waste ("EWC 13 02 05*", "130205*"), the US RCRA codes
# (D001, F006, K048 …). They say what a lot is where it was written, but are no Chinese hazardous-waste code.
_FOREIGN_WASTE_CODE = re.compile(r"^(?:(?:EWC|LOW|EAK|AVV|ELW|EU)\s*[:#]?\s*)?\d{2}\s?\d{2}\s?\d{2}\s*\*?$|"
                                 r"^(?:RCRA\s*)?[DFKPU]\d{3}$", re.IGNORECASE)


def foreign_waste_code(text) -> str | None:
    """A waste code of another country's list as written (EWC, RCRA), else ``None``.

    >>> foreign_waste_code("EWC 13 02 05*"), foreign_waste_code("K048"), foreign_waste_code("900-041-49")
    ('EWC 13 02 05*', 'K048', None)
    """
    written = clean_text(text)
    return written if written and _FOREIGN_WASTE_CODE.match(written) else None


def parse_hazard_code(text) -> str | None:
    """An 8-digit hazardous-waste code (NNN-NNN-CC) or a category (HWnn), normalised; None when empty.

    Plants often write both ("HW11 252-002-11", "252-002-11（HW11）"): the code is kept when the category agrees.
    """
    cleaned = clean_text(text).upper().replace(" ", "").replace("HW-", "HW")
    if not cleaned:
        return None
    code = hazard_code_in(cleaned)
    if code is not None:
        return code
    parts = [hazard_code_in(part) for part in re.split(r"[\s,;/|()（）【】\[\]、，；：:]+", clean_text(text).upper())
             if part]
    codes = {part for part in parts if part and not part.startswith("HW")}
    categories = {part for part in parts if part and part.startswith("HW")}
    if len(codes) == 1 and categories <= {hazard_category(next(iter(codes)))}:
        return next(iter(codes))
    if len(codes) == 1:
        raise FieldError("hazard_code", Message(N_("%(code)s is category %(category)s, not %(written)s"),
                                                code=next(iter(codes)), category=hazard_category(next(iter(codes))),
                                                written=", ".join(sorted(categories))))
    if not codes and len(categories) == 1:
        return next(iter(categories))
    raise FieldError("hazard_code", Message(N_("%(text)r is neither an 8-digit hazardous-waste code "
                                               "(NNN-NNN-CC) nor a category HW01-HW50"),
                                            text=clean_text(text)))


def hazard_category(code: str) -> str:
    """``HW34`` for ``HW34`` and for ``251-014-34``."""
    return code if code.startswith("HW") else f"HW{code[-2:]}"
