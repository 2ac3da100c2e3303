"""Match runs and the links they propose: who sends what to whom, and whether both sides agreed."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

if TYPE_CHECKING:
    from .listing import Listing
    from .org import Site
    from .park import Park
    from .user import User

# proposed: waiting for both sides; agreed: both accepted, tonnage reserved; active: flowing; declined by either side;
# superseded: a later run replaced an unanswered proposal.
LINK_STATUSES = ("proposed", "agreed", "active", "declined", "superseded")
DECISIONS = ("accepted", "declined")


class MatchRun(db.Model):
    __tablename__ = "match_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    park_id: Mapped[Optional[int]] = mapped_column(ForeignKey("park.id"))
    latent: Mapped[bool] = mapped_column(default=False)
    parameters: Mapped[dict] = mapped_column(JSON)
    timings: Mapped[dict] = mapped_column(JSON, default=dict)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)

    links: Mapped[list[Link]] = relationship(back_populates="run", order_by="Link.id")
    park: Mapped[Optional[Park]] = relationship()
    created_by: Mapped[Optional[User]] = relationship()

    def __repr__(self) -> str:
        return f"<MatchRun {self.id}>"


class Link(db.Model):
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    # A posted want, or None for a latent receiver (a site whose sector uses the material but posted nothing).
    want_id: Mapped[Optional[int]] = mapped_column(ForeignKey("listing.id"), index=True)
    supplier_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    receiver_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(40))
    route_id: Mapped[Optional[str]] = mapped_column(String(60))
    quantity: Mapped[float]
    unit: Mapped[str] = mapped_column(String(6))
    distance_km: Mapped[float]
    transport_cost_cny: Mapped[float]
    net_benefit_cny: Mapped[float]
    co2_avoided_t: Mapped[float]
    score: Mapped[float]
    same_park: Mapped[bool] = mapped_column(default=False)
    coupling: Mapped[Optional[str]] = mapped_column(String(60))
    latent: Mapped[bool] = mapped_column(default=False)
    explanation_zh: Mapped[str] = mapped_column(Text)
    explanation_en: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
    supplier_decision: Mapped[Optional[str]] = mapped_column(String(10))
    receiver_decision: Mapped[Optional[str]] = mapped_column(String(10))
    agreed_at: Mapped[Optional[dt.datetime]]

    run: Mapped[MatchRun] = relationship(back_populates="links")
    offer: Mapped[Listing] = relationship(foreign_keys=[offer_id])
    want: Mapped[Optional[Listing]] = relationship(foreign_keys=[want_id])
    supplier_site: Mapped[Site] = relationship(foreign_keys=[supplier_site_id])
    receiver_site: Mapped[Site] = relationship(foreign_keys=[receiver_site_id])

    def __repr__(self) -> str:
        return f"<Link {self.id} {self.offer_id}->{self.want_id or self.receiver_site_id} {self.quantity:g}>"
