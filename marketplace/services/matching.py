"""The one place where database rows become the matching engine's values, and its results rows again.

Also the proposal workflow: each side accepts or declines a proposed link; a link both accept becomes
agreed and reserves its tonnage on the offer and the want, under row locks so that two acceptances
racing for the same tonnes can never commit more than exist. An organisation whose own sites are at
both ends of a link (a transfer between its plants) answers for both sides at once.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, select, update
from sqlalchemy.orm import joinedload

from matching import types as engine
from matching.errors import MatchingError
from geo.messages import Message, N_

from ..extensions import db
from ..models import Licence, Link, Listing, MatchRun, Organisation, Site
from ..models.link import RunAlternative
from . import explanations
from .errors import FieldError
# Runs are read, executed and stored in .match_runs; these names are imported from here too.
from .match_runs import (ACTIVE_LISTING_STATUSES, PROPOSAL_LIFETIME, EngineInputs, RunOutcome,  # noqa: F401
                         _now, collect_inputs, engine_permit_and_battery, fail_interrupted, queue_run, run_now,
                         run_state, start_run)
from .timestamps import utc_iso
from .transaction import unit_of_work, write_transaction


def lapses_on(link: Link) -> dt.date | None:
    """The day a proposal that one side has accepted stops waiting for the other (None for any other link)."""
    answered = {link.supplier_decision, link.receiver_decision} - {None}
    if link.status != "proposed" or answered != {"accepted"} or link.run is None or link.run.created_at is None:
        return None
    return (link.run.created_at + PROPOSAL_LIFETIME).date()


def engine_site(site: Site, licences: list[Licence], today: dt.date) -> engine.Site:
    """A site with the permits and battery listing that apply to it (its own, or its organisation's)."""
    permit, battery = engine_permit_and_battery(licences, today)
    # Every sector of the site counts (a chemical complex making acid and cement); a reading still to
    # confirm is the best guess, used as it is until the owner corrects it.
    return engine.Site(id=str(site.id), lon=site.lon, lat=site.lat, sector=site.sector_code or "",
                       park=site.park.code if site.park else None, name=site.name_zh, name_en=site.name_en or "",
                       permit=permit, battery_listing=battery, extra_sectors=site.sector_codes[1:],
                       transport_access=tuple(site.transport_access or ()))


def _side(link: Link | RunAlternative, site: Site, listing: Listing | None) -> dict:
    return {"site_id": site.external_ref, "site_name": site.name_zh, "organisation": site.organisation.name_zh,
            "listing_id": listing.id if listing else None}


def link_json(link: Link) -> dict:
    """A link in the shape of PRODUCT.md section 5."""
    return {
        "id": link.id,
        "offer": {**_side(link, link.supplier_site, link.offer), "material_code": link.material_code},
        "want" if link.want_id else "receiver": {**_side(link, link.receiver_site, link.want),
                                                  "material_codes": link.want.material_codes if link.want else []},
        "route": link.route_id, "quantity": link.quantity, "unit": link.unit, "distance_km": link.distance_km,
        "transport_cost_cny": link.transport_cost_cny, "net_benefit_cny": link.net_benefit_cny,
        "co2_avoided_t": link.co2_avoided_t, "score": link.score, "same_park": link.same_park,
        "coupling": link.coupling, "latent": link.latent, "status": link.status,
        "explanation": explanations.both(link),  # every name: callers showing it to others use links.present
    }


def alternative_json(alternative: RunAlternative) -> dict:
    """Another receiver that could take an offer, in the shape of PRODUCT.md section 5: the offer and the want
    (or latent receiver) sides as a link's, its rank among the offer's feasible receivers and why it got none."""
    a = alternative
    return {
        "offer": {**_side(a, a.supplier_site, a.offer), "material_code": a.material_code},
        "want" if a.want_id else "receiver": {**_side(a, a.receiver_site, a.want),
                                               "material_codes": a.want.material_codes if a.want else []},
        "route": a.route_id, "mode": a.mode, "rank": a.rank, "feasible_receivers": a.feasible_receivers,
        "score": a.score, "quantity": a.quantity, "unit": a.unit, "net_benefit_cny": a.net_benefit_cny,
        "net_benefit_cny_per_unit": a.net_benefit_cny_per_unit, "distance_km": a.distance_km, "latent": a.latent,
        "reason": a.reason,
    }


ALTERNATIVE_LOADING = (
    joinedload(RunAlternative.supplier_site).joinedload(Site.organisation),
    joinedload(RunAlternative.receiver_site).joinedload(Site.organisation),
    joinedload(RunAlternative.offer), joinedload(RunAlternative.want))


def alternatives_of(run: MatchRun, *, offer_ids: list[int] | None = None, supplier_sites=None,
                    limit: int | None = None) -> list[RunAlternative]:
    """The run's alternatives (of these offers only, or of offers at these supplier sites — ids or a select of
    them — when given; the first ``limit``), by offer and rank, loaded with their sides."""
    query = select(RunAlternative).where(RunAlternative.run_id == run.id)
    if offer_ids is not None:
        query = query.where(RunAlternative.offer_id.in_(offer_ids))
    if supplier_sites is not None:
        query = query.where(RunAlternative.supplier_site_id.in_(supplier_sites))
    query = query.options(*ALTERNATIVE_LOADING).order_by(RunAlternative.offer_id, RunAlternative.rank)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query).unique())


def run_json(run: MatchRun, *, alternatives: bool = True) -> dict:
    """The run in the shape of PRODUCT.md section 5, everything in it (the API filters it per caller)."""
    links = db.session.scalars(select(Link).where(Link.run_id == run.id).order_by(Link.score.desc(), Link.id).options(
        joinedload(Link.supplier_site).joinedload(Site.organisation),
        joinedload(Link.receiver_site).joinedload(Site.organisation),
        joinedload(Link.offer), joinedload(Link.want))).unique().all()
    return {"run": {"id": run.id, "created_at": utc_iso(run.created_at),
                    "parameters": run.parameters, "timings": run.timings, "counts": run.counts, **run_state(run)},
            "links": [link_json(link) for link in links],
            "alternatives": [alternative_json(a) for a in alternatives_of(run)] if alternatives else []}


# ---------------------------------------------------------------------------------------------
# Workflow


class DecisionRefused(ValueError):
    """A decision that cannot be taken: not a party, the link no longer open, or not enough tonnes left.

    ``reason`` (``no_link``, ``not_party``, ``closed``, ``listing_gone``: its offer or want was closed or
    expired, ``short``) and ``params`` let a page say it in
    the reader's language; ``str()`` is the English message the API returns.
    """

    def __init__(self, reason: str, message: str, **params) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = params


SIDES = ("supplier", "receiver")


def sides_of(link: Link, organisation: Organisation | None) -> tuple[str, ...]:
    """The sides of ``link`` whose site belongs to ``organisation``: none, one, or both (its own two sites)."""
    if organisation is None:
        return ()
    return tuple(side for side, site in zip(SIDES, (link.supplier_site, link.receiver_site))
                 if site.organisation_id == organisation.id)


def side_of(link: Link, organisation: Organisation | None) -> str | None:
    """"supplier", "receiver", "both" (a transfer between the organisation's own sites), or None."""
    sides = sides_of(link, organisation)
    return "both" if len(sides) == 2 else next(iter(sides), None)


def answers_open(link: Link, organisation: Organisation | None) -> tuple[str, ...]:
    """What ``organisation`` may answer now: ("accept", "decline"), ("decline",) to withdraw, or ()."""
    sides = sides_of(link, organisation)
    if not sides or link.status != "proposed":
        return ()
    given = {getattr(link, f"{side}_decision") for side in sides}
    if None in given:
        return ("accept", "decline")
    return ("decline",) if given == {"accepted"} else ()


def decide(link_id: int, *, organisation: Organisation, accept: bool) -> Link:
    """Record ``organisation``'s answer; when both sides have accepted, reserve the tonnage.

    The rules, as each side sees them:

    - While the link is proposed, a side that has not answered accepts or declines. A decline ends the
      link ("declined"). An acceptance waits for the other side; once both have accepted the tonnage is
      reserved and the link is agreed, or, if too few tonnes are left, the answer is refused and not kept.
    - A side that has accepted may withdraw (decline) while the link is still proposed, that is while the
      other side has not accepted too; the link is then declined.
    - Giving the answer a side has already given again (a second click, a resent form) changes nothing
      and is no error, as long as the link still stands as that answer left it.
    - Once agreed or active, a link cannot be declined here; once declined or superseded, it cannot be
      answered at all.
    - An organisation holding both sides answers for both at once.
    - A link whose offer or want has been closed or has expired cannot be accepted (closing a listing
      declines its open proposals, see :func:`withdraw_proposals`).

    The link, then its listings in id order, are read afresh under row locks (SELECT … FOR UPDATE on
    PostgreSQL; on SQLite the transaction takes the write lock before reading), so of two answers racing
    for one link, or two acceptances racing for the last tonnes of an offer, one waits for the other and
    then sees what it stored. Every writer that locks links and listings together locks links first.
    """
    with unit_of_work():
        write_transaction()
        # populate_existing: the caller has usually loaded the link already; what it read then may be stale.
        link = db.session.scalar(select(Link).where(Link.id == link_id).with_for_update()
                                 .execution_options(populate_existing=True))
        if link is None:
            raise DecisionRefused("no_link", Message(N_("no such link")))
        listings = _lock_listings(link)
        sides = sides_of(link, organisation)
        if not sides:
            raise DecisionRefused("not_party", Message(N_("your organisation is not a party to this link")))
        answer = "accepted" if accept else "declined"
        given = {getattr(link, f"{side}_decision") for side in sides}
        # An acceptance still stands on a proposed, agreed or active link; a decline on the declined one.
        still_stands = link.status != "declined" if accept else link.status == "declined"
        if given == {answer} and still_stands:
            return link
        if link.status != "proposed":
            gone = next((l for l in listings if l.status in LISTING_GONE), None)
            if gone is not None and link.status == "declined":
                raise DecisionRefused("listing_gone", Message(N_("the %(kind)s was %(status)s, so the link was "
                                                                 "declined; it can no longer be answered"),
                                                              kind=gone.kind, status=gone.status),
                                                      kind=gone.kind, status=gone.status)
            raise DecisionRefused("closed", Message(N_("the link is %(status)s; it can no longer be answered"),
                                                    status=link.status),
                                  status=link.status)
        gone = next((l for l in listings if l.status in LISTING_GONE), None)
        if accept and gone is not None:
            raise DecisionRefused("listing_gone", Message(N_("the %(kind)s is %(status)s; the link can no longer "
                                                             "be accepted"),
                                                          kind=gone.kind, status=gone.status),
                                                  kind=gone.kind, status=gone.status)
        for side in sides:
            setattr(link, f"{side}_decision", answer)
        if not accept:
            link.status = "declined"
        elif link.supplier_decision == "accepted" and link.receiver_decision == "accepted":
            _reserve(link)
    return link


# A listing in one of these states takes no new agreement.
LISTING_GONE = ("draft", "closed", "expired")


def _lock_listings(link: Link) -> list[Listing]:
    """The link's offer and want, read afresh and locked, in id order (the order every writer uses)."""
    ids = sorted({link.offer_id} | ({link.want_id} if link.want_id else set()))
    return list(db.session.scalars(select(Listing).where(Listing.id.in_(ids)).order_by(Listing.id)
                                   .with_for_update().execution_options(populate_existing=True)))


def withdraw_proposals(listing: Listing) -> int:
    """Decline every open proposal of ``listing`` on its owner's behalf (the listing is being closed).

    To be called inside the caller's unit of work, after :func:`~.transaction.write_transaction` and before
    the listing itself is locked: links first, then listings, the order :func:`decide` locks them in, so
    that a close and an acceptance racing each other wait rather than deadlock. Returns how many.
    """
    side = "supplier" if listing.kind == "offer" else "receiver"
    column = Link.offer_id if listing.kind == "offer" else Link.want_id
    links = db.session.scalars(select(Link).where(column == listing.id, Link.status == "proposed")
                               .order_by(Link.id).with_for_update().execution_options(populate_existing=True)).all()
    for link in links:
        setattr(link, f"{side}_decision", "declined")
        link.status = "declined"
    return len(links)


TOLERANCE = 1e-6  # float slack when a link takes exactly what is left


def _reserve(link: Link) -> None:
    """Add the link's quantity to the offer's and the want's committed tonnage, or refuse.

    One conditional UPDATE per listing (available >= quantity, checked by the database on the row
    as it is when written), in id order so two reservations never wait on each other crosswise.
    """
    ids = sorted([link.offer_id] + ([link.want_id] if link.want_id else []))
    for listing_id in ids:
        committed = Listing.committed_quantity + link.quantity
        done = db.session.execute(
            update(Listing)
            .where(Listing.id == listing_id,
                   Listing.annual_quantity - Listing.committed_quantity >= link.quantity - TOLERANCE)
            .values(committed_quantity=case((committed > Listing.annual_quantity, Listing.annual_quantity),
                                            else_=committed),
                    status=case((Listing.annual_quantity - committed <= TOLERANCE, "matched"),
                                else_="partly_matched"))
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:
            row = db.session.execute(select(Listing.annual_quantity - Listing.committed_quantity, Listing.base_unit)
                                     .where(Listing.id == listing_id)).one()
            left = max(row[0], 0)
            raise DecisionRefused("short", Message(N_("only %(left)s %(row)s a year are left on listing "
                                                      "%(listing_id)s; the link needs %(quantity)s"),
                                                   left=f"{left:,.0f}", row=row[1], listing_id=listing_id,
                                                   quantity=f"{link.quantity:,.0f}"),
                                  left=left, unit=row[1], listing=listing_id, needed=link.quantity)
    link.status = "agreed"
    link.agreed_at = _now()


def links_of(organisation: Organisation) -> list[Link]:
    """Links where the organisation supplies or receives, newest run first."""
    site_ids = select(Site.id).where(Site.organisation_id == organisation.id)
    return list(db.session.scalars(select(Link).where(
        (Link.supplier_site_id.in_(site_ids)) | (Link.receiver_site_id.in_(site_ids)),
        Link.status != "superseded").order_by(Link.run_id.desc(), Link.score.desc())))


__all__ = ["DecisionRefused", "MatchingError", "FieldError", "alternative_json", "alternatives_of", "answers_open",
           "collect_inputs", "decide", "fail_interrupted", "link_json", "links_of", "queue_run", "run_json", "run_now",
           "side_of", "sides_of", "start_run", "withdraw_proposals"]
