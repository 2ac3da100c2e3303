"""Industrial parks and who manages them."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import shapely
from sqlalchemy import Column, ForeignKey, String, Table, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .geometry import GeometryType

if TYPE_CHECKING:
    from .org import Site
    from .user import User

PARK_LEVELS = ("national", "provincial", "municipal", "other")

park_manager = Table(
    "park_manager",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("park_id", ForeignKey("park.id", ondelete="CASCADE"), primary_key=True),
)


class Park(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[Optional[str]] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20), default="other")
    kind: Mapped[Optional[str]] = mapped_column(String(100))
    city_code: Mapped[Optional[str]] = mapped_column(String(6))
    boundary: Mapped[Optional[shapely.MultiPolygon]] = mapped_column(GeometryType("MULTIPOLYGON"))
    boundary_note: Mapped[Optional[str]] = mapped_column(String(300))
    source: Mapped[Optional[str]] = mapped_column(String(1000))
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    sites: Mapped[list[Site]] = relationship(back_populates="park", order_by="Site.id")
    managers: Mapped[list[User]] = relationship(secondary=park_manager, back_populates="managed_parks")

    def __repr__(self) -> str:
        return f"<Park {self.code}>"
