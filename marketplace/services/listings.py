"""Offers and wants: their life cycle (create, update, publish, close, expire) and why a name was read so.

Checking what was written is services/listing_check.py; reading single values, services/listing_values.py."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from matching.knowledge.errors import KnowledgeError
from matching.knowledge.resolver import read_material
from geo.messages import Message, N_

from ..extensions import db
from ..models import Listing, ListingMaterial, ListingName, Organisation, Site
from .errors import FieldError
from .listing_check import CheckedListing, ListingInput, ListingInvalid, check_listing, name_values
from .transaction import is_unique_violation, unit_of_work, write_transaction


def apply_checked(row: Listing, checked: CheckedListing, site: Site) -> Listing:
    if row.committed_quantity and checked.annual_quantity < row.committed_quantity:
        raise ListingInvalid([FieldError("quantity", Message(N_("%(committed_quantity)s %(base_unit)s a year are "
                                                                "already promised to agreed links; the quantity "
                                                                "cannot be less"),
                                                             committed_quantity=f"{row.committed_quantity:,.0f}",
                                                             base_unit=row.base_unit))])
    row.site = site
    for name, value in checked.columns().items():
        setattr(row, name, value)
    if row.material_codes != list(checked.material_codes):
        row.materials = [ListingMaterial(material_code=c, position=i) for i, c in enumerate(checked.material_codes)]
    stored = [(n.written, n.reading, n.material_code) for n in row.names]
    if stored != [(n.written, n.reading, n.material_code) for n in checked.names]:
        row.names = [ListingName(position=i, **name_values(n)) for i, n in enumerate(checked.names)]
    row.content_hash = checked.content_hash(site.id)
    return row


@dataclass(frozen=True)
class ContextReason:
    """Why a stored name was read from its site's sector: which of the site's sectors, and the full note."""

    sector: str
    sector_name_zh: str
    sector_name_en: str
    note: Message


def context_reason(listing: Listing, name: ListingName) -> ContextReason | None:
    """Why a name stored as a "context" reading was read so ("… because the site is thermal power generation
    (4411) …"); ``None`` for any other reading, or when the site's sectors no longer give that reading."""
    if name.reading != "context":
        return None
    from matching.knowledge.sectors import load_sectors

    try:
        found = read_material(name.written, sectors=listing.site.sector_codes, kind=listing.kind,
                              sectors_confirmed=not listing.site.sector_to_confirm)
    except KnowledgeError:
        return None
    if found.how != "context" or found.code != name.material_code:
        return None
    entry = load_sectors().get(found.sector)
    return ContextReason(found.sector, entry.name_zh if entry else found.sector,
                         entry.name_en if entry else found.sector, found.note)




def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def create_listing(site: Site, listing: ListingInput, *, publish: bool = False) -> Listing:
    from .vocabulary import learned_synonyms

    with _stored_meanwhile(), unit_of_work():
        checked = check_listing(listing, learned=learned_synonyms(), sectors=site.sector_codes,
                                sectors_confirmed=not site.sector_to_confirm)
        _refuse_duplicate(checked.content_hash(site.id))
        row = apply_checked(Listing(committed_quantity=0.0, status="draft"), checked, site)
        db.session.add(row)
        if publish:
            _mark_published(row)
    if publish:
        after_publish(row)
    return row


def update_listing(row: Listing, listing: ListingInput, *, site: Site | None = None) -> Listing:
    """Store the new values; ``site`` moves the listing to another site (by default it stays where it is)."""
    from .vocabulary import learned_synonyms

    with _stored_meanwhile(), unit_of_work():
        _locked_afresh(row)  # an acceptance racing the edit commits first; the quantity is checked against it
        checked = check_listing(listing, learned=learned_synonyms(), sectors=(site or row.site).sector_codes,
                                sectors_confirmed=not (site or row.site).sector_to_confirm)
        if checked.kind != row.kind:
            raise ListingInvalid([FieldError("kind", Message(N_("an offer cannot become a want or the other way "
                                                                "round")))])
        _refuse_duplicate(checked.content_hash((site or row.site).id), exclude_id=row.id)
        apply_checked(row, checked, site or row.site)
    return row


def _mark_published(row: Listing) -> None:
    row.status = "published"
    row.published_at = _now()


def publish_listing(row: Listing) -> None:
    if row.status not in ("draft", "closed", "expired"):
        return
    with unit_of_work():
        if row.available_to and row.available_to < dt.date.today():
            raise FieldError("available_to", Message(N_("the availability window has ended; change it before "
                                                        "publishing")))
        _mark_published(row)
    after_publish(row)


def close_listing(row: Listing) -> int:
    """Close the listing and decline its open proposals on its owner's behalf; returns how many were declined.

    Agreements already made stand (their tonnes stay committed); a proposal can no longer be accepted.
    The proposals are locked before the listing, the order an acceptance locks them in
    (services.matching.decide), so a close racing an acceptance waits for it instead of deadlocking.
    """
    from .matching import withdraw_proposals

    with unit_of_work():
        write_transaction()
        declined = withdraw_proposals(row)
        _locked_afresh(row)
        row.status = "closed"
    return declined


def _locked_afresh(row: Listing) -> None:
    """Re-read ``row`` under a row lock (SQLite: the write lock): what the caller loaded may be stale, an
    acceptance may have committed tonnes to it since."""
    write_transaction()
    db.session.scalars(select(Listing).where(Listing.id == row.id).with_for_update()
                       .execution_options(populate_existing=True)).one()


@contextmanager
def _stored_meanwhile() -> Iterator[None]:
    """The same listing stored by a request at the same moment (a double-clicked form): the unique content
    hash refuses the second, and this says so by name instead of a raw IntegrityError."""
    try:
        yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise ListingInvalid([FieldError("listing", Message(N_("the same listing was stored at this site a moment "
                                                               "ago; nothing more was stored")))]) from None


def _refuse_duplicate(content_hash: str, *, exclude_id: int | None = None) -> None:
    """A listing with the same site and content already exists: importing it twice stores it once, and the
    form refuses it by name (the content hash is unique)."""
    query = select(Listing.id, Listing.status).where(Listing.content_hash == content_hash)
    if exclude_id is not None:
        query = query.where(Listing.id != exclude_id)
    found = db.session.execute(query).first()
    if found is not None:
        raise ListingInvalid([FieldError("listing", Message(N_("listing %(id)s (%(status)s) at this site has "
                                                               "exactly this content already; change that one or "
                                                               "this one"),
                                                            id=found.id, status=_status_word(found.status)))])


# A listing's status as a message value, so a Chinese reader sees 草稿, not "draft" (the words are the
# catalogue's, as the listing pages show them).
_STATUS_WORDS = {"draft": N_("draft"), "published": N_("published"), "partly_matched": N_("partly matched"),
                 "matched": N_("matched"), "closed": N_("closed"), "expired": N_("expired")}


def _status_word(status: str) -> Message | str:
    word = _STATUS_WORDS.get(status)
    return Message(word) if word else status


def after_publish(row: Listing) -> None:
    """Tell saved searches about a newly published offer."""
    if row.kind != "offer":
        return
    from .saved_searches import notify_matching_searches  # the search feature owns saved searches

    notify_matching_searches(row)


def after_publish_many(listing_ids: list[int]) -> None:
    """after_publish for a batch (an import): one query decides whether any saved search could care."""
    from ..models import SavedSearch
    from .saved_searches import notify_matching_searches_many

    if not listing_ids or db.session.scalar(select(SavedSearch.id).limit(1)) is None:
        return
    # One pass and one commit for the whole import: the saved searches are read once, not once per offer.
    notify_matching_searches_many(list(db.session.scalars(
        select(Listing).where(Listing.id.in_(listing_ids), Listing.kind == "offer").order_by(Listing.id))))


def expire_listings(today: dt.date | None = None) -> int:
    """Mark published listings whose window has ended as expired; returns how many."""
    today = today or dt.date.today()
    with unit_of_work():
        rows = db.session.scalars(select(Listing).where(
            Listing.status.in_(("published", "partly_matched")), Listing.available_to < today)).all()
        for row in rows:
            row.status = "expired"
    return len(rows)


def all_listings(organisation: Organisation | None = None) -> list[Listing]:
    query = select(Listing).join(Site)
    if organisation is not None:
        query = query.where(Site.organisation_id == organisation.id)
    return list(db.session.scalars(query.order_by(Listing.id)))


def listings_of(organisation: Organisation, *, kind: str | None = None) -> list[Listing]:
    query = select(Listing).join(Site).where(Site.organisation_id == organisation.id)
    if kind:
        query = query.where(Listing.kind == kind)
    return list(db.session.scalars(query.order_by(Listing.kind, Listing.id)))

