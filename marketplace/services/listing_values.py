"""Values as people write them in a listing's fields: numbers, units, dates, quality pairs and measures,
hazardous-waste codes, notes. Each parser raises a FieldError naming its field."""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

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


def parse_written_unit(text: str | None):
    """The unit as written, read by :func:`matching.knowledge.units.parse_unit`; a FieldError if unknown."""
    try:
        return parse_unit(clean_text(text) or None)
    except UnitError as exc:
        raise FieldError("unit", str(exc).removeprefix("unit: ")) from None


def parse_date(value, field_name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(clean_text(value)[:10])
    except ValueError:
        raise FieldError(field_name, Message(N_("%(value)r is not a date (YYYY-MM-DD)"), value=clean_text(value))) from None


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
