"""Offers and wants (listings), enquiries about them, saved searches and notifications."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db

if TYPE_CHECKING:
    from .material import Material
    from .org import Organisation, Site
    from .park import Park
    from .user import User

LISTING_KINDS = ("offer", "want")
# How a written material name was read (matching.knowledge.resolver.READINGS), plus "classified": an
# administrator classified the name after the listing was stored.
NAME_READINGS = ("exact", "qualifier", "context", "contained", "generic", "possibly_hazardous", "unclassified",
                 "classified")
LISTING_STATUSES = ("draft", "published", "partly_matched", "matched", "closed", "expired")
VISIBILITIES = ("named", "anonymous")


class ListingMaterial(db.Model):
    """A material an offer consists of (exactly one) or a want accepts (one or more)."""

    __tablename__ = "listing_material"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True)
    material_code: Mapped[str] = mapped_column(ForeignKey("material.code"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    material: Mapped[Material] = relationship()


class ListingName(db.Model):
    """One material name as the listing's author wrote it, and how the platform read it.

    ``material_code`` is the material the name was read as (``None`` while unclassified); ``name_code``
    is the name's pseudo-code (``name:<key>``), by which unclassified names are matched and queued.
    """

    __tablename__ = "listing_name"

    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    written: Mapped[str] = mapped_column(String(300))
    name_code: Mapped[str] = mapped_column(String(320), index=True)
    reading: Mapped[str] = mapped_column(String(20), index=True)
    confidence: Mapped[float] = mapped_column(default=1.0)
    material_code: Mapped[Optional[str]] = mapped_column(ForeignKey("material.code"))

    material: Mapped[Optional[Material]] = relationship()

    @property
    def engine_code(self) -> str:
        """What the matching engine matches the name by: its material, or its pseudo-code while unclassified."""
        return self.material_code or self.name_code


class LearnedSynonym(db.Model):
    """A name an administrator classified: the resolver reads it as this material from then on."""

    __tablename__ = "learned_synonym"

    name_code: Mapped[str] = mapped_column(String(320), primary_key=True)
    written: Mapped[str] = mapped_column(String(300))
    material_code: Mapped[str] = mapped_column(ForeignKey("material.code"))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    def __repr__(self) -> str:
        return f"<LearnedSynonym {self.name_code} -> {self.material_code}>"


class Listing(db.Model):
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("committed_quantity >= 0 AND committed_quantity <= annual_quantity",
                        name="committed_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8), index=True)
    # The material as the author wrote it (a want's names joined by "|"); the codes it was read as are
    # in `materials`, each name with its reading in `names`.
    material: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    quantity: Mapped[float]
    unit: Mapped[str] = mapped_column(String(10))
    # The quantity per year in the material's base unit (t, GJ, MWh, m3, Nm3): what matching uses.
    annual_quantity: Mapped[float]
    base_unit: Mapped[str] = mapped_column(String(6))
    # Tonnes (or base units) per year promised to agreed links; never more than annual_quantity.
    committed_quantity: Mapped[float] = mapped_column(default=0.0)
    quality: Mapped[dict] = mapped_column(JSON, default=dict)
    # Per base unit; negative on an offer: the supplier pays a gate fee.
    price_cny: Mapped[Optional[float]]
    available_from: Mapped[Optional[dt.date]]
    available_to: Mapped[Optional[dt.date]]
    hazard_code: Mapped[Optional[str]] = mapped_column(String(12))
    visibility: Mapped[str] = mapped_column(String(10), default="named")
    transport_modes: Mapped[Optional[str]] = mapped_column(String(60))
    note: Mapped[Optional[str]] = mapped_column(Text)
    # Fingerprint of the listing's site and content: importing the same row twice creates it once. Unique,
    # so two imports of one file running at once cannot both store it.
    content_hash: Mapped[str] = mapped_column(String(40), index=True, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    published_at: Mapped[Optional[dt.datetime]]

    site: Mapped[Site] = relationship()
    materials: Mapped[list[ListingMaterial]] = relationship(
        cascade="all, delete-orphan", order_by="ListingMaterial.position", lazy="selectin")
    names: Mapped[list[ListingName]] = relationship(
        cascade="all, delete-orphan", order_by="ListingName.position", lazy="selectin")
    enquiries: Mapped[list[Enquiry]] = relationship(back_populates="listing", cascade="all, delete-orphan")

    @property
    def material_codes(self) -> list[str]:
        return [m.material_code for m in self.materials]

    @property
    def engine_codes(self) -> list[str]:
        """Each name's material, or its pseudo-code while unclassified (the listing's materials if it has no names)."""
        return [name.engine_code for name in self.names] or self.material_codes

    @property
    def unclassified_names(self) -> list[ListingName]:
        return [name for name in self.names if name.material_code is None]

    @property
    def possibly_hazardous(self) -> bool:
        """Read as hazardous because a name may mean a hazardous material, until someone confirms the kind."""
        return any(name.reading == "possibly_hazardous" for name in self.names)

    @property
    def available_quantity(self) -> float:
        return self.annual_quantity - self.committed_quantity

    @property
    def organisation(self) -> Organisation:
        return self.site.organisation

    def __repr__(self) -> str:
        return f"<Listing {self.id} {self.kind} {self.material_codes}>"


class Enquiry(db.Model):
    """A thread between an interested organisation and a listing's owner."""

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    listing: Mapped[Listing] = relationship(back_populates="enquiries")
    organisation: Mapped[Organisation] = relationship()
    messages: Mapped[list[EnquiryMessage]] = relationship(
        back_populates="enquiry", cascade="all, delete-orphan", order_by="EnquiryMessage.id")


class EnquiryMessage(db.Model):
    __tablename__ = "enquiry_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    enquiry_id: Mapped[int] = mapped_column(ForeignKey("enquiry.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    # When the thread's other side first opened it (services.unread): unread messages light the nav badge.
    read_at: Mapped[Optional[dt.datetime]]

    enquiry: Mapped[Enquiry] = relationship(back_populates="messages")
    organisation: Mapped[Organisation] = relationship()


class SavedSearch(db.Model):
    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The search's parameters as the search service takes them (material codes, point, radius…).
    params: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    user: Mapped[User] = relationship()


class Notification(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    saved_search_id: Mapped[Optional[int]] = mapped_column(ForeignKey("saved_search.id", ondelete="CASCADE"))
    listing_id: Mapped[Optional[int]] = mapped_column(ForeignKey("listing.id", ondelete="CASCADE"))
    # The notice as text (English, names as stored) for logs and rows written before `message_data`.
    message: Mapped[str] = mapped_column(String(500))
    # The notice as a message (geo.messages.Message.as_data): template and values, rendered in each reader's
    # language; None on rows written before. Read it through `shown_message`.
    message_data: Mapped[Optional[dict]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    read_at: Mapped[Optional[dt.datetime]]
    # What a notice is about besides a listing: a plant's request for a match run names its park and itself.
    park_id: Mapped[Optional[int]] = mapped_column(ForeignKey("park.id", ondelete="CASCADE"))
    organisation_id: Mapped[Optional[int]] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))

    saved_search: Mapped[Optional[SavedSearch]] = relationship()
    listing: Mapped[Optional[Listing]] = relationship()
    park: Mapped[Optional[Park]] = relationship()
    organisation: Mapped[Optional[Organisation]] = relationship()

    @property
    def shown_message(self):
        """The notice as a message to render for the reader (``| translated``); an old row's text as it is."""
        from geo.messages import stored_message

        return stored_message(self.message_data) if self.message_data else (self.message or "")
