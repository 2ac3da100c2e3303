"""What the knowledge-base topic tests ask of a material: is a sector among the users its routes reach, and
which materials a want for it takes (as the engine decides it, matching.acceptance)."""
from __future__ import annotations

from matching.acceptance import acceptance_for


def takes(kb, material: str, sector: str) -> bool:
    """Whether a site of GB/T 4754 class ``sector`` is a user of one of the material's routes (a route
    naming a division or group covers every class under it, as the engine reads it)."""
    return any(sector.startswith(user) for route in kb.routes_for(material) for user in route.user_sectors)


def accepted(kb, code: str) -> frozenset[str]:
    """Every material a want for ``code`` takes as such: it, the kinds under it, what serves it."""
    return acceptance_for(kb).accepted(code)
