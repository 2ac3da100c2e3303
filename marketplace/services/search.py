"""Nearby-supply search: offers of a material within a radius, with transport cost and CO2.

The spatial prefilter runs in PostGIS (SQL on `search_offer`, which also applies the quantity, window,
material and price conditions) or in an in-memory index (SQLite), see :mod:`.search_index`; everything after
it — exact distance, filters, costs, score, order — is the same Python on both, so both backends give the
same answer (tests/marketplace/test_search_prefilter.py holds either prefilter to ranking every offer).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from geo.distance import great_circle_km
from matching.knowledge.errors import AmbiguousMaterial, KnowledgeError
from matching.knowledge import Knowledge, load_knowledge, resolve_material
from matching.scoring import dangerous_goods, transport_rates
from matching.types import MatchOptions
from geo.messages import Message, N_

from ..extensions import db
from ..models import Listing, Site, User
from ..permissions import can
from .disclosure import grid_points
from .errors import FieldError, field_error_from
from .listing_values import parse_number, parse_quality
from .search_index import (
    ACTIVE_STATUSES, Candidates, OfferIndex, candidates_from_rows, ensure_statistics,
)

# Search prices a haul as the matching engine does, from the engine's own transport figures (cited in
# matching/types.py): detour factor, road freight and CO2 per t·km, and the dangerous-goods rates for
# hazardous waste and retired batteries. Only road is used: rail and barge need terminals of both sides.
_ENGINE_DEFAULTS = MatchOptions(today=dt.date(2000, 1, 1))
ROAD_DETOUR_FACTOR = _ENGINE_DEFAULTS.detour_factor
TRANSPORT_MODE = "road"
_BULK_CNY, _BULK_CO2_KG = transport_rates(_ENGINE_DEFAULTS, dangerous=False)
_DANGEROUS_CNY, _DANGEROUS_CO2_KG = transport_rates(_ENGINE_DEFAULTS, dangerous=True)
FREIGHT_RATE_CNY_PER_T_KM = {TRANSPORT_MODE: _BULK_CNY[TRANSPORT_MODE]}
TRANSPORT_CO2_T_PER_T_KM = {TRANSPORT_MODE: _BULK_CO2_KG[TRANSPORT_MODE] / 1000}
# Streams that travel by pipe or wire, not by truck: no road transport cost or CO2 is estimated.
PIPED_FAMILIES = frozenset({"energy", "gas", "water"})

# Grades ordered best first, for "grade=II means II or better": GB/T 1596-2017 fly ash grades
# (grade I has the strictest limits) and GB/T 18046-2017 slag powder grades (S105 the most active).
ORDERED_GRADES = {
    ("coal-fly-ash", "grade"): ("I", "II", "III"),
    ("ggbs", "grade"): ("S105", "S95", "S75"),
}

SORTS = ("distance", "delivered_cost", "score")
DEFAULT_RADIUS_KM = 50.0
# Wider than any route's economic radius (barge, 600 km) but not the whole country.
MAX_RADIUS_KM = 1000.0
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Paging: a page starts this many hits in at most (200 pages of 50), which no reader pages through.
MAX_OFFSET = 10_000
# The score weighs closeness, delivered cost (relative to the other hits) and quantity available.
SCORE_WEIGHTS = {"closeness": 0.5, "cost": 0.3, "quantity": 0.2}


class SearchInvalid(ValueError):
    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


@dataclass(frozen=True)
class QualityFilter:
    """One quality condition: ``key`` as written (``loi_pct_max``), on ``attribute`` (``loi_pct``)."""

    key: str
    attribute: str
    op: str  # "<=", ">=", "==" or "at_least" (this grade or a better one)
    value: float | str
    order: tuple[str, ...] = ()

    def allows(self, quality: Mapping) -> bool:
        """Whether an offer's stated quality meets the condition; an unstated attribute does not.

        Examples
        --------
        >>> QualityFilter("grade", "grade", "at_least", "II", ("I", "II", "III")).allows({"grade": "I"})
        True
        >>> QualityFilter("loi_pct_max", "loi_pct", "<=", 5.0).allows({"loi_pct": 6.5})
        False
        """
        measured = quality.get(self.attribute)
        if measured is None:
            return False
        if self.op == "at_least":
            return str(measured) in self.order and self.order.index(str(measured)) <= self.order.index(self.value)
        if self.op == "==":
            return str(measured) == str(self.value)
        if isinstance(measured, bool) or not isinstance(measured, (int, float)):
            return False
        return measured <= self.value if self.op == "<=" else measured >= self.value


def _value_errors(*, lon: float | None, lat: float | None, radius_km: float, min_quantity: float,
                  max_price: float | None, sort: str, limit: int, offset: int = 0) -> list[FieldError]:
    """What is wrong with a query's values (a missing point is the caller's to report)."""
    errors = []
    if lon is not None and not (math.isfinite(lon) and -180 <= lon <= 180):
        errors.append(FieldError("lon", Message(N_("longitude %(lon)s is not between -180 and 180"), lon=lon)))
    if lat is not None and not (math.isfinite(lat) and -90 <= lat <= 90):
        errors.append(FieldError("lat", Message(N_("latitude %(lat)s is not between -90 and 90"), lat=lat)))
    if not (math.isfinite(radius_km) and 0 < radius_km <= MAX_RADIUS_KM):
        errors.append(FieldError("radius_km", Message(N_("the radius must be more than 0 and at most "
                                                         "%(MAX_RADIUS_KM)g km"),
                                                      MAX_RADIUS_KM=MAX_RADIUS_KM)))
    if not (math.isfinite(min_quantity) and min_quantity >= 0):
        errors.append(FieldError("min_quantity", Message(N_("the minimum quantity cannot be negative"))))
    if max_price is not None and not math.isfinite(max_price):
        errors.append(FieldError("max_price", Message(N_("the maximum price must be a finite number"))))
    if sort not in SORTS:
        errors.append(FieldError("sort", Message(N_("sort by one of %(SORTS)s"), SORTS=', '.join(SORTS))))
    if not 1 <= limit <= MAX_LIMIT:
        errors.append(FieldError("limit", Message(N_("the limit must be between 1 and %(MAX_LIMIT)s"),
                                                  MAX_LIMIT=MAX_LIMIT)))
    if not 0 <= offset <= MAX_OFFSET:
        errors.append(FieldError("offset", Message(N_("the offset must be between 0 and %(MAX_OFFSET)s"),
                                                   MAX_OFFSET=MAX_OFFSET)))
    return errors


@dataclass(frozen=True, kw_only=True)
class SearchQuery:
    """A radius search for offers; distances in km, quantities per year in the material's base unit."""

    lon: float
    lat: float
    radius_km: float = DEFAULT_RADIUS_KM
    # As chosen; the search adds their child materials. Empty: every material.
    material_codes: tuple[str, ...] = ()
    min_quantity: float = 0.0
    quality: tuple[QualityFilter, ...] = ()
    max_price_cny: float | None = None
    sort: str = "distance"
    limit: int = DEFAULT_LIMIT
    # Hits skipped before the first one returned (paging).
    offset: int = 0
    # Offers whose availability starts after today are found too (hits say so: SearchHit.upcoming), as the
    # matching engine counts any window that has not ended.
    include_upcoming: bool = True
    # The searcher's own organisation, whose offers are left out (its own supply is not what it searches for).
    exclude_organisation_id: int | None = None

    def __post_init__(self) -> None:
        errors = _value_errors(lon=self.lon, lat=self.lat, radius_km=self.radius_km, min_quantity=self.min_quantity,
                               max_price=self.max_price_cny, sort=self.sort, limit=self.limit, offset=self.offset)
        if errors:
            raise SearchInvalid(errors)

    def to_params(self) -> dict:
        """Plain JSON for a saved search; :func:`query_from_params` reads it back."""
        return {"lon": self.lon, "lat": self.lat, "radius_km": self.radius_km,
                "material_codes": list(self.material_codes), "min_quantity": self.min_quantity,
                "quality": {f.key: f.value for f in self.quality}, "max_price_cny": self.max_price_cny,
                "sort": self.sort, "limit": self.limit, "include_upcoming": self.include_upcoming}


@dataclass(frozen=True)
class SearchHit:
    """An offer found, with what it costs to bring it to the search point (per base unit)."""

    listing: Listing
    material_code: str
    distance_km: float                 # great circle
    road_distance_km: float            # great circle x ROAD_DETOUR_FACTOR
    transport_cost_cny: float | None   # per base unit; None unless the material goes by truck (tonnes)
    delivered_cost_cny: float | None   # price + transport; None without a price or a transport cost
    co2_t: float | None                # t CO2 of transport per base unit
    score: float                       # 0..1, higher is better
    upcoming: bool = False             # its availability starts after the day searched: see listing.available_from

    @property
    def listing_id(self) -> int:
        return self.listing.id


@dataclass(frozen=True, kw_only=True)
class SearchInput:
    """A search as typed in the form or the API (strings allowed)."""

    material: str | None = None
    want_id: int | str | None = None
    site_id: int | str | None = None
    lon: str | float | None = None
    lat: str | float | None = None
    radius_km: str | float | None = None
    min_quantity: str | float | None = None
    quality: str | Mapping | None = None
    max_price: str | float | None = None
    sort: str | None = None
    limit: int | str | None = None
    offset: int | str | None = None
    # Leave out the offers of the searching user's organisation.
    exclude_own: bool = False


# --------------------------------------------------------------------------- building a query


def _clean(text) -> str:
    # Full-width digits and letters from Chinese input methods become ASCII, as in listings.
    return unicodedata.normalize("NFKC", str(text)).strip() if text is not None else ""


def expand_materials(codes, *, knowledge: Knowledge | None = None) -> frozenset[str]:
    """What a want for ``codes`` takes, as the matcher decides it (matching.acceptance): the materials, their
    kinds, and what serves them (a search for fertiliser finds digestate, one for fuel finds waste wood).

    Examples
    --------
    >>> "coal-fly-ash-class-f" in expand_materials(["coal-fly-ash"])
    True
    >>> "digestate" in expand_materials(["fertiliser"])
    True
    """
    from matching.acceptance import acceptance_for

    rules = acceptance_for(knowledge or load_knowledge())
    return frozenset(taken for code in codes for taken in rules.accepted(code))


def quality_filters(quality: str | Mapping | None, material_codes, *,
                    knowledge: Knowledge | None = None) -> tuple[QualityFilter, ...]:
    """Conditions from ``grade=II; loi_pct_max=5`` (listing conventions: ``_min`` / ``_max`` bound numbers).

    Raises
    ------
    FieldError
        On ``quality`` when a key is unknown for the materials or a value does not fit it.

    Examples
    --------
    >>> [f.op for f in quality_filters("grade=II; loi_pct_max=5", ["coal-fly-ash"])]
    ['at_least', '<=']
    """
    knowledge = knowledge or load_knowledge()
    pairs = parse_quality(quality)
    if not pairs:
        return ()
    if not material_codes:
        raise FieldError("quality", Message(N_("choose a material to filter by quality")))
    expanded = sorted(expand_materials(material_codes, knowledge=knowledge))
    attributes = {}
    for code in expanded:
        for attribute in knowledge.quality_attributes(code):
            attributes.setdefault(attribute.key, (attribute, code))
    filters = []
    for key, value in sorted(pairs.items()):
        match = re.fullmatch(r"(.+)_(min|max)", key)
        base = match.group(1) if match and match.group(1) in attributes else key
        if base not in attributes:
            known = ", ".join(sorted(attributes)) or "none"
            raise FieldError("quality", Message(N_("unknown quality key %(key)r; known keys: %(known)s"),
                                                key=key, known=known))
        attribute, code = attributes[base]
        if base != key:
            if attribute.values:
                raise FieldError("quality", Message(N_("%(key)s: %(base)s is one of %(values)s; write %(base)s=…"),
                                                    key=key, base=base, values=', '.join(attribute.values)))
            if not isinstance(value, float):
                raise FieldError("quality", Message(N_("%(key)s=%(value)r: _min and _max need a number (%(unit)s)"),
                                                    key=key, value=value, unit=attribute.unit))
            filters.append(QualityFilter(key, base, ">=" if key.endswith("_min") else "<=", value))
            continue
        if not attribute.values:
            raise FieldError("quality", Message(N_("%(key)s: give a bound, %(key)s_min=… or %(key)s_max=…"),
                                                key=key))
        if str(value) not in attribute.values:
            raise FieldError("quality", Message(N_("%(key)s=%(value)r is not one of %(values)s"),
                                                key=key, value=value, values=', '.join(attribute.values)))
        order = _grade_order(code, base, knowledge)
        if order:
            filters.append(QualityFilter(key, base, "at_least", str(value), order))
        else:
            filters.append(QualityFilter(key, base, "==", str(value)))
    return tuple(filters)


def _grade_order(code: str, key: str, knowledge: Knowledge) -> tuple[str, ...]:
    for each in (code, *knowledge.ancestors(code)):
        if (each, key) in ORDERED_GRADES:
            return ORDERED_GRADES[(each, key)]
    return ()


def _materials_from_text(text: str, knowledge: Knowledge) -> tuple[str, ...]:
    codes = []
    for part in [t for t in re.split(r"\s*[|｜]\s*", _clean(text)) if t]:
        try:
            codes.append(resolve_material(part, knowledge=knowledge).code)
        except AmbiguousMaterial as exc:
            # A listing must say which gypsum it is; a search for "gypsum" wants all of them.
            codes.extend(exc.candidates)
        except KnowledgeError as exc:
            raise field_error_from(exc, default_field="material") from None
    return tuple(dict.fromkeys(codes))


def _parse_int(value, field_name: str, what: str = "an id") -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(_clean(value))
    except ValueError:
        raise FieldError(field_name, Message(N_("%(value)r is not %(what)s"), value=_clean(value), what=what)) from None


def build_query(data: SearchInput, *, user: User, knowledge: Knowledge | None = None) -> SearchQuery:
    """Turn typed input into a :class:`SearchQuery`; raise :class:`SearchInvalid` naming every bad field.

    The point is ``lon``/``lat`` when typed, else one of the user's sites, else the want's site.
    The materials are those typed, else those the want accepts, else every material.
    """
    knowledge = knowledge or load_knowledge()
    errors: list[FieldError] = []

    def attempt(fn, *args, default=None):
        try:
            return fn(*args)
        except FieldError as exc:
            errors.append(exc)
            return default

    want = site = None
    want_id = attempt(_parse_int, data.want_id, "want")
    if want_id is not None:
        want = db.session.get(Listing, want_id)
        if want is None or want.kind != "want" or not can(user, "want.search", want):
            errors.append(FieldError("want", Message(N_("not one of your wants"))))
            want = None
    site_id = attempt(_parse_int, data.site_id, "site")
    if site_id is not None:
        site = db.session.get(Site, site_id)
        if site is None or not can(user, "site.view", site):
            errors.append(FieldError("site", Message(N_("not one of your sites"))))
            site = None

    codes: tuple[str, ...] = ()
    material_failed = False
    if _clean(data.material):
        codes = attempt(_materials_from_text, data.material, knowledge, default=())
        material_failed = not codes
    elif want is not None:
        codes = tuple(want.material_codes)

    lon = lat = None
    if _clean(data.lon) or _clean(data.lat):
        lon = attempt(parse_number, data.lon, "lon")
        lat = attempt(parse_number, data.lat, "lat")
    elif site is not None:
        lon, lat = site.lon, site.lat
    elif want is not None:
        lon, lat = want.site.lon, want.site.lat
    elif site_id is None and want_id is None:
        errors.append(FieldError("site", Message(N_("choose one of your sites or give a longitude and latitude"))))

    radius = DEFAULT_RADIUS_KM
    if _clean(data.radius_km):
        radius = attempt(parse_number, data.radius_km, "radius_km", default=DEFAULT_RADIUS_KM)
    min_quantity = attempt(parse_number, data.min_quantity, "min_quantity", default=0.0) \
        if _clean(data.min_quantity) else 0.0
    max_price = attempt(parse_number, data.max_price, "max_price") if _clean(data.max_price) else None
    quality = ()
    if data.quality and not material_failed:  # quality keys are checked against the materials
        quality = attempt(lambda: quality_filters(data.quality, codes, knowledge=knowledge), default=())
    sort = _clean(data.sort) or "distance"
    limit = DEFAULT_LIMIT
    if _clean(data.limit):
        limit = attempt(_parse_int, data.limit, "limit", "a whole number", default=DEFAULT_LIMIT)
    offset = 0
    if _clean(data.offset):
        offset = attempt(_parse_int, data.offset, "offset", "a whole number", default=0)

    failed = {e.field for e in errors}
    errors += [e for e in _value_errors(lon=lon, lat=lat, radius_km=radius, min_quantity=min_quantity,
                                        max_price=max_price, sort=sort, limit=limit, offset=offset)
               if e.field not in failed]
    if errors:
        raise SearchInvalid(errors)
    return SearchQuery(lon=lon, lat=lat, radius_km=radius, material_codes=codes, min_quantity=min_quantity,
                       quality=quality, max_price_cny=max_price, sort=sort, limit=limit, offset=offset,
                       exclude_organisation_id=user.organisation_id if data.exclude_own else None)


def query_from_params(params: Mapping, *, knowledge: Knowledge | None = None) -> SearchQuery:
    """Read back :meth:`SearchQuery.to_params` (a saved search).

    Raises
    ------
    KnowledgeError
        If a material code is no longer in the knowledge base.
    SearchInvalid, FieldError
        If a value or a quality key no longer fits.
    """
    knowledge = knowledge or load_knowledge()
    codes = tuple(knowledge.material(code).code for code in params.get("material_codes") or ())
    return SearchQuery(
        lon=float(params["lon"]), lat=float(params["lat"]), radius_km=float(params["radius_km"]),
        material_codes=codes, min_quantity=float(params.get("min_quantity") or 0.0),
        quality=quality_filters(params.get("quality") or None, codes, knowledge=knowledge),
        max_price_cny=None if params.get("max_price_cny") is None else float(params["max_price_cny"]),
        sort=params.get("sort") or "distance", limit=int(params.get("limit") or DEFAULT_LIMIT),
        include_upcoming=bool(params.get("include_upcoming", True)))


# --------------------------------------------------------------------------- searching


def offer_index() -> OfferIndex:
    """This app's in-memory index of active offers (both backends)."""
    index = current_app.extensions.get("offer_index")
    if index is None or index.engine is not db.engine:
        index = current_app.extensions["offer_index"] = OfferIndex(db.engine)
    return index


def _candidates(query: SearchQuery, codes: frozenset[str] | None, today: dt.date) -> Candidates:
    with_quality = bool(query.quality)
    index = offer_index()
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        ensure_statistics(db.engine)  # for the page of hits' queries after a bulk import
    return index.near(query.lon, query.lat, query.radius_km, codes=codes, with_quality=with_quality,
                      session_connection=db.session.connection() if postgres or index.in_memory else None)


@dataclass(frozen=True)
class _Ranked:
    listing_id: int
    material_code: str
    distance_km: float
    road_distance_km: float
    transport_cost_cny: float | None
    delivered_cost_cny: float | None
    co2_t: float | None
    score: float


def _trucked(code: str, base_unit: str, knowledge: Knowledge) -> bool:
    material = knowledge.materials.get(code)
    return base_unit == "t" and (material is None or material.family not in PIPED_FAMILIES)


def rank_candidates(found: Candidates, query: SearchQuery, *, codes: frozenset[str] | None,
                    today: dt.date, knowledge: Knowledge | None = None,
                    limit: int | None = None) -> list[_Ranked]:
    """The exact predicate, costs, score and order: the one place both backends share.

    Vectorised: a 50 km search in a dense province passes thousands of candidates through here.
    """
    if not len(found):
        return []
    knowledge = knowledge or load_knowledge()
    # Material codes as small integers in code order (few distinct codes among many rows): every test on
    # them below is then numeric, where comparing and sorting strings per row cost more than the rest.
    names, code_rank = found.code_names, found.code_rank
    # An anonymous offer is where everyone but its own side sees it, at its grid point: a search's radius and
    # order must not tell more than its map does (shrinking the radius would otherwise find the exact distance).
    lon, lat = found.lon, found.lat
    if found.anonymous.any():
        hidden = np.flatnonzero(found.anonymous)
        lon, lat = lon.copy(), lat.copy()
        lon[hidden], lat[hidden] = grid_points(lon[hidden]), grid_points(lat[hidden])
    distance = np.atleast_1d(great_circle_km(query.lon, query.lat, lon, lat))
    day = today.toordinal()
    keep = ((distance <= query.radius_km) & (found.available > 0) & (found.available >= query.min_quantity)
            & (found.end >= day))
    if not query.include_upcoming:
        keep &= found.start <= day
    if codes is not None:
        keep &= np.isin(code_rank, [k for k, name in enumerate(names) if name in codes])
    if query.max_price_cny is not None:
        keep &= ~np.isnan(found.price) & (found.price <= query.max_price_cny)
    rows = np.flatnonzero(keep)
    if query.quality:
        # What a material is by definition (class F fly ash is class F) counts as stated; the offer's own word wins.
        rows = np.array([i for i in rows
                         if all(f.allows({**_implied(names[code_rank[i]], knowledge), **found.quality_of(int(i))})
                                for f in query.quality)], dtype=np.int64)
    if not len(rows):
        return []
    # By listing id (then code), keeping one row per offer: an offer is one material, but never list one twice.
    # (Only when some offer has two rows: nothing below depends on the rows' order.)
    listing_ids = np.sort(found.ids[rows])
    if len(listing_ids) > 1 and (listing_ids[1:] == listing_ids[:-1]).any():
        rows = rows[np.lexsort((code_rank[rows], found.ids[rows]))]
        rows = rows[np.concatenate(([True], np.diff(found.ids[rows]) != 0))]

    ids, row_codes, d = found.ids[rows], code_rank[rows], distance[rows]
    road = d * ROAD_DETOUR_FACTOR
    trucked = np.isin(row_codes, [k for k, name in enumerate(names) if _trucked(name, "t", knowledge)]) \
        & found.in_tonnes[rows]
    dangerous = np.isin(row_codes, [k for k, name in enumerate(names)
                                    if name in knowledge.materials and dangerous_goods(knowledge.materials[name])])
    cny_per_t_km = np.where(dangerous, _DANGEROUS_CNY[TRANSPORT_MODE], _BULK_CNY[TRANSPORT_MODE])
    co2_t_per_t_km = np.where(dangerous, _DANGEROUS_CO2_KG[TRANSPORT_MODE], _BULK_CO2_KG[TRANSPORT_MODE]) / 1000
    transport = np.where(trucked, road * cny_per_t_km, np.nan)
    co2 = np.where(trucked, road * co2_t_per_t_km, np.nan)
    delivered = found.price[rows] + transport  # NaN when either is unknown
    score = _scores(d, delivered, found.available[rows], radius_km=query.radius_km)

    known = ~np.isnan(delivered)
    # The sort key; ties are broken by listing id, so the order never depends on how a backend returned its rows.
    # Offers without a delivered cost come last (a known cost is finite).
    key = {"distance": d, "delivered_cost": np.where(known, delivered, np.inf), "score": -score}[query.sort]
    considered = np.arange(len(ids))
    if limit is not None and query.offset + limit < len(ids):
        # Only rows up to the page's last key can be on the page (all of them, when several share that key).
        last = np.partition(key, query.offset + limit - 1)[query.offset + limit - 1]
        considered = np.flatnonzero(key <= last)
    order = considered[np.lexsort((ids[considered], key[considered]))]
    if limit is not None:
        order = order[query.offset:query.offset + limit]

    def value(array, k):
        return None if math.isnan(array[k]) else float(array[k])

    return [_Ranked(int(ids[k]), names[row_codes[k]], float(d[k]), float(road[k]), value(transport, k),
                    value(delivered, k), value(co2, k), float(score[k])) for k in order]


def _implied(code: str, knowledge: Knowledge) -> dict:
    return knowledge.implied_quality(code) if code in knowledge.materials else {}


def _scores(distance: np.ndarray, delivered: np.ndarray, available: np.ndarray, *, radius_km: float) -> np.ndarray:
    """0..1: closeness to the point, delivered cost against the other hits' (unknown: 0), quantity against the most."""
    closeness = np.maximum(0.0, 1.0 - distance / radius_km)
    known = ~np.isnan(delivered)
    cheapness = np.zeros_like(distance)
    if known.any():
        low, high = delivered[known].min(), delivered[known].max()
        cheapness[known] = 1.0 if high == low else (high - delivered[known]) / (high - low)
    most = available.max()
    quantity = available / most if most > 0 else np.zeros_like(available)
    return (SCORE_WEIGHTS["closeness"] * closeness + SCORE_WEIGHTS["cost"] * cheapness
            + SCORE_WEIGHTS["quantity"] * quantity)


def search_offers(query: SearchQuery, *, today: dt.date | None = None,
                  knowledge: Knowledge | None = None) -> list[SearchHit]:
    """Active offers within the radius that meet the query, best first, at most ``query.limit``.

    Active: published or partly matched, something left to offer, and a window open ``today``.

    Examples
    --------
    >>> hits = search_offers(SearchQuery(lon=118.38, lat=31.33, radius_km=150,
    ...                                  material_codes=("coal-fly-ash",)))  # doctest: +SKIP
    >>> [(h.listing_id, round(h.distance_km, 1)) for h in hits]  # doctest: +SKIP
    [(12, 8.4), (7, 41.0)]
    """
    today = today or dt.date.today()
    codes = expand_materials(query.material_codes, knowledge=knowledge) if query.material_codes else None
    found = _without_organisation(_candidates(query, codes, today), query.exclude_organisation_id)
    ranked = rank_candidates(found, query, codes=codes, today=today, knowledge=knowledge, limit=query.limit)
    if not ranked:
        return []
    # One round trip for the page of hits with their sites, suppliers and written names (joined, where the
    # names' own selectin load was a second round trip); the hit names the material, so the listing's
    # material rows load only if someone asks for them.
    rows = db.session.scalars(select(Listing).where(Listing.id.in_([r.listing_id for r in ranked])).options(
        joinedload(Listing.site).joinedload(Site.organisation), joinedload(Listing.names),
        lazyload(Listing.materials))).unique()
    by_id = {row.id: row for row in rows}
    return [SearchHit(by_id[r.listing_id], r.material_code, r.distance_km, r.road_distance_km,
                      r.transport_cost_cny, r.delivered_cost_cny, r.co2_t, r.score,
                      upcoming=_starts_after(by_id[r.listing_id], today))
            for r in ranked if r.listing_id in by_id]


def _starts_after(row: Listing, today: dt.date) -> bool:
    return row.available_from is not None and row.available_from > today


def _without_organisation(found: Candidates, organisation_id: int | None) -> Candidates:
    """``found`` less the offers of ``organisation_id`` (its few active offers' ids are read, then masked out)."""
    if organisation_id is None or not len(found):
        return found
    own = db.session.scalars(select(Listing.id).join(Site, Listing.site_id == Site.id).where(
        Site.organisation_id == organisation_id, Listing.kind == "offer",
        Listing.status.in_(ACTIVE_STATUSES))).all()
    if not own:
        return found
    return found.take(np.flatnonzero(~np.isin(found.ids, own)), with_quality=found.quality is not None)


def match_offer(query: SearchQuery, row: Listing, *, today: dt.date | None = None,
                knowledge: Knowledge | None = None, codes: frozenset[str] | None = None) -> SearchHit | None:
    """The hit ``row`` would be in a search for ``query``, or None: the search's predicate for one offer.

    ``codes``: the query's materials with their children, when the caller has them already.
    """
    today = today or dt.date.today()
    if row.kind != "offer" or row.status not in ACTIVE_STATUSES:
        return None
    if codes is None and query.material_codes:
        codes = expand_materials(query.material_codes, knowledge=knowledge)
    if codes is not None and codes.isdisjoint(row.material_codes):
        return None
    found = candidates_from_rows(
        [(row.id, code, row.site.lon, row.site.lat, row.annual_quantity, row.committed_quantity, row.price_cny,
          row.available_from, row.available_to, row.base_unit, row.visibility, row.quality)
         for code in row.material_codes],
        with_quality=True)
    ranked = rank_candidates(found, query, codes=codes, today=today, knowledge=knowledge)
    if not ranked:
        return None
    r = ranked[0]
    return SearchHit(row, r.material_code, r.distance_km, r.road_distance_km, r.transport_cost_cny,
                     r.delivered_cost_cny, r.co2_t, r.score, upcoming=_starts_after(row, today))

