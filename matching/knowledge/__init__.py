"""Materials knowledge base: GB/T 4754 sectors, materials and their utilisation routes.

Pure data plus small validating loaders; no Flask, no SQLAlchemy.
"""

from matching.knowledge.errors import AmbiguousMaterial, KnowledgeError, UnknownMaterial, UnknownSector
from matching.knowledge.sectors import Sector, load_sectors, resolve_sector, sector_lineage

__all__ = [
    "AmbiguousMaterial",
    "KnowledgeError",
    "Sector",
    "UnknownMaterial",
    "UnknownSector",
    "load_sectors",
    "resolve_sector",
    "sector_lineage",
]
