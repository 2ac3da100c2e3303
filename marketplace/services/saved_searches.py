"""Saved searches and the in-app notifications they raise when matching supply is published."""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, func, select, update

from matching.knowledge.errors import KnowledgeError
from matching.knowledge.loader import load_knowledge
from geo.messages import Message, N_, Names

from ..extensions import db
from ..models import Listing, Notification, SavedSearch, User
from .errors import FieldError
from .search import SearchInvalid, SearchQuery, expand_materials, match_offer, query_from_params
from .transaction import unit_of_work

log = logging.getLogger(__name__)

MAX_SAVED_SEARCHES = 50  # per user: each one is checked against every newly published offer
MAX_NAME = 200
NOTIFICATION_KIND = "saved_search_match"
ID_CHUNK = 5000


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def save_search(user: User, query: SearchQuery, *, name: str | None = None, label: dict | None = None) -> SavedSearch:
    """Store ``query`` for ``user``; ``label`` keeps what was typed (material text, site) for display."""
    with unit_of_work():
        name = (name or "").strip()
        if len(name) > MAX_NAME:
            raise FieldError("name", Message(N_("at most %(MAX_NAME)s characters"), MAX_NAME=MAX_NAME))
        count = db.session.scalar(select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id))
        if count >= MAX_SAVED_SEARCHES:
            raise FieldError("name", Message(N_("you already have %(MAX_SAVED_SEARCHES)s saved searches; delete "
                                                "one first"),
                                             MAX_SAVED_SEARCHES=MAX_SAVED_SEARCHES))
        if not name:
            knowledge = load_knowledge()
            materials = ", ".join(knowledge.materials[c].name_zh for c in query.material_codes) or "*"
            name = f"{materials} ≤ {query.radius_km:g} km"
        row = SavedSearch(user_id=user.id, name=name[:MAX_NAME], params=query.to_params() | {"label": label or {}})
        db.session.add(row)
    return row


def delete_search(row: SavedSearch) -> None:
    """Delete the search and the notifications it raised (PostgreSQL cascades; SQLite does not enforce it)."""
    with unit_of_work():
        db.session.execute(delete(Notification).where(Notification.saved_search_id == row.id))
        db.session.delete(row)


def searches_of(user: User) -> list[SavedSearch]:
    return list(db.session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)
                                   .order_by(SavedSearch.id.desc())))


def saved_query(row: SavedSearch) -> SearchQuery:
    return query_from_params(row.params)


def notify_matching_searches(offer_row: Listing, *, today: dt.date | None = None) -> int:
    """Notify the owner of every saved search the newly published offer matches; returns how many.

    Searches of the offer's own organisation are skipped, and so is a search already told about
    this offer (an offer closed and published again does not notify twice).
    """
    return notify_matching_searches_many([offer_row], today=today)


def notify_matching_searches_many(offer_rows: list[Listing], *, today: dt.date | None = None) -> int:
    """:func:`notify_matching_searches` for a batch (an import): the saved searches are read once."""
    offers = [row for row in offer_rows if row.kind == "offer"]
    if not offers:
        return 0
    knowledge = load_knowledge()
    searches = []
    for search, organisation_id in db.session.execute(
            select(SavedSearch, User.organisation_id).join(User, SavedSearch.user_id == User.id)
            .where(User.active.is_(True)).order_by(SavedSearch.id)):
        try:
            query = query_from_params(search.params, knowledge=knowledge)
        except (SearchInvalid, FieldError, KnowledgeError, KeyError, TypeError, ValueError) as exc:
            # A search saved before the knowledge base changed: skip it rather than fail the publish.
            log.warning("saved search %s cannot be read: %s", search.id, exc)
            continue
        codes = expand_materials(query.material_codes, knowledge=knowledge) if query.material_codes else None
        searches.append((search, organisation_id, query, codes))
    if not searches:
        return 0
    already = set()
    ids = [row.id for row in offers]
    for start in range(0, len(ids), ID_CHUNK):  # bound parameters per statement are limited
        already.update(db.session.execute(select(Notification.saved_search_id, Notification.listing_id).where(
            Notification.listing_id.in_(ids[start:start + ID_CHUNK]), Notification.kind == NOTIFICATION_KIND)).tuples())
    created = 0
    with unit_of_work():
        for row in offers:
            owner_org = row.site.organisation_id
            for search, organisation_id, query, codes in searches:
                if (search.id, row.id) in already or (organisation_id is not None and organisation_id == owner_org):
                    continue
                hit = match_offer(query, row, today=today, knowledge=knowledge, codes=codes)
                if hit is None:
                    continue
                material = knowledge.materials.get(hit.material_code)
                name = f"{material.name_zh} / {material.name_en}" if material else hit.material_code
                # An anonymous offer is at most its rounded grid distance away, as search shows it.
                km = _shown_km(query, row, hit.distance_km)
                notice = Message(N_("%(material)s, %(distance)s km away"), distance=km, material=(
                    Names(material.name_zh, material.name_en) if material else hit.material_code))
                db.session.add(Notification(
                    user_id=search.user_id, kind=NOTIFICATION_KIND, saved_search_id=search.id, listing_id=row.id,
                    message=f"{name}, {km} km"[:500], message_data=notice.as_data()))
                created += 1
    return created


def _shown_km(query, row, km: float) -> str:
    from .disclosure import hidden_km
    return f"{hidden_km(query.lon, query.lat, row.site)}" if row.visibility == "anonymous" else f"{km:.1f}"


def notifications_of(user: User, *, limit: int = 200) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id.desc()).limit(limit)))


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def mark_read(row: Notification) -> None:
    if row.read_at is None:
        with unit_of_work():
            row.read_at = _now()


def mark_all_read(user: User) -> int:
    with unit_of_work():
        result = db.session.execute(update(Notification).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=_now()))
    return result.rowcount
