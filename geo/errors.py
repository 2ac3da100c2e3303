"""Exceptions raised by :mod:`geo`.

They are ``ValueError`` subclasses so a caller that only knows "bad input"
can catch them; the web layer maps them to a 400/422 and shows the message,
which always names the field (or file and feature) at fault.
"""

from __future__ import annotations

from collections.abc import Sequence


class GeoError(ValueError):
    """Base class of every error raised by :mod:`geo`.

    Parameters
    ----------
    message : str
        Short, specific English message for the user.
    field : str, optional
        Name of the input field, setting or file at fault (e.g. ``"lon/lat"``,
        ``"crs"``, ``"SERVICE_AREA"``).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CoordinateError(GeoError):
    """A coordinate is not a number, not finite, out of range or swapped."""


class OutsideServiceArea(CoordinateError):
    """A valid coordinate lies outside the configured service area."""


class BoundaryFileError(GeoError):
    """A park boundary file cannot be read or holds an unusable feature."""


class UnknownDivision(GeoError):
    """An administrative division name or code is unknown or ambiguous.

    ``suggestions`` holds up to five display strings such as
    ``"合肥市 Hefei (340100)"``.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = "city",
        suggestions: Sequence[str] = (),
    ) -> None:
        super().__init__(message, field=field)
        self.suggestions: list[str] = list(suggestions)
