"""Enquiries: threads between an interested organisation and a listing's owner.

Who may open a page is decided in permissions.py; this module keeps the thread itself coherent:
a thread has exactly two sides (the asking organisation and the listing's owner), one thread per
asking organisation and listing, and only those two sides write in it.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from geo.messages import Message, N_

from ..extensions import db
from ..models import Enquiry, EnquiryMessage, Listing, Organisation, Site, User
from .errors import FieldError
from .transaction import unit_of_work

MAX_MESSAGE_CHARS = 4000
# Statuses a new enquiry may be started on; replies in existing threads stay possible afterwards.
ENQUIRABLE_STATUSES = ("published", "partly_matched")


class EnquiryRefused(PermissionError):
    """The user's organisation is not a side of this thread (or may not start one)."""


def check_body(body: str | None) -> str:
    """The message text, stripped; raise :class:`FieldError` on ``body`` if empty or too long."""
    text = (body or "").strip()
    if not text:
        raise FieldError("body", Message(N_("write a message")))
    if len(text) > MAX_MESSAGE_CHARS:
        raise FieldError("body", Message(N_("at most %(MAX_MESSAGE_CHARS)s characters"),
                                         MAX_MESSAGE_CHARS=MAX_MESSAGE_CHARS))
    return text


def side_of(enquiry: Enquiry, organisation: Organisation | None) -> str | None:
    """``"asker"``, ``"owner"`` or None: which side of the thread ``organisation`` is on."""
    if organisation is None:
        return None
    if organisation.id == enquiry.organisation_id:
        return "asker"
    if organisation.id == enquiry.listing.site.organisation_id:
        return "owner"
    return None


def may_start(listing: Listing, organisation: Organisation | None) -> bool:
    """Whether ``organisation`` may open (or add to) a thread about ``listing``: not its own, and still open."""
    return (organisation is not None and organisation.id != listing.site.organisation_id
            and listing.status in ENQUIRABLE_STATUSES)


def thread_of(listing: Listing, organisation: Organisation | None) -> Enquiry | None:
    """The thread ``organisation`` has about ``listing``, if any."""
    if organisation is None:
        return None
    return next((e for e in listing.enquiries if e.organisation_id == organisation.id), None)


def _add_message(enquiry: Enquiry, user: User, body: str) -> EnquiryMessage:
    message = EnquiryMessage(organisation_id=user.organisation_id, user_id=user.id, body=body)
    enquiry.messages.append(message)
    return message


def start_enquiry(listing: Listing, *, user: User, body: str) -> Enquiry:
    """Open a thread about ``listing`` for the user's organisation with a first message.

    If the organisation already has a thread about the listing, the message is added to it.
    Raises :class:`FieldError` (``body``) or :class:`EnquiryRefused`.
    """
    with unit_of_work():
        if not may_start(listing, user.organisation):
            raise EnquiryRefused("only another organisation may enquire, and only about a published listing")
        text = check_body(body)
        enquiry = thread_of(listing, user.organisation)
        if enquiry is None:
            enquiry = Enquiry(listing=listing, organisation_id=user.organisation_id)
            db.session.add(enquiry)
        _add_message(enquiry, user, text)
    return enquiry


def reply_to_enquiry(enquiry: Enquiry, *, user: User, body: str) -> EnquiryMessage:
    """Add the user's message to the thread; only its two sides write in it."""
    with unit_of_work():
        if side_of(enquiry, user.organisation) is None:
            raise EnquiryRefused("only the two organisations of a thread write in it")
        text = check_body(body)
        message = _add_message(enquiry, user, text)
    return message


def owner_has_replied(enquiry: Enquiry) -> bool:
    owner_id = enquiry.listing.site.organisation_id
    return any(m.organisation_id == owner_id for m in enquiry.messages)


def awaits_reply_from(enquiry: Enquiry, organisation: Organisation | None) -> bool:
    """Whether the last message came from the other side, so ``organisation`` has something to answer."""
    side = side_of(enquiry, organisation)
    return side is not None and bool(enquiry.messages) and enquiry.messages[-1].organisation_id != organisation.id


def enquiries_of(organisation: Organisation) -> list[Enquiry]:
    """Threads the organisation asked, or was asked about its listings; the most recently active first."""
    query = (select(Enquiry).join(Listing, Enquiry.listing_id == Listing.id).join(Site, Listing.site_id == Site.id)
             .where(or_(Enquiry.organisation_id == organisation.id, Site.organisation_id == organisation.id)))
    threads = list(db.session.scalars(query))
    return sorted(threads, key=lambda e: (max((m.id for m in e.messages), default=0), e.id), reverse=True)
