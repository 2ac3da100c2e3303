"""Errors the services raise; the web layer turns them into form errors, 400/422s or CLI exits.

A message is a :class:`geo.messages.Message`: English text (what ``str()`` and the command line show) that
keeps its template and values, so a page or an API answer shows it in the reader's language
(:func:`marketplace.errors.translated`). Templates are marked with ``N_`` for the catalogue.
"""
from __future__ import annotations

from dataclasses import dataclass

from geo.messages import Message, N_

__all__ = ["FieldError", "ImportRejected", "Message", "N_", "RowProblem", "field_error_from", "message_of"]


def message_of(exc: BaseException) -> str:
    """The message an error was raised with, kept a :class:`Message` when it is one (``str(exc)`` is plain text)."""
    first = exc.args[0] if exc.args else ""
    return first if isinstance(first, Message) else str(exc)


class FieldError(ValueError):
    """One bad value, named by its field (and, in a file, its row)."""

    def __init__(self, field: str, message: str, *, row: int | None = None,
                 suggestions: list[str] | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.row = row
        self.suggestions = suggestions or []

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}{self.field}: {self.message}"


@dataclass(frozen=True)
class RowProblem:
    row: int
    column: str
    reason: str
    sheet: str | None = None

    def __str__(self) -> str:
        where = f"sheet {self.sheet}, " if self.sheet else ""
        return f"{where}row {self.row}, column {self.column}: {self.reason}"


class ImportRejected(ValueError):
    """A file with bad rows: nothing was stored; ``problems`` lists every one."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.sheet or "", p.row, p.column))
        super().__init__(Message(N_("%(count)d problem(s); nothing was stored"), count=len(self.problems)))


def field_error_from(exc: Exception, *, default_field: str, row: int | None = None) -> FieldError:
    """Wrap an error from geo/, matching/ or identifiers, keeping the field it names."""
    return FieldError(
        getattr(exc, "field", None) or default_field,
        message_of(exc),
        row=row,
        suggestions=list(getattr(exc, "suggestions", []) or []),
    )
