"""URL converters: an id in a URL is a row id or no page at all."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest value of a 4-byte signed integer column (PostgreSQL INTEGER), and so of every row id.
MAX_ROW_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """``<int:…>`` limited to what an id column holds: a larger number is a 404, never a database overflow."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)
