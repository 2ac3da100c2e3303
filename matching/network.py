"""The links as a directed network of sites: cascades, couplings, keystone sites, what a closure strands.

Every function takes links (:class:`~matching.types.Link`, any status: proposed, agreed, active)
and, by default, uses all of them; pass ``statuses`` to look at, say, agreed and active ones only.
Quantities are never added across units: each unit family (t, GJ, Nm³, m³ — a material's unit in the
knowledge base) has its own flows and shares, so a gas-fired power plant counts in the Nm³ family
instead of at 0 % of the tonnes.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matching.types import LINK_STATUSES, Cascade, Keystone, Link, NetworkSummary

if TYPE_CHECKING:  # NetworkX is imported where a graph is built, not by every run that imports the engine
    import networkx as nx

__all__ = [
    "UNIT_ORDER",
    "Stranded",
    "analyse_network",
    "cascades",
    "couplings_by_type",
    "flow_units",
    "keystone_sites",
    "keystones_by_unit",
    "site_graph",
    "sparse_betweenness",
    "stranded_if_closed",
]


# Unit families in the order they are shown: mass, heat, electricity, gas, water; others after, by name.
UNIT_ORDER = ("t", "GJ", "MWh", "Nm3", "m3")


def flow_units(links: Iterable[Link], *, statuses: Sequence[str] = LINK_STATUSES) -> tuple[str, ...]:
    """The unit families the links are measured in, in :data:`UNIT_ORDER` (unknown units last, by name).

    Examples
    --------
    >>> flow_units([_link("A", "B", "converter-gas", 9.0, unit="Nm3"), _link("A", "C", "steel-slag", 5.0)])
    ('t', 'Nm3')
    """
    units = {link.unit for link in _selected(links, statuses)}
    return tuple(sorted(units, key=lambda unit: (UNIT_ORDER.index(unit) if unit in UNIT_ORDER else len(UNIT_ORDER),
                                                 unit)))


def _selected(links: Iterable[Link], statuses: Sequence[str]) -> list[Link]:
    unknown = set(statuses) - set(LINK_STATUSES)
    if unknown:
        raise ValueError(f"statuses: unknown {', '.join(sorted(unknown))}; use {', '.join(LINK_STATUSES)}")
    return [link for link in links if link.status in statuses and link.quantity > 0]


def site_graph(links: Iterable[Link], *, statuses: Sequence[str] = LINK_STATUSES) -> nx.DiGraph:
    """A directed graph of sites; one edge per supplier-receiver pair.

    Edge attributes: ``links`` (count), ``quantities`` (per unit family, e.g. ``{"t": 150.0}``),
    ``tonnes`` (links in t), ``materials`` (sorted tuple), ``couplings`` (sorted tuple).

    Examples
    --------
    >>> G = site_graph([_link("A", "B", "coal-fly-ash", 100.0), _link("A", "B", "fgd-gypsum", 50.0)])
    >>> G["A"]["B"]["tonnes"], G["A"]["B"]["materials"]
    (150.0, ('coal-fly-ash', 'fgd-gypsum'))
    """
    import networkx as nx

    G = nx.DiGraph()
    edges: dict[tuple[str, str], dict] = {}
    for link in _selected(links, statuses):
        data = edges.setdefault(
            (link.supplier_site_id, link.receiver_site_id),
            {"links": 0, "quantities": defaultdict(float), "materials": set(), "couplings": set()},
        )
        data["links"] += 1
        data["quantities"][link.unit] += link.quantity
        data["materials"].add(link.material)
        if link.coupling:
            data["couplings"].add(link.coupling)
    G.add_edges_from(
        (supplier, receiver, {
            "links": data["links"], "quantities": dict(sorted(data["quantities"].items())),
            "tonnes": data["quantities"].get("t", 0.0),
            "materials": tuple(sorted(data["materials"])), "couplings": tuple(sorted(data["couplings"])),
        })
        for (supplier, receiver), data in sorted(edges.items())
    )
    return G


def cascades(
    links: Iterable[Link], *, statuses: Sequence[str] = LINK_STATUSES, max_links: int = 3, limit: int = 1000
) -> tuple[Cascade, ...]:
    """Chains A → B → C (up to ``max_links`` links) where each site passes on a *different* material.

    A site that takes fly ash and sends fly ash on is a trader, not a cascade; a cement works that
    takes slag and sends its kiln waste heat on is one.

    Parameters
    ----------
    max_links
        Longest chain, in links (2 = A → B → C).
    limit
        At most this many chains, longest first, then by site ids.

    Examples
    --------
    >>> chain = cascades([_link("A", "B", "blast-furnace-gas", 9.0), _link("B", "C", "coal-fly-ash", 5.0),
    ...                   _link("C", "D", "coal-fly-ash", 5.0)])
    >>> [(c.sites, c.materials) for c in chain]
    [(('A', 'B', 'C'), ('blast-furnace-gas', 'coal-fly-ash'))]

    Notes
    -----
    Longest chains first: for each length from ``max_links`` down to 2, depth-first from each site in
    order, stopping as soon as ``limit`` chains are found. Chains sort by their sites first, so those
    from one start site all come before the next start's, and a dense network (where chains abound)
    stops after a few start sites instead of enumerating every chain.
    """
    if max_links < 2:
        raise ValueError("max_links must be at least 2")
    out_by_site: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link in _selected(links, statuses):
        out_by_site[link.supplier_site_id].append((link.receiver_site_id, link.material))
    for site in out_by_site:
        out_by_site[site] = sorted(set(out_by_site[site]))

    def chains_from(start: str, length: int) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """Every chain of exactly ``length`` links from ``start``, sorted."""
        found: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        sites, materials = [start], []

        def extend() -> None:
            if len(materials) == length:
                found.append((tuple(sites), tuple(materials)))
                return
            for receiver, material in out_by_site.get(sites[-1], ()):
                if receiver in sites or (materials and material == materials[-1]):
                    continue
                sites.append(receiver)
                materials.append(material)
                extend()
                sites.pop()
                materials.pop()

        extend()
        return sorted(found)

    ordered: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for length in range(max_links, 1, -1):
        for start in sorted(out_by_site):
            ordered.extend(chains_from(start, length))
            if len(ordered) >= limit:
                return tuple(Cascade(sites, materials) for sites, materials in ordered[:limit])
    return tuple(Cascade(sites, materials) for sites, materials in ordered)


def couplings_by_type(links: Iterable[Link], *, statuses: Sequence[str] = LINK_STATUSES) -> dict[str, int]:
    """Number of links per coupling type, sorted by type.

    Examples
    --------
    >>> couplings_by_type([_link("A", "B", "coke-oven-gas", 1.0, coupling="steel-chemical")])
    {'steel-chemical': 1}
    """
    counts: dict[str, int] = defaultdict(int)
    for link in _selected(links, statuses):
        if link.coupling:
            counts[link.coupling] += 1
    return dict(sorted(counts.items()))


def keystone_sites(
    links: Iterable[Link],
    *,
    statuses: Sequence[str] = LINK_STATUSES,
    top: int = 10,
    exact_max_nodes: int = 500_000,
    samples: int = 200,
    seed: int = 0,
    unit: str | None = None,
) -> tuple[Keystone, ...]:
    """Sites the network leans on, by share of the flow (sent plus taken) and betweenness.

    With ``unit`` (``"t"``, ``"Nm3"`` ...), ``tonnage_share`` is the site's share of the flow measured
    in that unit and the shares of all sites sum to 1; only sites with a link in that unit are ranked.
    Without it, every site is ranked by its largest share in any unit family, so units are never
    added together: a gas-fired power plant taking half the gas scores 0.5, not 0 % of the tonnes.
    Betweenness is over every selected link, directed and normalised as NetworkX does (by
    ``(n - 1)(n - 2)``), exact up to ``exact_max_nodes`` sites, else estimated from ``samples``
    sources drawn with ``seed``.

    Examples
    --------
    >>> links = [_link("A", "B", "coal-fly-ash", 100.0), _link("B", "C", "steam", 10.0),
    ...          _link("D", "B", "fgd-gypsum", 30.0), _link("E", "F", "blast-furnace-gas", 9e8, unit="Nm3")]
    >>> [k.site_id for k in keystone_sites(links, top=3)]
    ['B', 'E', 'F']
    >>> [(k.site_id, round(k.tonnage_share, 3)) for k in keystone_sites(links, unit="t", top=2)]
    [('B', 0.5), ('A', 0.357)]
    """
    selected = _selected(links, statuses)
    successors = _successors(selected)
    if not successors:
        return ()
    sources = None
    if len(successors) > exact_max_nodes:
        rng = random.Random(seed)
        sources = rng.sample(sorted(successors), min(samples, len(successors)))
    betweenness = sparse_betweenness(successors, sources=sources)
    shares = _shares_by_unit(selected)
    counts: dict[str, int] = defaultdict(int)
    for link in selected:
        if unit is None or link.unit == unit:
            for site in (link.supplier_site_id, link.receiver_site_id):
                counts[site] += 1
    if unit is None:
        share = {site: max((by_site.get(site, 0.0) for by_site in shares.values()), default=0.0)
                 for site in successors}
        ranked_sites = list(successors)
    else:
        share = shares.get(unit, {})
        ranked_sites = sorted(counts)
    ranked = heapq.nsmallest(top, ranked_sites,
                             key=lambda site: (-share.get(site, 0.0), -betweenness.get(site, 0.0), site))
    return tuple(Keystone(site, share.get(site, 0.0), float(betweenness.get(site, 0.0)), counts[site])
                 for site in ranked)


def keystones_by_unit(
    links: Iterable[Link],
    *,
    statuses: Sequence[str] = LINK_STATUSES,
    top: int = 10,
    exact_max_nodes: int = 500_000,
    samples: int = 200,
    seed: int = 0,
) -> dict[str, tuple[Keystone, ...]]:
    """:func:`keystone_sites` for each unit family the links use, in :data:`UNIT_ORDER`.

    Examples
    --------
    >>> found = keystones_by_unit([_link("A", "B", "coal-fly-ash", 100.0),
    ...                            _link("E", "B", "converter-gas", 9e8, unit="Nm3")], top=1)
    >>> {unit: [(k.site_id, k.tonnage_share) for k in found[unit]] for unit in found}
    {'t': [('A', 0.5)], 'Nm3': [('B', 0.5)]}
    """
    selected = _selected(links, statuses)
    return {unit: keystone_sites(selected, statuses=statuses, top=top, exact_max_nodes=exact_max_nodes,
                                 samples=samples, seed=seed, unit=unit)
            for unit in flow_units(selected)}


def _shares_by_unit(links: Sequence[Link]) -> dict[str, dict[str, float]]:
    """Each site's share of each unit's flow; a link counts at both its ends, so shares sum to 1 per unit."""
    amounts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for link in links:
        for site in (link.supplier_site_id, link.receiver_site_id):
            amounts[link.unit][site] += link.quantity
    shares = {}
    for unit, by_site in amounts.items():
        total = sum(by_site.values())
        shares[unit] = {site: (amount / total if total else 0.0) for site, amount in by_site.items()}
    return shares


def _successors(links: Iterable[Link]) -> dict[str, list[str]]:
    """Every site (sorted) with the sorted sites it sends to."""
    out: dict[str, set[str]] = defaultdict(set)
    for link in links:
        out[link.supplier_site_id].add(link.receiver_site_id)
        out.setdefault(link.receiver_site_id, set())
    return {site: sorted(out[site]) for site in sorted(out)}


def sparse_betweenness(
    G: nx.DiGraph | Mapping[str, Sequence[str]], *, sources: Sequence[str] | None = None
) -> dict[str, float]:
    """Directed, unweighted betweenness centrality (Brandes), normalised like NetworkX's.

    Matches :func:`networkx.betweenness_centrality` but touches only the nodes each source reaches:
    NetworkX initialises every node for every source, which costs O(n) per source even when a
    supplier reaches three receivers, as most do in an exchange network. With ``sources`` given,
    only those are used and the result is scaled by ``n / len(sources)``, as NetworkX's ``k`` does.
    ``G`` is a graph or a mapping of every node to its successors.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.DiGraph([("A", "B"), ("B", "C"), ("D", "B")])
    >>> {site: round(value, 3) for site, value in sparse_betweenness(G).items() if value}
    {'B': 0.333}
    """
    if isinstance(G, Mapping):
        successors = {node: list(after) for node, after in G.items()}
    else:
        successors = {node: list(G.successors(node)) for node in G.nodes}
    nodes = list(successors)
    n = len(nodes)
    centrality = dict.fromkeys(nodes, 0.0)
    chosen = nodes if sources is None else list(sources)
    for source in chosen:
        if not successors[source]:
            continue
        order: list[str] = []
        predecessors: dict[str, list[str]] = {source: []}
        sigma: dict[str, float] = {source: 1.0}
        distance: dict[str, int] = {source: 0}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            order.append(node)
            step = distance[node] + 1
            for nxt in successors[node]:
                if nxt not in distance:
                    distance[nxt] = step
                    sigma[nxt] = 0.0
                    predecessors[nxt] = []
                    queue.append(nxt)
                if distance[nxt] == step:
                    sigma[nxt] += sigma[node]
                    predecessors[nxt].append(node)
        delta = dict.fromkeys(order, 0.0)
        for node in reversed(order):
            for previous in predecessors[node]:
                delta[previous] += sigma[previous] / sigma[node] * (1.0 + delta[node])
            if node != source:
                centrality[node] += delta[node]
    if n > 2:
        scale = 1.0 / ((n - 1) * (n - 2))
        if sources is not None and len(chosen):
            scale *= n / len(chosen)
        for node in centrality:
            centrality[node] *= scale
    return centrality


@dataclass(frozen=True)
class Stranded:
    """What closing a site strands, by unit: supply its receivers lose, outlets its suppliers lose."""

    site_id: str
    supply_lost: dict[str, float]
    outlet_lost: dict[str, float]
    links: int
    receivers: tuple[str, ...]
    suppliers: tuple[str, ...]


def stranded_if_closed(
    links: Iterable[Link], site_id: str, *, statuses: Sequence[str] = LINK_STATUSES
) -> Stranded:
    """What stops if ``site_id`` closes: the flows it sends (its receivers lose that supply) and the
    flows it takes (its suppliers must find another outlet or landfill).

    Examples
    --------
    >>> s = stranded_if_closed([_link("A", "B", "coal-fly-ash", 100.0), _link("B", "C", "steam", 10.0)], "B")
    >>> s.supply_lost, s.outlet_lost, s.receivers, s.suppliers
    ({'t': 10.0}, {'t': 100.0}, ('C',), ('A',))
    """
    supply: dict[str, float] = defaultdict(float)
    outlet: dict[str, float] = defaultdict(float)
    receivers: set[str] = set()
    suppliers: set[str] = set()
    count = 0
    for link in _selected(links, statuses):
        if link.supplier_site_id == site_id:
            supply[link.unit] += link.quantity
            receivers.add(link.receiver_site_id)
            count += 1
        elif link.receiver_site_id == site_id:
            outlet[link.unit] += link.quantity
            suppliers.add(link.supplier_site_id)
            count += 1
    return Stranded(site_id, dict(sorted(supply.items())), dict(sorted(outlet.items())), count,
                    tuple(sorted(receivers)), tuple(sorted(suppliers)))


def analyse_network(
    links: Iterable[Link],
    *,
    statuses: Sequence[str] = LINK_STATUSES,
    top: int = 10,
    exact_max_nodes: int = 500_000,
    samples: int = 200,
    seed: int = 0,
    cascade_limit: int = 1000,
) -> NetworkSummary:
    """Cascades, couplings and keystone sites of the links, in one value.

    Examples
    --------
    >>> summary = analyse_network([_link("A", "B", "coke-oven-gas", 1.0, coupling="steel-chemical")])
    >>> summary.sites, summary.links, dict(summary.couplings)
    (2, 1, {'steel-chemical': 1})
    """
    selected = _selected(links, statuses)
    return NetworkSummary(
        sites=len({site for link in selected for site in (link.supplier_site_id, link.receiver_site_id)}),
        links=len(selected),
        cascades=cascades(selected, statuses=statuses, limit=cascade_limit),
        couplings=couplings_by_type(selected, statuses=statuses),
        keystones=keystone_sites(
            selected, statuses=statuses, top=top, exact_max_nodes=exact_max_nodes, samples=samples, seed=seed
        ),
    )


def _link(
    supplier: str, receiver: str, material: str, quantity: float, *, unit: str = "t", coupling: str | None = None
) -> Link:
    """A bare link for examples and tests."""
    return Link(
        offer_id=f"{supplier}:{material}", supplier_site_id=supplier, want_id=None, receiver_site_id=receiver,
        material=material, route_id=None, quantity=quantity, unit=unit, distance_km=0.0, road_km=0.0, mode=None,
        transport_cost_cny=0.0, net_benefit_cny=0.0, net_benefit_cny_per_unit=0.0, co2_avoided_t=0.0, score=0.0,
        same_park=False, cross_park=False, coupling=coupling, latent=False,
    )
