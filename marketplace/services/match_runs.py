"""A match run, from the database's rows to the engine and back: read its inputs, execute it, store it.

Read and written in bulk, since a province run reads tens of thousands of listings and stores as many links:
the inputs are read as columns (Core selects, no ORM objects), links and alternatives are written by
multi-row inserts, and the run's JSON is built from the engine's result and the columns already read, never
from reloaded rows. Everything a run stores is written in one transaction: a failed run stores nothing
(a run queued from the web or the API then stays, marked failed with the reason).

Two ways to run: :func:`start_run` with ``execute="now"`` (the command line, tests that need the links at
once) runs in the caller's process and returns the done run; ``execute="background"`` stores a queued run
and hands it to the job executor (:mod:`.jobs`), which calls :func:`execute_queued`; the run records its
step as it goes and ends done or failed.
"""
from __future__ import annotations

import datetime as dt
import functools
import json
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import NamedTuple

import numpy as np
import orjson
import shapely
from flask import current_app
from sqlalchemy import Text, cast, func, insert, or_, select, type_coerce, update

from geo.messages import Message, N_
from matching import types as engine
from matching.engine import run_matching
from matching.errors import MatchingError
from matching.knowledge.loader import load_knowledge

from ..extensions import db
from ..models import Licence, Link, Listing, MatchRun, Organisation, Park, Site, User
from ..models.link import RunAlternative
from ..models.listing import ListingMaterial, ListingName
from . import explanations
from .explanations import templates_of
from .errors import message_of
from .timestamps import utc_iso
from .transaction import unit_of_work

ACTIVE_LISTING_STATUSES = ("published", "partly_matched")
AGREED_LINK_STATUSES = ("agreed", "active")
# Who matches: the engine in this process, or partitioned over a Dask cluster (see _match).
EXECUTORS = ("engine", "dask")
# How a run may be executed: "now" in the caller's process, "background" by the job executor.
EXECUTIONS = ("now", "background")

# How long a proposal that one side accepted waits for the other before a new run may replace it.
PROPOSAL_LIFETIME = dt.timedelta(days=60)
# Rows per multi-row INSERT: SQLite allows 32 766 bound values a statement (link has 22 columns).
INSERT_CHUNK = 1000


def _today() -> dt.date:
    return dt.date.today()


def _now() -> dt.datetime:
    """Naive UTC, as the timestamps are stored."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


# ---------------------------------------------------------------------------------------------
# Inputs


def engine_permit_and_battery(licences, today: dt.date) -> tuple[engine.Permit | None, str | None]:
    """A site's hazardous-waste permit and battery listing from the licences that apply to it (its own or
    its organisation's): ORM rows or column rows alike (kind, hw_codes, capacity_t_per_yr, expires_on,
    battery_scope)."""
    permits = [l for l in licences if l.kind == "hw_permit"]
    permit = None
    if permits:
        # Several permits of one site act as one: the union of codes and capacities, valid while any is.
        valid = [l for l in permits if l.expires_on is None or l.expires_on >= today] or permits
        expiries = [l.expires_on for l in valid if l.expires_on is not None]
        codes = (c for l in valid for c in (l.hw_codes or "").split(",") if c)
        permit = engine.Permit(codes=tuple(dict.fromkeys(codes)),
                               capacity_t=sum(l.capacity_t_per_yr or 0.0 for l in valid),
                               expires=max(expiries) if len(expiries) == len(valid) else None)
    scopes = {l.battery_scope for l in licences if l.kind == "battery_listing"}
    battery = "both" if "both" in scopes or {"cascade", "recycling"} <= scopes else next(iter(scopes), None)
    return permit, battery


class SideFacts(NamedTuple):
    """What a run's JSON says of a site: its import id, names and organisation (read with the inputs)."""

    external_ref: str
    name_zh: str
    name_en: str | None
    organisation: str


@dataclass(frozen=True)
class EngineInputs:
    offers: list[engine.Offer]
    wants: list[engine.Want]
    sites: list[engine.Site]
    agreements: list[engine.Agreement]
    # For the run's JSON: each site's facts and each want's accepted materials, by database id.
    site_facts: dict[int, SideFacts] = field(default_factory=dict, compare=False)
    want_materials: dict[int, list[str]] = field(default_factory=dict, compare=False)


def _engine_materials(kind: str, codes: tuple[str, ...], base_unit: str) -> tuple[str, ...]:
    """What the engine matches a listing's names by, in the author's order: each name's material (a generic
    name's generic material, a possibly hazardous name's hazardous reading), or the pseudo-code
    ``name:<key>`` of a name still unclassified, matched only with listings naming the same stream.

    A want's quantity is counted in one unit; materials it accepts that are counted in another (brine in
    m3 beside salt in t, accepted at import with a warning) are left out of the engine's want, which
    holds one unit.
    """
    codes = tuple(dict.fromkeys(codes))
    if kind != "want" or len(codes) < 2:
        return codes
    materials = load_knowledge().materials
    same = tuple(code for code in codes if code not in materials or materials[code].unit == base_unit)
    return same or codes[:1]


def _point_columns() -> tuple:
    """The site's location as numbers: PostGIS gives them itself; on SQLite its WKT text, parsed in one go."""
    column = Site.__table__.c.location
    if db.session.get_bind().dialect.name == "postgresql":
        return func.ST_X(column).label("lon"), func.ST_Y(column).label("lat")
    return (type_coerce(column, Text).label("wkt"),)


def _points(rows) -> list[tuple[float | None, float | None]]:
    """Each row's (lon, lat), from the columns of :func:`_point_columns`."""
    if not rows:
        return []
    if "wkt" not in rows[0]._fields:
        return [(row.lon, row.lat) for row in rows]
    points = shapely.from_wkt(np.array([row.wkt for row in rows], dtype=object))
    return list(zip(shapely.get_x(points).tolist(), shapely.get_y(points).tolist()))


def _json_dict(value) -> dict:
    if not isinstance(value, str):
        return value or {}
    return {} if value in ("{}", "null", "") else json.loads(value)


def _json_list(value) -> tuple:
    if not isinstance(value, str):
        return tuple(value or ())
    return () if value in ("[]", "null", "") else tuple(json.loads(value))


def _chunks(values: list, size: int = 5000) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


# The quality as its text, "{}" for most listings: decoded only when it holds something.
LISTING_COLUMNS = (Listing.id, Listing.site_id, Listing.kind, Listing.status, Listing.annual_quantity,
                   Listing.committed_quantity, cast(Listing.quality, Text).label("quality"),
                   Listing.price_cny, Listing.available_from, Listing.available_to, Listing.hazard_code,
                   Listing.transport_modes, Listing.base_unit, Listing.material)


def collect_inputs(*, latent: bool, today: dt.date) -> EngineInputs:
    """The engine's offers, wants, sites and agreements, read as columns.

    Read on the session's connection as Core rows (the ORM's per-row loading is not needed for columns); what
    the session holds unflushed is flushed first, as a query through the session would.
    """
    db.session.flush()
    connection = db.session.connection()
    agreed = connection.execute(select(
        Link.offer_id, Link.want_id, Link.supplier_site_id, Link.receiver_site_id, Link.quantity, Link.route_id,
        Link.status).where(Link.status.in_(AGREED_LINK_STATUSES)).order_by(Link.id)).all()
    # A listing an agreement fills completely is "matched" (or was closed since); the engine still needs
    # it to place the agreement, but with nothing left to offer anew.
    agreed_listing_ids = {k.offer_id for k in agreed} | {k.want_id for k in agreed if k.want_id is not None}
    listings = connection.execute(select(*LISTING_COLUMNS).where(Listing.status.in_(ACTIVE_LISTING_STATUSES))
                               .order_by(Listing.id)).all()
    for ids in _chunks(sorted(agreed_listing_ids - {row.id for row in listings})):
        listings += connection.execute(select(*LISTING_COLUMNS).where(Listing.id.in_(ids)).order_by(Listing.id)).all()
    listing_ids = select(Listing.id).where(or_(Listing.status.in_(ACTIVE_LISTING_STATUSES),
                                               Listing.id.in_(select(Link.offer_id).where(
                                                   Link.status.in_(AGREED_LINK_STATUSES))),
                                               Listing.id.in_(select(Link.want_id).where(
                                                   Link.status.in_(AGREED_LINK_STATUSES)))))
    names: dict[int, list[str]] = {}
    for listing_id, material_code, name_code in connection.execute(
            select(ListingName.listing_id, ListingName.material_code, ListingName.name_code)
            .where(ListingName.listing_id.in_(listing_ids)).order_by(ListingName.listing_id, ListingName.position)):
        names.setdefault(listing_id, []).append(material_code or name_code)
    materials: dict[int, list[str]] = {}
    for listing_id, material_code in connection.execute(
            select(ListingMaterial.listing_id, ListingMaterial.material_code)
            .where(ListingMaterial.listing_id.in_(listing_ids))
            .order_by(ListingMaterial.listing_id, ListingMaterial.position)):
        materials.setdefault(listing_id, []).append(material_code)

    # The two list columns as their text: nearly always "[]", decoded only when not.
    site_columns = (Site.id, Site.organisation_id, Site.external_ref, Site.name_zh, Site.name_en, Site.sector_code,
                    cast(Site.extra_sector_codes, Text).label("extra_sector_codes"),
                    cast(Site.transport_access, Text).label("transport_access"), Park.code.label("park_code"),
                    Organisation.name_zh.label("organisation_name"))
    site_query = select(*site_columns, *_point_columns()).join(Organisation, Organisation.id == Site.organisation_id) \
        .outerjoin(Park, Park.id == Site.park_id).order_by(Site.id)
    if not latent:  # latent mode needs every site whose sector could use a material
        agreed_sites = select(Link.supplier_site_id).where(Link.status.in_(AGREED_LINK_STATUSES)).union(
            select(Link.receiver_site_id).where(Link.status.in_(AGREED_LINK_STATUSES)))
        site_query = site_query.where(or_(Site.id.in_(select(Listing.site_id).where(Listing.id.in_(listing_ids))),
                                          Site.id.in_(agreed_sites)))
    sites = connection.execute(site_query).all()
    points = _points(sites)
    licences_of_org: dict[int, list] = {}
    for licence in connection.execute(select(
            Licence.organisation_id, Licence.site_id, Licence.kind, Licence.hw_codes, Licence.capacity_t_per_yr,
            Licence.expires_on, Licence.battery_scope).where(Licence.organisation_id.in_(
                select(site_query.with_only_columns(Site.organisation_id).order_by(None).subquery())))
            .order_by(Licence.id)):
        licences_of_org.setdefault(licence.organisation_id, []).append(licence)

    # Tonnage promised to agreed links reaches the engine as the agreements themselves, not as "committed".
    agreed_by_listing: dict[int, float] = {}
    for link in agreed:
        for listing_id in (link.offer_id, link.want_id):
            if listing_id is not None:
                agreed_by_listing[listing_id] = agreed_by_listing.get(listing_id, 0.0) + link.quantity

    # Rows unpacked into names (tens of thousands of them: attribute lookups on result rows add up).
    offers, wants, want_materials = [], [], {}
    known_modes = engine.TRANSPORT_MODES
    for (id_, site_id, kind, status, annual, committed, quality, price, available_from, available_to, hazard_code,
         transport_modes, base_unit, written) in listings:
        base = annual if status not in ACTIVE_LISTING_STATUSES else committed
        outside = max(0.0, base - agreed_by_listing.get(id_, 0.0))
        codes = _engine_materials(kind, tuple(names.get(id_) or materials.get(id_, ())), base_unit)
        if kind == "offer":
            offers.append(engine.Offer(
                id=str(id_), site_id=str(site_id), material=codes[0],
                quantity=annual, committed=outside, quality=_json_dict(quality),
                price_cny=price, available_from=available_from, available_to=available_to,
                hazard_code=hazard_code,
                transport_modes=tuple(m.strip() for m in transport_modes.split(",") if m.strip() in known_modes)
                if transport_modes else (),
                # An unclassified stream's unit and words (the engine ignores both for a known material).
                unit=base_unit, material_name=written))
        else:
            want_materials[id_] = materials.get(id_, [])
            wants.append(engine.Want(
                id=str(id_), site_id=str(site_id), materials=codes,
                quantity=annual, committed=outside, quality=_json_dict(quality),
                max_price_cny=price, available_from=available_from,
                available_to=available_to, unit=base_unit))
    agreements = [engine.Agreement(offer_id=str(k.offer_id), receiver_site_id=str(k.receiver_site_id),
                                   quantity=k.quantity, want_id=str(k.want_id) if k.want_id else None,
                                   route_id=k.route_id, status=k.status) for k in agreed]
    engine_sites, facts = [], {}
    for (id_, organisation_id, external_ref, name_zh, name_en, sector, extra_text, access_text, park_code,
         organisation_name, *_), (lon, lat) in zip(sites, points):
        licences = [l for l in licences_of_org.get(organisation_id, ()) if l.site_id in (None, id_)]
        permit, battery = engine_permit_and_battery(licences, today) if licences else (None, None)
        extra_codes, access = _json_list(extra_text), _json_list(access_text)
        extra = tuple(c for c in extra_codes if c != sector) if sector and extra_codes else extra_codes
        engine_sites.append(engine.Site(
            id=str(id_), lon=lon, lat=lat, sector=sector or "", park=park_code, name=name_zh,
            name_en=name_en or "", permit=permit, battery_listing=battery,
            # Every sector of the site counts (a chemical complex making acid and cement); a reading still
            # to confirm is the best guess, used as it is until the owner corrects it.
            extra_sectors=extra if sector else extra[1:], transport_access=access))
        facts[id_] = SideFacts(external_ref, name_zh, name_en, organisation_name)
    return EngineInputs(offers, wants, engine_sites, agreements, facts, want_materials)


# ---------------------------------------------------------------------------------------------
# Execution


def queue_run(*, user: User | None = None, park: Park | None = None, latent: bool = False,
              today: dt.date | None = None) -> MatchRun:
    """Store a queued run for the job executor; it does nothing until :func:`execute_queued` takes it."""
    with unit_of_work():
        run = MatchRun(created_by=user, park=park, latent=latent,
                       parameters=_parameters(park, latent, today or _today()), timings={}, counts={},
                       status="queued", step="queued", holder=this_process())
        db.session.add(run)
    return run


def start_run(*, user: User | None = None, park: Park | None = None, latent: bool = False,
              today: dt.date | None = None, execute: str = "now") -> MatchRun:
    """Run the matcher over the published listings: ``execute="now"`` here and now, returning the done run
    (a MatchingError is raised and nothing is stored); ``"background"`` queued for the job executor, returning
    the queued run at once. What a run stores is said at :func:`store_run`."""
    if execute not in EXECUTIONS:
        raise ValueError(f"execute must be one of {EXECUTIONS}, not {execute!r}")
    if execute == "background":
        run = queue_run(user=user, park=park, latent=latent, today=today)
        from . import jobs

        try:
            jobs.submit_run(run.id)
        except Exception as exc:  # noqa: BLE001 - no executor (scheduler unreachable): the run cannot start
            with unit_of_work():
                reason = failed_because(Message(N_("the job executor could not take the run: %(error)s"),
                                                error=message_of(exc)))
                run.status, run.error, run.error_message = "failed", reason["error"], reason["error_message"]
                run.finished_at, run.holder = _now(), None
        return run
    return run_now(user=user, park=park, latent=latent, today=today).run


def run_now(*, user: User | None = None, park: Park | None = None, latent: bool = False,
            today: dt.date | None = None, executor: str = "engine", scheduler: str | None = None,
            partitions: int | None = None,
            while_storing: Callable[[RunOutcome], None] = lambda outcome: None) -> RunOutcome:
    """Execute a run from this process and store it done; the outcome carries what its JSON is built from.
    ``executor``, ``scheduler`` and ``partitions`` as for :func:`_match`, ``while_storing`` as for
    :func:`store_run`."""
    today = today or _today()
    run = MatchRun(created_by=user, park=park, latent=latent, parameters=_parameters(park, latent, today))
    return execute_run(run, today=today, executor=executor, scheduler=scheduler, partitions=partitions,
                       while_storing=while_storing)


def execute_queued(run_id: int) -> None:
    """The job executor's work: take the queued run, execute it recording each step, end it done or failed.

    A run no longer queued (taken by another worker, or failed by the restart rule) is left alone. A failure
    stores nothing of the run but its status, step reached and reason.
    """
    with unit_of_work():
        taken = db.session.execute(update(MatchRun).where(MatchRun.id == run_id, MatchRun.status == "queued").values(
            status="running", step="collect", started_at=_now(), holder=this_process())).rowcount
    if taken != 1:
        return
    run = db.session.get(MatchRun, run_id)
    today = dt.date.fromisoformat(run.parameters.get("today") or _today().isoformat())
    try:
        execute_run(run, today=today, progress=lambda step: _record_step(run_id, step),
                    executor=current_app.config.get("MATCH_EXECUTOR", "engine"))
    except Exception as exc:  # noqa: BLE001 - whatever failed, the run must not stay "running"
        db.session.rollback()
        message = message_of(exc) if isinstance(exc, MatchingError) else \
            Message(N_("internal error (%(kind)s): %(error)s"), kind=type(exc).__name__, error=message_of(exc))
        if isinstance(exc, MatchingError) and exc.field:
            message = Message(N_("%(field)s: %(message)s"), field=exc.field, message=message)
        with unit_of_work():
            db.session.execute(update(MatchRun).where(MatchRun.id == run_id).values(
                status="failed", finished_at=_now(), holder=None, **failed_because(message)))
        if not isinstance(exc, MatchingError):
            raise


def _record_step(run_id: int, step: str) -> None:
    """Commit the step a running run reached, so that its page sees it while the run goes on."""
    with unit_of_work():
        db.session.execute(update(MatchRun).where(MatchRun.id == run_id).values(step=step))


def _parameters(park: Park | None, latent: bool, today: dt.date) -> dict:
    return {"park": park.code if park else None, "latent": latent, "today": today.isoformat()}


def execute_run(run: MatchRun, *, today: dt.date, progress: Callable[[str], None] = lambda step: None,
                executor: str = "engine", scheduler: str | None = None, partitions: int | None = None,
                while_storing: Callable[[RunOutcome], None] = lambda outcome: None) -> RunOutcome:
    """Execute ``run`` (new, or queued and taken): read its inputs, match, and store it in one transaction.

    ``executor`` says who matches (:func:`_match`): ``"engine"`` in this process, or ``"dask"`` partitioned
    over a cluster (at ``scheduler``, in ``partitions`` pieces).
    """
    started = time.perf_counter()
    progress("collect")
    inputs = collect_inputs(latent=run.latent, today=today)
    collected_s = time.perf_counter() - started
    progress("match")
    options = engine.MatchOptions(today=today, latent=run.latent, park=run.park.code if run.park else None)
    from .knowledge import effective_knowledge  # the data files with the administrators' saved edits

    knowledge = effective_knowledge()
    result = _match(inputs, options, knowledge, executor=executor, scheduler=scheduler, partitions=partitions)
    progress("store")
    started = time.perf_counter()
    outcome = store_run(run, result, inputs, knowledge=knowledge, collected_s=collected_s,
                        while_storing=while_storing)
    outcome.store_s = time.perf_counter() - started
    return outcome


def _match(inputs: EngineInputs, options: engine.MatchOptions, knowledge, *, executor: str,
           scheduler: str | None = None, partitions: int | None = None) -> engine.Result:
    """The engine's result for these inputs, computed by ``executor``: ``"engine"`` in this process, or
    ``"dask"`` partitioned over a Dask cluster (:func:`matching.distributed.run_matching_distributed`) — the
    scheduler at ``scheduler``, else a local cluster sized to the machine; inside a job, which already runs on a
    Dask worker, the job's own cluster; ``partitions`` spatial pieces per material group (``None``: by size).
    The workers get plain arrays and dataclasses, never the database."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, not {executor!r}")
    arguments = (inputs.offers, inputs.wants, inputs.sites, knowledge.routes)
    if executor == "engine":
        # Without the engine's own sentences: a stored link keeps templates (store_run), worded for each reader.
        return run_matching(*arguments, options=options, knowledge=knowledge, agreements=inputs.agreements,
                            explain=False)
    from distributed import get_worker, worker_client

    from matching.distributed import run_matching_distributed

    try:
        get_worker()
    except ValueError:  # not in a job: this process is the client
        return run_matching_distributed(*arguments, options=options, knowledge=knowledge,
                                        agreements=inputs.agreements, scheduler_address=scheduler,
                                        partitions=partitions)
    # A job holds a worker's thread; it leaves the thread pool while its partitions run, or a one-thread worker
    # would wait for itself.
    with worker_client() as job_client:
        return run_matching_distributed(*arguments, options=options, knowledge=knowledge,
                                        agreements=inputs.agreements, client=job_client, partitions=partitions)


def store_run(run: MatchRun, result: engine.Result, inputs: EngineInputs, *, knowledge, collected_s: float,
              while_storing: Callable[[RunOutcome], None] = lambda outcome: None) -> RunOutcome:
    """Store the run done with its proposed links and alternatives, in one transaction, against the links
    already stored:

    - Proposals nobody has answered yet within the run's scope are superseded by the new run's: every
      one for a province run; for a park run those whose supplier or receiver site is in the park, the
      same rule the engine applies to ``options.park``. Other parks' proposals stay as they are.
    - A proposal one side has answered waits for the other side, for ``PROPOSAL_LIFETIME`` after its
      run; after that a new run supersedes it too, so that one silent party cannot hold the tonnes forever.
    - Agreed and active links reach the engine as agreements, which take their tonnes off what the offer
      and the want have left; a new link between the same offer and receiver is for further tonnes and
      is stored next to the agreement.
    - A proposal awaiting the other side's answer is unknown to the engine, so a new link for the same
      offer and receiver site would put the same tonnes to the same parties twice: it is not stored.
      ``counts["already_proposed"]`` says how many were held back; the other counts and totals are
      those of the links stored.

    ``while_storing`` is called with the outcome (every link with its id) before its rows are written, inside
    the transaction: what it starts may go on while they are written, but must not assume they will be.
    """
    summary = result.summary.as_dict()
    with unit_of_work():
        lapsed = select(MatchRun.id).where(MatchRun.created_at < _now() - PROPOSAL_LIFETIME)
        unanswered = [Link.status == "proposed",
                      (Link.supplier_decision.is_(None) & Link.receiver_decision.is_(None)) | Link.run_id.in_(lapsed)]
        if run.park_id is not None or run.park is not None:
            park_id = run.park_id if run.park_id is not None else run.park.id
            in_park = select(Site.id).where(Site.park_id == park_id)
            unanswered.append(Link.supplier_site_id.in_(in_park) | Link.receiver_site_id.in_(in_park))
        superseded = db.session.execute(update(Link).where(*unanswered).values(status="superseded")
                                        .execution_options(synchronize_session=False)).rowcount
        awaiting = set(db.session.execute(select(Link.offer_id, Link.receiver_site_id)
                                          .where(Link.status == "proposed")).tuples())
        links = [link for link in result.links
                 if (int(link.offer_id), int(link.receiver_site_id)) not in awaiting]
        run.timings = {"collect_s": round(collected_s, 4), **summary.get("timings_s", {})}
        run.counts = _run_counts(summary, links, held_back=len(result.links) - len(links), superseded=superseded)
        run.status, run.step, run.error, run.holder = "done", "done", None, None
        run.finished_at = _now()
        if run.started_at is None:
            run.started_at = run.finished_at
        if run.id is None:
            db.session.add(run)
        db.session.flush()  # the run's id, for the bulk inserts
        offers_by_id, wants_by_id = {o.id: o for o in inputs.offers}, {w.id: w for w in inputs.wants}
        stored = []
        for id_, link in zip(_link_ids(len(links)), links):
            zh, en = templates_of(link, knowledge=knowledge, offers=offers_by_id, wants=wants_by_id)
            stored.append(StoredLink(id_, link, zh, en))  # templates naming nobody
        outcome = RunOutcome(run, stored, result.alternatives, inputs)
        while_storing(outcome)
        _insert_rows(Link.__table__, LINK_COLUMNS, (_link_values(run.id, s) for s in stored))
        _insert_alternatives(run.id, result.alternatives)
    return outcome


def _run_counts(summary: dict, links: list[engine.Link], *, held_back: int, superseded: int) -> dict:
    """The engine's counts, with the totals of the links stored when some were held back."""
    counts = {k: v for k, v in summary.items() if k != "timings_s"}
    if held_back:
        allocated: dict[str, float] = {}
        for link in links:
            allocated[link.unit] = allocated.get(link.unit, 0.0) + link.quantity
        counts |= {"links": len(links), "allocated": dict(sorted(allocated.items())),
                   "net_benefit_cny": float(sum(link.net_benefit_cny for link in links)),
                   "co2_avoided_t": float(sum(link.co2_avoided_t for link in links))}
    return counts | {"already_proposed": held_back, "superseded": superseded}


@dataclass(frozen=True)
class StoredLink:
    id: int
    link: engine.Link
    explanation_zh: str
    explanation_en: str


def _link_ids(count: int) -> list[int]:
    """Ids for ``count`` new links, taken before they are inserted (so that the run's JSON can be written while
    they are): PostgreSQL's from the table's sequence; SQLite's after the largest, which no other writer can
    change while this transaction holds the write lock its first UPDATE took. (An INSERT … RETURNING in the
    rows' order would fall back to one statement per row on SQLite.)"""
    if not count:
        return []
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return list(connection.execute(select(func.nextval(func.pg_get_serial_sequence("link", "id")))
                                       .select_from(func.generate_series(1, count))).scalars())
    first = (connection.execute(select(func.max(Link.id))).scalar() or 0) + 1
    return list(range(first, first + count))


def _insert_rows(table, columns: tuple[str, ...], rows: Iterator[tuple]) -> None:
    """Insert rows (tuples in the order of ``columns``) into ``table`` in this transaction, on the session's
    connection: COPY on PostgreSQL (its driver would otherwise send one INSERT per row); on SQLite one prepared
    INSERT that the driver runs for every row (``executemany``), the rows passed as they come. The values are
    plain numbers, strings, booleans and None, which both drivers write as SQLAlchemy would."""
    connection = db.session.connection()
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif connection.dialect.paramstyle == "qmark":
            cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' * len(columns))})",
                               rows)
        else:  # another driver: SQLAlchemy's multi-row insert, a chunk at a time
            statement = insert(table)
            chunk: list[dict] = []
            for row in rows:
                chunk.append(dict(zip(columns, row)))
                if len(chunk) == INSERT_CHUNK:
                    connection.execute(statement, chunk)
                    chunk = []
            if chunk:
                connection.execute(statement, chunk)
    finally:
        cursor.close()


# The stored columns of a link, in the order _link_values gives them.
LINK_COLUMNS = ("id", "run_id", "offer_id", "want_id", "supplier_site_id", "receiver_site_id", "material_code",
                "route_id", "quantity", "unit", "distance_km", "transport_cost_cny", "net_benefit_cny",
                "co2_avoided_t", "transport_co2_t", "score", "same_park", "coupling", "latent", "explanation_zh",
                "explanation_en", "status", "supplier_decision", "receiver_decision", "agreed_at")


def _link_values(run_id: int, s: StoredLink) -> tuple:
    link = s.link
    return (s.id, run_id, int(link.offer_id), int(link.want_id) if link.want_id else None, int(link.supplier_site_id),
            int(link.receiver_site_id), link.material, link.route_id, link.quantity, link.unit, link.distance_km,
            link.transport_cost_cny, link.net_benefit_cny, link.co2_avoided_t, getattr(link, "transport_co2_t", 0.0),
            link.score, link.same_park, link.coupling, link.latent, s.explanation_zh, s.explanation_en, "proposed",
            None, None, None)


ALTERNATIVE_COLUMNS = ("run_id", "offer_id", "want_id", "supplier_site_id", "receiver_site_id", "material_code",
                       "route_id", "mode", "rank", "feasible_receivers", "score", "quantity", "unit",
                       "net_benefit_cny", "net_benefit_cny_per_unit", "distance_km", "latent", "reason")


def _insert_alternatives(run_id: int, alternatives: tuple[engine.Alternative, ...]) -> None:
    """Every offer's ranked alternatives (a province run has tens of thousands)."""
    _insert_rows(RunAlternative.__table__, ALTERNATIVE_COLUMNS, (
        (run_id, int(a.offer_id), int(a.want_id) if a.want_id else None, int(a.supplier_site_id),
         int(a.receiver_site_id), a.material, a.route_id, a.mode, a.rank, a.feasible_receivers, a.score, a.quantity,
         a.unit, a.net_benefit_cny, a.net_benefit_cny_per_unit, a.distance_km, a.latent, a.reason)
        for a in alternatives))


# ---------------------------------------------------------------------------------------------
# The run's JSON, from the engine's result


@dataclass
class RunOutcome:
    """A run just stored, with what its JSON is built from: the engine's links (with their new ids) and
    alternatives, and the facts of each side read with the inputs."""

    run: MatchRun
    links: list[StoredLink]
    alternatives: tuple[engine.Alternative, ...]
    inputs: EngineInputs
    store_s: float = 0.0

    def header(self) -> dict:
        run = self.run
        return {"id": run.id, "created_at": utc_iso(run.created_at), "parameters": run.parameters,
                "timings": run.timings, "counts": run.counts, **run_state(run)}

    @functools.cached_property
    def _sides(self) -> dict[str, tuple[str, str, str]]:
        """Each site's import id, name and organisation, by the engine's site id (worked out once a site)."""
        return {str(site_id): (f.external_ref, f.name_zh, f.organisation)
                for site_id, f in self.inputs.site_facts.items()}

    def _side(self, site_id: str, listing_id: str | None) -> dict:
        ref, name, organisation = self._sides[site_id]
        return {"site_id": ref, "site_name": name, "organisation": organisation,
                "listing_id": int(listing_id) if listing_id else None}

    def _receiver(self, site_id: str, want_id: str | None) -> tuple[str, dict]:
        ref, name, organisation = self._sides[site_id]
        if want_id:
            codes = self.inputs.want_materials.get(int(want_id), [])
            return "want", {"site_id": ref, "site_name": name, "organisation": organisation,
                            "listing_id": int(want_id), "material_codes": codes}
        return "receiver", {"site_id": ref, "site_name": name, "organisation": organisation, "listing_id": None,
                            "material_codes": []}

    def link_documents(self) -> Iterator[dict]:
        """Each link as :func:`~.matching.link_json` writes a stored one, best score first."""
        facts = self.inputs.site_facts
        for s in sorted(self.links, key=lambda s: (-s.link.score, s.id)):
            link = s.link
            key, receiver = self._receiver(link.receiver_site_id, link.want_id)
            # What explanations read of a stored Link row, for a reader shown both sides.
            shown = SimpleNamespace(
                explanation_zh=s.explanation_zh, explanation_en=s.explanation_en, quantity=link.quantity,
                distance_km=link.distance_km, transport_cost_cny=link.transport_cost_cny,
                net_benefit_cny=link.net_benefit_cny, co2_avoided_t=link.co2_avoided_t, score=link.score,
                transport_co2_t=getattr(link, "transport_co2_t", 0.0),
                supplier_site=facts[int(link.supplier_site_id)], receiver_site=facts[int(link.receiver_site_id)])
            yield {"id": s.id, "offer": {**self._side(link.supplier_site_id, link.offer_id),
                                         "material_code": link.material},
                   key: receiver, "route": link.route_id, "quantity": link.quantity, "unit": link.unit,
                   "distance_km": link.distance_km, "transport_cost_cny": link.transport_cost_cny,
                   "net_benefit_cny": link.net_benefit_cny, "co2_avoided_t": link.co2_avoided_t, "score": link.score,
                   "same_park": link.same_park, "coupling": link.coupling, "latent": link.latent,
                   "status": "proposed", "explanation": explanations.both(shown)}

    def alternative_documents(self) -> Iterator[dict]:
        """Each alternative as :func:`~.matching.alternative_json` writes a stored one, by offer and rank."""
        for a in sorted(self.alternatives, key=lambda a: (int(a.offer_id), a.rank)):
            key, receiver = self._receiver(a.receiver_site_id, a.want_id)
            yield {"offer": {**self._side(a.supplier_site_id, a.offer_id), "material_code": a.material},
                   key: receiver, "route": a.route_id, "mode": a.mode, "rank": a.rank,
                   "feasible_receivers": a.feasible_receivers, "score": a.score, "quantity": a.quantity,
                   "unit": a.unit, "net_benefit_cny": a.net_benefit_cny,
                   "net_benefit_cny_per_unit": a.net_benefit_cny_per_unit, "distance_km": a.distance_km,
                   "latent": a.latent, "reason": a.reason}

    def as_json(self) -> dict:
        """The run in the shape of PRODUCT.md section 5, as :func:`~.matching.run_json` reads it back."""
        return {"run": self.header(), "links": list(self.link_documents()),
                "alternatives": list(self.alternative_documents())}

    def json_head(self) -> bytes:
        """The document up to its first link: the run's header, known once the run is stored."""
        return b'{\n  "run": ' + _encode(self.header()) + b',\n  "links": [\n'

    def json_body(self, *, batch: int = 500) -> Iterator[bytes]:
        """The links, then the alternatives, one a line, as UTF-8 text a batch at a time; the ids of the links
        are known before they are stored, so this can be written while they are."""

        def items(documents: Iterator[dict]) -> Iterator[bytes]:
            pending: list[dict] = []
            first = True
            for document in documents:
                pending.append(document)
                if len(pending) == batch:
                    yield (b"" if first else b",\n") + b"    " + b",\n    ".join(map(_encode, pending))
                    pending, first = [], False
            if pending:
                yield (b"" if first else b",\n") + b"    " + b",\n    ".join(map(_encode, pending))
        yield from items(self.link_documents())
        yield b'\n  ],\n  "alternatives": [\n'
        yield from items(self.alternative_documents())

    def json_chunks(self, *, batch: int = 500, body: Iterable[bytes] | None = None) -> Iterator[bytes]:
        """The same document as :meth:`as_json`, as UTF-8 text piece by piece, to stream it: the head, the body
        (``body`` when it was written beforehand by :meth:`json_body`), the end."""
        yield self.json_head()
        yield from self.json_body(batch=batch) if body is None else body
        yield JSON_TAIL


JSON_TAIL = b"\n  ]\n}\n"


def _encode(document) -> bytes:
    """A document as compact UTF-8 JSON by orjson: the same values the standard library would write (numbers in
    their shortest round-trip form, text as it is), several times faster."""
    return orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)


def run_state(run: MatchRun) -> dict:
    """Where a run is: status, step, error, when it started and finished, and what executed its matching
    (``executor``: ``local`` or ``dask``, over how many spatial ``partitions``)."""
    counts = run.counts or {}
    return {"status": run.status, "step": run.step, "error": run.error, "started_at": utc_iso(run.started_at),
            "finished_at": utc_iso(run.finished_at), "executor": counts.get("executor", "local"),
            "partitions": counts.get("partitions", 1)}


# ---------------------------------------------------------------------------------------------
# Runs a restart interrupted


INTERRUPTED = Message(N_("interrupted: the process running it stopped (a restart) before it finished"))


def failed_because(reason) -> dict:
    """The columns of a failed run's reason: English text, and the message each reader gets in their language."""
    return {"error": str(reason)[:2000], "error_message": reason.as_data() if isinstance(reason, Message) else None}


def this_process() -> str:
    """``host:pid:start``: who holds a run, recognisable after a restart even if the pid is reused."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started_at(os.getpid())}"


def _started_at(pid: int) -> str:
    import psutil  # installed with distributed, the job executor

    try:
        return f"{psutil.Process(pid).create_time():.2f}"
    except psutil.Error:
        return "gone"


def holder_gone(holder: str | None) -> bool:
    """Whether the process that held a run is gone: only this machine's processes can be told; a holder
    elsewhere (a Dask worker on another host) is taken to be alive."""
    if not holder:
        return True
    host, _, rest = holder.partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return _started_at(int(pid)) != started


def fail_interrupted(runs: list[MatchRun] | None = None) -> int:
    """Mark failed the queued and running runs (these, or all) whose process is gone; how many.

    Called wherever a run's state is shown, so a run a restart interrupted is never shown running."""
    if runs is None:
        runs = list(db.session.scalars(select(MatchRun).where(MatchRun.status.in_(("queued", "running")))))
    gone = [run for run in runs if run.status in ("queued", "running") and holder_gone(run.holder)]
    failed = 0
    if gone:
        with unit_of_work():
            for run in gone:
                same_holder = MatchRun.holder.is_(None) if run.holder is None else MatchRun.holder == run.holder
                failed += db.session.execute(update(MatchRun).where(
                    MatchRun.id == run.id, MatchRun.status == run.status, same_holder).values(
                    status="failed", finished_at=_now(), holder=None, **failed_because(INTERRUPTED))
                    .execution_options(synchronize_session=False)).rowcount
        for run in gone:
            db.session.refresh(run)
    return failed
