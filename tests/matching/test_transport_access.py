"""Sites with several sectors, and transport access (rail siding, quay, pipeline) shared by two sites."""

import datetime as dt
import math

import pytest

from matching.engine import run_matching
from matching.knowledge.loader import load_knowledge
from matching.types import SITE_ACCESS, MatchOptions, Offer, Site, Want

KB = load_knowledge()
TODAY = dt.date(2026, 3, 1)
FLY_ASH = {"loi_pct": 5.0, "moisture_pct": 0.5, "so3_pct": 2.0, "grade": "II"}
LAT = 31.0
ROUTE = next(r for r in KB.routes if r.id == "fly-ash-cement-admixture")


def east(km: float) -> float:
    return 117.0 + km / (111.195 * math.cos(math.radians(LAT)))


def run(offers, wants, sites, **options):
    options.setdefault("today", TODAY)
    return run_matching(offers, wants, sites, [ROUTE], options=MatchOptions(**options), knowledge=KB)


def far_pair(road_km: float, supplier_access=(), receiver_access=(), modes=()):
    """A power plant and a cement works ``road_km`` of road apart (great circle × the detour factor 1.3)."""
    sites = [Site("PWR", 117.0, LAT, "4411", transport_access=supplier_access),
             Site("CEM", east(road_km / 1.3), LAT, "3011", transport_access=receiver_access)]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 50000.0, FLY_ASH, 20.0, transport_modes=modes)]
    wants = [Want("W1", "CEM", ("coal-fly-ash",), 50000.0, max_price_cny=200.0)]
    return offers, wants, sites


def test_two_quays_open_the_barge_radius_one_quay_does_not():
    radius = ROUTE.transport_km
    assert radius["barge"] > radius["road"]  # the premise: barges carry fly ash farther than lorries
    road_km = (radius["road"] + radius["barge"]) / 2
    both = run(*far_pair(road_km, ("quay",), ("quay", "rail")))
    assert [(l.mode, l.want_id) for l in both.links] == [("barge", "W1")]
    assert both.links[0].transport_cost_cny == pytest.approx(road_km * 0.05 * 50000.0, rel=1e-3)
    # One quay, or a quay facing a siding, opens nothing: the works lies beyond the road radius, and a supplier's
    # quay makes it look farther only for receivers with a quay too.
    for supplier, receiver in (((), ("quay",)), (("quay",), ()), (("quay",), ("rail",))):
        result = run(*far_pair(road_km, supplier, receiver))
        assert not result.links and result.summary.examined == 0, (supplier, receiver)


def test_two_sidings_open_rail_and_the_cheaper_shared_mode_wins_nearby():
    radius = ROUTE.transport_km
    road_km = radius["road"] * 0.5
    near = run(*far_pair(road_km, ("rail",), ("rail",)))
    assert [l.mode for l in near.links] == ["rail"]  # cheaper per t·km than road at any distance
    plain = run(*far_pair(road_km))
    assert [l.mode for l in plain.links] == ["road"]


def test_an_offer_that_names_its_modes_is_held_to_them_despite_shared_quays():
    road_km = (ROUTE.transport_km["road"] + ROUTE.transport_km["barge"]) / 2
    result = run(*far_pair(road_km, ("quay",), ("quay",), modes=("road",)))
    assert not result.links and result.summary.examined == 0


def test_site_access_maps_to_modes():
    assert dict(SITE_ACCESS) == {"rail": "rail", "quay": "barge", "pipeline": "pipeline"}


# --------------------------------------------------------------------------- several sectors


def test_a_site_with_several_sectors_is_a_latent_user_through_any_of_them():
    sites = [Site("PWR", 117.0, LAT, "4411"),
             Site("CHEM", east(20.0), LAT, "2612", extra_sectors=("3011",)),  # chlor-alkali that also makes cement
             Site("CHEMONLY", east(10.0), LAT, "2612")]
    offers = [Offer("O1", "PWR", "coal-fly-ash", 5000.0, FLY_ASH, 20.0)]
    result = run_matching(offers, [], sites, KB.routes, options=MatchOptions(today=TODAY, latent=True), knowledge=KB)
    assert {l.receiver_site_id for l in result.links} == {"CHEM"}
    assert result.links[0].coupling == "power-building materials"


def test_a_substitute_want_needs_a_sector_the_route_serves_and_any_of_the_sites_sectors_will_do():
    # A substitute (not the material wanted) is sent only where a route names the site's sector: at the
    # chlor-alkali works phosphogypsum has no use FGD gypsum could stand in for, so it is not even a candidate.
    gypsum = {"caso4_2h2o_pct": 93.0, "free_water_pct": 8.0, "cl_pct": 0.005, "caso3_pct": 0.2}
    wanted = "phosphogypsum"
    sites = [Site("PWR", 117.0, LAT, "4411"), Site("MIX", east(20.0), LAT, "2612", extra_sectors=("3011", "3024")),
             Site("CHEM", east(10.0), LAT, "2612")]
    offers = [Offer("O1", "PWR", "fgd-gypsum", 5000.0, gypsum, 15.0)]
    wants = [Want("W1", "MIX", (wanted,), 3000.0), Want("W2", "CHEM", (wanted,), 3000.0)]
    result = run_matching(offers, wants, sites, KB.routes, options=MatchOptions(today=TODAY, keep_candidates=True),
                          knowledge=KB)
    assert {l.want_id for l in result.links} == {"W1"}
    assert all(l.substitute for l in result.links)
    assert {c.want_id for c in result.candidates} == {"W1"}


def test_a_far_works_sharing_a_quay_is_not_crowded_out_by_the_nearest_ones_a_lorry_reaches():
    radius = ROUTE.transport_km
    offers, wants, sites = far_pair((radius["road"] + radius["barge"]) / 2, ("quay",), ("quay",))
    wants = [Want("W1", "CEM", ("coal-fly-ash",), 50000.0, max_price_cny=200.0)]
    for i in range(45):  # more cement works within lorry reach than the pool of nearest receivers holds
        sites.append(Site(f"N{i}", east(10.0 + i * 0.1), LAT, "3011"))
        wants.append(Want(f"N{i}", f"N{i}", ("coal-fly-ash",), 1000.0, max_price_cny=60.0))
    result = run(offers, wants, sites)
    assert result.summary.cut_by_pool >= 5
    far = next(l for l in result.links if l.want_id == "W1")
    assert far.mode == "barge" and far.quantity == 50000.0
    # Without the quay at the far works, the nearest forty fill the pool and it is never looked at.
    plain_sites = sites[:1] + [Site("CEM", sites[1].lon, LAT, "3011")] + sites[2:]
    plain = run(offers, wants, plain_sites)
    assert all(l.want_id != "W1" for l in plain.links) and all(a.want_id != "W1" for a in plain.alternatives)
