"""The exact split of a run's candidate search into pieces that need nothing of each other.

A run's offers fall into **material groups** that never meet: no want accepts materials of two groups,
no route takes materials of two groups, and hazardous materials (which may share one receiver's permit)
are one group. Within a group, offers are split in space: each **partition** holds the offers of its
core (a box of longitude and latitude around them) and every receiver in its halo, the core widened by the
farthest any of its offers reaches (the largest route radius for the modes it may use, over the detour
factor). Each partition's candidates, feasibility and scores are then exactly those of a single-process
run for its core offers: every receiver within an offer's radius is in the halo, the receivers keep their
order (so ties break the same way), and each offer's receivers are ranked per offer.

What crosses to a worker is a :class:`PartitionWork`: a slice of the run's :class:`~matching.tables.InputTables`
(arrays and the listings' dataclasses) and the positions mapping it back. What comes back is a
:class:`PartitionFound`: candidate columns in the run's positions and the counts. :func:`join_found` puts
them together in the order a single-process run produces them, so the allocation that follows is the same.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

from geo.distance import EARTH_RADIUS_KM
from matching.candidate_search import accepting_wants, find_candidates, latent_receivers
from matching.candidate_table import CANDIDATE_COLUMNS, CandidateTable
from matching.knowledge.knowledge_base import Knowledge
from matching.knowledge.unclassified import is_unclassified
from matching.tables import InputTables
from matching.timing import StepTimer
from matching.types import DROP_REASONS, TRANSPORT_MODES, MatchOptions

__all__ = [
    "OFFERS_PER_PARTITION",
    "Partition",
    "PartitionFound",
    "PartitionWork",
    "count_latent_receivers",
    "join_found",
    "material_groups",
    "partition_entry",
    "plan_partitions",
    "search_partition",
    "slice_tables",
]

# Offers per spatial partition when the caller does not say how many partitions: small enough that a
# partition's candidate search stays well inside a worker's memory, large enough that the per-task cost
# (slicing, sending, starting the search) stays small next to the search.
OFFERS_PER_PARTITION = 40_000
# Added to every halo: the halo test works in degrees, the search on the sphere; a kilometre of slack
# keeps rounding from dropping a receiver at the very edge of a radius.
HALO_MARGIN_KM = 1.0
_COUNTS = ("pairs_in_radius", "cut_by_pool", "examined", "feasible", "cut_by_k", "offers_without_route")


@dataclass(frozen=True, eq=False)
class Partition:
    """One piece of the candidate search: a material group's core offers and the receivers in their halo.

    Positions are the run's (:class:`~matching.tables.InputTables`); ``context_offers`` are offers at halo
    sites that are not searched but whose sites are no latent receivers of a related material (latent mode).
    """

    group: int
    cell: int
    materials: tuple[str, ...]
    reach_km: float
    offers: NDArray[np.intp]
    wants: NDArray[np.intp]
    sites: NDArray[np.intp]
    context_offers: NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class PartitionWork:
    """What a worker gets: the partition's slice of the tables and the run positions of its rows."""

    group: int
    cell: int
    tables: InputTables
    offer_index: NDArray[np.intp]
    want_index: NDArray[np.intp]
    site_index: NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class PartitionFound:
    """What a worker returns: selected candidates in run positions, the counts, and the seconds per step."""

    group: int
    cell: int
    columns: dict[str, NDArray]
    ranked_only: dict[str, NDArray]
    feasible_offer: NDArray[np.intp]
    feasible_count: NDArray[np.int64]
    counts: dict[str, int]
    dropped: dict[str, int]
    seconds: dict[str, float]
    offers: int
    wants: int
    sites: int


# --------------------------------------------------------------------------- groups


def material_groups(
    tables: InputTables, accepting: Mapping[str, Mapping[int, object]], *, knowledge: Knowledge
) -> list[tuple[str, ...]]:
    """The offered materials in groups that never meet, each sorted, the groups by their first material.

    Two materials are in one group when a want accepts both, a route takes both (through their lineage),
    or both are hazardous (their lots may share a receiver's permit capacity).
    """
    materials = sorted({o.material for o in tables.offers})
    parent = {m: m for m in materials}

    def find(m: str) -> str:
        while parent[m] != m:
            parent[m] = parent[parent[m]]
            m = parent[m]
        return m

    def join(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_of_want: dict[int, str] = {}
    for material in materials:
        for want in accepting.get(material, {}):
            if want in first_of_want:
                join(first_of_want[want], material)
            else:
                first_of_want[want] = material
    first_of_route: dict[str, str] = {}
    for material in materials:
        if is_unclassified(material):
            continue
        lineage = set(knowledge.route_lineage(material))
        for route in tables.routes:
            if lineage.intersection(route.materials):
                if route.id in first_of_route:
                    join(first_of_route[route.id], material)
                else:
                    first_of_route[route.id] = material
    hazardous = sorted({tables.offers[o].material for o, code in enumerate(tables.o_hazard) if code is not None})
    for material in hazardous[1:]:
        join(hazardous[0], material)
    groups: dict[str, list[str]] = defaultdict(list)
    for material in materials:
        groups[find(material)].append(material)
    return sorted((tuple(members) for members in groups.values()), key=lambda members: members[0])


def _reach_km(tables: InputTables, material: str, mask: int, *, options: MatchOptions, knowledge: Knowledge) -> float:
    """The farthest (great circle) an offer of ``material`` whose modes are ``mask`` may reach; -1: nowhere.

    The same radii as :class:`~matching.route_choice.MaterialRoutes` and :class:`~matching.name_matcher.NameMatcher`.
    """
    cap = options.max_radius_km
    if is_unclassified(material):
        radius = options.unclassified_radius_km if cap is None else min(options.unclassified_radius_km, cap)
        return radius / options.detour_factor
    lineage = set(knowledge.route_lineage(material))
    radii = [
        radius if cap is None else min(radius, cap)
        for route in tables.routes if lineage.intersection(route.materials)
        for mode, radius in route.transport if mask >> TRANSPORT_MODES.index(mode) & 1
    ]
    return max(radii, default=-1.0) / options.detour_factor


# --------------------------------------------------------------------------- space


def _split(points: NDArray[np.intp], lon: NDArray[np.float64], lat: NDArray[np.float64], parts: int) -> list[NDArray[np.intp]]:
    """``points`` in ``parts`` pieces of nearly equal size, each compact: halve along the wider side, recursively."""
    if parts <= 1 or len(points) <= 1:
        return [points]
    x, y = lon[points], lat[points]
    width = (x.max() - x.min()) * math.cos(math.radians(float(np.median(y))))
    height = y.max() - y.min()
    key = x if width >= height else y
    order = points[np.lexsort((points, key))]
    left_parts = parts // 2
    cut = int(round(len(points) * left_parts / parts))
    return (_split(np.sort(order[:cut]), lon, lat, left_parts)
            + _split(np.sort(order[cut:]), lon, lat, parts - left_parts))


def _halo(lon: NDArray[np.float64], lat: NDArray[np.float64], reach_km: float) -> tuple[float, float, float, float]:
    """A box of longitude and latitude holding every point within ``reach_km`` of any of these points.

    Latitude widens by the reach as an angle; longitude by the widest a circle of that radius spans at the
    core's highest latitude (asin(sin d / cos φ)), or all the way round near a pole or across 180°.
    """
    angle = (max(reach_km, 0.0) + HALO_MARGIN_KM) / EARTH_RADIUS_KM
    dlat = math.degrees(angle)
    lat0, lat1 = float(lat.min()) - dlat, float(lat.max()) + dlat
    polar = max(abs(float(lat.min())), abs(float(lat.max())))
    if angle >= math.pi / 2 - math.radians(polar):
        return -180.0, 180.0, lat0, lat1
    dlon = math.degrees(math.asin(min(math.sin(angle) / math.cos(math.radians(polar)), 1.0)))
    lon0, lon1 = float(lon.min()) - dlon, float(lon.max()) + dlon
    if lon0 < -180.0 or lon1 > 180.0:
        return -180.0, 180.0, lat0, lat1
    return lon0, lon1, lat0, lat1


def plan_partitions(
    tables: InputTables, *, options: MatchOptions, knowledge: Knowledge, per_group: int | None = None,
) -> list[Partition]:
    """Every partition of the run: per material group, its offers in ``per_group`` spatial cells (by default
    one per :data:`OFFERS_PER_PARTITION` offers), each with the wants and sites of its halo.
    """
    accepting = accepting_wants(tables, options=options, knowledge=knowledge)
    groups = material_groups(tables, accepting, knowledge=knowledge)
    site_lon = np.array([s.lon for s in tables.sites], dtype=np.float64)
    site_lat = np.array([s.lat for s in tables.sites], dtype=np.float64)
    offer_lon, offer_lat = site_lon[tables.o_site], site_lat[tables.o_site]
    material_of = np.array([o.material for o in tables.offers], dtype=object)
    searchable = tables.o_available > 0
    masks = tables.o_modes | tables.o_access
    reach_cache: dict[tuple[str, int], float] = {}
    plan: list[Partition] = []
    for number, materials in enumerate(groups):
        in_group = np.isin(material_of, materials) if len(material_of) else np.zeros(0, dtype=bool)
        core = np.flatnonzero(in_group & searchable)
        if len(core) == 0:
            continue
        wanted = np.array(sorted({w for m in materials for w in accepting.get(m, {})}), dtype=np.intp)
        cells = per_group if per_group is not None else math.ceil(len(core) / OFFERS_PER_PARTITION)
        for cell, offers in enumerate(_split(core, offer_lon, offer_lat, max(1, min(cells, len(core))))):
            reach = max(
                reach_cache.setdefault((m, k), _reach_km(tables, m, k, options=options, knowledge=knowledge))
                for m, k in {(material_of[o], int(masks[o])) for o in offers.tolist()}
            )
            lon0, lon1, lat0, lat1 = _halo(offer_lon[offers], offer_lat[offers], reach)

            def inside(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.bool_]:
                return (lon >= lon0) & (lon <= lon1) & (lat >= lat0) & (lat <= lat1)

            wants = wanted[inside(site_lon[tables.w_site[wanted]], site_lat[tables.w_site[wanted]])] \
                if reach >= 0 else np.empty(0, dtype=np.intp)
            context = np.empty(0, dtype=np.intp)
            if options.latent and reach >= 0:
                # Any site in the halo may be a latent receiver: all of them, every want accepting the group's
                # materials there, and every offer there (a site offering a related material is no latent user).
                halo_sites = np.flatnonzero(inside(site_lon, site_lat))
                context = np.setdiff1d(np.flatnonzero(inside(offer_lon, offer_lat)), offers)
                sites = np.union1d(halo_sites, tables.o_site[offers])
            else:
                sites = np.union1d(tables.w_site[wants], tables.o_site[offers])
            plan.append(Partition(number, cell, materials, reach, offers, wants, sites.astype(np.intp),
                                  context.astype(np.intp)))
    return plan


# --------------------------------------------------------------------------- slices


# How each column of InputTables is sliced: by site, offer or want rows, or kept whole. A column not listed
# here fails loudly (slice_tables), so a column added to the tables cannot be silently left out of a partition.
_BY_SITE = ("site_xyz", "site_sector", "site_access", "site_battery", "site_permit", "permit_left_t")
_BY_OFFER = ("o_available", "o_price", "o_from", "o_to", "o_modes", "o_access", "o_hazard", "o_unit")
_BY_WANT = ("w_available", "w_max_price", "w_from", "w_to", "w_limits", "w_hazardous", "w_limit_keys", "w_unit")
_WHOLE = ("routes", "route_pos", "sector_values", "units", "agreed_by_unit")
_REBUILT = ("sites", "offers", "wants", "site_pos", "want_pos", "site_park", "o_site", "w_site", "latent_agreed",
            "_sector_cache")


def _rows(column: object, index: NDArray[np.intp]) -> object:
    if isinstance(column, np.ndarray):
        return column[index]
    return [column[i] for i in index.tolist()]  # type: ignore[index]


def slice_tables(tables: InputTables, partition: Partition) -> PartitionWork:
    """The partition's rows of the tables, renumbered; context offers keep their row with nothing available."""
    offer_index = np.union1d(partition.offers, partition.context_offers).astype(np.intp)
    site_index = np.union1d(partition.sites, tables.o_site[offer_index]).astype(np.intp)
    want_index = partition.wants
    values: dict[str, object] = {}
    for column in fields(InputTables):
        name = column.name
        value = getattr(tables, name)
        if name in _BY_SITE:
            values[name] = _rows(value, site_index)
        elif name in _BY_OFFER:
            values[name] = _rows(value, offer_index)
        elif name in _BY_WANT:
            values[name] = _rows(value, want_index)
        elif name in _WHOLE:
            values[name] = value
        elif name not in _REBUILT:
            raise TypeError(f"slice_tables: InputTables.{name} has no slicing rule")
    sites = tuple(tables.sites[i] for i in site_index.tolist())
    local_site = {int(g): i for i, g in enumerate(site_index.tolist())}
    # Park numbers are positions among the parks of the tables' own sites (InputTables.park_number).
    parks = sorted({s.park for s in sites if s.park})
    park_pos = {park: i for i, park in enumerate(parks)}
    values.update(
        sites=sites,
        offers=tuple(tables.offers[i] for i in offer_index.tolist()),
        wants=tuple(tables.wants[i] for i in want_index.tolist()),
        site_pos={s.id: i for i, s in enumerate(sites)},
        want_pos={tables.wants[g].id: i for i, g in enumerate(want_index.tolist())},
        site_park=np.array([park_pos[s.park] if s.park else -1 for s in sites], dtype=np.int64),
        o_site=np.searchsorted(site_index, tables.o_site[offer_index]).astype(np.intp),
        w_site=np.searchsorted(site_index, tables.w_site[want_index]).astype(np.intp),
        latent_agreed={(local_site[s], m): q for (s, m), q in tables.latent_agreed.items() if s in local_site},
        _sector_cache={},
    )
    searched = np.isin(offer_index, partition.offers)
    values["o_available"] = np.where(searched, values["o_available"], 0.0)  # type: ignore[call-overload]
    return PartitionWork(partition.group, partition.cell, InputTables(**values), offer_index, want_index, site_index)


# --------------------------------------------------------------------------- search (on a worker)


def search_partition(work: PartitionWork, *, options: MatchOptions, knowledge: Knowledge) -> PartitionFound:
    """The candidate search of one partition, as a single-process run does it, in the run's positions."""
    started = time.perf_counter()
    steps = StepTimer(trace=False)
    found = find_candidates(work.tables, options=options, knowledge=knowledge, steps=steps)
    steps.close()

    def to_run(columns: dict[str, NDArray]) -> dict[str, NDArray]:
        out = dict(columns)
        out["offer"] = work.offer_index[columns["offer"]]
        out["site"] = work.site_index[columns["site"]]
        want = columns["want"]
        posted = want >= 0  # -1: a latent receiver
        out["want"] = np.full(len(want), -1, dtype=np.intp)
        out["want"][posted] = work.want_index[want[posted]]
        return out

    feasible = np.flatnonzero(found.feasible_by_offer)
    seconds = {step: round(s, 6) for step, s in steps.seconds.items()}
    seconds["total"] = round(time.perf_counter() - started, 6)
    return PartitionFound(
        group=work.group, cell=work.cell, columns=to_run(found.columns), ranked_only=to_run(found.ranked_only),
        feasible_offer=work.offer_index[feasible], feasible_count=found.feasible_by_offer[feasible],
        counts={name: int(getattr(found, name)) for name in _COUNTS}, dropped=dict(found.dropped),
        seconds=seconds, offers=int((work.tables.o_available > 0).sum()), wants=len(work.want_index),
        sites=len(work.site_index),
    )


# --------------------------------------------------------------------------- join (on the client)


def join_found(tables: InputTables, parts: Sequence[PartitionFound], *, latent_receivers: int) -> CandidateTable:
    """The partitions' candidates as one table, in the order a single-process run keeps them.

    That order is by material (sorted by code), then offer position, then rank: the search goes material by
    material and chunk by chunk of ascending offers, and each chunk's selection is grouped by offer in rank order.
    """
    found = CandidateTable(feasible_by_offer=np.zeros(len(tables.offers), dtype=np.int64))
    codes = sorted({o.material for o in tables.offers})
    code_rank = {code: i for i, code in enumerate(codes)}
    material_rank = np.array([code_rank[o.material] for o in tables.offers], dtype=np.int64)

    def joined(which: str) -> dict[str, NDArray]:
        pieces = [getattr(part, which) for part in parts if len(getattr(part, which).get("offer", ()))]
        columns = {name: (np.concatenate([p[name] for p in pieces]).astype(dtype, copy=False) if pieces
                          else np.empty(0, dtype=dtype))
                   for name, dtype in CANDIDATE_COLUMNS}
        order = np.lexsort((columns["rank"], columns["offer"], material_rank[columns["offer"]]))
        return {name: column[order] for name, column in columns.items()}

    found.add(joined("columns"), joined("ranked_only"))
    found.finish()
    for part in parts:
        np.add.at(found.feasible_by_offer, part.feasible_offer, part.feasible_count)
        for name in _COUNTS:
            setattr(found, name, getattr(found, name) + part.counts[name])
        for reason in DROP_REASONS:
            found.dropped[reason] += part.dropped.get(reason, 0)
    found.latent_receivers = latent_receivers
    return found


def count_latent_receivers(tables: InputTables, *, options: MatchOptions, knowledge: Knowledge) -> int:
    """Sites that are latent receivers of at least one offered material, as a single-process run counts them."""
    if not options.latent:
        return 0
    accepting = accepting_wants(tables, options=options, knowledge=knowledge)
    by_material: dict[str, list[int]] = defaultdict(list)
    for position, o in enumerate(tables.offers):
        by_material[o.material].append(position)
    sites: set[int] = set()
    for material in sorted(by_material):
        if is_unclassified(material) or not (tables.o_available[by_material[material]] > 0).any():
            continue
        lineage = set(knowledge.route_lineage(material))
        routes = [r for r in tables.routes if lineage.intersection(r.materials)]
        if routes:
            sites.update(latent_receivers(tables, material, routes, accepting.get(material, {}), by_material,
                                          knowledge=knowledge).tolist())
    return len(sites)


def partition_entry(part: PartitionFound, worker: str) -> dict[str, object]:
    """One search partition's line in :attr:`~matching.types.RunSummary.partition_timings`."""
    return {"kind": "search", "group": part.group, "cell": part.cell, "offers": part.offers, "wants": part.wants,
            "sites": part.sites, "arcs": int(len(part.columns["offer"])), "seconds": dict(part.seconds),
            "worker": worker}

