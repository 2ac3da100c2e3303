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
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.material_index import build_index
from matching.knowledge.materials import MATERIALS_FILE, parse_ambiguous, parse_materials
from matching.knowledge.routes import ROUTES_FILE, parse_routes
from matching.knowledge.sectors import SECTORS_CSV, load_sectors

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
    return _load(DEFAULT_DIRECTORY)


def _load(directory: Path) -> Knowledge:
    sectors_path = directory / "sectors.csv"
    sectors = load_sectors(sectors_path if sectors_path.exists() else SECTORS_CSV)
    materials_doc = read_yaml(directory / MATERIALS_FILE)
    routes_doc = read_yaml(directory / ROUTES_FILE)

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
