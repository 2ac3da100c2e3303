"""Organisations, their sites and their licences."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import shapely
from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, false, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .geometry import GeometryType

if TYPE_CHECKING:
    from .park import Park
    from .user import User

LICENCE_KINDS = ("hw_permit", "battery_listing")
BATTERY_SCOPES = ("cascade", "recycling", "both")


class Organisation(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[Optional[str]] = mapped_column(String(200))
    credit_code: Mapped[Optional[str]] = mapped_column(String(18), unique=True)
    # A well-formed code whose check character fails is kept but shown to the administrator:
    # a few legitimately issued codes fail the check (DOMAIN.md 4.1).
    credit_code_flagged: Mapped[bool] = mapped_column(default=False)
    verified: Mapped[bool] = mapped_column(default=False)
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    sites: Mapped[list[Site]] = relationship(back_populates="organisation", order_by="Site.id")
    licences: Mapped[list[Licence]] = relationship(back_populates="organisation", order_by="Licence.id")
    users: Mapped[list[User]] = relationship(back_populates="organisation")

    @property
    def display_name(self) -> str:
        return self.name_zh

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name_zh}>"


class Site(db.Model):
    __table_args__ = (UniqueConstraint("organisation_id", "external_ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The organisation's own reference (the `site_id` column of an import file).
    external_ref: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[Optional[str]] = mapped_column(String(200))
    # The main activity's GB/T 4754 code: a class, or the group or division that is all that could be
    # read; "" when nothing could (then sector_to_confirm is set). Search, network and indicators use it.
    sector_code: Mapped[str] = mapped_column(String(8), index=True)
    # The other activities' codes, in the order given (a chemical complex may make acid and cement).
    extra_sector_codes: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # The sector as the user wrote it, kept so a doubtful reading can be checked against it.
    sector_written: Mapped[Optional[str]] = mapped_column(String(500))
    # The reading is a guess (or nothing) until the owner or an administrator confirms or corrects it.
    sector_to_confirm: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Why the reading is doubtful, as the reader explained it: each note a message stored as its template and
    # values (geo.messages.Message.as_data), rendered in each reader's language; rows written before hold English
    # text. Read them through `sector_messages`.
    sector_notes: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    # What the site has besides road: any of "rail" (siding), "quay", "pipeline" (matching.types.SITE_ACCESS).
    transport_access: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    park_id: Mapped[Optional[int]] = mapped_column(ForeignKey("park.id"), index=True)
    location: Mapped[shapely.Point] = mapped_column(GeometryType("POINT"))
    # What the user typed, so a converted GCJ-02 point can be shown next to its source.
    input_crs: Mapped[str] = mapped_column(String(12), default="WGS84")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    organisation: Mapped[Organisation] = relationship(back_populates="sites")
    park: Mapped[Optional[Park]] = relationship(back_populates="sites")
    licences: Mapped[list[Licence]] = relationship(back_populates="site")

    @property
    def sector_codes(self) -> tuple[str, ...]:
        """Every sector of the site, the main one first; empty when none could be read."""
        main = (self.sector_code,) if self.sector_code else ()
        return main + tuple(c for c in (self.extra_sector_codes or ()) if c != self.sector_code)

    @property
    def sector_messages(self) -> list:
        """The sector notes as messages to render for the reader (``| translated``); an old English note that
        reading ``sector_written`` again no longer gives stays as its text."""
        from matching.knowledge.sector_reading import stored_notes

        return stored_notes(self.sector_notes, self.sector_written)

    @property
    def lon(self) -> float:
        return self.location.x

    @property
    def lat(self) -> float:
        return self.location.y

    def __repr__(self) -> str:
        return f"<Site {self.id} {self.external_ref} {self.name_zh}>"


class Licence(db.Model):
    """A hazardous-waste operating permit or a retired-power-battery compliant-enterprise listing."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The facility the licence covers; None means every site of the organisation.
    site_id: Mapped[Optional[int]] = mapped_column(ForeignKey("site.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[Optional[str]] = mapped_column(String(64))
    # hw_permit: HW categories or 8-digit codes, comma-separated, e.g. "HW08,900-052-31".
    hw_codes: Mapped[Optional[str]] = mapped_column(String(500))
    capacity_t_per_yr: Mapped[Optional[float]]
    expires_on: Mapped[Optional[dt.date]]
    # battery_listing: cascade, recycling or both.
    battery_scope: Mapped[Optional[str]] = mapped_column(String(12))

    organisation: Mapped[Organisation] = relationship(back_populates="licences")
    site: Mapped[Optional[Site]] = relationship(back_populates="licences")

    @property
    def hw_code_list(self) -> list[str]:
        return [c for c in (self.hw_codes or "").split(",") if c]

    def is_valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day

    def __repr__(self) -> str:
        return f"<Licence {self.id} {self.kind} org={self.organisation_id}>"
