"""Candidate search: the spatial index, radii, pools, k, substitutes, children and latent receivers."""

import datetime as dt

import numpy as np
import pytest

from geo.distance import great_circle_km
from matching.candidates import chord_for_km, km_for_chord, nearest_within, sector_matches, unit_vectors
from matching.engine import run_matching
from matching.knowledge.loader import load_knowledge
from matching.types import MatchOptions, Offer, Site, Want

KB = load_knowledge()
TODAY = dt.date(2026, 3, 1)
HEFEI = (117.23, 31.82)
KM_PER_DEGREE_LAT = great_circle_km(0.0, 0.0, 0.0, 1.0)


def north_of_hefei(km: float) -> tuple[float, float]:
    return HEFEI[0], HEFEI[1] + km / KM_PER_DEGREE_LAT


def site(site_id, km=0.0, sector="3011", **kw):
    lon, lat = north_of_hefei(km)
    return Site(site_id, lon, lat, sector, **kw)


def fly_ash_offer(offer_id="O1", site_id="PWR", quantity=1000.0, **kw):
    kw.setdefault("quality", {"loi_pct": 5.0, "moisture_pct": 0.5, "so3_pct": 2.0,
                              "strength_activity_index_pct": 75.0})
    kw.setdefault("price_cny", 20.0)
    return Offer(offer_id, site_id, kw.pop("material", "coal-fly-ash"), quantity, **kw)


def run(offers, wants, sites, **options):
    options.setdefault("today", TODAY)
    return run_matching(offers, wants, sites, KB.routes, options=MatchOptions(**options), knowledge=KB)


@pytest.mark.parametrize("distance_km", [0.0, 1.0, 115.0, 1000.0, 15000.0])
def test_chord_and_great_circle_distance_round_trip(distance_km):
    assert km_for_chord(chord_for_km(distance_km)) == pytest.approx(distance_km, abs=1e-6)


def test_nearest_within_finds_exactly_the_points_a_brute_force_haversine_finds():
    rng = np.random.default_rng(7)
    lon_q, lat_q = rng.uniform(115, 119, 60), rng.uniform(30, 34, 60)
    lon_i, lat_i = rng.uniform(115, 119, 300), rng.uniform(30, 34, 300)
    block = nearest_within(unit_vectors(lon_q, lat_q), unit_vectors(lon_i, lat_i), radius_km=80.0, pool=1000)
    brute = great_circle_km(lon_q[:, None], lat_q[:, None], lon_i[None, :], lat_i[None, :])
    expected = sorted(zip(*np.nonzero(brute <= 80.0)))
    assert sorted(zip(block.query.tolist(), block.index.tolist())) == [(int(q), int(i)) for q, i in expected]
    assert block.in_radius == len(expected)
    np.testing.assert_allclose(block.distance_km, brute[block.query, block.index], rtol=1e-9)


def test_pool_keeps_the_nearest_and_counts_what_it_cut():
    points = unit_vectors([117.0] * 5, [31.0, 31.1, 31.2, 31.3, 31.4])
    block = nearest_within(points[:1], points[1:], radius_km=40.0, pool=2)
    assert block.index.tolist() == [0, 1]
    assert block.in_radius == 3  # 11, 22 and 33 km; 44 km is outside
    assert len(block) == 2


def test_ties_at_equal_distance_come_in_index_order():
    query = unit_vectors([117.0], [31.0])
    index = unit_vectors([117.1, 117.5, 117.1, 117.1], [31.0, 31.0, 31.0, 31.0])
    block = nearest_within(query, index, radius_km=100.0, pool=4)
    assert block.index.tolist() == [0, 2, 3, 1]


@pytest.mark.parametrize("sector, route_sectors, expected", [
    ("3011", ["3011"], True),
    ("3011", ["301"], True),      # a group covers its classes
    ("3011", ["30"], True),       # and a division too
    ("30", ["3011"], False),      # a site known only by its division does not prove the class
    ("3021", ["3011"], False),
    ("", ["3011"], False),
])
def test_sector_matching_by_code_prefix(sector, route_sectors, expected):
    assert sector_matches([sector], route_sectors).tolist() == [expected]


@pytest.mark.parametrize("km, found", [(100.0, True), (230.0, True), (232.0, False), (400.0, False)])
def test_a_want_is_a_candidate_only_within_the_route_radius_by_road(km, found):
    # Fly ash to cement by road: 300 km radius; road km = great-circle km x 1.3, so about 230.8 km.
    sites = [site("PWR", 0.0, "4411"), site("CEM", km)]
    result = run([fly_ash_offer()], [Want("W1", "CEM", ("coal-fly-ash",), 500.0)], sites)
    assert bool(result.links) is found


def test_rail_allowed_by_the_offer_stretches_the_radius():
    sites = [site("PWR", 0.0, "4411"), site("CEM", 300.0)]
    want = Want("W1", "CEM", ("coal-fly-ash",), 500.0)
    assert not run([fly_ash_offer()], [want], sites).links
    links = run([fly_ash_offer(transport_modes=("road", "rail"))], [want], sites).links
    assert [(link.mode, round(link.road_km)) for link in links] == [("rail", 390)]


def test_best_k_per_offer_are_kept_and_the_rest_counted():
    sites = [site("PWR", 0.0, "4411"), *(site(f"C{i}", 10.0 * (i + 1)) for i in range(4))]
    wants = [Want(f"W{i}", f"C{i}", ("coal-fly-ash",), 100.0) for i in range(4)]
    result = run([fly_ash_offer()], wants, sites, k_per_offer=2, keep_candidates=True)
    assert result.summary.feasible == 4
    assert result.summary.cut_by_k == 2
    # Nearest receivers score best (same prices, less transport).
    assert [c.want_id for c in result.candidates] == ["W0", "W1"]


def test_candidate_pool_limits_what_is_examined():
    sites = [site("PWR", 0.0, "4411"), *(site(f"C{i}", 10.0 * (i + 1)) for i in range(4))]
    wants = [Want(f"W{i}", f"C{i}", ("coal-fly-ash",), 100.0) for i in range(4)]
    summary = run([fly_ash_offer()], wants, sites, k_per_offer=1, candidate_pool=3).summary
    assert (summary.pairs_in_radius, summary.cut_by_pool, summary.examined) == (4, 1, 3)


def test_a_want_for_a_parent_takes_its_children_but_not_the_reverse():
    sites = [site("PWR", 0.0, "4411"), site("CEM", 20.0), site("CON", 20.0, "3021")]
    child_offer = fly_ash_offer(material="coal-fly-ash-class-f")
    assert run([child_offer], [Want("W1", "CEM", ("coal-fly-ash",), 500.0)], sites).links
    parent_offer = fly_ash_offer(quality={"grade": "II", "loi_pct": 5.0})
    assert not run([parent_offer], [Want("W1", "CON", ("coal-fly-ash-class-f",), 500.0)], sites).links


def test_substitutes_serve_a_want_only_when_allowed():
    # Phosphogypsum and FGD gypsum both replace natural gypsum as cement retarder.
    sites = [site("CHEM", 0.0, "2624"), site("CEM", 20.0)]
    offer = Offer("O1", "CHEM", "phosphogypsum", 1000.0, {"soluble_p2o5_pct": 0.3, "soluble_f_pct": 0.2}, 5.0)
    want = Want("W1", "CEM", ("fgd-gypsum",), 500.0)
    links = run([offer], [want], sites).links
    assert [(link.substitute, link.route_id) for link in links] == [(True, "phosphogypsum-cement-retarder")]
    assert "as a substitute" in links[0].explanation_en
    assert not run([offer], [want], sites, allow_substitutes=False).links


STEEL_SLAG = {"f_cao_pct": 2.0, "specific_surface_m2_kg": 420.0, "mgo_pct": 5.0}


def test_a_substitute_goes_only_by_the_route_declaring_it():
    # Steel slag powder and fly ash both serve as cement admixture: a cement works wanting fly ash may be offered
    # steel slag as a substitute, as admixture, never by steel slag's raw-meal route (which replaces limestone).
    sites = [site("STEEL", 0.0, "3120"), site("CEM", 20.0)]
    offer = Offer("O1", "STEEL", "steel-slag", 1000.0, STEEL_SLAG, 5.0)
    result = run([offer], [Want("W1", "CEM", ("coal-fly-ash",), 500.0)], sites, keep_candidates=True)
    assert {(c.route_id, c.substitute) for c in result.candidates} == {("steel-slag-powder", True)}


@pytest.mark.parametrize("offer, want, receiver_sector", [
    # fly ash is no stand-in for GBFS at an aerated-concrete works: their shared use is cement admixture only
    (fly_ash_offer(quality={"loi_pct": 5.0, "grade": "II"}), ("gbfs",), "3024"),
    # siblings under a catch-all category are not each other's substitutes
    (Offer("O1", "PWR", "scrap-steel", 1000.0, price_cny=5.0), ("waste-plastics",), "4220"),
    (Offer("O1", "PWR", "waste-paper", 1000.0, price_cny=5.0), ("waste-plastics",), "4220"),
    (Offer("O1", "PWR", "ammonium-sulphate", 1000.0, price_cny=5.0), ("gasification-slag",), "3011"),
    # paper sludge is kiln fuel, coal gangue is fuel only at CFB power plants: at a cement works gangue is raw
    # meal or admixture, a job the sludge does not do
    (Offer("O1", "PWR", "paper-mill-sludge", 1000.0, price_cny=-50.0), ("coal-gangue",), "3011"),
])
def test_no_substitute_without_a_route_declaring_it(offer, want, receiver_sector):
    sites = [site("PWR", 0.0, "4411"), site("RCV", 20.0, receiver_sector)]
    result = run([offer], [Want("W1", "RCV", want, 500.0)], sites, keep_candidates=True)
    assert not result.candidates and not result.links


@pytest.mark.parametrize("material, supplier_sector, users, others", [
    # sawdust (waste wood): panel and fibreboard mills, not battery recyclers or vehicle dismantlers (4210, 4220)
    ("waste-wood", "2021", {"PAN": "2022"}, {"BAT": "4210", "DIS": "4220"}),
    ("waste-paper", "2311", {"PM": "2221"}, {"BAT": "4210"}),
    ("waste-cardboard", "2311", {"PM": "2221"}, {"BAT": "4210", "DIS": "4220"}),
    ("scrap-steel", "3360", {"EAF": "3120"}, {"BAT": "4220"}),
    # a lot that names only the category goes where the category's own route sends it
    ("recyclable-waste", "3360", {"SORT": "5191"}, {}),
])
def test_latent_receivers_come_only_from_routes_about_the_material(material, supplier_sector, users, others):
    sites = [site("SUP", 0.0, supplier_sector)] + [
        site(name, 10.0 + 5 * i, sector) for i, (name, sector) in enumerate({**users, **others}.items())]
    result = run([Offer("O1", "SUP", material, 1000.0, price_cny=5.0)], [], sites, latent=True, keep_candidates=True)
    assert {c.receiver_site_id for c in result.candidates} == set(users)


def test_latent_mode_proposes_users_that_posted_no_want():
    sites = [site("PWR", 0.0, "4411"), site("CEM", 20.0), site("CEM2", 30.0), site("SHOP", 10.0, "5191")]
    wants = [Want("W2", "CEM2", ("coal-fly-ash",), 100.0)]
    result = run([fly_ash_offer()], wants, sites, latent=True)
    by_receiver = {(link.receiver_site_id, link.latent) for link in result.links}
    assert by_receiver == {("CEM2", False), ("CEM", True)}  # CEM2 posted, so it is no latent receiver
    assert result.summary.latent_receivers == 1
    assert not run([fly_ash_offer()], wants, sites, latent=False).summary.latent_receivers
