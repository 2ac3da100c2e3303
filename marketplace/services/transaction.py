"""The services' unit of work: everything in the block is stored, or nothing is."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..extensions import db


@contextmanager
def unit_of_work(*, commit: bool = True) -> Iterator[None]:
    """Commit the session when the block ends; on any exception roll it back and let the exception go on.

    A failed commit is rolled back too, so the session is usable again after any error. With
    ``commit=False`` the block is one step of a caller's larger transaction: it stays open on success,
    and an error still rolls everything back, since the caller's transaction cannot stand half-done.
    """
    try:
        yield
        if commit:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
