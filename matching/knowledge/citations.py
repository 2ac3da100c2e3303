"""Citations: the numbered references of ``materials.yaml`` and each entry's ``sources``.

Every figure in the data files cites where it comes from: a reference id (``R01``), a standard
number (``GB/T 1596-2017``) or a URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from matching.knowledge.entries import Entry
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.models import FIGURE_FIELDS, Reference, SourceRef
from geo.messages import Message, N_

__all__ = ["REFERENCE_ID", "STANDARD", "parse_references", "parse_sources", "side_file_references"]

REFERENCE_ID = re.compile(r"R\d{2,3}")
SOURCE_KEYS = frozenset({"ref", "what", "fields"})
# A cited standard or public document: GB, GB/T, HJ, JC/T, YB/T, ISO ... followed by a number.
STANDARD = re.compile(r"(GB|GB/T|GB/Z|HJ|JC/T|JC|YB/T|DL/T|NB/T|SH/T|HG/T|QC/T|T/[A-Z]+|ISO|EN|ASTM)\s?[\w.]+")


def side_file_references(document: dict[str, Any], file: str, known: Mapping[str, Reference], *,
                         section: str) -> dict[str, Reference]:
    """The references a file read beside the knowledge base may cite: the knowledge base's (``known``) and its
    own, which may not reuse an id. The file holds ``references`` and ``section``, nothing else."""
    unknown = set(document) - {"references", section}
    if unknown:
        raise KnowledgeError(Message(N_("%(file)s: unknown section %(unknown)r"),
                                     file=file, unknown=sorted(unknown)[0]), file=file)
    own = parse_references(document, file)
    clashing = sorted(set(own) & set(known))
    if clashing:
        raise KnowledgeError(Message(N_("%(file)s: reference %(clashing)s is already defined by the knowledge base"),
                                     file=file, clashing=clashing[0]),
                             file=file, field="references")
    return {**known, **own}


def parse_references(document: dict[str, Any], file: str) -> dict[str, Reference]:
    raw = document.get("references", {})
    if not isinstance(raw, dict):
        raise KnowledgeError(Message(N_("%(file)s: references must be a mapping"), file=file),
                             file=file, field="references")
    references: dict[str, Reference] = {}
    for ref_id, body in raw.items():
        entry = Entry(file, "reference", body, str(ref_id))
        if not REFERENCE_ID.fullmatch(str(ref_id)):
            entry.fail("id", "reference ids are R followed by two or three digits")
        url = entry.raw.get("url")
        if url is not None and (not isinstance(url, str) or not url.strip()):
            entry.fail("url", "must be a non-empty string when given")
        references[str(ref_id)] = Reference(str(ref_id), entry.text("title"), url)
    return references


def parse_sources(entry: Entry, references: Mapping[str, Reference]) -> tuple[SourceRef, ...]:
    raw = entry.raw.get("sources")
    if not isinstance(raw, list) or not raw:
        entry.fail("sources", "missing: every entry cites at least one source")
    sources = []
    for item in raw:
        if not isinstance(item, dict):
            entry.fail("sources", f"item {item!r} must be a mapping with ref and what")
        Entry(entry.file, entry.kind, item, entry.entry).only(SOURCE_KEYS, within="sources")
        ref = item.get("ref")
        what = item.get("what")
        if not isinstance(ref, str) or not ref.strip():
            entry.fail("sources", "each source needs a ref")
        if not isinstance(what, str) or not what.strip():
            entry.fail("sources", f"source {ref!r} needs a 'what'")
        ref = ref.strip()
        if REFERENCE_ID.fullmatch(ref):
            if ref not in references:
                entry.fail("sources", f"reference {ref} is not defined under references")
        elif not (ref.startswith(("http://", "https://")) or STANDARD.match(ref)):
            entry.fail("sources", f"ref {ref!r} must be a reference id (R01), a standard number or a URL")
        fields = item.get("fields", [])
        if not isinstance(fields, list) or any(name not in FIGURE_FIELDS for name in fields):
            entry.fail("sources", f"fields of {ref} must be among {', '.join(FIGURE_FIELDS)}")
        sources.append(SourceRef(ref, what.strip(), tuple(fields)))
    return tuple(sources)
