"""Streams the knowledge base does not know yet: kept in the user's words, matched by name alone.

A listing whose material resolves to nothing is not refused: it carries the pseudo-code
``name:<key>``, where the key is the written name normalised (NFKC, case-folded, no spaces or
punctuation, English plurals singular). The engine matches such an offer only with wants that name
the same stream, with no route; classifying the name later gives every listing that uses it a real
material code.
"""

from __future__ import annotations

import re

from matching.knowledge.text import clean, lookup_key

__all__ = ["UNCLASSIFIED_PREFIX", "is_unclassified", "unclassified_code"]

UNCLASSIFIED_PREFIX = "name:"

_PLURALS = ((re.compile(r"(?<=[a-z]{2})ies\b"), "y"), (re.compile(r"(?<=[a-z])(ss|sh|ch|x)es\b"), r"\1"),
            (re.compile(r"(?<=[a-z]{2}[^s\W])s\b"), ""))


def unclassified_code(text: str) -> str:
    """The pseudo-code an unknown stream name is matched by.

    Examples
    --------
    >>> unclassified_code("Paper trimmings") == unclassified_code("paper-trimming")
    True
    >>> unclassified_code(" 纸边 ")
    'name:纸边'
    """
    words = clean(text).casefold()
    for plural, singular in _PLURALS:
        words = plural.sub(singular, words)
    key = lookup_key(words)
    if not key:
        raise ValueError("an unclassified stream needs a name")
    return UNCLASSIFIED_PREFIX + key


def is_unclassified(code: str) -> bool:
    """Whether a material code is the pseudo-code of an unclassified stream.

    Examples
    --------
    >>> is_unclassified("name:whey"), is_unclassified("coal-fly-ash")
    (True, False)
    """
    return code.startswith(UNCLASSIFIED_PREFIX)
