"""Load the materials knowledge base (``materials.yaml``, ``routes.yaml``, ``sectors.csv``), validated.

The data files are reviewed data: the loader turns them into frozen values
(:mod:`~matching.knowledge.models`) and refuses anything it cannot vouch for. Every error is a
:class:`~matching.knowledge.errors.KnowledgeError` whose message starts with the file, then the
entry (material code or route id), then the field. The checks themselves live with what they check:
:mod:`~matching.knowledge.materials`, :mod:`~matching.knowledge.routes`,
:mod:`~matching.knowledge.citations`, :mod:`~matching.knowledge.material_index` and
:mod:`~matching.knowledge.sectors`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from types import MappingProxyType

from matching.knowledge.citations import parse_references
from matching.knowledge.entries import read_yaml
from matching.knowledge.errors import KnowledgeError
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.material_index import build_index
from matching.knowledge.materials import MATERIALS_FILE, parse_ambiguous, parse_materials
from matching.knowledge.routes import ROUTES_FILE, parse_routes
from matching.knowledge.sectors import SECTORS_CSV, load_sectors
from geo.messages import Message, N_

__all__ = ["DEFAULT_DIRECTORY", "load_knowledge"]

DEFAULT_DIRECTORY = Path(__file__).parent


def load_knowledge(directory: Path | str | None = None) -> Knowledge:
    """Read, validate and index ``materials.yaml`` and ``routes.yaml``.

    Parameters
    ----------
    directory
        Folder holding both files (and optionally a ``sectors.csv``); the
        shipped knowledge base when ``None``, which is cached.

    Raises
    ------
    KnowledgeError
        On the first problem found; the message names file, entry and field.

    Examples
    --------
    >>> kb = load_knowledge()
    >>> kb.material("fgd-gypsum").category
    'S06'
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@functools.lru_cache(maxsize=1)
def _load_default() -> Knowledge:
    from matching.knowledge.cache import cached  # kept between processes while the files are unchanged

    return cached(DEFAULT_DIRECTORY, _load)


def _merged(directory: Path, main_file: str, *, lists: tuple[str, ...], mappings: tuple[str, ...]) -> dict:
    """The main file with every ``<stem>-*.yaml`` beside it appended, section by section.

    The knowledge base grows by topic (utilities, agri-food residues ...) in files of their own, so
    reviewers read one topic at a time; a reference id or section given twice is an error.
    """
    document = read_yaml(directory / main_file)
    stem = Path(main_file).stem
    for extra_path in sorted(directory.glob(f"{stem}-*.yaml")):
        extra = read_yaml(extra_path)
        unknown = set(extra) - set(lists) - set(mappings)
        if unknown:
            raise KnowledgeError(Message(N_("%(name)s: unknown sections %(unknown)s"),
                                         name=extra_path.name, unknown=sorted(unknown)), file=extra_path.name)
        for section in lists:
            items = extra.get(section) or []
            if not isinstance(items, list):
                raise KnowledgeError(Message(N_("%(name)s: %(section)s must be a list"),
                                             name=extra_path.name, section=section), file=extra_path.name,
                                     field=section)
            document[section] = [*(document.get(section) or []), *items]
        for section in mappings:
            items = extra.get(section) or {}
            if not isinstance(items, dict):
                raise KnowledgeError(Message(N_("%(name)s: %(section)s must be a mapping"),
                                             name=extra_path.name, section=section), file=extra_path.name,
                                     field=section)
            merged = dict(document.get(section) or {})
            for key, value in items.items():
                if key in merged:
                    raise KnowledgeError(Message(N_("%(name)s: %(section)s %(key)s is already defined"),
                                                 name=extra_path.name, section=section, key=key),
                                         file=extra_path.name, field=section)
                merged[key] = value
            document[section] = merged
    return document


def _add_synonyms(document: dict) -> None:
    """Apply a topic file's ``synonyms`` section (``{code, synonyms_zh, synonyms_en}`` items) to materials
    defined elsewhere, so a topic can teach names for a material it does not own."""
    by_code = {item.get("code"): item for item in document.get("materials") or [] if isinstance(item, dict)}
    for position, extra in enumerate(document.pop("synonyms", None) or [], start=1):
        code = extra.get("code") if isinstance(extra, dict) else None
        if code not in by_code:
            raise KnowledgeError(Message(N_("%(MATERIALS_FILE)s: synonyms #%(position)s: unknown material %(code)r"),
                                         MATERIALS_FILE=MATERIALS_FILE, position=position, code=code),
                                 file=MATERIALS_FILE, field="synonyms")
        unknown = set(extra) - {"code", "synonyms_zh", "synonyms_en"}
        if unknown:
            raise KnowledgeError(Message(N_("%(MATERIALS_FILE)s: synonyms %(code)s: unknown fields %(unknown)s"),
                                         MATERIALS_FILE=MATERIALS_FILE, code=code, unknown=sorted(unknown)),
                                 file=MATERIALS_FILE, field="synonyms")
        for language in ("synonyms_zh", "synonyms_en"):
            names = list(by_code[code].get(language) or [])
            by_code[code][language] = names + [name for name in extra.get(language) or [] if name not in names]


def _load(directory: Path) -> Knowledge:
    sectors_path = directory / "sectors.csv"
    sectors = load_sectors(sectors_path if sectors_path.exists() else SECTORS_CSV)
    materials_doc = _merged(directory, MATERIALS_FILE, lists=("materials", "ambiguous", "synonyms"),
                            mappings=("references",))
    _add_synonyms(materials_doc)
    routes_doc = _merged(directory, ROUTES_FILE, lists=("routes",), mappings=())

    references = parse_references(materials_doc, MATERIALS_FILE)
    materials = parse_materials(materials_doc, references)
    ambiguous = parse_ambiguous(materials_doc, materials)
    index = build_index(materials, ambiguous)
    routes = parse_routes(routes_doc, materials, references, sectors)
    # read-only views: the default knowledge base is cached and shared by every caller
    return Knowledge(
        materials=MappingProxyType(materials),
        routes=routes,
        references=MappingProxyType(references),
        ambiguous=ambiguous,
        directory=directory,
        _index=index,
    )
