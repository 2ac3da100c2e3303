"""Exceptions raised by the materials knowledge base.

Every error is a ``ValueError`` so the web layer can map it to HTTP 400/422,
and each names the field at fault (``.field``) and, where it helps, the
closest valid values (``.suggestions``).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AmbiguousMaterial",
    "KnowledgeError",
    "UnknownMaterial",
    "UnknownSector",
]


class KnowledgeError(ValueError):
    """A knowledge-base value is missing, malformed or unknown.

    Parameters
    ----------
    message
        Human-readable explanation; already names file, entry and field.
    field
        The field at fault (``"sector"``, ``"material"``, ``"hw_codes"`` ...).
    suggestions
        Up to a handful of valid values close to the rejected one.
    file
        Data file in which the problem was found, if any.
    entry
        Code or id of the offending entry, if any.

    Examples
    --------
    >>> err = KnowledgeError("bad", field="unit", suggestions=["t"])
    >>> (err.field, err.suggestions)
    ('unit', ('t',))
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        suggestions: Iterable[str] = (),
        file: str | None = None,
        entry: str | None = None,
    ) -> None:
        super().__init__(message)
        self.field = field
        self.suggestions: tuple[str, ...] = tuple(suggestions)
        self.file = file
        self.entry = entry


class UnknownSector(KnowledgeError):
    """A GB/T 4754 sector given by code or name is not in the table, or is ambiguous."""


class UnknownMaterial(KnowledgeError):
    """A material given by code, name or synonym matches nothing."""


class AmbiguousMaterial(KnowledgeError):
    """A material name matches several materials (e.g. "gypsum").

    ``.candidates`` holds the codes of the matching materials; ``.suggestions``
    holds the same codes so callers can treat both errors alike.
    """

    def __init__(self, message: str, *, candidates: Iterable[str], field: str = "material") -> None:
        codes = tuple(candidates)
        super().__init__(message, field=field, suggestions=codes)
        self.candidates = codes
