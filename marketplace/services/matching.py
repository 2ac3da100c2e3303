"""The one place where database rows become the matching engine's values, and its results rows again.

Also the proposal workflow: each side accepts or declines a proposed link; a link both accept becomes
agreed and reserves its tonnage on the offer and the want, under row locks so that two acceptances
racing for the same tonnes can never commit more than exist.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from sqlalchemy import case, select, update
from sqlalchemy.orm import joinedload, selectinload

from matching import types as engine
from matching.engine import run_matching
from matching.errors import MatchingError
from matching.knowledge.loader import load_knowledge

from ..extensions import db
from ..models import Licence, Link, Listing, MatchRun, Organisation, Park, Site, User
from .errors import FieldError

ACTIVE_LISTING_STATUSES = ("published", "partly_matched")


def _today() -> dt.date:
    return dt.date.today()


def engine_site(site: Site, licences: list[Licence], today: dt.date) -> engine.Site:
    """A site with the permits and battery listing that apply to it (its own, or its organisation's)."""
    permits = [l for l in licences if l.kind == "hw_permit"]
    permit = None
    if permits:
        # Several permits of one site act as one: the union of codes and capacities, valid while any is.
        valid = [l for l in permits if l.is_valid_on(today)] or permits
        expiries = [l.expires_on for l in valid if l.expires_on is not None]
        permit = engine.Permit(codes=tuple(dict.fromkeys(c for l in valid for c in l.hw_code_list)),
                               capacity_t=sum(l.capacity_t_per_yr or 0.0 for l in valid),
                               expires=max(expiries) if len(expiries) == len(valid) else None)
    scopes = {l.battery_scope for l in licences if l.kind == "battery_listing"}
    battery = "both" if "both" in scopes or {"cascade", "recycling"} <= scopes else next(iter(scopes), None)
    return engine.Site(id=str(site.id), lon=site.lon, lat=site.lat, sector=site.sector_code,
                       park=site.park.code if site.park else None, name=site.name_zh, name_en=site.name_en or "",
                       permit=permit, battery_listing=battery)


def _licences_by_site(sites: list[Site]) -> dict[int, list[Licence]]:
    organisation_ids = {s.organisation_id for s in sites}
    rows = db.session.scalars(select(Licence).where(Licence.organisation_id.in_(organisation_ids))).all() \
        if organisation_ids else []
    by_site: dict[int, list[Licence]] = {s.id: [] for s in sites}
    for site in sites:
        by_site[site.id] = [l for l in rows if l.organisation_id == site.organisation_id
                            and (l.site_id is None or l.site_id == site.id)]
    return by_site


@dataclass(frozen=True)
class EngineInputs:
    offers: list[engine.Offer]
    wants: list[engine.Want]
    sites: list[engine.Site]
    agreements: list[engine.Agreement]


def collect_inputs(*, latent: bool, today: dt.date) -> EngineInputs:
    listings = db.session.scalars(select(Listing).where(Listing.status.in_(ACTIVE_LISTING_STATUSES)).options(
        selectinload(Listing.materials))).all()
    agreed = db.session.scalars(select(Link).where(Link.status.in_(("agreed", "active")))).all()
    site_ids = {l.site_id for l in listings} | {k.receiver_site_id for k in agreed} | {k.supplier_site_id for k in agreed}
    query = select(Site).options(joinedload(Site.park))
    if not latent:  # latent mode needs every site whose sector could use a material
        query = query.where(Site.id.in_(site_ids))
    sites = db.session.scalars(query).unique().all()
    licences = _licences_by_site(list(sites))
    # Tonnage promised to agreed links reaches the engine as the agreements themselves, not as "committed".
    agreed_by_listing: dict[int, float] = {}
    for link in agreed:
        for listing_id in (link.offer_id, link.want_id):
            if listing_id is not None:
                agreed_by_listing[listing_id] = agreed_by_listing.get(listing_id, 0.0) + link.quantity

    def outside(listing: Listing) -> float:
        return max(0.0, listing.committed_quantity - agreed_by_listing.get(listing.id, 0.0))

    offers, wants = [], []
    for listing in listings:
        if listing.kind == "offer":
            offers.append(engine.Offer(
                id=str(listing.id), site_id=str(listing.site_id), material=listing.material_codes[0],
                quantity=listing.annual_quantity, committed=outside(listing), quality=listing.quality,
                price_cny=listing.price_cny, available_from=listing.available_from,
                available_to=listing.available_to, hazard_code=listing.hazard_code,
                transport_modes=tuple(m.strip() for m in (listing.transport_modes or "").split(",")
                                      if m.strip() in engine.TRANSPORT_MODES)))
        else:
            wants.append(engine.Want(
                id=str(listing.id), site_id=str(listing.site_id), materials=tuple(listing.material_codes),
                quantity=listing.annual_quantity, committed=outside(listing), quality=listing.quality,
                max_price_cny=listing.price_cny, available_from=listing.available_from,
                available_to=listing.available_to))
    agreements = [engine.Agreement(offer_id=str(k.offer_id), receiver_site_id=str(k.receiver_site_id),
                                   quantity=k.quantity, want_id=str(k.want_id) if k.want_id else None,
                                   route_id=k.route_id, status=k.status) for k in agreed]
    return EngineInputs(offers, wants, [engine_site(s, licences[s.id], today) for s in sites], agreements)


def start_run(*, user: User | None = None, park: Park | None = None, latent: bool = False,
              today: dt.date | None = None) -> MatchRun:
    """Run the matcher over the published listings and store the run and its proposed links.

    A run that fails (a MatchingError) stores nothing. Earlier proposals nobody has answered yet are
    superseded by the new run's.
    """
    today = today or _today()
    started = time.perf_counter()
    inputs = collect_inputs(latent=latent, today=today)
    collected_s = time.perf_counter() - started
    options = engine.MatchOptions(today=today, latent=latent, park=park.code if park else None)
    knowledge = load_knowledge()
    result = run_matching(inputs.offers, inputs.wants, inputs.sites, knowledge.routes, options=options,
                          knowledge=knowledge, agreements=inputs.agreements)
    summary = result.summary.as_dict()
    try:
        db.session.execute(update(Link).where(Link.status == "proposed", Link.supplier_decision.is_(None),
                                              Link.receiver_decision.is_(None)).values(status="superseded"))
        run = MatchRun(created_by=user, park=park, latent=latent,
                       parameters={"park": park.code if park else None, "latent": latent, "today": today.isoformat()},
                       timings={"collect_s": round(collected_s, 4), **summary.get("timings_s", {})},
                       counts={k: v for k, v in summary.items() if k != "timings_s"})
        db.session.add(run)
        for link in result.links:
            db.session.add(Link(
                run=run, offer_id=int(link.offer_id), want_id=int(link.want_id) if link.want_id else None,
                supplier_site_id=int(link.supplier_site_id), receiver_site_id=int(link.receiver_site_id),
                material_code=link.material, route_id=link.route_id, quantity=link.quantity, unit=link.unit,
                distance_km=link.distance_km, transport_cost_cny=link.transport_cost_cny,
                net_benefit_cny=link.net_benefit_cny, co2_avoided_t=link.co2_avoided_t, score=link.score,
                same_park=link.same_park, coupling=link.coupling, latent=link.latent,
                explanation_zh=link.explanation_zh, explanation_en=link.explanation_en, status="proposed"))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return run


def _side(link: Link, site: Site, listing: Listing | None) -> dict:
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
        "explanation": {"zh": link.explanation_zh, "en": link.explanation_en},
    }


def run_json(run: MatchRun) -> dict:
    links = db.session.scalars(select(Link).where(Link.run_id == run.id).order_by(Link.score.desc(), Link.id).options(
        joinedload(Link.supplier_site).joinedload(Site.organisation),
        joinedload(Link.receiver_site).joinedload(Site.organisation),
        joinedload(Link.offer), joinedload(Link.want))).unique().all()
    return {"run": {"id": run.id, "created_at": run.created_at.isoformat() if run.created_at else None,
                    "parameters": run.parameters, "timings": run.timings, "counts": run.counts},
            "links": [link_json(link) for link in links]}


# ---------------------------------------------------------------------------------------------
# Workflow


class DecisionRefused(ValueError):
    """A decision that cannot be taken: not a party, already decided, or not enough tonnes left."""


def side_of(link: Link, organisation: Organisation | None) -> str | None:
    if organisation is None:
        return None
    if link.supplier_site.organisation_id == organisation.id:
        return "supplier"
    if link.receiver_site.organisation_id == organisation.id:
        return "receiver"
    return None


def decide(link_id: int, *, organisation: Organisation, accept: bool) -> Link:
    """Record ``organisation``'s answer; when both sides have accepted, reserve the tonnage.

    The link and its listings are read under row locks (SELECT … FOR UPDATE on PostgreSQL), so of two
    acceptances racing for the last tonnes of an offer one waits for the other and then sees what is left.
    """
    try:
        link = db.session.scalar(select(Link).where(Link.id == link_id).with_for_update())
        if link is None:
            raise DecisionRefused("no such link")
        side = side_of(link, organisation)
        if side is None:
            raise DecisionRefused("your organisation is not a party to this link")
        if link.status != "proposed":
            raise DecisionRefused(f"the link is {link.status}; it can no longer be answered")
        setattr(link, f"{side}_decision", "accepted" if accept else "declined")
        if not accept:
            link.status = "declined"
        elif link.supplier_decision == "accepted" and link.receiver_decision == "accepted":
            _reserve(link)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return link


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
            raise DecisionRefused(f"only {max(row[0], 0):,.0f} {row[1]} a year are left on listing {listing_id}; "
                                  f"the link needs {link.quantity:,.0f}")
    link.status = "agreed"
    link.agreed_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def links_of(organisation: Organisation) -> list[Link]:
    """Links where the organisation supplies or receives, newest run first."""
    site_ids = select(Site.id).where(Site.organisation_id == organisation.id)
    return list(db.session.scalars(select(Link).where(
        (Link.supplier_site_id.in_(site_ids)) | (Link.receiver_site_id.in_(site_ids)),
        Link.status != "superseded").order_by(Link.run_id.desc(), Link.score.desc())))


__all__ = ["DecisionRefused", "MatchingError", "FieldError", "collect_inputs", "decide", "link_json", "links_of",
           "run_json", "side_of", "start_run"]
