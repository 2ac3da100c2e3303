"""Materials knowledge base: GB/T 4754 sectors, materials and their utilisation routes.

Pure data plus small validating loaders; no Flask, no SQLAlchemy.
"""

from matching.knowledge.errors import AmbiguousMaterial, KnowledgeError, UnknownMaterial, UnknownSector
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.loader import load_knowledge
from matching.knowledge.models import Material, QualityAttribute, QualityLimit, Replaces, Route
from matching.knowledge.resolver import Resolution, resolve_material, resolve_material_text
from matching.knowledge.sectors import Sector, load_sectors, resolve_sector, sector_lineage

__all__ = [
    "AmbiguousMaterial",
    "Knowledge",
    "KnowledgeError",
    "Material",
    "QualityAttribute",
    "QualityLimit",
    "Replaces",
    "Resolution",
    "Route",
    "Sector",
    "UnknownMaterial",
    "UnknownSector",
    "load_knowledge",
    "load_sectors",
    "resolve_material",
    "resolve_material_text",
    "resolve_sector",
    "sector_lineage",
]
