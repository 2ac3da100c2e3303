"""Stored times are naive UTC (``created_at`` and the like, written by the app or the database clock on a
server kept in UTC); what leaves the platform as data carries its zone. One convention for the API and
the CLI's JSON: ISO 8601 in UTC with ``Z`` ("2026-12-04T08:30:00Z"). Showing a time to a person in
Asia/Shanghai is the pages' business, from the same values.
"""
from __future__ import annotations

import datetime as dt


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored naive time read as UTC; an aware one converted to UTC."""
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def utc_iso(value: dt.datetime | None) -> str | None:
    """``2026-12-04T08:30:00Z``: whole seconds, UTC, with its zone; None stays None.

    >>> utc_iso(dt.datetime(2026, 12, 4, 8, 30, 0, 123456))
    '2026-12-04T08:30:00Z'
    >>> utc_iso(dt.datetime(2026, 12, 4, 16, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    '2026-12-04T08:30:00Z'
    """
    if value is None:
        return None
    return as_utc(value).replace(microsecond=0, tzinfo=None).isoformat() + "Z"
