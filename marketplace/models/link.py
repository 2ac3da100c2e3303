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
# A run started from the web or the API waits (queued) for the job executor, runs, and ends done or failed;
# one run from the command line is executed at once and stored done.
RUN_STATUSES = ("queued", "running", "done", "failed")
# What a running run is doing now, in order (marketplace.services.match_runs records them).
RUN_STEPS = ("queued", "collect", "match", "store", "done")


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
    status: Mapped[str] = mapped_column(String(10), default="done", server_default="done", index=True)
    step: Mapped[Optional[str]] = mapped_column(String(10))
    # Why a failed run failed (the engine's message, or that a restart interrupted it): in English, and as a
    # message (template and values) each reader gets in their language (geo.messages.stored_message).
    error: Mapped[Optional[str]] = mapped_column(Text)
    error_message: Mapped[Optional[dict]] = mapped_column(JSON)
    started_at: Mapped[Optional[dt.datetime]]
    finished_at: Mapped[Optional[dt.datetime]]
    # The process that holds a queued or running run ("host:pid:start"), so a restart that lost it is recognised.
    holder: Mapped[Optional[str]] = mapped_column(String(200))

    links: Mapped[list[Link]] = relationship(back_populates="run", order_by="Link.id")
    alternatives: Mapped[list[RunAlternative]] = relationship(
        back_populates="run", order_by="(RunAlternative.offer_id, RunAlternative.rank)", cascade="all, delete-orphan",
        passive_deletes=True)
    park: Mapped[Optional[Park]] = relationship()
    created_by: Mapped[Optional[User]] = relationship()

    @property
    def failure(self):
        """Why the run failed, as a message for the reader's language (text stored before messages were)."""
        from geo.messages import stored_message

        return stored_message(self.error_message) if self.error_message else self.error

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
    # A material code, or an unclassified stream's ``name:`` pseudo-code (as long as listing_name.name_code).
    material_code: Mapped[str] = mapped_column(String(320))
    route_id: Mapped[Optional[str]] = mapped_column(String(60))
    quantity: Mapped[float]
    unit: Mapped[str] = mapped_column(String(6))
    distance_km: Mapped[float]
    transport_cost_cny: Mapped[float]
    net_benefit_cny: Mapped[float]
    co2_avoided_t: Mapped[float]
    # What the transport emits a year, already taken off co2_avoided_t (see services.disclosure.link_figures).
    transport_co2_t: Mapped[float] = mapped_column(default=0.0, server_default="0")
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


# Why a feasible receiver got none of an offer (matching.types.ALTERNATIVE_REASONS).
ALTERNATIVE_REASONS = ("capacity_taken", "lower_score", "posted_first", "cut_by_k")


class RunAlternative(db.Model):
    """A receiver a run found feasible for an offer that got none of it: who else could take the offer.

    ``rank`` is its place (1 = best) among the offer's ``feasible_receivers`` by score, the allocated ones
    included; ``quantity`` is what it could have taken, ``net_benefit_cny`` the benefit a year for that.
    """

    __tablename__ = "run_alternative"
    __table_args__ = (CheckConstraint("rank >= 1", name="rank_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("match_run.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("listing.id"), index=True)
    # A posted want, or None for a latent receiver.
    want_id: Mapped[Optional[int]] = mapped_column(ForeignKey("listing.id"))
    supplier_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    receiver_site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(320))
    route_id: Mapped[Optional[str]] = mapped_column(String(60))
    mode: Mapped[Optional[str]] = mapped_column(String(10))
    rank: Mapped[int]
    feasible_receivers: Mapped[int]
    score: Mapped[float]
    quantity: Mapped[float]
    unit: Mapped[str] = mapped_column(String(6))
    net_benefit_cny: Mapped[float]
    net_benefit_cny_per_unit: Mapped[float]
    distance_km: Mapped[float]
    latent: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(20))

    run: Mapped[MatchRun] = relationship(back_populates="alternatives")
    offer: Mapped[Listing] = relationship(foreign_keys=[offer_id])
    want: Mapped[Optional[Listing]] = relationship(foreign_keys=[want_id])
    supplier_site: Mapped[Site] = relationship(foreign_keys=[supplier_site_id])
    receiver_site: Mapped[Site] = relationship(foreign_keys=[receiver_site_id])

    def __repr__(self) -> str:
        return f"<RunAlternative {self.offer_id}->{self.want_id or self.receiver_site_id} rank {self.rank}>"
