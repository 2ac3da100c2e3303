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


# --------------------------------------------------------------------------- documented users, found without a posted want

# Supplier and user a few kilometres apart, with a furniture maker next door as a distractor: in latent mode
# the stream must reach the user its routes name, at the level that generalises (a pig farm of any kind, a
# farm growing any crop), and never the furniture maker.
DOCUMENTED_USERS = [
    ("byproduct-hydrogen", 3e6, "2612", "3213", "hydrogen-nickel-refining"),        # Kwinana nickel refinery
    ("captured-co2", 60_000.0, "2621", "3216", "co2-red-mud-carbonation"),          # Kwinana, CSBP -> Alcoa
    ("warm-seawater", 5e7, "4411", "4630", "warm-seawater-desalination-feed"),      # Beijiang power-water
    ("desalination-brine", 2e7, "4630", "1030", "desalination-brine-salt-works"),   # Beijiang brine to salt works
    ("salt-bittern", 1e6, "1030", "2623", "bittern-potash-magnesium-chemicals"),
    ("hot-water-low", 300_000.0, "4411", "0412", "low-temperature-water-agriculture"),  # Kalundborg fish farm
    ("captured-co2", 100_000.0, "2511", "0141", "co2-greenhouse"),                  # OCAP greenhouses
    ("brewers-spent-grain", 20_000.0, "1513", "0313", None),                        # any of its feed routes
    ("spent-yeast", 10_000.0, "2761", "0313", None),                                # Kalundborg yeast to pigs
    ("ammonium-thiosulphate", 20_000.0, "2511", "0111", "ammonium-thiosulphate-liquid-fertiliser"),
    ("smelter-sulphuric-acid", 400_000.0, "3211", "2622", "sulphuric-acid-fertiliser"),
    ("fluorosilicic-acid", 5_000.0, "2622", "2613", "fluorosilicic-acid-fluoride-salts"),
    ("steam-lp", 200_000.0, "4412", "2710", "lp-steam-process-heat"),               # power to pharma (Kalundborg)
    ("steam-mp", 500_000.0, "3110", "2614", "mp-hp-steam-chemical-park"),           # steelworks to chemicals
    ("treated-effluent", 3e6, "4620", "4412", "reclaimed-water-cooling"),           # Tianjin CHP plants
    ("electricity", 2e6, "4411", "3216", "electricity-direct-supply"),              # Gladstone power to smelter
    ("secondary-effluent", 1e7, "4620", "4690", "secondary-effluent-water-reclamation"),  # sewage works to reclamation
    ("saline-wastewater", 5e5, "2651", "2612", "saline-wastewater-chlor-alkali-brine"),  # PC salt water to SCAC
    ("chlorine", 1e5, "2612", "2614", "chlorine-chemical-synthesis"),
    ("carbon-monoxide", 1e8, "2619", "2614", "carbon-monoxide-chemical-synthesis"),
]


@pytest.mark.parametrize(("material", "quantity", "supplier", "user", "route_id"), DOCUMENTED_USERS)
def test_a_stream_reaches_its_documented_user_without_a_posted_want(material, quantity, supplier, user, route_id):
    sites = [Site("SUP", 117.20, 31.80, supplier), Site("USER", 117.22, 31.81, user),
             Site("FURN", 117.21, 31.80, "2110")]
    result = run([Offer("O1", "SUP", material, quantity)], [], sites, latent=True)
    reached = {(link.receiver_site_id, link.route_id) for link in result.links}
    assert "USER" in {receiver for receiver, _ in reached}
    if route_id is not None:
        assert ("USER", route_id) in reached
    assert all(receiver != "FURN" for receiver, _ in reached)


@pytest.mark.parametrize(("material", "km", "reached"), [
    ("coal-fly-ash", 160.0, True),     # 167 km apart in a documented case: within 300 km by road
    ("coal-fly-ash", 240.0, False),    # 312 road km: beyond the road radius
    ("steam-lp", 6.0, True),
    ("steam-lp", 9.0, False),          # 11.7 pipe km: beyond the 10 km steam radius
])
def test_radii_from_practice(material, km, reached):
    # east of the supplier along the equator: 1 degree ~ 111.3 km; road and pipe km = great-circle km x 1.3
    user = "3011" if material == "coal-fly-ash" else "2710"
    sites = [Site("SUP", 0.0, 0.0, "4411"), Site("USER", km / 111.32, 0.0, user)]
    result = run([Offer("O1", "SUP", material, 1000.0)], [], sites, latent=True)
    assert bool(result.links) is reached
