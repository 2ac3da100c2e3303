"""The shipped routes' figures through the engine: who pays whom, and which use a lot qualifies for."""

from __future__ import annotations

import datetime as dt

import pytest

from matching.engine import run_matching
from matching.knowledge import load_knowledge
from matching.types import MatchOptions, Offer, Site, Want

KB = load_knowledge()
ROUTE = {route.id: route for route in KB.routes}
TODAY = dt.date(2026, 3, 1)


def run(offers, wants, sites, **options):
    options.setdefault("today", TODAY)
    options.setdefault("keep_candidates", True)
    return run_matching(offers, wants, sites, KB.routes, options=MatchOptions(**options), knowledge=KB)


# --------------------------------------------------------------------------- retired EV batteries

# A car maker's retired packs ~15 km from a listed recycler; neither side names a price, so the route's
# typical figures decide, as they do for latent receivers and for wants without a price ceiling.
BATTERY_SITES = [Site("NEV", 117.20, 31.80, "3612"), Site("REC", 117.30, 31.90, "4210", battery_listing="recycling")]


@pytest.mark.parametrize("material, quality, route_id", [
    ("retired-ev-battery", {"chemistry": "LFP", "coded_gbt34014": "yes"}, "ev-battery-material-recovery"),
    ("retired-lfp-battery", {}, "ev-battery-material-recovery"),
    ("retired-ev-battery", {"chemistry": "NCM", "coded_gbt34014": "yes"}, "ncm-battery-nickel-cobalt-recovery"),
    ("retired-ncm-battery", {}, "ncm-battery-nickel-cobalt-recovery"),
])
@pytest.mark.parametrize("latent", [False, True])
def test_retired_batteries_pay_off_at_a_listed_recycler(material, quality, route_id, latent):
    wants = [] if latent else [Want("W1", "REC", (material,), 200.0)]
    result = run([Offer("O1", "NEV", material, 200.0, quality)], wants, BATTERY_SITES, latent=latent)
    [link] = result.links
    [candidate] = result.candidates
    assert (link.receiver_site_id, link.route_id, link.quantity) == ("REC", route_id, 200.0)
    # The recycler buys the packs (a positive price it pays), and still comes out ahead of virgin metal.
    assert candidate.price_cny_per_unit == ROUTE[route_id].typical_price_cny_per_unit > 0
    assert link.net_benefit_cny_per_unit > 0
    assert link.net_benefit_cny == pytest.approx(link.net_benefit_cny_per_unit * 200.0)


def test_ncm_batteries_are_worth_more_to_a_recycler_than_lfp():
    lfp, ncm = ROUTE["ev-battery-material-recovery"], ROUTE["ncm-battery-nickel-cobalt-recovery"]
    assert ncm.typical_price_cny_per_unit > lfp.typical_price_cny_per_unit > 0
    assert ncm.replaces.price_cny * ncm.replacement_ratio > lfp.replaces.price_cny * lfp.replacement_ratio


def test_no_battery_route_charges_the_supplier_a_gate_fee():
    battery_routes = [route for route in KB.routes if route.receiver_licence.startswith("battery_")]
    assert battery_routes
    for route in battery_routes:
        assert route.typical_price_cny_per_unit > 0, route.id
        assert route.replaces.price_cny * route.replacement_ratio > route.typical_price_cny_per_unit, route.id


# --------------------------------------------------------------------------- coal gangue into cement

GANGUE_SITES = [Site("MINE", 116.80, 32.60, "0610"), Site("CEM", 116.90, 32.65, "3011")]


@pytest.mark.parametrize("quality, route_id", [
    ({"thermal_state": "raw", "loi_pct": 18.0, "s_pct": 0.6}, "coal-gangue-cement-raw-meal"),
    ({"thermal_state": "calcined", "loi_pct": 4.0, "so3_pct": 1.2, "strength_activity_index_pct": 72.0, "s_pct": 0.4},
     "coal-gangue-cement-admixture"),
    # burnt, but too much unburnt carbon left for an admixture: it can still go into the raw meal
    ({"thermal_state": "self-combusted", "loi_pct": 14.0, "s_pct": 0.5}, "coal-gangue-cement-raw-meal"),
])
def test_coal_gangue_goes_to_a_cement_works_by_the_use_it_qualifies_for(quality, route_id):
    result = run([Offer("O1", "MINE", "coal-gangue", 50000.0, quality)], [], GANGUE_SITES, latent=True)
    assert [(link.receiver_site_id, link.route_id) for link in result.links] == [("CEM", route_id)]
    assert result.links[0].net_benefit_cny_per_unit > 0
    assert result.links[0].coupling == "mining-building materials"


def test_high_sulphur_gangue_is_kept_out_of_the_raw_meal():
    quality = {"thermal_state": "raw", "loi_pct": 18.0, "s_pct": 2.5}
    result = run([Offer("O1", "MINE", "coal-gangue", 50000.0, quality)], [], GANGUE_SITES, latent=True)
    assert result.links == ()
    assert result.summary.dropped["quality_route"] == 1
