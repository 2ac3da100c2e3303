"""Documented cases: import each as an administrator would, match it, and measure recall@5.

    .venv/bin/python bench/cases.py                  # every folder of tests/cases/, each in a fresh SQLite database
    .venv/bin/python bench/cases.py --write          # also replace "Documented cases" in bench/RESULTS.md
    .venv/bin/python bench/cases.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/DB
                                                     # on PostGIS instead: DB's public schema is DROPPED per case
    .venv/bin/python bench/cases.py --cases DIR --only SLUG --dump DIR   # other cases; the runs' JSON

Per case (tests/cases/<slug>/, format in bench/case_files.py), in a fresh, migrated database:

1. the service area is the box around the case's sites with a one-degree margin (the cases lie all over
   the world; the default area is Anhui), set on the app for the case only;
2. the parks that sites.csv names are created first, from the sites placed in them (an administrator
   imports park boundaries before sites; the cases have no boundary files);
3. sites.csv, then listings.csv, go through the importer the CLI ``import`` command uses (all or
   nothing, listings published). A refused file is counted (the rows the importer names) and then
   imported row by row, without any column the importer called unknown, so that recall is still
   measured on the rows it accepts;
4. the matcher runs through the service (``start_run``) in normal and in latent mode;
5. recall@5: for each documented exchange (the supplier's offer row whose material is written as in
   exchanges.csv, and the receiver site), is the receiver among the 5 best-ranked receivers of that
   offer, allocated links and ``alternatives`` (PRODUCT section 5) in the engine's rank order
   (:func:`ranked_receivers`). An exchange whose rows were refused is a miss;
6. every link of both runs is checked against the receiver's licences: a hazardous stream needs a
   valid permit covering its code or category, a retired battery the compliant-enterprise listing
   of the kind its route needs.

tests/marketplace/test_documented_cases.py runs :func:`run_case` on both databases and holds the
thresholds; this script records, it does not judge.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.case_files import (  # noqa: E402
    CASES_DIR,
    FIRST_DATA_ROW,
    Case,
    Exchange,
    format_problems,
    numbered,
    read_case,
    case_dirs,
    site_points,
)

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Documented cases"
TOP = 5
MARGIN_DEG = 1.0
PARK_HALF_SIDE_DEG = 0.003  # ~300 m around each site a case places in a park
MODES = ("normal", "latent")
FIRST_REASONS = 3


@dataclass
class FileImport:
    """How the importer took one file."""

    rows: int = 0
    accepted_whole: bool = False
    problems: dict[int, list[str]] = field(default_factory=dict)  # row -> reasons; row 1 is the header
    accepted_alone: set[int] = field(default_factory=set)  # rows stored by the row-by-row fallback
    listing_ids: dict[int, int] = field(default_factory=dict)  # listings.csv row -> listing id
    dropped_columns: list[str] = field(default_factory=list)  # unknown to the importer, left out row by row

    @property
    def refused(self) -> int:
        """Rows the importer refused: those it names, or every row when it refused the header."""
        if 1 in self.problems:
            return self.rows
        return len(self.problems)


@dataclass
class CaseResult:
    slug: str
    sites: int = 0
    listing_rows: int = 0
    exchanges: int = 0
    sites_import: FileImport = field(default_factory=FileImport)
    listings_import: FileImport = field(default_factory=FileImport)
    hits: dict[str, int] = field(default_factory=dict)
    misses: dict[str, list[str]] = field(default_factory=dict)
    # Documented exchanges the rules forbid on the case's own data: a hazardous stream (or a battery) to a
    # receiver the case records no permit (or listing) for. No link may go there, so they are reported
    # apart, and recall is also given over the exchanges the rules allow.
    barred: list[str] = field(default_factory=list)
    hits_allowed: dict[str, int] = field(default_factory=dict)
    noncompliant: list[str] = field(default_factory=list)
    to_bystanders: dict[str, list[str]] = field(default_factory=dict)  # documented offers to non-party sites
    ranked_by: str = ""
    notes: list[str] = field(default_factory=list)
    format_problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    outputs: dict[str, dict] = field(default_factory=dict, repr=False)  # the run JSON of each mode

    @property
    def rows_refused(self) -> int:
        return self.sites_import.refused + self.listings_import.refused

    def recall(self, mode: str) -> float:
        return self.hits.get(mode, 0) / self.exchanges if self.exchanges else 0.0

    @property
    def allowed(self) -> int:
        return self.exchanges - len(self.barred)

    def recall_allowed(self, mode: str) -> float:
        """Recall over the documented exchanges the permit and listing rules allow on the case's data."""
        return self.hits_allowed.get(mode, 0) / self.allowed if self.allowed else 1.0


# ---------------------------------------------------------------------------------------------
# Set-up of one case


def service_area_for(case: Case):
    """The box around the case's sites, one degree wider on each side, within the valid range."""
    from geo.area import ANHUI_SERVICE_AREA, ServiceArea

    points = site_points(case)
    if not points:
        return ANHUI_SERVICE_AREA
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return ServiceArea(max(-180.0, min(lons) - MARGIN_DEG), max(-90.0, min(lats) - MARGIN_DEG),
                       min(180.0, max(lons) + MARGIN_DEG), min(90.0, max(lats) + MARGIN_DEG))


def create_parks(case: Case, workdir: Path) -> list[str]:
    """The parks sites.csv names, imported as boundary files are: small squares around their sites."""
    from marketplace.services.errors import FieldError
    from marketplace.services.parks import import_park_boundaries

    squares: dict[str, list[list]] = defaultdict(list)
    for _, row in numbered(case.sites):
        name = row.get("park", "")
        try:
            lon, lat = float(row.get("lon", "")), float(row.get("lat", ""))
        except ValueError:
            continue
        if name:
            d = PARK_HALF_SIDE_DEG
            squares[name].append([[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d],
                                   [lon - d, lat - d]]])
    if not squares:
        return []
    features = [{"type": "Feature", "properties": {"name": name},
                 "geometry": {"type": "MultiPolygon", "coordinates": polygons}}
                for name, polygons in sorted(squares.items())]
    path = workdir / f"{case.slug}-parks.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
                    encoding="utf-8")
    try:
        import_park_boundaries(path)
    except FieldError as exc:
        return [f"parks could not be created ({exc}); sites naming them are refused"]
    return []


def _problems_by_row(problems, file: str) -> dict[int, list[str]]:
    by_row: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        by_row[problem.row].append(f"{file} row {problem.row}, {problem.column}: {problem.reason}")
    return dict(by_row)


def import_file(path: Path, sheet: str) -> FileImport:
    """Import one file as the CLI does; when it is refused, count its bad rows and import the rest row by row."""
    from marketplace.extensions import db
    from marketplace.services.errors import FieldError, ImportRejected
    from marketplace.services.imports import import_tables
    from marketplace.services.imports.files import FIRST_DATA_ROW, Table, read_import_file

    outcome = FileImport()
    try:
        tables = read_import_file(path)
    except FieldError as exc:
        outcome.problems[1] = [f"{path.name}: {exc}"]
        return outcome
    table = tables.get(sheet)
    if table is None:
        outcome.problems[1] = [f"{path.name}: read as {', '.join(tables)}, not {sheet}"]
        return outcome
    rows = [(FIRST_DATA_ROW + offset, row) for offset, row in enumerate(table.rows) if row]
    outcome.rows = len(rows)
    try:
        result = import_tables({sheet: table})
    except FieldError as exc:
        outcome.problems[1] = [f"{path.name}: {exc}"]
        return outcome
    except ImportRejected as exc:
        problems = exc.problems
        outcome.problems = _problems_by_row(problems, path.name)
    except Exception as exc:  # noqa: BLE001 - a crash refuses the file too; the bench goes on and says so
        db.session.rollback()
        problems = []
        outcome.problems[1] = [f"{path.name}: the importer crashed: {_crash(exc)}"]
    else:
        outcome.accepted_whole = True
        if sheet == "listings":
            ids = result.listings.created_ids if result.listings else []
            if len(ids) == len(rows):
                outcome.listing_ids = {number: listing_id for (number, _), listing_id in zip(rows, ids)}
            else:  # identical rows were stored once: find each row's listing by its content
                outcome.listing_ids = _listing_ids_by_content(rows)
        return outcome

    # Refused: take what the importer accepts of each row alone, without the columns it does not know.
    unknown = {p.column for p in problems if p.row == 1 and p.reason.startswith("unknown column")}
    columns = [c for c in table.columns if c not in unknown]
    outcome.dropped_columns = [c for c in table.columns if c in unknown]
    for number, row in rows:
        single = Table(columns, [{c: row.get(c, "") for c in columns}])
        try:
            result = import_tables({sheet: single})
        except ImportRejected as exc:  # the row's own reasons, which a refused header hid
            if number not in outcome.problems:
                outcome.problems[number] = [f"{path.name} row {number}, {p.column}: {p.reason}" for p in exc.problems]
            continue
        except FieldError as exc:
            outcome.problems.setdefault(number, [f"{path.name} row {number}: {exc}"])
            continue
        except Exception as exc:  # noqa: BLE001
            db.session.rollback()
            outcome.problems.setdefault(number, [f"{path.name} row {number}: the importer crashed: {_crash(exc)}"])
            continue
        outcome.accepted_alone.add(number)
        if sheet == "listings":
            ids = result.listings.created_ids if result.listings else []
            if ids:
                outcome.listing_ids[number] = ids[0]
            else:
                outcome.listing_ids.update(_listing_ids_by_content([(number, row)]))
    return outcome


def _crash(exc: Exception) -> str:
    """An unexpected exception in one line."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    line = text[0] if text else ""
    return f"{exc.__class__.__name__}: {line[:160]}{'…' if len(line) > 160 else ''}"


def _listing_ids_by_content(rows: list[tuple[int, dict[str, str]]]) -> dict[int, int]:
    """Each row's stored listing: the one of its site and kind that keeps the row's material as written, else
    the one with the content hash the importer gives the row."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Listing, Site
    from marketplace.services.listing_check import ListingInput, check_listing

    sites = {s.external_ref: s for s in db.session.scalars(select(Site))}
    found = {}
    for number, row in rows:
        site = sites.get(row.get("site_id", ""))
        if site is None:
            continue
        if hasattr(Listing, "material"):
            same = db.session.scalars(select(Listing.id).where(
                Listing.site_id == site.id, Listing.kind == row.get("kind"),
                Listing.material == row.get("material"))).all()
            if len(same) == 1:
                found[number] = same[0]
                continue
        try:
            checked = check_listing(ListingInput(
                kind=row.get("kind", ""), material=row.get("material", ""), quantity=row.get("quantity", ""),
                unit=row.get("unit") or None, quality=row.get("quality") or None,
                price_cny=row.get("price_cny") or None, available_from=row.get("available_from") or None,
                available_to=row.get("available_to") or None, hazard_code=row.get("hazard_code") or None,
                visibility=row.get("visibility") or None, note=row.get("note") or None))
        except Exception:  # noqa: BLE001 - a row the check refuses simply has no listing
            continue
        listing_id = db.session.scalar(select(Listing.id).where(
            Listing.site_id == site.id, Listing.content_hash == checked.content_hash(site.id)))
        if listing_id is not None:
            found[number] = listing_id
    return found


# ---------------------------------------------------------------------------------------------
# Reading the runs


@dataclass(frozen=True)
class Ranked:
    site_ref: str
    how: str  # "link" (allocated) or "alternative"
    rank: int
    score: float
    reason: str = ""  # why an alternative lost (capacity_taken, lower_score ...)


def _receiver_side(entry: dict) -> dict:
    return entry.get("want") or entry.get("receiver") or {}


def ranked_receivers(output: dict) -> dict[int, list[Ranked]]:
    """Offer listing id -> its receivers in the engine's rank order, each site once (at its best rank).

    An alternative carries its ``rank``, which counts every feasible receiver of the offer, allocated ones
    included (matching/alternatives.py); a link carries none. The links, taken by score, fill the ranks
    the alternatives leave free. That is exact for the first ranks: the alternatives listed are the best
    receivers that got nothing, so every rank up to their number that none of them holds is a link's.
    Without alternatives (an older run JSON) the links are simply ranked by score.
    """
    links: dict[int, list[dict]] = defaultdict(list)
    for link in output.get("links", []):
        links[link["offer"]["listing_id"]].append(link)
    others: dict[int, list[dict]] = defaultdict(list)
    for entry in output.get("alternatives") or []:
        others[entry["offer"]["listing_id"]].append(entry)
    ranked: dict[int, list[Ranked]] = {}
    for offer_id in set(links) | set(others):
        items = [Ranked(_receiver_side(a).get("site_id"), "alternative", int(a["rank"]), a.get("score") or 0.0,
                        str(a.get("reason") or "")) for a in others.get(offer_id, [])]
        taken = {item.rank for item in items}
        free = (rank for rank in range(1, 10 ** 6) if rank not in taken)
        for link in sorted(links.get(offer_id, []), key=lambda k: -(k.get("score") or 0.0)):
            items.append(Ranked(_receiver_side(link).get("site_id"), "link", next(free), link.get("score") or 0.0))
        seen, order = set(), []
        for item in sorted(items, key=lambda i: (i.rank, i.how != "link")):
            if item.site_ref not in seen:
                seen.add(item.site_ref)
                order.append(item)
        ranked[offer_id] = order
    return ranked


def noncompliant_links(output: dict, mode: str, *, today: dt.date) -> list[str]:
    """Links whose receiver lacks the hazardous-waste permit or the battery listing the stream needs."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Listing, Site
    from matching.knowledge.loader import load_knowledge

    routes = {route.id: route for route in load_knowledge().routes}
    sites = {s.external_ref: s for s in db.session.scalars(select(Site))}
    found = []
    for link in output.get("links", []):
        offer = db.session.get(Listing, link["offer"]["listing_id"])
        receiver = sites.get(_receiver_side(link).get("site_id"))
        if offer is None or receiver is None:
            continue
        gap = licence_gap(offer, receiver, route=routes.get(link.get("route")), today=today)
        if gap:
            found.append(f"{mode}: {link['offer']['site_id']} {link['offer'].get('material_code')} → "
                         f"{receiver.external_ref} (route {link.get('route')}): {gap}")
    return found


def links_to_bystanders(case: Case, output: dict, documented_offers: set[int]) -> list[str]:
    """Links of a documented offer (listing id) to a site that takes part in no documented exchange."""
    parties = {e.offer_site for e in case.exchanges} | {e.receiver_site for e in case.exchanges}
    return sorted({f"{link['offer']['site_id']} {link['offer'].get('material_code')} → {_receiver_side(link).get('site_id')}"
                   for link in output.get("links", [])
                   if link["offer"]["listing_id"] in documented_offers
                   and _receiver_side(link).get("site_id") not in parties})


def licence_gap(offer, receiver, *, route=None, today: dt.date) -> str | None:
    """What the receiver site lacks to take the offer lawfully (None: nothing).

    A hazardous stream (a hazard code, a hazardous material, a name that may mean one, or a route that
    needs a permit) needs a valid permit of the receiver's site or organisation covering its code or
    category; a retired battery the compliant-enterprise listing of the kind its material or route names.
    """
    from sqlalchemy import or_, select

    from marketplace.extensions import db
    from marketplace.models import Licence
    from matching.knowledge.loader import load_knowledge

    knowledge = load_knowledge()
    materials = [knowledge.materials[c] for c in offer.material_codes if c in knowledge.materials]
    licences = [lic for lic in db.session.scalars(select(Licence).where(
        Licence.organisation_id == receiver.organisation_id,
        or_(Licence.site_id.is_(None), Licence.site_id == receiver.id))) if lic.is_valid_on(today)]
    needs = {m.receiver_licence for m in materials} | ({route.receiver_licence} if route else set())
    hazardous = (bool(offer.hazard_code) or any(m.hazardous for m in materials)
                 or bool(getattr(offer, "possibly_hazardous", False)) or "hw_permit" in needs)
    if hazardous:
        codes = [offer.hazard_code] if offer.hazard_code else [c for m in materials for c in m.hw_codes]
        permits = [lic for lic in licences if lic.kind == "hw_permit"]
        if not any(not codes or any(_permit_covers(lic.hw_code_list, code) for code in codes) for lic in permits):
            return (f"hazardous ({', '.join(codes) or 'code not stated'}) and the receiver holds no valid permit "
                    "covering it")
    scopes = {lic.battery_scope for lic in licences if lic.kind == "battery_listing"}
    for need in sorted(needs & {"battery_cascade", "battery_recycling", "battery_any"}):
        wanted = {"battery_cascade": {"cascade", "both"}, "battery_recycling": {"recycling", "both"},
                  "battery_any": {"cascade", "recycling", "both"}}[need]
        if not scopes & wanted:
            return (f"needs the {need.replace('_', ' ')} listing; the receiver has "
                    f"{', '.join(sorted(s for s in scopes if s)) or 'none'}")
    return None


def _exchange_licence_gap(exchange: Exchange, case: Case, result: CaseResult, offer_rows: dict, *,
                          today: dt.date) -> str | None:
    """What the documented receiver lacks, on the case's own data, to take the documented offer lawfully.

    The case's data, not the platform's reading of it: the offer row states a hazard code and the
    receiver's row records no valid permit covering it. Otherwise a stream the platform reads as hazardous
    when the case does not (a coal plant's 灰渣 read as incineration ash) would leave the count instead of
    showing as a miss. A retired battery, hazardous by what it is, bars on the platform's check.
    """
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Listing, Site

    row_number = offer_rows.get((exchange.offer_site, exchange.offer_material))
    offer_row = case.listings.rows[row_number - FIRST_DATA_ROW] if row_number else {}
    code = offer_row.get("hazard_code", "").strip()
    if code:
        receiver_row = next((row for _, row in numbered(case.sites) if row.get("site_id") == exchange.receiver_site), {})
        permits = [c.strip() for c in receiver_row.get("hw_permit", "").split(",") if c.strip()]
        expiry = receiver_row.get("hw_permit_expiry", "").strip()
        valid = not expiry or expiry >= today.isoformat()
        if not (valid and _permit_covers(permits, code)):
            return (f"the case marks the stream {code} and records no valid permit of the receiver covering it"
                    + (f" (it records {', '.join(permits)}{', expired ' + expiry if not valid else ''})"
                       if permits else ""))
        return None
    offer_id = result.listings_import.listing_ids.get(row_number)
    receiver = db.session.scalar(select(Site).where(Site.external_ref == exchange.receiver_site))
    if offer_id is None or receiver is None:
        return None
    gap = licence_gap(db.session.get(Listing, offer_id), receiver, today=today)
    return gap if gap and "listing" in gap else None


def _permit_covers(permit_codes: list[str], code: str) -> bool:
    """An 8-digit code is covered by itself or its HW category (its last two digits); a category by itself."""
    code = code.strip().upper()
    permit = {c.strip().upper() for c in permit_codes}
    if code.startswith("HW"):
        return code in permit
    return code in permit or f"HW{code[-2:]}" in permit


# ---------------------------------------------------------------------------------------------
# Why an exchange was missed


def explain_miss(exchange: Exchange, offer_id: int | None, ranked: list[Ranked], *, imports: CaseResult,
                 case: Case) -> str:
    """Where the receiver ranked, or the most likely reason it is absent."""
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.models import Listing, Site

    def site_refusal(ref: str) -> str | None:
        if db.session.scalar(select(Site.id).where(Site.external_ref == ref)) is not None:
            return None
        numbers = [n for n, row in numbered(case.sites) if row.get("site_id") == ref]
        return "; ".join(_own_words(r) for n in numbers for r in imports.sites_import.problems.get(n, [])) or "?"

    if offer_id is None:
        supplier = site_refusal(exchange.offer_site)
        if supplier is not None:
            return f"supplier site refused ({supplier})"
        numbers = [n for n, row in numbered(case.listings) if row.get("site_id") == exchange.offer_site
                   and row.get("kind") == "offer" and row.get("material") == exchange.offer_material]
        reasons = [_own_words(r) for n in numbers for r in imports.listings_import.problems.get(n, [])]
        return "offer row refused" + (f" ({'; '.join(reasons)})" if reasons else "")
    receiver_refused = site_refusal(exchange.receiver_site)
    if receiver_refused is not None:
        return f"receiver site refused ({receiver_refused})"
    receiver = db.session.scalar(select(Site).where(Site.external_ref == exchange.receiver_site))
    wants = list(db.session.scalars(select(Listing).where(Listing.site_id == receiver.id, Listing.kind == "want")))
    if not wants:
        return "receiver's want refused"
    position = next((i for i, r in enumerate(ranked) if r.site_ref == exchange.receiver_site), None)
    if position is not None:
        item = ranked[position]
        ahead = ", ".join(f"{r.site_ref} ({r.how})" for r in ranked[:TOP])
        return (f"ranked {item.rank} ({item.how}{', ' + item.reason if item.reason else ''}); "
                f"the first {TOP}: {ahead}")
    try:
        return _why_absent(db.session.get(Listing, offer_id), wants, receiver) + (
            f"; the offer went to {', '.join(r.site_ref for r in ranked[:TOP])}" if ranked else "; the offer got no receiver")
    except Exception as exc:  # noqa: BLE001 - a diagnosis, never a reason to stop measuring
        return f"absent (no diagnosis: {exc.__class__.__name__}: {exc})"


def _own_words(reason: str) -> str:
    """A problem without its "file row N, " prefix."""
    return reason.split(", ", 1)[-1] if " row " in reason.split(",", 1)[0] else reason


def _why_absent(offer, wants, receiver) -> str:
    import datetime as _dt

    from geo.distance import great_circle_km
    from marketplace.services.matching import engine_site
    from matching.knowledge.loader import load_knowledge
    from matching.types import MatchOptions

    knowledge = load_knowledge()
    material = (getattr(offer, "engine_codes", None) or offer.material_codes or ["?"])[0]
    wanted = [code for want in wants for code in (getattr(want, "engine_codes", None) or want.material_codes)]
    gap = licence_gap(offer, receiver, today=_dt.date.today())
    if gap:
        return gap
    if material not in knowledge.materials:
        same = material in wanted
        return f"offer is unclassified ({material})" + ("; the want names the same stream" if same else
                                                        f"; the want names {', '.join(wanted)}")
    related = {material, *knowledge.ancestors(material)}
    accepts = [w for w in wanted if w in related or (w in knowledge.materials and material in knowledge.descendants(w))]
    if not accepts:
        return f"want ({', '.join(wanted)}) does not take the offer's {material}"
    routes = knowledge.routes_for(material)
    if not routes:
        return f"no route for {material}"
    site = engine_site(receiver, [], _dt.date.today())
    sectors = getattr(site, "all_sectors", (site.sector,))
    # A posted want proves the use where no route names the receiver's sector (the engine's fallback).
    usable = [r for r in routes if any(s.startswith(u) for s in sectors for u in r.user_sectors)] or list(routes)
    supplier = offer.site
    km = float(great_circle_km(supplier.lon, supplier.lat, receiver.lon, receiver.lat))
    detour = MatchOptions(today=_dt.date.today()).detour_factor
    radii = {}
    for route in usable:
        for mode, radius in route.transport_km.items():
            radii[mode] = max(radii.get(mode, 0.0), radius)
    road_radius = max(radii.get("road", 0.0), radii.get("pipeline", 0.0))
    if km * detour > road_radius:
        modes = ", ".join(f"{m} {r:.0f}" for m, r in sorted(radii.items()))
        return f"{km:.0f} km apart (≈{km * detour:.0f} km by road) beyond the radius ({modes} km)"
    return (f"material and distance ({km:.0f} km) fit; dropped by quality, price, window, capacity, "
            "the candidate pool or k")


# ---------------------------------------------------------------------------------------------
# One case


def run_case(case_dir: Path, *, workdir: Path | None = None, today: dt.date | None = None) -> CaseResult:
    """Measure one case in the current app context, on an empty migrated database (which it fills)."""
    from flask import current_app
    from sqlalchemy import func, select

    from marketplace.extensions import db
    from marketplace.models import Listing
    from marketplace.services.matching import run_json, start_run

    started = time.perf_counter()
    today = today or dt.date.today()
    case = read_case(case_dir)
    result = CaseResult(case.slug, sites=len(numbered(case.sites)), listing_rows=len(numbered(case.listings)),
                        exchanges=len(case.exchanges), format_problems=format_problems(case_dir))
    saved_area = current_app.config["SERVICE_AREA"]
    current_app.config["SERVICE_AREA"] = service_area_for(case)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            result.notes += create_parks(case, Path(workdir or scratch))
        result.sites_import = import_file(case_dir / "sites.csv", "sites")
        result.listings_import = import_file(case_dir / "listings.csv", "listings")
    finally:
        current_app.config["SERVICE_AREA"] = saved_area
    unpublished = db.session.scalar(select(func.count(Listing.id)).where(Listing.status != "published"))
    if unpublished:
        result.notes.append(f"{unpublished} imported listings are not published: the matcher does not see them")
    for file_import in (result.sites_import, result.listings_import):
        if file_import.problems:
            dropped = file_import.dropped_columns
            result.notes.append(f"{'sites' if file_import is result.sites_import else 'listings'} file refused; "
                                f"{len(file_import.accepted_alone)} of {file_import.rows} rows imported one by one"
                                + (f" without the column(s) {', '.join(dropped)}" if dropped else ""))

    offer_rows = {(row.get("site_id"), row.get("material")): number for number, row in numbered(case.listings)
                  if row.get("kind") == "offer"}
    barred_labels = set()
    for exchange in case.exchanges:
        gap = _exchange_licence_gap(exchange, case, result, offer_rows, today=today)
        if gap:
            barred_labels.add(exchange.label())
            result.barred.append(f"{exchange.label()}: {gap}")
    has_alternatives = True
    for mode in MODES:
        try:
            output = run_json(start_run(latent=mode == "latent", today=today))
        except Exception as exc:  # noqa: BLE001 - every exchange of the mode is then a miss, said so
            db.session.rollback()
            result.notes.append(f"the {mode} run crashed: {_crash(exc)}")
            output = None
        result.hits[mode] = 0
        result.hits_allowed[mode] = 0
        if output is None:
            result.misses[mode] = [f"{exchange.label()}: the run crashed" for exchange in case.exchanges]
            continue
        result.outputs[mode] = output
        has_alternatives = has_alternatives and "alternatives" in output
        ranked = ranked_receivers(output)
        result.misses[mode] = []
        for exchange in case.exchanges:
            offer_id = result.listings_import.listing_ids.get(offer_rows.get((exchange.offer_site,
                                                                             exchange.offer_material)))
            receivers = ranked.get(offer_id, []) if offer_id is not None else []
            if exchange.receiver_site in [r.site_ref for r in receivers[:TOP]]:
                result.hits[mode] += 1
                result.hits_allowed[mode] += exchange.label() not in barred_labels
            else:
                result.misses[mode].append(f"{exchange.label()}: "
                                           + explain_miss(exchange, offer_id, receivers, imports=result, case=case))
        result.noncompliant += noncompliant_links(output, mode, today=today)
        documented = {result.listings_import.listing_ids.get(offer_rows.get((e.offer_site, e.offer_material)))
                      for e in case.exchanges} - {None}
        result.to_bystanders[mode] = links_to_bystanders(case, output, documented)
    result.ranked_by = ("no run completed" if not result.outputs else "links and alternatives by rank"
                        if has_alternatives else "links by score only (the run JSON has no alternatives)")
    result.seconds = time.perf_counter() - started
    return result


# ---------------------------------------------------------------------------------------------
# Databases and the report


def _fresh_app(url: str):
    from flask_migrate import upgrade

    from marketplace import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-cases",
                      "SERVER_NAME": "localhost"})
    logging.disable(logging.INFO)  # the migrations' INFO lines, per case
    try:
        with app.app_context():
            upgrade()
    finally:
        logging.disable(logging.NOTSET)
    return app


def _reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()


def measure(case_paths: list[Path], *, database_url: str | None = None) -> list[CaseResult]:
    """Each case in its own fresh database: a new SQLite file, or the PostGIS schema dropped and migrated."""
    from marketplace.extensions import db

    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for path in case_paths:
            if database_url:
                _reset_postgres(database_url)
                url = database_url
            else:
                url = f"sqlite:///{Path(workdir) / (path.name + '.db')}"
            app = _fresh_app(url)
            with app.app_context():
                try:
                    results.append(run_case(path))
                except Exception as exc:  # noqa: BLE001 - one broken case must not hide the others' figures
                    case = read_case(path)
                    results.append(CaseResult(path.name, sites=len(numbered(case.sites)),
                                              listing_rows=len(numbered(case.listings)), exchanges=len(case.exchanges),
                                              notes=[f"the measurement crashed: {_crash(exc)}"],
                                              format_problems=format_problems(path)))
                finally:
                    db.session.remove()
                    db.engine.dispose()
            print(f"  {path.name}: {results[-1].seconds:.1f} s", file=sys.stderr)
    return results


def table(results: list[CaseResult]) -> str:
    lines = ["| case | sites | listing rows | rows refused (sites + listings) | exchanges | recall@5 normal | "
             "recall@5 latent | barred by licence | recall@5 normal, allowed | recall@5 latent, allowed | "
             "links lacking a permit or listing |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.slug} | {r.sites} | {r.listing_rows} | {r.rows_refused} "
                     f"({r.sites_import.refused} + {r.listings_import.refused}) | {r.exchanges} | "
                     f"{r.recall('normal'):.2f} ({r.hits.get('normal', 0)}/{r.exchanges}) | "
                     f"{r.recall('latent'):.2f} ({r.hits.get('latent', 0)}/{r.exchanges}) | {len(r.barred)} | "
                     + " | ".join(f"{r.recall_allowed(m):.2f} ({r.hits_allowed.get(m, 0)}/{r.allowed})" for m in MODES)
                     + f" | {len(r.noncompliant)} |")
    if results:
        total = sum(r.exchanges for r in results)
        hits = {m: sum(r.hits.get(m, 0) for r in results) for m in MODES}
        allowed = sum(r.allowed for r in results)
        allowed_hits = {m: sum(r.hits_allowed.get(m, 0) for r in results) for m in MODES}
        lines.append(f"| **all** | {sum(r.sites for r in results)} | {sum(r.listing_rows for r in results)} | "
                     f"{sum(r.rows_refused for r in results)} | {total} | "
                     + " | ".join(f"{hits[m] / total if total else 0:.2f} ({hits[m]}/{total})" for m in MODES)
                     + f" | {sum(len(r.barred) for r in results)} | "
                     + " | ".join(f"{allowed_hits[m] / allowed if allowed else 0:.2f} ({allowed_hits[m]}/{allowed})"
                                  for m in MODES)
                     + f" | {sum(len(r.noncompliant) for r in results)} |")
    return "\n".join(lines)


def details(results: list[CaseResult]) -> str:
    out = []
    for r in results:
        out.append(f"**{r.slug}** ({r.seconds:.1f} s; ranking: {r.ranked_by})")
        for problem in r.format_problems:
            out.append(f"- case format: {problem}")
        for note in r.notes:
            out.append(f"- {note}")
        for name, file_import in (("sites.csv", r.sites_import), ("listings.csv", r.listings_import)):
            reasons = [reason for row in sorted(file_import.problems) for reason in file_import.problems[row]]
            if reasons:
                out.append(f"- {name}: {file_import.refused} of {file_import.rows} rows refused, {len(reasons)} "
                           f"problems; first {min(FIRST_REASONS, len(reasons))}:")
                out.extend(f"  - {reason}" for reason in reasons[:FIRST_REASONS])
        for barred in r.barred:
            out.append(f"- barred by licence on the case's data (no link may go there): {barred}")
        for mode in MODES:
            if r.misses.get(mode):
                out.append(f"- missed in {mode} mode ({len(r.misses[mode])}):")
                out.extend(f"  - {miss}" for miss in r.misses[mode])
        for mode in MODES:
            if r.to_bystanders.get(mode):
                out.append(f"- {mode} mode, documented offers also linked to sites outside the documented exchanges "
                           f"(for information; a distractor among them is a nonsense receiver): "
                           f"{'; '.join(r.to_bystanders[mode])}")
        for link in r.noncompliant:
            out.append(f"- link lacking a permit or listing: {link}")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="PostgreSQL + PostGIS URL; its public schema is dropped per case")
    parser.add_argument("--cases", type=Path, default=CASES_DIR, help="folder of case folders (default tests/cases)")
    parser.add_argument("--only", action="append", default=[], help="only this case (repeatable)")
    parser.add_argument("--dump", type=Path, help="write each case's run JSON (<slug>-<mode>.json) into this folder")
    parser.add_argument("--write", action="store_true", help=f"replace '{SECTION[3:]}' in bench/RESULTS.md")
    args = parser.parse_args(argv)

    paths = [p for p in case_dirs(args.cases) if not args.only or p.name in args.only]
    if not paths:
        print(f"no case folders in {args.cases}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    results = measure(paths, database_url=args.database_url)
    elapsed = time.perf_counter() - started
    backend = "PostGIS" if args.database_url else "SQLite"
    print(table(results))
    print()
    print(details(results))
    print(f"{len(results)} cases on {backend} in {elapsed:.0f} s")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
        for r in results:
            for mode, output in r.outputs.items():
                (args.dump / f"{r.slug}-{mode}.json").write_text(
                    json.dumps(output, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if args.write:
        from bench.machine import replace_section

        command = "bench/cases.py" + (" --database-url …" if args.database_url else "") + \
            "".join(f" --only {s}" for s in args.only)
        body = (f"`.venv/bin/python {command} --write` on {dt.date.today().isoformat()}, {backend}, "
                f"{len(results)} cases in {elapsed:.0f} s.\n\n"
                "Each case of tests/cases/ in a fresh database, imported through the CLI's importer as an "
                "administrator (all or nothing; a refused file is then imported row by row, without columns the "
                "importer does not know, so that recall is still measured on what it accepts), then matched in "
                f"normal and latent mode. recall@5: the documented receiver is among the {TOP} best-ranked "
                "receivers of the documented offer (its allocated links and its alternatives, by the engine's rank); "
                "an exchange whose rows were refused is a miss. Targets (issue 9): no row refused, recall@5 ≥ 0.9 "
                "normal and ≥ 0.7 latent, no link to a site lacking the permit or listing it needs. Each case's "
                "service area is the box around its sites widened by one degree (the default is Anhui); the parks "
                "sites.csv names are created first from their sites, as an administrator imports boundaries before "
                "sites. Distances hold anywhere on Earth: the engine searches on the unit sphere and measures "
                "great-circle distance (link `distance_km` equals the haversine distance of the two sites in the "
                "Australian, Korean and Austrian cases). A miss says where the receiver ranked, or what the "
                "harness finds in its way (a refused row, a want that does not take the material, a missing permit, "
                "the distance against the route radii); \"dropped by …\" means the engine's own filters, which the "
                "run JSON does not itemise per pair. \"Barred by licence\": documented exchanges of a stream the "
                "case itself marks hazardous (a hazard code on the offer row) to a receiver the case records no "
                "valid permit for; no link may go there, so recall is also given over the other (\"allowed\") "
                "exchanges, and the test suite holds the targets on those.\n\n"
                + table(results) + "\n\n" + details(results))
        replace_section(str(RESULTS), SECTION, body)
        print(f"written to {RESULTS.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
