"""Known material names found inside longer text: ``电厂干排粉煤灰`` holds ``粉煤灰``.

A Chinese name (one with a CJK character) is found as a substring of the text's lookup key; an
English name when all its words occur among the text's words, compared after folding plurals,
British spellings (sulphur, aluminium, tyre, -isation) and -ion/-or endings, so "MSW incinerator
fly ash" holds "incineration fly ash". Only the largest finds count: a name inside a longer name
found at the same place (粉煤灰 inside 粉煤灰漂珠, "fly ash" inside "class F fly ash") is dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from matching.knowledge.text import lookup_key

__all__ = ["ContainedName", "NameFinder", "english_words"]

# Chinese names shorter than this are not looked for inside text: 灰, 渣, 水, 热 sit inside too many words.
MIN_CHINESE_KEY = 2
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+")
_SPELLINGS = (
    ("sulph", "sulf"), ("aluminium", "aluminum"), ("tyre", "tire"), ("fibre", "fiber"), ("colour", "color"),
    ("isation", "ization"), ("iser", "izer"), ("ised", "ized"),
)


def english_words(text: str) -> frozenset[str]:
    """The folded words of ``text``, as compared by the finder.

    Examples
    --------
    >>> sorted(english_words("Used Tyres"))
    ['tire', 'used']
    >>> english_words("incinerator") == english_words("incineration")
    True
    >>> sorted(english_words("desulphurisation gypsum"))
    ['desulfurizat', 'gypsum']
    """
    return frozenset(_fold(word) for word in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def _fold(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("ses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for british, american in _SPELLINGS:
        word = word.replace(british, american)
    if len(word) > 6 and word.endswith("ion"):
        word = word[:-3]
    elif len(word) > 6 and word.endswith("or"):
        word = word[:-2]
    return word


@dataclass(frozen=True)
class ContainedName:
    """A known name found in the text and the material codes it stands for (several for an ambiguous term)."""

    name: str
    codes: tuple[str, ...]
    # Where a Chinese name sits in the text's lookup key (-1 for an English name, found by its words).
    start: int = -1
    end: int = -1


class NameFinder:
    """Finds known names inside text; built once per knowledge base from ``(name, codes)`` pairs."""

    def __init__(self, names: Iterable[tuple[str, tuple[str, ...]]]) -> None:
        self._chinese: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._english: dict[frozenset[str], tuple[str, tuple[str, ...]]] = {}
        for name, codes in names:
            if _CJK.search(name):
                key = lookup_key(name)
                if len(key) >= MIN_CHINESE_KEY:
                    self._chinese.setdefault(key, (name, codes))
            else:
                words = english_words(name)
                if words:
                    self._english.setdefault(words, (name, codes))

    def find(self, text: str) -> list[ContainedName]:
        """The largest known names in ``text``, in the order they were found (Chinese first).

        Examples
        --------
        >>> finder = NameFinder([("粉煤灰", ("coal-fly-ash",)), ("fly ash", ("coal-fly-ash",)),
        ...                      ("钢渣", ("steel-slag",)), ("slag", ("gbfs", "steel-slag"))])
        >>> [found.name for found in finder.find("电厂干排粉煤灰")]
        ['粉煤灰']
        >>> [found.name for found in finder.find("fly ash and steel slags")]
        ['fly ash', 'slag']
        """
        found = self._chinese_in(lookup_key(text))
        words = english_words(text)
        if words:
            english = [(known, entry) for known, entry in self._english.items() if known <= words]
            for known, (name, codes) in english:
                if not any(known < other for other, _ in english):
                    found.append(ContainedName(name, codes))
        return found

    def _chinese_in(self, key: str) -> list[ContainedName]:
        spans = []
        for known, (name, codes) in self._chinese.items():
            start = key.find(known)
            while start >= 0:
                spans.append((start, start + len(known), name, codes))
                start = key.find(known, start + 1)
        largest = [
            span for span in spans
            if not any(other[0] <= span[0] and span[1] <= other[1] and other[1] - other[0] > span[1] - span[0]
                       for other in spans)
        ]
        largest.sort(key=lambda span: (span[0], -span[1]))
        seen: set[str] = set()
        result = []
        for start, end, name, codes in largest:
            if name not in seen:
                seen.add(name)
                result.append(ContainedName(name, codes, start, end))
        return result
