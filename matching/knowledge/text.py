"""Text normalisation shared by the sector and material resolvers.

Users type names in many shapes: full-width characters (``ＦＧＤ``), stray
spaces, hyphens or underscores (``Fly-Ash``), mixed case. Lookups compare a
*key* that removes all of that, so ``"Fly-Ash"``, ``"fly ash"`` and
``"ＦＬＹ　ＡＳＨ"`` meet.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean", "lookup_key", "suggest"]

_SPACES = re.compile(r"\s+")
# Everything that is neither a letter nor a digit (CJK ideographs count as letters).
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def clean(text: str) -> str:
    """NFKC-fold, trim and collapse whitespace; keeps case and punctuation.

    Examples
    --------
    >>> clean("  ＦＧＤ　gypsum ")
    'FGD gypsum'
    """
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def lookup_key(text: str) -> str:
    """Comparison key: NFKC, case-folded, without spaces, hyphens or punctuation.

    Examples
    --------
    >>> lookup_key("Fly-Ash") == lookup_key("fly ash") == lookup_key("ＦＬＹ　ＡＳＨ")
    True
    >>> lookup_key("脱硫 石膏")
    '脱硫石膏'
    """
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def suggest(query: str, labels_by_name: dict[str, str], *, limit: int = 5) -> list[str]:
    """Up to ``limit`` labels whose name is closest to ``query``.

    Ranking: names containing the query (or contained in it) first, so a
    Chinese fragment such as ``"钢"`` finds ``"炼钢"`` where edit distance
    alone would not; then names sharing whole words with the query (for
    word-order changes such as "cement manufacture"); then ``difflib`` close
    matches. Labels are de-duplicated in rank order.

    Parameters
    ----------
    query
        What the user typed.
    labels_by_name
        Maps every known name (any language, any spelling) to the label to
        return for it, typically a code.
    limit
        Maximum number of labels.

    Examples
    --------
    >>> suggest("炼钢厂", {"炼钢": "3120", "炼铁": "3110", "水泥制造": "3011"})
    ['3120']
    >>> suggest("cement manufacture", {"Manufacture of cement": "3011", "Ironmaking": "3110"})
    ['3011']
    """
    import difflib

    query_key = lookup_key(query)
    if not query_key:
        return []
    by_key: dict[str, str] = {}
    words_by_key: dict[str, set[str]] = {}
    for name, label in labels_by_name.items():
        key = lookup_key(name)
        if key and key not in by_key:
            by_key[key] = label
            words_by_key[key] = _words(name)
    ranked: list[str] = []
    substring_hits = [key for key in by_key if len(key) >= 2 and (query_key in key or key in query_key)]
    substring_hits.sort(key=lambda key: (abs(len(key) - len(query_key)), key))
    ranked.extend(by_key[key] for key in substring_hits)
    query_words = _words(query)
    if query_words:
        overlaps = [(len(query_words & words), key) for key, words in words_by_key.items()]
        overlaps = [(count, key) for count, key in overlaps if count]
        overlaps.sort(key=lambda item: (-item[0], len(item[1]), item[1]))
        ranked.extend(by_key[key] for _, key in overlaps)
    ranked.extend(by_key[key] for key in difflib.get_close_matches(query_key, list(by_key), n=limit * 3, cutoff=0.5))
    unique: list[str] = []
    for label in ranked:
        if label not in unique:
            unique.append(label)
        if len(unique) == limit:
            break
    return unique


# Words that carry no meaning when comparing names.
_STOP_WORDS = frozenset({"of", "and", "the", "for", "other", "nec"})


def _words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]{3,}", unicodedata.normalize("NFKC", text).casefold())
    return {word.rstrip("s") for word in words if word not in _STOP_WORDS}
