"""Plain values the matching engine reads and returns: frozen dataclasses, no behaviour beyond checks.

Quantities are per year in the base unit of the material (``t``, ``GJ``, ``Nm3``, ``m3``); prices are
CNY per base unit; distances are km; CO2 is tonnes. The web layer turns database rows into
:class:`Site`, :class:`Offer`, :class:`Want` and :class:`Agreement` and stores the :class:`Result`.

Default transport figures (all overridable in :class:`MatchOptions`):

- road freight 0.45 CNY/t·km: provincial road-freight price monitoring reported 0.42-0.49 CNY/t·km
  (http://public.9t56.com/show.asp?id=868); rail 0.15, barge 0.05 and pipeline 0.10 CNY/t·km are estimates.
- CO2 per t·km, road 0.090 kg, rail 0.011 kg, inland waterway 0.039 kg: European factors (KiM, CE Delft) in
  https://etrr.springeropen.com/articles/10.1186/s12544-019-0344-x/tables/9 ; pipeline 0.005 kg is an estimate.
- detour factor 1.3: estimate, within the national circuity factors reported for road networks
  (e.g. 1.26 for South Korea, http://grec.snu.ac.kr/publications/ Kim et al. 2015).
- freight tonnes per unit: 1 t per m3 (water); 0.001 t per Nm3 (process gases weigh 0.1-2 kg/Nm3) and
  6 t of water per GJ (hot water at a 40 K drop carries 0.167 GJ/t) are estimates.
- dangerous goods (hazardous waste, retired traction batteries) by road 0.70 CNY/t·km: the road tariff rules
  (交通部《汽车运价规则》) price dangerous goods at the basic freight rate plus 60-70 % (class 1) or 40-50 %
  (class 2) (https://m.110ask.com/wenda/14013437441289062503.html); 0.45 CNY/t·km plus about 55 %, between
  the two classes, is an estimate. 0.135 kg CO2 per t·km is an estimate: 1.5 times bulk haulage, for
  dedicated vans and tankers that return empty. Other modes keep their bulk figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

__all__ = [
    "ALTERNATIVE_REASONS",
    "BATTERY_LISTINGS",
    "DEFAULT_DANGEROUS_GOODS_CNY_PER_T_KM",
    "DEFAULT_DANGEROUS_GOODS_CO2_KG_PER_T_KM",
    "DEFAULT_FREIGHT_T_PER_UNIT",
    "DEFAULT_TRANSPORT_CNY_PER_T_KM",
    "DEFAULT_TRANSPORT_CO2_KG_PER_T_KM",
    "DROP_REASONS",
    "LINK_STATUSES",
    "SITE_ACCESS",
    "TRANSPORT_MODES",
    "Agreement",
    "Alternative",
    "Candidate",
    "Cascade",
    "Keystone",
    "Link",
    "MatchOptions",
    "NetworkSummary",
    "Offer",
    "Permit",
    "Result",
    "RunSummary",
    "Site",
    "Want",
]

TRANSPORT_MODES = ("road", "rail", "barge", "pipeline")
# What a site may declare besides road, and the transport mode each opens between two sites sharing it.
SITE_ACCESS: Mapping[str, str] = MappingProxyType({"rail": "rail", "quay": "barge", "pipeline": "pipeline"})
BATTERY_LISTINGS = ("cascade", "recycling", "both")
LINK_STATUSES = ("proposed", "agreed", "active")

DEFAULT_TRANSPORT_CNY_PER_T_KM: Mapping[str, float] = MappingProxyType(
    {"road": 0.45, "rail": 0.15, "barge": 0.05, "pipeline": 0.10}
)
DEFAULT_TRANSPORT_CO2_KG_PER_T_KM: Mapping[str, float] = MappingProxyType(
    {"road": 0.090, "rail": 0.011, "barge": 0.039, "pipeline": 0.005}
)
# Dangerous goods (hazardous waste, retired batteries): by mode, where they differ from the bulk figures above.
DEFAULT_DANGEROUS_GOODS_CNY_PER_T_KM: Mapping[str, float] = MappingProxyType({"road": 0.70})
DEFAULT_DANGEROUS_GOODS_CO2_KG_PER_T_KM: Mapping[str, float] = MappingProxyType({"road": 0.135})
DEFAULT_FREIGHT_T_PER_UNIT: Mapping[str, float] = MappingProxyType(
    {"t": 1.0, "m3": 1.0, "Nm3": 0.001, "GJ": 6.0}
)

# Why a candidate pair was dropped, in the order the engine checks them.
DROP_REASONS = (
    "same_site",          # offer and want at one site: not an exchange
    "window",             # availability windows do not overlap, or ended before options.today
    "price",              # the offer asks more than the want's maximum price
    "permit_missing",     # hazardous lot, receiver holds no hazardous-waste permit
    "permit_code",        # the permit covers neither the 8-digit code nor its HW category
    "permit_expired",     # the permit expired before options.today
    "permit_capacity",    # the permit's yearly capacity is used up
    "quality_want",       # the lot misses a limit of the want
    "quality_unknown",    # a limit cannot be checked (only with require_quality_data)
    "sector",             # no route fits the receiver's sector
    "battery_listing",    # retired batteries to a site without the right compliant-enterprise listing
    "quality_route",      # the lot misses the limits of every route that would take it
    "distance",           # farther than the route's radius for every usable transport mode
    "uneconomic",         # net benefit below options.min_net_benefit_cny_per_unit
    "co2_negative",       # transport emits more CO2 than the route's use avoids (with options.drop_co2_negative)
    "unit",               # an unclassified stream offered and wanted in units of different kinds
)

# Why a feasible receiver got nothing of an offer (see :class:`Alternative`).
ALTERNATIVE_REASONS = (
    "capacity_taken",     # the receiver's open quantity (or its permit's capacity) went to other offers
    "lower_score",        # the offer's whole quantity went to receivers ranked above this one
    "posted_first",       # a latent receiver: the offer's quantity went to posted wants, which are served first
    "cut_by_k",           # ranked beyond k_per_offer of its kind (posted or latent): not in the allocation
)


def _frozen_mapping(value: Mapping[str, Any] | None) -> dict[str, Any]:
    # A private copy: later changes to the caller's dict cannot reach into a frozen value.
    return dict(value or {})


@dataclass(frozen=True)
class Permit:
    """A hazardous-waste operating permit (危险废物经营许可证) held for a site.

    Parameters
    ----------
    codes
        HW categories (``"HW31"``) and/or 8-digit codes (``"900-052-31"``) the permit covers.
    capacity_t
        Licensed tonnes per year.
    expires
        Last valid day; ``None`` when not known (treated as valid).
    used_t
        Tonnes of the year already taken in outside the agreements given to the engine.

    Examples
    --------
    >>> permit = Permit(codes=("HW31",), capacity_t=1000.0, expires=dt.date(2030, 1, 1))
    >>> permit.covers("900-052-31"), permit.covers("900-214-08")
    (True, False)
    """

    codes: tuple[str, ...]
    capacity_t: float
    expires: dt.date | None = None
    used_t: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "codes", tuple(code.strip().upper() for code in self.codes))

    def covers(self, hazard_code: str) -> bool:
        """Whether the permit covers an 8-digit code, directly or through its HW category."""
        return hazard_code in self.codes or f"HW{hazard_code[-2:]}" in self.codes


@dataclass(frozen=True)
class Site:
    """A plant location.

    ``sector`` is a GB/T 4754-2017 code (a 4-digit class, or a shorter group or division code), the
    site's main activity; ``extra_sectors`` the others (a chemical complex may make acid and cement);
    the engine uses them all. ``transport_access`` lists what the site has besides road
    (:data:`SITE_ACCESS`: ``"rail"`` siding, ``"quay"``, ``"pipeline"``); two sites sharing one may use
    that mode. ``battery_listing`` is the retired-power-battery compliant-enterprise listing
    (``"cascade"``, ``"recycling"``, ``"both"`` or ``None``).

    Examples
    --------
    >>> Site(id="S1", lon=117.23, lat=31.82, sector="3011").park is None
    True
    >>> Site("S2", 117.2, 31.8, "2611", extra_sectors=("3011",)).all_sectors
    ('2611', '3011')
    """

    id: str
    lon: float | None
    lat: float | None
    sector: str | None
    park: str | None = None
    name: str = ""
    name_en: str = ""
    permit: Permit | None = None
    battery_listing: str | None = None
    extra_sectors: tuple[str, ...] = ()
    transport_access: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra_sectors", tuple(self.extra_sectors))
        object.__setattr__(self, "transport_access", tuple(self.transport_access))

    @property
    def all_sectors(self) -> tuple[str, ...]:
        """The main sector first, then the others; empty when none is known."""
        main = (self.sector,) if self.sector else ()
        return main + tuple(code for code in self.extra_sectors if code != self.sector)


@dataclass(frozen=True)
class Offer:
    """A stream a site generates (有).

    ``quantity`` is per year in the material's base unit (the listing's annual quantity);
    ``committed`` is what is already promised outside the agreements given to the engine.
    ``price_cny`` is the asking price per unit (negative: the supplier pays a gate fee; ``None``:
    the route's typical price is assumed). ``transport_modes`` limits the modes considered (empty:
    the options decide).

    An unclassified stream (``material`` is a ``name:`` pseudo-code,
    :mod:`matching.knowledge.unclassified`) has no unit in the knowledge base: ``unit`` is then the
    listing's base unit (``t`` when not given), and ``material_name`` the user's own words for it, which
    the link's explanation quotes. For a known material both are ignored.

    Examples
    --------
    >>> Offer(id="O1", site_id="S1", material="coal-fly-ash", quantity=1000.0, quality={"grade": "II"}).quality
    {'grade': 'II'}
    """

    id: str
    site_id: str
    material: str
    quantity: float
    quality: Mapping[str, float | str] = field(default_factory=dict, hash=False)
    price_cny: float | None = None
    available_from: dt.date | None = None
    available_to: dt.date | None = None
    hazard_code: str | None = None
    transport_modes: tuple[str, ...] = ()
    committed: float = 0.0
    unit: str | None = None
    material_name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "quality", _frozen_mapping(self.quality))
        object.__setattr__(self, "transport_modes", tuple(self.transport_modes))


@dataclass(frozen=True)
class Want:
    """A stream a site could take in (求).

    ``quality`` holds limits with canonical keys: ``key_min`` / ``key_max`` for numbers, ``key`` for a
    category (a graded one such as fly-ash grade means "this grade or better") or an exact value.
    ``max_price_cny`` is the most the receiver pays per unit (negative: it charges a gate fee).
    ``unit`` is the listing's base unit, read only for unclassified (``name:``) streams.

    Examples
    --------
    >>> Want(id="W1", site_id="S2", materials=("coal-fly-ash",), quantity=500.0).materials
    ('coal-fly-ash',)
    """

    id: str
    site_id: str
    materials: tuple[str, ...]
    quantity: float
    quality: Mapping[str, float | str] = field(default_factory=dict, hash=False)
    max_price_cny: float | None = None
    available_from: dt.date | None = None
    available_to: dt.date | None = None
    committed: float = 0.0
    unit: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "quality", _frozen_mapping(self.quality))
        object.__setattr__(self, "materials", tuple(self.materials))


@dataclass(frozen=True)
class Agreement:
    """A link both sides accepted: a fixed input whose quantity the allocation respects.

    ``want_id`` is ``None`` for a link to a latent receiver (a site that posted no want).

    Examples
    --------
    >>> Agreement(offer_id="O1", receiver_site_id="S2", want_id="W1", quantity=200.0).status
    'agreed'
    """

    offer_id: str
    receiver_site_id: str
    quantity: float
    want_id: str | None = None
    route_id: str | None = None
    status: Literal["agreed", "active"] = "agreed"


@dataclass(frozen=True, kw_only=True)
class MatchOptions:
    """Everything a run may be told; every field is keyword-only.

    Parameters
    ----------
    today
        The day permits and windows are judged on (no default: the engine reads no clock).
    latent
        Also propose receivers that posted no want but whose sector uses the material.
    k_per_offer
        Keep the ``k`` best-scoring feasible receivers per offer (posted and latent counted apart) for
        the allocation.
    alternatives_per_offer
        List this many of the best receivers that got nothing of an offer (:attr:`Result.alternatives`);
        up to this many receivers beyond ``k_per_offer`` are kept for ranking only (0: none listed).
    candidate_pool
        Nearest receivers within the radius examined per offer before feasibility; default ``4 * k``, and
        at least twice ``k + alternatives_per_offer``. Ranks count the feasible receivers among these.
    detour_factor
        Road distance = great-circle distance × this.
    max_radius_km
        Caps every route's transport radius (``None``: the routes decide).
    transport_modes
        Modes assumed usable when an offer names none: road and pipeline, because rail and barge need a
        siding or a wharf at both ends (``None``: every mode of the route). Two sites that both declare
        an access (:attr:`Site.transport_access`) may also use the mode it opens (:data:`SITE_ACCESS`);
        an offer that names its modes is held to them.
    unclassified_radius_km
        Road distance within which an unclassified (``name:``) stream is matched: with no route to say
        how far it travels, 100 km, an estimate of the range of bulk road haulage of low-value residues
        (fly ash, the bulkiest, moves up to about 300 km by road; most residues much less).
    transport_cny_per_t_km, transport_co2_kg_per_t_km
        By mode; applied to freight tonnes (see ``freight_t_per_unit``).
    freight_t_per_unit
        Tonnes hauled per unit of material, by unit (t, m3, Nm3, GJ).
    dangerous_goods_cny_per_t_km, dangerous_goods_co2_kg_per_t_km
        By mode, for hazardous waste and retired batteries, over the bulk figures (a mode not given: bulk).
    min_net_benefit_cny_per_unit
        Candidates below this are dropped as uneconomic (``None``: keep all).
    drop_co2_negative
        Drop a candidate whose transport emits more CO2 than its route says the use avoids (counted as
        ``co2_negative``; a route stating no saving claims none to outweigh); off, it is kept and its link shows
        the negative balance.
    co2_price_cny_per_t
        Added to the score for each tonne of CO2 avoided (0: the score is the net benefit per unit).
    allow_substitutes
        Let a want for one material be served by another that a route says replaces the same input.
    require_quality_data
        Drop a candidate when a limit names a property the offer does not state.
    latent_capacity
        Per latent receiver and material, in the material's base unit per year (``None``: see
        ``latent_capacity_typical``).
    latent_capacity_typical
        With ``latent_capacity`` None, a site that posted nothing is assumed to take what a typical
        posted want of the material asks: the median quantity of the wants naming it (or a material it
        is a kind of); where no want names it, the median offer of the material. Off: always unbounded.
    park
        Only pairs with at least one side in this park.
    solver
        ``"auto"`` (NetworkX up to ``networkx_max_arcs`` arcs, OR-tools above), ``"networkx"`` or ``"ortools"``.
    seed
        Randomness (sampled betweenness on large networks) goes through this only.
    trace_memory
        Record each step's peak Python-allocated memory with :mod:`tracemalloc` (slower).
    keep_candidates
        Return the selected candidates (feasible, scored, best ``k`` per offer) in :attr:`Result.candidates`.

    Examples
    --------
    >>> MatchOptions(today=dt.date(2026, 1, 1), k_per_offer=5).candidate_pool
    20
    >>> MatchOptions(today=dt.date(2026, 1, 1), k_per_offer=1).candidate_pool
    12
    """

    today: dt.date
    latent: bool = False
    k_per_offer: int = 10
    alternatives_per_offer: int = 5
    candidate_pool: int | None = None
    detour_factor: float = 1.3
    max_radius_km: float | None = None
    transport_modes: tuple[str, ...] | None = ("road", "pipeline")
    unclassified_radius_km: float = 100.0
    transport_cny_per_t_km: Mapping[str, float] = field(default_factory=lambda: DEFAULT_TRANSPORT_CNY_PER_T_KM, hash=False)
    transport_co2_kg_per_t_km: Mapping[str, float] = field(default_factory=lambda: DEFAULT_TRANSPORT_CO2_KG_PER_T_KM, hash=False)
    freight_t_per_unit: Mapping[str, float] = field(default_factory=lambda: DEFAULT_FREIGHT_T_PER_UNIT, hash=False)
    dangerous_goods_cny_per_t_km: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_DANGEROUS_GOODS_CNY_PER_T_KM, hash=False)
    dangerous_goods_co2_kg_per_t_km: Mapping[str, float] = field(
        default_factory=lambda: DEFAULT_DANGEROUS_GOODS_CO2_KG_PER_T_KM, hash=False)
    min_net_benefit_cny_per_unit: float | None = 0.0
    drop_co2_negative: bool = True
    co2_price_cny_per_t: float = 0.0
    allow_substitutes: bool = True
    require_quality_data: bool = False
    latent_capacity: float | None = None
    latent_capacity_typical: bool = True
    park: str | None = None
    solver: Literal["auto", "networkx", "ortools"] = "auto"
    networkx_max_arcs: int = 2000
    betweenness_exact_max_nodes: int = 500_000
    betweenness_samples: int = 200
    seed: int = 0
    trace_memory: bool = False
    keep_candidates: bool = False

    def __post_init__(self) -> None:
        if self.candidate_pool is None and isinstance(self.k_per_offer, int):
            extra = self.alternatives_per_offer if isinstance(self.alternatives_per_offer, int) else 0
            # Enough nearest receivers that, after feasibility, an offer still has alternatives to list.
            object.__setattr__(self, "candidate_pool", max(4 * self.k_per_offer, 2 * (self.k_per_offer + extra), 1))

    def as_dict(self) -> dict[str, Any]:
        """The options as JSON-ready values (dates as ISO strings)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


@dataclass(frozen=True)
class Candidate:
    """One feasible, scored pair of an offer and a receiver (a posted want or a latent site).

    Per-unit figures are per base unit of the material; ``score`` is what the allocation maximises
    per unit (the net benefit, plus CO2 at ``co2_price_cny_per_t``). ``route_id`` is ``None`` for an
    unclassified stream matched by name. ``rank`` is the receiver's place (1 = best) among every
    feasible receiver of the offer, posted and latent together.
    """

    offer_id: str
    receiver_site_id: str
    want_id: str | None
    route_id: str | None
    mode: str
    distance_km: float
    road_km: float
    avoided_cost_cny_per_unit: float
    price_cny_per_unit: float
    transport_cny_per_unit: float
    disposal_avoided_cny_per_unit: float
    net_benefit_cny_per_unit: float
    co2_avoided_t_per_unit: float
    score: float
    latent: bool
    substitute: bool
    rank: int = 0


@dataclass(frozen=True)
class Alternative:
    """A feasible receiver of an offer that got none of it: who else could take it, and why it did not.

    ``rank`` is its place (1 = best) among all ``feasible_receivers`` of the offer by score, the
    allocated ones included, posted wants and latent receivers together (those examined: the nearest
    ``candidate_pool`` of each kind within the radius). ``quantity`` is what it could
    take: the offer's open quantity, capped by the receiver's open quantity (a latent receiver's assumed
    capacity) and, for hazardous waste, its permit's capacity left; ``net_benefit_cny`` is for that
    quantity. ``reason`` is one of :data:`ALTERNATIVE_REASONS`. ``route_id`` is ``None`` for an
    unclassified stream matched by name.

    Examples
    --------
    >>> a = Alternative("O1", "PWR", "W2", "CEM", "coal-fly-ash", "fly-ash-cement-admixture", "road", 2, 3,
    ...                 35.0, 35.0, 4000.0, "t", 140000.0, 12.0, 15.6, 0.8, False, False, "lower_score")
    >>> a.as_dict()["reason"], a.as_dict()["rank"]
    ('lower_score', 2)
    """

    offer_id: str
    supplier_site_id: str
    want_id: str | None
    receiver_site_id: str
    material: str
    route_id: str | None
    mode: str
    rank: int
    feasible_receivers: int
    score: float
    net_benefit_cny_per_unit: float
    quantity: float
    unit: str
    net_benefit_cny: float
    distance_km: float
    road_km: float
    co2_avoided_t_per_unit: float
    latent: bool
    substitute: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """The alternative as JSON-ready values."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Link:
    """A proposed (or agreed) flow from an offer to a receiver, with its numbers and explanation.

    Totals (``*_cny``, ``co2_avoided_t``) are per year for ``quantity``.
    """

    offer_id: str
    supplier_site_id: str
    want_id: str | None
    receiver_site_id: str
    material: str
    route_id: str | None
    quantity: float
    unit: str
    distance_km: float
    road_km: float
    mode: str | None
    transport_cost_cny: float
    net_benefit_cny: float
    net_benefit_cny_per_unit: float
    co2_avoided_t: float
    score: float
    same_park: bool
    cross_park: bool
    coupling: str | None
    latent: bool
    substitute: bool = False
    unverified_quality: tuple[str, ...] = ()
    explanation_zh: str = ""
    explanation_en: str = ""
    status: Literal["proposed", "agreed", "active"] = "proposed"
    # What the transport emits a year, already taken off ``co2_avoided_t``: kept so that a reader who may only
    # know a rounded distance can be given the balance for that distance.
    transport_co2_t: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The link as JSON-ready values."""
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        out["unverified_quality"] = list(self.unverified_quality)
        return out


@dataclass(frozen=True)
class Cascade:
    """A chain of sites where each one's by-product feeds the next (A → B → C ...)."""

    sites: tuple[str, ...]
    materials: tuple[str, ...]


@dataclass(frozen=True)
class Keystone:
    """A site the network leans on: its share of the tonnage it sends and takes, and its betweenness."""

    site_id: str
    tonnage_share: float
    betweenness: float
    links: int


@dataclass(frozen=True)
class NetworkSummary:
    """What the links add up to as a network of sites (see :mod:`matching.network`).

    ``couplings`` counts links by coupling type; ``keystones`` are sorted by tonnage share.
    """

    sites: int
    links: int
    cascades: tuple[Cascade, ...]
    couplings: Mapping[str, int] = field(hash=False)
    keystones: tuple[Keystone, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "sites": self.sites,
            "links": self.links,
            "cascades": [{"sites": list(c.sites), "materials": list(c.materials)} for c in self.cascades],
            "couplings": dict(self.couplings),
            "keystones": [
                {"site_id": k.site_id, "tonnage_share": k.tonnage_share, "betweenness": k.betweenness,
                 "links": k.links}
                for k in self.keystones
            ],
        }


@dataclass(frozen=True)
class RunSummary:
    """Counts and timings of one run: what was looked at, dropped, cut and placed.

    ``dropped`` has one entry per :data:`DROP_REASONS` (zero included). ``pairs_in_radius`` counts
    offer-receiver pairs of matching material within the search radius; ``cut_by_pool`` those beyond
    the nearest ``candidate_pool`` of an offer; ``cut_by_k`` feasible candidates beyond the best ``k``.
    Quantities are by unit. ``timings_s`` and ``peak_memory_mb`` are by step.

    ``executor`` says where the run ran: ``"local"`` (one process, :func:`matching.engine.run_matching`) or
    ``"dask"`` (partitioned on a Dask cluster, :func:`matching.distributed.run_matching_distributed`, where
    the candidate steps ran on the workers: ``timings_s["candidates"]`` is then the wall time of all of them,
    and ``feasibility``, ``scoring`` and ``select`` are in ``partition_timings`` only). ``partitions`` counts
    the pieces the candidate search was split into (1 for a local run); ``partition_timings`` has one entry
    per piece of work sent out (kind ``"search"`` or ``"allocate"``), with its size, its seconds, its worker and
    the bytes sent to it, and one (kind ``"send"``) for the client's time slicing, pickling and sending the searches.
    """

    offers: int
    wants: int
    sites: int
    agreements: int
    offers_without_route: int
    latent_receivers: int
    pairs_in_radius: int
    cut_by_pool: int
    examined: int
    dropped: Mapping[str, int] = field(hash=False)
    feasible: int
    cut_by_k: int
    arcs: int
    links: int
    allocated: Mapping[str, float] = field(hash=False)
    landfill: Mapping[str, float] = field(hash=False)
    agreed: Mapping[str, float] = field(hash=False)
    net_benefit_cny: float
    co2_avoided_t: float
    solver: str
    timings_s: Mapping[str, float] = field(hash=False)
    peak_memory_mb: Mapping[str, float] = field(hash=False)
    options: Mapping[str, Any] = field(hash=False)
    executor: Literal["local", "dask"] = "local"
    partitions: int = 1
    partition_timings: tuple[Mapping[str, Any], ...] = field(default=(), hash=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, Mapping):
                value = dict(value)
            elif name == "partition_timings":
                value = [dict(entry) for entry in value]
            out[name] = value
        return out


@dataclass(frozen=True)
class Result:
    """What :func:`matching.engine.run_matching` returns.

    ``links`` are the proposed links, ``agreed`` the agreements re-scored as links,
    ``landfill`` what each offer still has unplaced (offer id -> quantity), and ``network``
    the analysis of proposed plus agreed links; ``candidates`` only with ``keep_candidates``.
    ``alternatives`` lists, per offer, the best receivers that got none of it
    (``alternatives_per_offer`` at most), sorted by supplier site, offer and rank.
    """

    links: tuple[Link, ...]
    agreed: tuple[Link, ...]
    landfill: Mapping[str, float] = field(hash=False)
    summary: RunSummary = field(hash=False)
    network: NetworkSummary | None = None
    candidates: tuple[Candidate, ...] = ()
    alternatives: tuple[Alternative, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values (the web layer adds its own ids and names)."""
        return {
            "run": self.summary.as_dict(),
            "links": [link.as_dict() for link in self.links],
            "agreed": [link.as_dict() for link in self.agreed],
            "landfill": dict(self.landfill),
            "network": self.network.as_dict() if self.network else None,
            "alternatives": [alternative.as_dict() for alternative in self.alternatives],
        }

