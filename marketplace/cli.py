"""How the command line reports failure: one line on standard error, exit status 1.

The commands themselves live in marketplace/commands/, one module per group.
"""
from __future__ import annotations

import sys
from typing import NoReturn

import click


def fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def report_unreachable_database(exc_type, exc, traceback, *, fallback=sys.excepthook) -> None:
    """``sys.excepthook`` for the command line: a database that cannot be reached is one line, not a traceback."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(exc, OperationalError | InterfaceError):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        click.echo(f"Error: the database cannot be reached ({reason})", err=True)
        return
    fallback(exc_type, exc, traceback)
