"""The services' unit of work: everything in the block is stored, or nothing is."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

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


def write_transaction() -> None:
    """Make the current transaction a writer from now on, before it reads what it is about to change.

    PostgreSQL needs nothing here: callers lock the rows they read (SELECT … FOR UPDATE). SQLite's driver
    begins a transaction only at the first write, so two sessions could both read a row, then write one
    after the other, each from what it read (two acceptances of one link, both stored, neither seeing the
    other). ``BEGIN IMMEDIATE`` takes the database's write lock first: a second writer waits (the busy
    timeout) until the first has committed, then reads what it wrote. Call it before reading anything the
    transaction's decision depends on, and re-read such rows (``populate_existing``) after it.
    """
    connection = db.session.connection()
    if connection.dialect.name != "sqlite":
        return
    driver = connection.connection.dbapi_connection
    if not driver.in_transaction:  # already writing: the lock is held since that first write
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_unique_violation(exc: IntegrityError) -> bool:
    """A duplicate key (what a concurrent writer of the same row causes), not some other broken constraint."""
    state = getattr(exc.orig, "sqlstate", None)  # PostgreSQL (psycopg): 23505 unique_violation
    return state == "23505" if state else "UNIQUE constraint failed" in str(exc.orig)
