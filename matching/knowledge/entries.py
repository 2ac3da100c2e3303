"""Reading the YAML data files: a document, and its entries field by field.

Every error is a :class:`~matching.knowledge.errors.KnowledgeError` whose message starts with the
file, then the entry (material code or route id), then the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from matching.knowledge.errors import KnowledgeError
from matching.knowledge.text import suggest
from geo.messages import Message, N_

__all__ = ["SLUG", "Entry", "read_entries", "read_yaml"]

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # material codes and route ids


def read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeError(Message(N_("%(name)s: cannot read (%(exc)s)"), name=path.name, exc=exc),
                             file=path.name) from exc
    try:
        # libyaml's safe loader when installed: the same documents, about 7x faster than pure Python.
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise KnowledgeError(Message(N_("%(name)s: not valid YAML (%(exc)s)"), name=path.name, exc=exc),
                             file=path.name) from exc
    if not isinstance(document, dict):
        raise KnowledgeError(Message(N_("%(name)s: top level must be a mapping"), name=path.name), file=path.name)
    return document


def read_entries(document: dict[str, Any], *, file: str, section: str, kind: str, id_field: str,
                 allowed: frozenset[str]) -> Iterator[tuple[str, Entry]]:
    """The entries of ``document[section]``, each with its id checked: a slug, and not seen before.

    Examples
    --------
    >>> [code for code, _ in read_entries({"materials": [{"code": "fly-ash"}]}, file="m.yaml",
    ...  section="materials", kind="material", id_field="code", allowed=frozenset({"code"}))]
    ['fly-ash']
    """
    raw_list = document.get(section)
    if not isinstance(raw_list, list) or not raw_list:
        raise KnowledgeError(Message(N_("%(file)s: %(section)s must be a non-empty list"),
                                     file=file, section=section), file=file, field=section)
    seen: set[str] = set()
    for position, raw in enumerate(raw_list, start=1):
        given = raw.get(id_field) if isinstance(raw, dict) else None
        entry = Entry(file, kind, raw, str(given) if given else f"#{position}")
        entry.only(allowed)
        entry_id = entry.text(id_field)
        if not SLUG.fullmatch(entry_id):
            entry.fail(id_field, "must be lower-case words joined by hyphens")
        if entry_id in seen:
            entry.fail(id_field, f"duplicate {kind} {'code' if id_field == 'code' else 'id'}")
        seen.add(entry_id)
        yield entry_id, entry


class Entry:
    """Reads fields of one YAML mapping and reports errors with file, entry and field."""

    def __init__(self, file: str, kind: str, raw: Any, entry: str) -> None:
        self.file = file
        self.kind = kind
        self.entry = entry
        if not isinstance(raw, dict):
            self.fail("(entry)", "must be a mapping")
        self.raw: dict[str, Any] = raw

    def fail(self, field_name: str, message: str, suggestions: Iterable[str] = ()) -> None:
        raise KnowledgeError(
            Message(N_("%(file)s: %(kind)s %(entry)r: field %(field_name)s: %(message)s"),
                    file=self.file, kind=self.kind, entry=self.entry, field_name=field_name, message=message),
            file=self.file,
            entry=self.entry,
            field=field_name,
            suggestions=suggestions,
        )

    def only(self, allowed: frozenset[str], *, within: str | None = None) -> None:
        """Refuse keys outside ``allowed``; ``within`` names the list the mapping sits in (``sources``).

        A key with no value is most often the tail of an unquoted ``{what: a, b}`` split at its comma.
        """
        for key, value in self.raw.items():
            if key not in allowed:
                reason = ("a comma inside an unquoted value split it: quote the text" if value is None
                          else "unknown field (typo?)")
                self.fail(f"{within}.{key}" if within else str(key), reason,
                          suggest(str(key), {name: name for name in allowed}))

    def text(self, name: str, *, required: bool = True) -> str:
        value = self.raw.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            self.fail(name, "must be a non-empty string")
        return value.strip()

    def texts(self, name: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.raw.get(name, [] if not required else None)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or (required and not value):
            self.fail(name, "must be a non-empty list of strings" if required else "must be a list of strings")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(name, f"item {item!r} must be a non-empty quoted string")
        return tuple(item.strip() for item in value)

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if not isinstance(value, bool):
            self.fail(name, "must be true or false")
        return value

    def number(self, name: str, *, minimum: float | None = None, strictly: bool = False) -> float:
        value = self.raw.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(name, "must be a number")
        if minimum is not None and (value < minimum or (strictly and value == minimum)):
            self.fail(name, f"must be {'>' if strictly else '>='} {minimum}, got {value}")
        return float(value)
