"""What the knowledge-base topic tests ask of a material: is a sector among the users its routes reach."""
from __future__ import annotations


def takes(kb, material: str, sector: str) -> bool:
    """Whether a site of GB/T 4754 class ``sector`` is a user of one of the material's routes (a route
    naming a division or group covers every class under it, as the engine reads it)."""
    return any(sector.startswith(user) for route in kb.routes_for(material) for user in route.user_sectors)
