"""Read-only queries of the links pages and API: links by park, runs by park, loaded in bulk."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import Enquiry, Link, Listing, MatchRun, Park, Site

# What showing a link touches: both sites with company and park, both listings with the enquiry threads
# that may reveal an anonymous side. Pages show hundreds of links; loaded one by one they took seconds.
LINK_LOADING = (
    joinedload(Link.supplier_site).joinedload(Site.organisation),
    joinedload(Link.supplier_site).joinedload(Site.park),
    joinedload(Link.receiver_site).joinedload(Site.organisation),
    joinedload(Link.receiver_site).joinedload(Site.park),
    selectinload(Link.offer).selectinload(Listing.enquiries).selectinload(Enquiry.messages),
    selectinload(Link.want).selectinload(Listing.enquiries).selectinload(Enquiry.messages),
    joinedload(Link.run),
)


def preload(links: Iterable[Link]) -> list[Link]:
    """Load what showing ``links`` needs in a few queries (for lists built elsewhere)."""
    links = list(links)
    if links:  # the rows are already in the session; this fills their unloaded relationships
        db.session.scalars(select(Link).where(Link.id.in_([k.id for k in links])).options(*LINK_LOADING)).unique().all()
    return links


def links_touching(parks: Iterable[Park]) -> list[Link]:
    """Live (not superseded) links with a side in one of the parks, newest run and best score first."""
    park_ids = [p.id for p in parks]
    if not park_ids:
        return []
    in_parks = select(Site.id).where(Site.park_id.in_(park_ids))
    return list(db.session.scalars(select(Link).where(
        Link.supplier_site_id.in_(in_parks) | Link.receiver_site_id.in_(in_parks),
        Link.status != "superseded").options(*LINK_LOADING).order_by(Link.run_id.desc(), Link.score.desc(), Link.id))
        .unique())


def runs_of(parks: Iterable[Park] | None) -> list[MatchRun]:
    """Every run (``parks=None``) or the runs of the given parks, newest first."""
    query = select(MatchRun).options(joinedload(MatchRun.park), joinedload(MatchRun.created_by)) \
        .order_by(MatchRun.id.desc())
    if parks is not None:
        query = query.where(MatchRun.park_id.in_([p.id for p in parks]))
    return list(db.session.scalars(query).unique())


def links_of_run(run: MatchRun) -> list[Link]:
    """The run's links, best score first."""
    return list(db.session.scalars(select(Link).where(Link.run_id == run.id).options(*LINK_LOADING)
                                   .order_by(Link.score.desc(), Link.id)).unique())
