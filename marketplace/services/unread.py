"""What a user has not seen yet: unread notifications and enquiry threads, counted for the navigation's badges.

An enquiry message is addressed to the thread's other side: it is unread until someone of that organisation
opens the thread (:func:`mark_thread_read`). A notification is unread until its reader opens it or marks it read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import distinct, func, or_, select, update

from ..extensions import db
from ..models import Enquiry, EnquiryMessage, Listing, Notification, Organisation, Site, User
from .transaction import unit_of_work


@dataclass(frozen=True)
class Unread:
    notifications: int = 0
    enquiries: int = 0  # threads with at least one message from the other side not opened yet


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def unread_notifications(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)))


def _threads_of(organisation_id: int):
    """The ids of the threads the organisation is a side of (asking, or owning the listing)."""
    return (select(Enquiry.id).join(Listing, Enquiry.listing_id == Listing.id).join(Site, Listing.site_id == Site.id)
            .where(or_(Enquiry.organisation_id == organisation_id, Site.organisation_id == organisation_id)))


def unread_enquiries(organisation: Organisation | None) -> int:
    if organisation is None:
        return 0
    return db.session.scalar(select(func.count(distinct(EnquiryMessage.enquiry_id))).where(
        EnquiryMessage.enquiry_id.in_(_threads_of(organisation.id)),
        EnquiryMessage.organisation_id != organisation.id, EnquiryMessage.read_at.is_(None)))


def unread_thread_ids(organisation: Organisation | None) -> set[int]:
    """The threads with messages the organisation has not opened: the enquiries page marks them."""
    if organisation is None:
        return set()
    return set(db.session.scalars(select(distinct(EnquiryMessage.enquiry_id)).where(
        EnquiryMessage.enquiry_id.in_(_threads_of(organisation.id)),
        EnquiryMessage.organisation_id != organisation.id, EnquiryMessage.read_at.is_(None))))


def unread_of(user: User | None) -> Unread:
    """Both counts for the navigation (two small counting queries per page)."""
    if user is None or not user.is_authenticated:  # no request (a page rendered by a command), or signed out
        return Unread()
    return Unread(notifications=unread_notifications(user), enquiries=unread_enquiries(user.organisation))


def mark_thread_read(enquiry: Enquiry, organisation: Organisation | None) -> int:
    """Mark the messages the other side wrote in ``enquiry`` read by ``organisation``; returns how many.

    Only a side of the thread reads it for its organisation: an administrator looking in marks nothing.
    """
    if organisation is None or organisation.id not in (enquiry.organisation_id, enquiry.listing.site.organisation_id):
        return 0
    if all(m.read_at is not None or m.organisation_id == organisation.id for m in enquiry.messages):
        return 0  # the common case, a thread already read: no write on a page view
    with unit_of_work():
        result = db.session.execute(update(EnquiryMessage).where(
            EnquiryMessage.enquiry_id == enquiry.id, EnquiryMessage.organisation_id != organisation.id,
            EnquiryMessage.read_at.is_(None)).values(read_at=_now()).execution_options(synchronize_session="fetch"))
    return result.rowcount
