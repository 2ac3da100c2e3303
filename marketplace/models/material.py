"""The materials knowledge base as synced into the database (from matching/knowledge/)."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Material(db.Model):
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    family: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20), index=True)
    parent_code: Mapped[Optional[str]] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(10))
    hazardous: Mapped[bool] = mapped_column(default=False)
    bulk: Mapped[bool] = mapped_column(default=False)
    receiver_licence: Mapped[str] = mapped_column(String(30), default="none")
    hw_codes: Mapped[list] = mapped_column(JSON, default=list)
    synonyms: Mapped[list] = mapped_column(JSON, default=list)
    quality_attributes: Mapped[list] = mapped_column(JSON, default=list)
    sources: Mapped[list] = mapped_column(JSON, default=list)

    def __repr__(self) -> str:
        return f"<Material {self.code}>"


class Route(db.Model):
    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    material_codes: Mapped[list] = mapped_column(JSON)
    process_zh: Mapped[str] = mapped_column(String(300))
    process_en: Mapped[str] = mapped_column(String(300))
    coupling: Mapped[Optional[str]] = mapped_column(String(60))
    # Everything else of the route (sectors, ratio, limits, radius, CO2, prices, sources) as loaded.
    details: Mapped[dict] = mapped_column(JSON)

    def __repr__(self) -> str:
        return f"<Route {self.id}>"
