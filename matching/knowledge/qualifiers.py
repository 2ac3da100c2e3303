"""Grade, class and form qualifiers that people write around a material name.

Plants list ``II级粉煤灰``, ``Fly Ash (Class F)``, ``干排粉煤灰`` or ``grade I fly ash``: a known
name with a quality grade (GB/T 1596 fly-ash grades I/II/III), a class (F/C) or a form (dry or
wet discharge) around it, or a remark in brackets. :func:`split_qualifiers` takes those off so the
name can be looked up, and keeps the grade and class as quality values the caller may apply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matching.knowledge.text import clean

__all__ = ["Qualifiers", "split_qualifiers"]

_GRADES = {"I": "I", "II": "II", "III": "III", "1": "I", "2": "II", "3": "III", "一": "I", "二": "II", "三": "III"}

# Applied to NFKC-cleaned text, where Ⅱ has become II and full-width brackets ASCII ones.
# (pattern, quality key or None for a form word that carries no quality)
_PATTERNS: tuple[tuple[re.Pattern[str], str | None], ...] = (
    (re.compile(r"(?<![A-Za-z])(III|II|I|一|二|三|[123])\s*级"), "grade"),
    (re.compile(r"(?<![A-Za-z])grade\s*[-:]?\s*(III|II|I|[123])(?![A-Za-z0-9])", re.IGNORECASE), "grade"),
    (re.compile(r"(?<![A-Za-z])([FC])\s*类"), "class"),
    (re.compile(r"(?<![A-Za-z])class\s*[-:]?\s*([FC])(?![A-Za-z0-9])", re.IGNORECASE), "class"),
    (re.compile(r"(?<![A-Za-z])([FC])\s*-?\s*class(?![A-Za-z])", re.IGNORECASE), "class"),
    (re.compile(r"(干排|湿排)"), None),
    (re.compile(r"(?<![A-Za-z])(dry|wet)(?![A-Za-z])", re.IGNORECASE), None),
)
# 干粉煤灰, 湿污泥: one character before a Chinese name; not 干法/湿法, which name a process.
_LEADING_FORM = re.compile(r"^[干湿](?=[\u3400-\u9fff])(?!法)")
_BRACKETED = re.compile(r"[(\[【〔][^)\]】〕]*[)\]】〕]")
_LEFTOVER = re.compile(r"^[\s,，、;；:：/\-_.]+|[\s,，、;；:：/\-_.]+$")


@dataclass(frozen=True)
class Qualifiers:
    """What :func:`split_qualifiers` found.

    ``remainder`` is the text without qualifiers and bracketed remarks; ``quality`` the grade and
    class values as ``(key, value)`` pairs in the order written; ``asides`` the bracketed remarks that
    were not qualifiers; ``found`` whether anything was taken off.
    """

    remainder: str
    quality: tuple[tuple[str, str], ...] = ()
    asides: tuple[str, ...] = ()
    found: bool = False


def split_qualifiers(text: str) -> Qualifiers:
    """Take grade, class and form qualifiers and bracketed remarks off a material name.

    Examples
    --------
    >>> split_qualifiers("Ⅱ级粉煤灰")
    Qualifiers(remainder='粉煤灰', quality=(('grade', 'II'),), asides=(), found=True)
    >>> split_qualifiers("Fly Ash (Class F)").quality
    (('class', 'F'),)
    >>> split_qualifiers("干排粉煤灰").remainder
    '粉煤灰'
    >>> split_qualifiers("炉渣(锅炉)")
    Qualifiers(remainder='炉渣', quality=(), asides=('锅炉',), found=True)
    >>> split_qualifiers("钢渣").found
    False
    """
    rest = clean(text)
    quality: list[tuple[str, str]] = []
    found = False
    for pattern, key in _PATTERNS:
        for match in pattern.finditer(rest):
            found = True
            if key is not None:
                value = _GRADES[match.group(1).upper()] if key == "grade" else match.group(1).upper()
                if key not in dict(quality):
                    quality.append((key, value))
        rest = pattern.sub(" ", rest)
    asides = []
    for match in _BRACKETED.finditer(rest):
        found = True
        inner = _LEFTOVER.sub("", match.group(0)[1:-1])
        if inner:
            asides.append(inner)
    rest = _BRACKETED.sub(" ", rest)
    rest = _LEFTOVER.sub("", clean(rest))
    if _LEADING_FORM.match(rest):
        found = True
        rest = rest[1:]
    return Qualifiers(rest, tuple(quality), tuple(asides), found)
