"""The links as a directed network of sites: cascades, couplings, keystone sites, what a closure strands.

Every function takes links (:class:`~matching.types.Link`, any status: proposed, agreed, active)
and, by default, uses all of them; pass ``statuses`` to look at, say, agreed and active ones only.
Tonnage means links measured in tonnes; gas, heat and water links count as links but not as tonnes.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from matching.types import LINK_STATUSES, Cascade, Keystone, Link, NetworkSummary

__all__ = [
    "Stranded",
    "analyse_network",
    "cascades",
    "couplings_by_type",
    "keystone_sites",
    "site_graph",
    "sparse_betweenness",
    "stranded_if_closed",
]


def _selected(links: Iterable[Link], statuses: Sequence[str]) -> list[Link]:
    unknown = set(statuses) - set(LINK_STATUSES)
    if unknown:
        raise ValueError(f"statuses: unknown {', '.join(sorted(unknown))}; use {', '.join(LINK_STATUSES)}")
    return [link for link in links if link.status in statuses and link.quantity > 0]


def site_graph(links: Iterable[Link], *, statuses: Sequence[str] = LINK_STATUSES) -> nx.DiGraph:
    """A directed graph of sites; one edge per supplier-receiver pair.

    Edge attributes: ``links`` (count), ``tonnes`` (links in t), ``materials`` (sorted tuple),
    ``couplings`` (sorted tuple).

    Examples
    --------
    >>> G = site_graph([_link("A", "B", "coal-fly-ash", 100.0), _link("A", "B", "fgd-gypsum", 50.0)])
    >>> G["A"]["B"]["tonnes"], G["A"]["B"]["materials"]
    (150.0, ('coal-fly-ash', 'fgd-gypsum'))
    """
    G = nx.DiGraph()
    edges: dict[tuple[str, str], dict] = {}
    for link in _selected(links, statuses):
        data = edges.setdefault(
            (link.supplier_site_id, link.receiver_site_id),
            {"links": 0, "tonnes": 0.0, "materials": set(), "couplings": set()},
        )
        data["links"] += 1
        if link.unit == "t":
            data["tonnes"] += link.quantity
        data["materials"].add(link.material)
        if link.coupling:
            data["couplings"].add(link.coupling)
    G.add_edges_from(
        (supplier, receiver, {
            "links": data["links"], "tonnes": data["tonnes"],
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
    Depth-first from every site; the work grows with the number of chains, bounded by ``limit``.
    """
    if max_links < 2:
        raise ValueError("max_links must be at least 2")
    out_by_site: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for link in _selected(links, statuses):
        out_by_site[link.supplier_site_id].append((link.receiver_site_id, link.material))
    for site in out_by_site:
        out_by_site[site] = sorted(set(out_by_site[site]))

    found: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()

    def extend(sites: list[str], materials: list[str]) -> None:
        if len(materials) >= 2:
            found.add((tuple(sites), tuple(materials)))
        if len(materials) == max_links:
            return
        for receiver, material in out_by_site.get(sites[-1], ()):
            if receiver in sites or (materials and material == materials[-1]):
                continue
            sites.append(receiver)
            materials.append(material)
            extend(sites, materials)
            sites.pop()
            materials.pop()

    for start in sorted(out_by_site):
        extend([start], [])
    ordered = sorted(found, key=lambda item: (-len(item[0]), item))
    return tuple(Cascade(sites, materials) for sites, materials in ordered[:limit])


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
) -> tuple[Keystone, ...]:
    """Sites the network leans on, by share of tonnage (sent plus taken) and betweenness.

    ``tonnage_share`` sums to 1 over all sites; betweenness is directed and normalised as NetworkX
    does (by ``(n - 1)(n - 2)``), exact up to ``exact_max_nodes`` sites, else estimated from
    ``samples`` sources drawn with ``seed``.

    Examples
    --------
    >>> [k.site_id for k in keystone_sites([_link("A", "B", "coal-fly-ash", 100.0), _link("B", "C", "steam", 10.0),
    ...                                     _link("D", "B", "fgd-gypsum", 30.0)], top=2)]
    ['B', 'A']
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
    tonnes: dict[str, float] = defaultdict(float)
    counts: dict[str, int] = defaultdict(int)
    for link in selected:
        for site in (link.supplier_site_id, link.receiver_site_id):
            counts[site] += 1
            if link.unit == "t":
                tonnes[site] += link.quantity
    total = sum(tonnes.values())
    share = {site: (tonnes[site] / total if total else 0.0) for site in successors}
    ranked = heapq.nsmallest(top, successors, key=lambda site: (-share[site], -betweenness.get(site, 0.0), site))
    return tuple(Keystone(site, share[site], float(betweenness.get(site, 0.0)), counts[site]) for site in ranked)


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
    >>> G = nx.DiGraph([("A", "B"), ("B", "C"), ("D", "B")])
    >>> {site: round(value, 3) for site, value in sparse_betweenness(G).items() if value}
    {'B': 0.333}
    """
    if isinstance(G, nx.DiGraph):
        successors = {node: list(G.successors(node)) for node in G.nodes}
    else:
        successors = {node: list(after) for node, after in G.items()}
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
