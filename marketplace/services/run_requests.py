"""A plant with no proposed links asks its park's managers for a match run (they get a notification)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from geo.messages import Message, N_, Names

from ..extensions import db
from ..models import MatchRun, Notification, Organisation, Park, Site
from .transaction import unit_of_work

NOTIFICATION_KIND = "run_request"


@dataclass(frozen=True)
class ParkRuns:
    """One park where the organisation has a site, and what matching has done for it."""

    park: Park
    last_run: MatchRun | None     # the latest finished run that covered the park (its own, or province-wide)
    has_managers: bool
    asked: bool                   # a request of this organisation is still unread by the park's managers


def parks_of(organisation: Organisation) -> list[Park]:
    """The parks the organisation's sites are in, by code."""
    return list(db.session.scalars(select(Park).join(Site, Site.park_id == Park.id)
                                   .where(Site.organisation_id == organisation.id).distinct().order_by(Park.code)))


def last_run(park: Park | None) -> MatchRun | None:
    """The latest finished run that covered ``park`` (one for the park or for the whole province)."""
    covering = MatchRun.park_id.is_(None) if park is None else \
        (MatchRun.park_id.is_(None) | (MatchRun.park_id == park.id))
    return db.session.scalar(select(MatchRun).where(covering, MatchRun.status == "done")
                             .order_by(MatchRun.id.desc()).limit(1))


def _pending(organisation: Organisation, park: Park) -> bool:
    return db.session.scalar(select(Notification.id).where(
        Notification.kind == NOTIFICATION_KIND, Notification.organisation_id == organisation.id,
        Notification.park_id == park.id, Notification.read_at.is_(None)).limit(1)) is not None


def run_status(organisation: Organisation) -> list[ParkRuns]:
    """For the empty links page: each of the organisation's parks with its last run and whether it was asked."""
    return [ParkRuns(park, last_run(park), bool(park.managers), _pending(organisation, park))
            for park in parks_of(organisation)]


class RunRequestRefused(ValueError):
    """The organisation has no site in the park, or the park has no manager to ask."""


def request_run(organisation: Organisation, park: Park) -> int:
    """Notify each manager of ``park`` that ``organisation`` asks for a match run; returns how many were told.

    A request still unread by the managers is not repeated: asking twice tells them nothing new (0 is returned).
    """
    with unit_of_work():
        if park not in parks_of(organisation):
            raise RunRequestRefused("the organisation has no site in this park")
        if not park.managers:
            raise RunRequestRefused("the park has no manager on the platform")
        if _pending(organisation, park):
            return 0
        notice = Message(N_("%(organisation)s asks for a match run in %(park)s"),
                         organisation=Names(organisation.name_zh, organisation.name_en),
                         park=Names(park.name_zh, park.name_en))
        for manager in park.managers:
            db.session.add(Notification(user_id=manager.id, kind=NOTIFICATION_KIND, park_id=park.id,
                                        organisation_id=organisation.id,
                                        message=f"{organisation.name_zh}: match run for {park.code}"[:500],
                                        message_data=notice.as_data()))
        return len(park.managers)
