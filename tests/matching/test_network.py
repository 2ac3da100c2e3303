"""Network analysis over links: cascades, couplings, keystones, closures."""

import dataclasses

import networkx as nx
import pytest

from matching.network import (
    analyse_network,
    cascades,
    couplings_by_type,
    flow_units,
    keystone_sites,
    keystones_by_unit,
    site_graph,
    sparse_betweenness,
    stranded_if_closed,
)
from matching.types import Link


def link(supplier, receiver, material="coal-fly-ash", quantity=100.0, *, unit="t", coupling=None, status="proposed"):
    return Link(
        offer_id=f"{supplier}:{material}", supplier_site_id=supplier, want_id=None, receiver_site_id=receiver,
        material=material, route_id=None, quantity=quantity, unit=unit, distance_km=0.0, road_km=0.0, mode=None,
        transport_cost_cny=0.0, net_benefit_cny=0.0, net_benefit_cny_per_unit=0.0, co2_avoided_t=0.0, score=0.0,
        same_park=False, cross_park=False, coupling=coupling, latent=False, status=status,
    )


STEELWORKS = [
    link("STEEL", "CHEM", "coke-oven-gas", 5e8, unit="Nm3", coupling="steel-chemical"),
    link("STEEL", "CEM", "steel-slag", 300.0, coupling="steel-building materials"),
    link("CHEM", "CEM", "carbide-slag", 200.0, coupling="chemical-building materials"),
    link("CEM", "HEAT", "waste-heat", 50.0, unit="GJ", coupling="energy cascade"),
    link("PWR", "CEM", "coal-fly-ash", 500.0, coupling="power-building materials"),
]


def test_cascades_follow_by_products_through_a_site():
    found = {(c.sites, c.materials) for c in cascades(STEELWORKS)}
    assert (("STEEL", "CHEM", "CEM"), ("coke-oven-gas", "carbide-slag")) in found
    assert (("STEEL", "CHEM", "CEM", "HEAT"), ("coke-oven-gas", "carbide-slag", "waste-heat")) in found
    assert (("PWR", "CEM", "HEAT"), ("coal-fly-ash", "waste-heat")) in found
    assert all(len(c.sites) >= 3 for c in cascades(STEELWORKS))


def test_passing_the_same_material_on_is_trading_not_a_cascade():
    assert cascades([link("A", "B", "coal-fly-ash"), link("B", "C", "coal-fly-ash")]) == ()


def test_cascade_length_and_count_are_bounded():
    chain = [link(f"S{i}", f"S{i + 1}", f"m{i}") for i in range(6)]
    assert max(len(c.sites) for c in cascades(chain, max_links=3)) == 4
    assert len(cascades(chain, max_links=6, limit=2)) == 2
    assert cascades(chain, max_links=6, limit=2)[0].sites == ("S0", "S1", "S2", "S3", "S4", "S5", "S6")
    with pytest.raises(ValueError, match="max_links must be at least 2"):
        cascades(chain, max_links=1)


def _all_chains(links, max_links):
    """Every cascade by brute force, in the documented order: longest first, then by sites and materials."""
    found = set()

    def extend(sites, materials):
        if len(materials) >= 2:
            found.add((tuple(sites), tuple(materials)))
        if len(materials) == max_links:
            return
        for item in links:
            if item.supplier_site_id == sites[-1] and item.receiver_site_id not in sites and (
                    not materials or item.material != materials[-1]):
                extend([*sites, item.receiver_site_id], [*materials, item.material])

    for start in {item.supplier_site_id for item in links}:
        extend([start], [])
    return sorted(found, key=lambda chain: (-len(chain[0]), chain))


@pytest.mark.parametrize("seed", range(6))
def test_cascades_stop_early_yet_return_the_first_chains_in_order(seed):
    import random

    rng = random.Random(seed)
    links = [link(f"S{rng.randrange(12)}", f"S{rng.randrange(12)}", f"m{rng.randrange(3)}") for _ in range(30)]
    links = [item for item in links if item.supplier_site_id != item.receiver_site_id]
    expected = _all_chains(links, 3)
    for limit in (1, 7, 50, 10_000):
        assert [(c.sites, c.materials) for c in cascades(links, limit=limit)] == expected[:limit]
    assert [(c.sites, c.materials) for c in cascades(links, max_links=2)] == _all_chains(links, 2)


def test_couplings_counted_by_type():
    assert couplings_by_type(STEELWORKS) == {
        "chemical-building materials": 1, "energy cascade": 1, "power-building materials": 1,
        "steel-building materials": 1, "steel-chemical": 1,
    }


def test_keystones_rank_by_tonnage_share_then_betweenness():
    keystones = keystone_sites(STEELWORKS, top=3, unit="t")
    assert [k.site_id for k in keystones] == ["CEM", "PWR", "STEEL"]
    assert keystones[0].tonnage_share == pytest.approx(1000.0 / 2000.0)  # in 1000 t of 1000 t moved, counted twice
    assert keystones[0].betweenness > 0
    assert sum(k.tonnage_share for k in keystone_sites(STEELWORKS, top=10, unit="t")) == pytest.approx(1.0)
    # Only sites with a link in tonnes: the heat user takes GJ only.
    assert "HEAT" not in {k.site_id for k in keystone_sites(STEELWORKS, top=10, unit="t")}


def test_keystones_never_add_units_together():
    """Before: shares counted tonnes only, so a plant living on gas scored 0 % and ranked last."""
    links = [link("MILL", "CEM", "gbfs", 400_000.0), link("MILL", "SLAG", "steel-slag", 100_000.0),
             link("MILL", "GASPWR", "blast-furnace-gas", 3.7e8, unit="Nm3"),
             link("CHP", "PAPER", "steam", 12_000.0)]
    by_site = {k.site_id: k for k in keystone_sites(links, top=10)}
    assert by_site["GASPWR"].tonnage_share == pytest.approx(0.5)  # half the gas flow: it takes all of it
    assert by_site["GASPWR"].links == 1
    # Across families a site is ranked by its largest share (the mill: half the gas), never by a sum of t and Nm3.
    assert {k.site_id for k in keystone_sites(links, top=2)} == {"MILL", "GASPWR"}
    by_unit = keystones_by_unit(links, top=10)
    assert list(by_unit) == ["t", "Nm3"]
    assert {k.site_id for k in by_unit["Nm3"]} == {"MILL", "GASPWR"}
    for keystones in by_unit.values():
        assert sum(k.tonnage_share for k in keystones) == pytest.approx(1.0)


def test_flow_units_keep_a_fixed_order():
    links = [link("A", "B", "water", 5.0, unit="m3"), link("A", "B", "gas", 5.0, unit="Nm3"),
             link("A", "B", "heat", 5.0, unit="GJ"), link("A", "B", "ash", 5.0), link("A", "B", "x", 5.0, unit="kWh")]
    assert flow_units(links) == ("t", "GJ", "Nm3", "m3", "kWh")


@pytest.mark.parametrize("seed", range(8))
def test_sparse_betweenness_equals_networkx(seed):
    G = nx.gnp_random_graph(25, 0.1, seed=seed, directed=True)
    expected = nx.betweenness_centrality(G)
    assert sparse_betweenness(G) == pytest.approx(expected, abs=1e-12)
    assert sparse_betweenness({n: list(G.successors(n)) for n in G}) == pytest.approx(expected, abs=1e-12)


def test_sampled_betweenness_is_reproducible_with_the_seed():
    chain = [link(f"S{i}", f"S{i + 1}", f"m{i % 2}") for i in range(30)]
    first = keystone_sites(chain, exact_max_nodes=5, samples=10, seed=3)
    assert first == keystone_sites(chain, exact_max_nodes=5, samples=10, seed=3)


def test_what_closing_a_site_strands():
    stranded = stranded_if_closed(STEELWORKS, "CEM")
    assert stranded.supply_lost == {"GJ": 50.0}
    assert stranded.outlet_lost == {"t": 1000.0}
    assert stranded.receivers == ("HEAT",) and stranded.suppliers == ("CHEM", "PWR", "STEEL")
    assert stranded_if_closed(STEELWORKS, "NOWHERE").links == 0


def test_statuses_select_which_links_count():
    mixed = [dataclasses.replace(STEELWORKS[0], status="agreed"), *STEELWORKS[1:]]
    assert couplings_by_type(mixed, statuses=("agreed", "active")) == {"steel-chemical": 1}
    with pytest.raises(ValueError, match="unknown declined"):
        couplings_by_type(mixed, statuses=("declined",))


def test_site_graph_aggregates_links_per_pair():
    G = site_graph([link("A", "B", "coal-fly-ash", 100.0), link("A", "B", "fgd-gypsum", 50.0),
                    link("A", "B", "steam", 9.0, unit="GJ")])
    assert G["A"]["B"]["tonnes"] == 150.0 and G["A"]["B"]["links"] == 3
    assert G["A"]["B"]["quantities"] == {"GJ": 9.0, "t": 150.0}


def test_analyse_network_summarises_everything():
    summary = analyse_network(STEELWORKS)
    assert (summary.sites, summary.links) == (5, 5)
    assert summary.couplings["steel-chemical"] == 1
    assert summary.keystones[0].site_id == "CEM"
    assert summary.as_dict()["cascades"][0]["sites"] == ["STEEL", "CHEM", "CEM", "HEAT"]
