"""Scoring: transport mode and cost, net benefit, CO2, park flags and couplings."""

import datetime as dt

import numpy as np
import pytest

from geo.distance import great_circle_km
from matching.engine import run_matching
from matching.knowledge.loader import load_knowledge
from matching.scoring import choose_mode, park_flags
from matching.types import MatchOptions, Offer, Site, Want

KB = load_knowledge()
TODAY = dt.date(2026, 3, 1)
ROUTE = {route.id: route for route in KB.routes}


def run(offers, wants, sites, **options):
    options.setdefault("today", TODAY)
    return run_matching(offers, wants, sites, KB.routes, options=MatchOptions(**options), knowledge=KB)


@pytest.mark.parametrize("road_km, allowed, mode, cost", [
    (100.0, 0b0011, 1, 15.0),      # rail is cheaper where both reach
    (100.0, 0b0001, 0, 45.0),      # the offer only allows road
    (300.0, 0b0011, 1, 45.0),      # beyond the road radius
    (300.0, 0b0001, -1, np.inf),   # nothing reaches
])
def test_the_cheapest_usable_mode_is_chosen(road_km, allowed, mode, cost):
    choice = choose_mode(np.array([road_km]), radius_km={"road": 150.0, "rail": 500.0},
                         allowed=np.array([allowed], dtype=np.uint8), freight_t_per_unit=1.0,
                         cny_per_t_km={"road": 0.45, "rail": 0.15}, co2_kg_per_t_km={"road": 0.09, "rail": 0.011})
    assert (int(choice.mode[0]), float(choice.cny_per_unit[0])) == (mode, pytest.approx(cost))


def test_freight_tonnes_per_unit_scale_pipeline_costs_of_gas():
    choice = choose_mode(np.array([10.0]), radius_km={"pipeline": 15.0}, allowed=np.array([8], dtype=np.uint8),
                         freight_t_per_unit=0.001, cny_per_t_km={"pipeline": 0.1}, co2_kg_per_t_km={"pipeline": 0.005})
    assert float(choice.cny_per_unit[0]) == pytest.approx(0.001)
    assert float(choice.co2_t_per_unit[0]) == pytest.approx(10.0 * 0.005 * 0.001 / 1000)


def two_sites(km_north=30.0, receiver_sector="3011", **receiver):
    lat = 31.82 + km_north / great_circle_km(0, 0, 0, 1)
    return [Site("PWR", 117.23, 31.82, "4411"), Site("CEM", 117.23, lat, receiver_sector, **receiver)]


def test_net_benefit_and_co2_follow_the_formula_with_the_wants_maximum_price():
    sites = two_sites()
    offer = Offer("O1", "PWR", "coal-fly-ash", 1000.0, {"loi_pct": 5.0}, price_cny=20.0)
    want = Want("W1", "CEM", ("coal-fly-ash",), 1000.0, max_price_cny=70.0)
    [link] = run([offer], [want], sites).links
    route = ROUTE["fly-ash-cement-admixture"]
    road_km = 30.0 * 1.3
    transport = road_km * 0.45
    assert link.road_km == pytest.approx(road_km)
    assert link.transport_cost_cny == pytest.approx(transport * 1000.0)
    assert link.net_benefit_cny_per_unit == pytest.approx(70.0 - 20.0 - transport + route.supplier_disposal_cost_cny_per_unit)
    assert link.co2_avoided_t == pytest.approx((route.co2_avoided_t_per_unit - road_km * 0.090 / 1000) * 1000.0)
    assert link.score == pytest.approx(link.net_benefit_cny_per_unit)


def test_without_a_maximum_price_the_replaced_input_sets_the_avoided_cost():
    sites = two_sites()
    offer = Offer("O1", "PWR", "coal-fly-ash", 1000.0, {"loi_pct": 5.0})  # no asking price either
    [link] = run([offer], [Want("W1", "CEM", ("coal-fly-ash",), 1000.0)], sites).links
    route = ROUTE["fly-ash-cement-admixture"]
    expected = (route.replaces.price_cny * route.replacement_ratio - route.typical_price_cny_per_unit
                - 30.0 * 1.3 * 0.45 + route.supplier_disposal_cost_cny_per_unit)
    assert link.net_benefit_cny_per_unit == pytest.approx(expected)


def test_a_co2_price_raises_the_score_not_the_net_benefit():
    sites = two_sites()
    offer = Offer("O1", "PWR", "coal-fly-ash", 1000.0, {"loi_pct": 5.0}, price_cny=20.0)
    want = Want("W1", "CEM", ("coal-fly-ash",), 1000.0, max_price_cny=70.0)
    plain = run([offer], [want], sites).links[0]
    priced = run([offer], [want], sites, co2_price_cny_per_t=100.0).links[0]
    assert priced.net_benefit_cny == pytest.approx(plain.net_benefit_cny)
    assert priced.score == pytest.approx(plain.score + 100.0 * plain.co2_avoided_t / 1000.0)


def test_uneconomic_pairs_are_dropped_unless_the_floor_is_lifted():
    sites = two_sites(km_north=100.0)
    offer = Offer("O1", "PWR", "coal-fly-ash", 1000.0, {"loi_pct": 5.0}, price_cny=60.0)
    want = Want("W1", "CEM", ("coal-fly-ash",), 1000.0, max_price_cny=70.0)  # 70 - 60 - 58.5 + 30 < 0
    result = run([offer], [want], sites)
    assert not result.links and result.summary.dropped["uneconomic"] == 1
    assert run([offer], [want], sites, min_net_benefit_cny_per_unit=None).links


def test_a_materials_own_route_wins_over_one_inherited_from_its_parent():
    # Carbide slag has its own cement route; the generic chemical-waste route must not be used for cement.
    sites = [Site("PVC", 117.23, 31.82, "2612"), Site("CEM", 117.23, 31.90, "3011")]
    offer = Offer("O1", "PVC", "carbide-slag", 1000.0, {"ca_oh2_pct": 85.0}, price_cny=5.0)
    [link] = run([offer], [Want("W1", "CEM", ("carbide-slag",), 1000.0)], sites).links
    assert link.route_id == "carbide-slag-cement-raw-meal"


@pytest.mark.parametrize("supplier, receiver, expected", [
    ([0], [0], (True, False)),
    ([0], [1], (False, True)),
    ([-1], [1], (False, False)),
    ([-1], [-1], (False, False)),
])
def test_park_flags(supplier, receiver, expected):
    same, cross = park_flags(np.array(supplier), np.array(receiver))
    assert (bool(same[0]), bool(cross[0])) == expected


def test_links_carry_park_flags_and_couplings():
    sites = [Site("COKE", 117.23, 31.82, "2521", park="P1"), Site("MEOH", 117.24, 31.83, "2614", park="P1")]
    offer = Offer("O1", "COKE", "coke-oven-gas", 1e8, {"h2_pct": 58.0, "h2s_mg_nm3": 50.0, "ch4_pct": 25.0}, 0.5)
    [link] = run([offer], [Want("W1", "MEOH", ("coke-oven-gas",), 1e8)], sites).links
    assert (link.same_park, link.cross_park, link.coupling, link.mode, link.unit) == (
        True, False, "coal-chemical", "pipeline", "Nm3")
