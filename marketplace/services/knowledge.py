"""Copy the reviewed knowledge base (matching/knowledge/) into the material and route tables."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from matching.knowledge import Knowledge, load_knowledge

from ..models import ListingMaterial, Material, Route


@dataclass(frozen=True)
class SyncResult:
    materials_added: int
    materials_updated: int
    materials_removed: int
    routes_added: int
    routes_updated: int
    routes_removed: int


def _plain(value):
    """Dataclass values as the lists and dicts a JSON column gives back (tuples become lists)."""
    return json.loads(json.dumps(dataclasses.asdict(value) if dataclasses.is_dataclass(value) else value))


def material_row(material) -> dict:
    return {
        "code": material.code, "name_zh": material.name_zh, "name_en": material.name_en,
        "family": material.family, "category": material.category, "parent_code": material.parent,
        "unit": material.unit, "hazardous": material.hazardous, "bulk": material.bulk,
        "receiver_licence": material.receiver_licence, "hw_codes": list(material.hw_codes),
        "synonyms": list(material.synonyms_zh) + list(material.synonyms_en),
        "quality_attributes": [_plain(a) for a in material.quality_attributes],
        "sources": [_plain(s) for s in material.sources],
    }


def route_row(route) -> dict:
    details = _plain(route)
    for key in ("id", "materials", "process_zh", "process_en", "coupling"):
        details.pop(key, None)
    return {"id": route.id, "material_codes": list(route.materials), "process_zh": route.process_zh,
            "process_en": route.process_en, "coupling": route.coupling or None, "details": details}


def _upsert(connection: Connection, table: sa.Table, key: str, rows: list[dict],
            *, keep: set[str] = frozenset()) -> tuple[int, int, int]:
    existing = {row[key]: dict(row) for row in connection.execute(sa.select(table)).mappings()}
    wanted = {row[key]: row for row in rows}
    added = [row for k, row in wanted.items() if k not in existing]
    changed = [row for k, row in wanted.items() if k in existing and existing[k] != row]
    removed = [k for k in existing if k not in wanted and k not in keep]
    if added:
        connection.execute(sa.insert(table), added)
    for row in changed:
        connection.execute(sa.update(table).where(table.c[key] == row[key]).values(**row))
    if removed:
        connection.execute(sa.delete(table).where(table.c[key].in_(removed)))
    return len(added), len(changed), len(removed)


def sync_knowledge(connection: Connection, knowledge: Knowledge | None = None) -> SyncResult:
    """Make the tables equal the files; materials that listings still use are kept."""
    knowledge = knowledge or load_knowledge()
    in_use = set(connection.execute(sa.select(ListingMaterial.material_code).distinct()).scalars())
    materials = _upsert(connection, Material.__table__, "code",
                        [material_row(m) for m in knowledge.materials.values()], keep=in_use)
    routes = _upsert(connection, Route.__table__, "id", [route_row(r) for r in knowledge.routes])
    return SyncResult(*materials, *routes)
